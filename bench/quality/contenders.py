"""The contenders that run in the project's own virtual environment:

    .venv/bin/python bench/quality/contenders.py ours --data bench/quality/data --out R.json
    .venv/bin/python bench/quality/contenders.py duckdb_sql --data bench/quality/data --out R.json

* ``ours``: ``dataasset.quality.runner.check_source(customers.parquet, rules.yaml)`` and its
  ``report.as_json()``; the checks come back in the order of ``rules.yaml``.
* ``duckdb_sql``: the floor and an independent count: the 20 checks hand-written as three DuckDB
  queries over ``read_parquet`` (one aggregate pass with ``FILTER`` clauses and a join to the regions,
  one ``GROUP BY`` per unique check) in the project's DuckDB.

The command line ``dataasset quality check … --format json`` is timed by ``run.py`` as a whole process
(``ours_cli``); ``from_report`` maps its JSON, the same document as ``as_json()``.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import harness as h

RULES = h.HERE / "rules.yaml"


def from_report(doc: dict[str, Any]) -> dict[str, Any]:
    """Our report (``as_json()``) → the harness's per-check counts, by position in rules.yaml."""
    import yaml

    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["checks"]
    got = doc["checks"]
    if len(got) != len(rules):
        raise SystemExit(f"ours reported {len(got)} checks for the {len(rules)} of rules.yaml")
    checks: dict[str, Any] = {}
    for cid, rule, result in zip(h.CHECK_IDS, rules, got, strict=True):
        if result.get("check") != rule["check"]:
            raise SystemExit(f"ours: expected {rule['check']}, got {result.get('check')} (order changed?)")
        checks[cid] = {
            "checked": int(result["checked"]),
            "passed": int(result["passed"]),
            "score": result.get("score"),
            "dimension": result.get("dimension"),
        }
    return {"checks": checks, "overall": doc.get("overall"), "dimensions": doc.get("dimensions")}


def ours(data: Path, _extra: list[str]) -> h.Work:
    from dataasset.quality.runner import check_source

    refs = {"regions": str(data / "regions.parquet")}
    phases = _time_phases()

    def work() -> dict[str, Any]:
        report = check_source(str(data / "customers.parquet"), RULES, refs=refs)
        out = from_report(report.as_json())
        out["errors"] = {cid: r.error for cid, r in zip(h.CHECK_IDS, report.results, strict=True) if r.error}
        spent = dict(phases)
        if "load" in spent and "type text columns" in spent:
            spent["load"] -= spent["type text columns"]
        spent["rest"] = max(0.0, report.seconds - sum(spent.values()))
        return {
            **out,
            "backend": "DuckDB, in memory",
            "rows_read": report.rows,
            "engine_s": report.seconds,
            "phases": spent,
            "versions": _versions(),
        }

    return work


def _time_phases() -> dict[str, float]:
    """Best effort: wrap the engine's stages (by their current names) in timers; the stages that are
    not found are not reported. Costs a few microseconds per call."""
    import time
    from collections.abc import Callable

    from dataasset.quality import engine, runner
    from dataasset.quality.checks import REGISTRY, ROW

    spent: dict[str, float] = {}

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

        return wrapper

    for module, attr, label in (
        (runner, "load", "load"),
        (runner, "type_text_columns", "type text columns"),
        (engine, "_row_results", "row checks"),
        (engine, "_examples", "failing-row examples"),
        (engine, "_attach_examples", "failing-row examples"),
    ):
        if callable(getattr(module, attr, None)):
            setattr(module, attr, timed(label, getattr(module, attr)))
    for kind in {type(k) for k in REGISTRY.values() if k.level != ROW}:
        if "count" in vars(kind):
            kind.count = timed("query and table checks", kind.count)  # type: ignore[method-assign]
    return spent


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for package in ("dataasset", "duckdb", "pyarrow", "pandas"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[package] = metadata.version(package)
    return out


def _in(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def duckdb_sql(data: Path, _extra: list[str]) -> h.Work:
    import duckdb

    customers = str(data / "customers.parquet").replace("'", "''")
    regions = str(data / "regions.parquet").replace("'", "''")
    lo, hi = h.ROW_COUNT
    aggregate = f"""
        SELECT
          count(*) AS rows,
          count(c.客户编号), count(c.身份证号), count(c.手机号), count(c.姓名),
          count(*) FILTER (WHERE regexp_matches(c.手机号, '{h.MOBILE}')),
          count(c.邮箱), count(*) FILTER (WHERE regexp_matches(c.邮箱, '{h.EMAIL}')),
          count(*) FILTER (WHERE regexp_matches(c.身份证号, '{h.ID_SHAPE}')),
          count(c.性别), count(*) FILTER (WHERE c.性别 IN ({_in(h.SEXES)})),
          count(c.状态), count(*) FILTER (WHERE c.状态 IN ({_in(h.STATUSES)})),
          count(c.年龄), count(*) FILTER (WHERE c.年龄 BETWEEN 0 AND 120),
          count(c.余额), count(*) FILTER (WHERE c.余额 BETWEEN 0 AND 10000000),
          count(c.信用评分), count(*) FILTER (WHERE c.信用评分 BETWEEN 300 AND 850),
          count(*) FILTER (WHERE length(c.客户编号) = 10),
          count(*) FILTER (WHERE length(c.姓名) BETWEEN 2 AND 4),
          count(c.地区编码), count(r.地区编码),
          count(*) FILTER (WHERE c.更新时间 IS NOT NULL AND c.开户日期 IS NOT NULL),
          count(*) FILTER (WHERE c.更新时间 >= c.开户日期),
          max(c.更新时间)
        FROM read_parquet('{customers}') c
        LEFT JOIN read_parquet('{regions}') r ON c.地区编码 = r.地区编码
    """

    def unique(columns: str) -> str:
        nonnull = " AND ".join(f"{c} IS NOT NULL" for c in columns.split(", "))
        return f"""
            SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE n = 1), 0)
            FROM (SELECT count(*) AS n FROM read_parquet('{customers}') WHERE {nonnull} GROUP BY {columns})
        """

    def work() -> dict[str, Any]:
        con = duckdb.connect()
        a = con.execute(aggregate).fetchone()
        u1 = con.execute(unique("客户编号")).fetchone()
        u2 = con.execute(unique("网点编号, 账号")).fetchone()
        assert a is not None and u1 is not None and u2 is not None
        (rows, nn_id, nn_card, nn_mobile, nn_name, ok_mobile, nn_mail, ok_mail, ok_card) = a[:9]
        (nn_sex, ok_sex, nn_status, ok_status, nn_age, ok_age, nn_bal, ok_bal, nn_score, ok_score) = a[9:19]
        (ok_id_len, ok_name_len, nn_region, ok_region, nn_pair, ok_order, newest) = a[19:]
        fresh = newest is not None and newest >= datetime.now() - timedelta(days=h.FRESH_DAYS)
        pairs = {
            "not_null:客户编号": (rows, nn_id),
            "not_null:身份证号": (rows, nn_card),
            "not_null:手机号": (rows, nn_mobile),
            "not_null:姓名": (rows, nn_name),
            "pattern:手机号": (nn_mobile, ok_mobile),
            "pattern:邮箱": (nn_mail, ok_mail),
            "pattern:身份证号": (nn_card, ok_card),
            "allowed_values:性别": (nn_sex, ok_sex),
            "allowed_values:状态": (nn_status, ok_status),
            "between:年龄": (nn_age, ok_age),
            "between:余额": (nn_bal, ok_bal),
            "between:信用评分": (nn_score, ok_score),
            "length:客户编号": (nn_id, ok_id_len),
            "length:姓名": (nn_name, ok_name_len),
            "unique:客户编号": u1,
            "unique:网点编号+账号": u2,
            "foreign_key:地区编码": (nn_region, ok_region),
            "row_count": (1, int(lo <= rows <= hi)),
            "ordered:更新时间>=开户日期": (nn_pair, ok_order),
            "fresh_within:更新时间": (1, int(fresh)),
        }
        checks = {cid: {"checked": int(pairs[cid][0]), "passed": int(pairs[cid][1])} for cid in h.CHECK_IDS}
        return {
            "backend": "DuckDB SQL, 3 queries",
            "rows_read": rows,
            "checks": checks,
            "versions": _versions(),
        }

    return work


if __name__ == "__main__":
    h.main({"ours": ours, "duckdb_sql": duckdb_sql})
