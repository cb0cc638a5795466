"""The 20 checks as Great Expectations (GX Core 1.x) expectations, run in an ephemeral context (no
files written) on one of two backends:

    bench/.venv-quality/bin/python bench/quality/gx_checks.py gx_pandas --data bench/quality/data --out R.json
    bench/.venv-quality/bin/python bench/quality/gx_checks.py gx_sql --data bench/quality/data --out R.json

* ``gx_pandas``: ``pandas.read_parquet`` of the table, a pandas data source with a whole-dataframe
  batch: GX's pandas execution engine.
* ``gx_sql``: a SQL data source on DuckDB (``duckdb:///:memory:`` through ``duckdb-engine``), a query
  asset ``SELECT * FROM read_parquet(…)``: GX's SQLAlchemy execution engine compiles each metric to
  SQL and DuckDB runs it over the Parquet file. **GX does not support DuckDB** (no DuckDB data source,
  no ``GXSqlDialect`` for it), and through the generic ``add_sql`` source two things break, which
  ``_patch_gx_for_duckdb`` mends without changing what GX computes: (1) GX fetches a query's rows
  after handing its connection back to the pool, and duckdb-engine has dropped the pending result by
  then (every metric comes back empty): duckdb joins the dialects GX already keeps one connection
  open for (SQLite, SQL Server, BigQuery, Databricks); (2) ``expect_column_values_to_match_regex``
  raises "Regex is not supported for dialect duckdb": it gets DuckDB's ``regexp_matches`` (a search,
  as GX's pandas ``str.contains`` is; the patterns are anchored).

GX has no cross-table expectation, so the foreign key is ``expect_column_values_to_be_in_set`` with
the values of ``regions.地区编码``, read from ``regions.parquet`` inside the timed work. Freshness is
``expect_column_max_to_be_between(更新时间, min_value=now - 30 days)``. ``result_format="BASIC"``
gives ``element_count``, ``missing_count`` and ``unexpected_count`` for every map expectation: checked
= element_count − missing_count (element_count for not_null), passed = checked − unexpected_count.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import harness as h

logging.disable(logging.WARNING)
warnings.filterwarnings("ignore")


def expectations(region_codes: list[str]) -> list[Any]:
    import great_expectations.expectations as gxe

    fresh_from = datetime.now() - timedelta(days=h.FRESH_DAYS)
    specs: list[tuple[str, Any]] = [
        ("not_null:客户编号", gxe.ExpectColumnValuesToNotBeNull(column="客户编号")),
        ("not_null:身份证号", gxe.ExpectColumnValuesToNotBeNull(column="身份证号")),
        ("not_null:手机号", gxe.ExpectColumnValuesToNotBeNull(column="手机号")),
        ("not_null:姓名", gxe.ExpectColumnValuesToNotBeNull(column="姓名")),
        ("pattern:手机号", gxe.ExpectColumnValuesToMatchRegex(column="手机号", regex=h.MOBILE)),
        ("pattern:邮箱", gxe.ExpectColumnValuesToMatchRegex(column="邮箱", regex=h.EMAIL)),
        ("pattern:身份证号", gxe.ExpectColumnValuesToMatchRegex(column="身份证号", regex=h.ID_SHAPE)),
        ("allowed_values:性别", gxe.ExpectColumnValuesToBeInSet(column="性别", value_set=h.SEXES)),
        ("allowed_values:状态", gxe.ExpectColumnValuesToBeInSet(column="状态", value_set=h.STATUSES)),
        ("between:年龄", gxe.ExpectColumnValuesToBeBetween(column="年龄", min_value=0, max_value=120)),
        (
            "between:余额",
            gxe.ExpectColumnValuesToBeBetween(column="余额", min_value=0, max_value=10_000_000),
        ),
        (
            "between:信用评分",
            gxe.ExpectColumnValuesToBeBetween(column="信用评分", min_value=300, max_value=850),
        ),
        (
            "length:客户编号",
            gxe.ExpectColumnValueLengthsToBeBetween(column="客户编号", min_value=10, max_value=10),
        ),
        ("length:姓名", gxe.ExpectColumnValueLengthsToBeBetween(column="姓名", min_value=2, max_value=4)),
        ("unique:客户编号", gxe.ExpectColumnValuesToBeUnique(column="客户编号")),
        ("unique:网点编号+账号", gxe.ExpectCompoundColumnsToBeUnique(column_list=["网点编号", "账号"])),
        (
            "foreign_key:地区编码",
            gxe.ExpectColumnValuesToBeInSet(column="地区编码", value_set=region_codes),
        ),
        (
            "row_count",
            gxe.ExpectTableRowCountToBeBetween(min_value=h.ROW_COUNT[0], max_value=h.ROW_COUNT[1]),
        ),
        (
            "ordered:更新时间>=开户日期",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="更新时间",
                column_B="开户日期",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ),
        ("fresh_within:更新时间", gxe.ExpectColumnMaxToBeBetween(column="更新时间", min_value=fresh_from)),
    ]
    out = []
    for cid, expectation in specs:
        expectation.meta = {"check": cid}
        out.append(expectation)
    assert [e.meta["check"] for e in out] == h.CHECK_IDS
    return out


def _counts(cid: str, r: Any) -> dict[str, Any]:
    level = dict((c, lv) for c, _, lv in h.CHECKS)[cid]
    res = r.result or {}
    if level == "table":
        return {"checked": 1, "passed": int(bool(r.success)), "observed": res.get("observed_value")}
    element = int(res["element_count"])
    unexpected = int(res["unexpected_count"])
    checked = element if cid.startswith("not_null:") else element - int(res.get("missing_count") or 0)
    return {"checked": checked, "passed": checked - unexpected}


def _run(batch: Any, region_codes: list[str]) -> dict[str, Any]:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="customers_20", expectations=expectations(region_codes))
    result = batch.validate(suite, result_format="BASIC")
    checks: dict[str, Any] = {}
    errors = {}
    for r in result.results:
        cid = r.expectation_config.meta["check"]
        if r.exception_info and r.exception_info.get("raised_exception"):
            errors[cid] = r.exception_info.get("exception_message")
            continue
        checks[cid] = _counts(cid, r)
    return {"checks": checks, "errors": errors, "versions": _versions()}


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for package in ("great_expectations", "pandas", "pyarrow", "duckdb", "duckdb_engine", "sqlalchemy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[package] = metadata.version(package)
    return out


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def gx_pandas(data: Path, _extra: list[str]) -> h.Work:
    import pandas as pd

    context = _context()
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset("customers")
    definition = asset.add_batch_definition_whole_dataframe("all")

    def work() -> dict[str, Any]:
        df = pd.read_parquet(data / "customers.parquet")
        # 开户日期 is a Parquet DATE: pandas reads it as datetime.date objects, which GX's pandas
        # engine cannot compare with 更新时间's datetime64; as datetime64 it can (same values).
        df["开户日期"] = pd.to_datetime(df["开户日期"])
        regions = pd.read_parquet(data / "regions.parquet")["地区编码"].tolist()
        batch = definition.get_batch(batch_parameters={"dataframe": df})
        return {"backend": "pandas", "rows_read": len(df), **_run(batch, regions)}

    return work


class _DialectName(str):
    """A dialect name where GX expects a ``GXSqlDialect`` member (it reads ``.value``)."""

    @property
    def value(self) -> str:
        return str(self)


def _patch_gx_for_duckdb() -> None:
    import sqlalchemy as sa
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine
    from great_expectations.expectations.metrics.column_map_metrics import column_values_match_regex as rx

    engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, _DialectName("duckdb"))
    original = rx.get_dialect_regex_expression

    def regex_expression(column: Any, regex: str, dialect: Any, positive: bool = True) -> Any:
        found = original(column, regex, dialect, positive)
        if found is None and getattr(getattr(dialect, "dialect", dialect), "name", "") == "duckdb":
            match = sa.func.regexp_matches(column, sa.literal(regex))
            return match if positive else sa.not_(match)
        return found

    rx.get_dialect_regex_expression = regex_expression


def gx_sql(data: Path, _extra: list[str]) -> h.Work:
    _patch_gx_for_duckdb()
    context = _context()
    source = context.data_sources.add_sql("bench", connection_string="duckdb:///:memory:")
    path = str(data / "customers.parquet").replace("'", "''")
    asset = source.add_query_asset("customers", query=f"SELECT * FROM read_parquet('{path}')")
    definition = asset.add_batch_definition_whole_table("all")

    def work() -> dict[str, Any]:
        import duckdb

        regions_path = str(data / "regions.parquet").replace("'", "''")
        regions = [
            r[0] for r in duckdb.sql(f"SELECT 地区编码 FROM read_parquet('{regions_path}')").fetchall()
        ]
        batch = definition.get_batch()
        return {"backend": "sql (DuckDB via duckdb-engine)", **_run(batch, regions)}

    return work


if __name__ == "__main__":
    h.main({"gx_pandas": gx_pandas, "gx_sql": gx_sql})
