"""The Spark engine gives the DuckDB engine's figures: one small table (Chinese headers; IDs, mobiles,
names, addresses, order-number traps, integers, decimals, leading-zero codes, dates, timestamps,
booleans, blanks, DuckDB's odd number spellings, a duplicate row) as a GBK CSV, as typed Parquet, as
JSON Lines and as a table of the Spark catalog, scanned by both engines and compared figure by figure.

Spark runs in local mode (one session for the module). Without pyspark or Java the module is skipped
with the reason; with CI=true it must run.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest

from dataasset.discovery import scanner, spark
from dataasset.discovery.scanner import TableResult
from dataasset.discovery.types import UNSUPPORTED, DiscoveryError
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROWS = 300


def spark_missing() -> str | None:
    """None when a local Spark can run here, else why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "未安装 pyspark（pip install 'dataasset[spark]'）"
    if spark._java() is None:
        return "未找到 Java（Spark 需要 Java 17 或以上；请安装 JDK 并设置 JAVA_HOME）"
    return None


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = spark_missing()
    if reason is not None:
        message = f"Spark 不可用：{reason}"
        if CI:
            pytest.fail(message + " — CI=true 时 Spark 测试为必跑项", pytrace=False)
        pytest.skip(message)
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    started = spark.session(
        master="local[2]",
        conf={
            "spark.sql.warehouse.dir": str(warehouse),
            "spark.sql.shuffle.partitions": "2",
            "spark.driver.memory": "1g",
        },
    )
    yield started
    spark.stop()


# --------------------------------------------------------------------------- the table


def table_rows() -> list[dict[str, str]]:
    rng = random.Random(20)
    rows = []
    start = datetime(2024, 1, 1, 8, 0, 0)
    for base in customer_rows(ROWS, seed=11):
        row = dict(base)  # 客户编号 姓名 身份证号 手机号 住址 订单号 用电量 手机型号 备注
        row["数量"] = str(rng.randrange(-50, 5000))
        row["单价"] = f"{rng.uniform(0, 999):.2f}"
        row["网点代码"] = f"{rng.randrange(0, 120):03d}"  # 007: a code, not a number
        row["开户日期"] = (date(2015, 1, 1) + timedelta(days=rng.randrange(3000))).isoformat()
        moment = start + timedelta(seconds=rng.randrange(10**7))
        row["登记时间"] = rng.choice([moment.isoformat(sep=" "), moment.isoformat() + "Z"])
        row["是否有效"] = rng.choice(["true", "false", "TRUE", "False", "yes"])
        row["状态码"] = rng.choice(["0", "1"])  # booleans to DuckDB too, but numbers first
        row["读数"] = rng.choice([" 12", "1_000", "1e3", "+5", "-7", "", "  ", "42"])  # DuckDB's spellings
        row["评分"] = "" if rng.random() < 0.2 else f"{rng.uniform(1, 5):.1f}"
        row["空白列"] = rng.choice(["", " ", "\u3000", "\t"])
        row["混合"] = rng.choice(["1", "2", "abc", "2024-01-02"])
        rows.append(row)
    rows.append(dict(rows[17]))  # a duplicate row
    return rows


def typed_table(rows: list[dict[str, str]]) -> Any:
    """The same rows with Parquet types where the text says so."""

    def text(name: str) -> Any:
        return pa.array([r[name] for r in rows], type=pa.string())

    columns = {name: text(name) for name in rows[0]}
    columns["用电量"] = pa.array([float(r["用电量"]) for r in rows], type=pa.float64())
    columns["数量"] = pa.array([int(r["数量"]) for r in rows], type=pa.int64())
    columns["单价"] = pa.array([Decimal(r["单价"]) for r in rows], type=pa.decimal128(10, 2))
    columns["开户日期"] = pa.array([date.fromisoformat(r["开户日期"]) for r in rows], type=pa.date32())
    columns["登记时间"] = pa.array(
        [datetime.fromisoformat(r["登记时间"].rstrip("Z")) for r in rows], type=pa.timestamp("us")
    )
    columns["是否有效"] = pa.array([r["是否有效"].lower() in ("true", "yes") for r in rows], type=pa.bool_())
    columns["评分"] = pa.array([float(r["评分"]) if r["评分"] else None for r in rows], type=pa.float64())
    return pa.table(columns)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("spark-data")
    rows = table_rows()
    out = {"csv": write_csv(folder / "客户.csv", rows, encoding="gbk")}
    assert out["csv"].read_bytes().decode("gbk")  # GBK indeed (not UTF-8)
    out["parquet"] = folder / "客户.parquet"
    pq.write_table(typed_table(rows), out["parquet"])
    lines = []
    for r in rows[:120]:
        lines.append(
            json.dumps(
                {
                    "客户编号": r["客户编号"],
                    "手机号": r["手机号"],
                    "数量": int(r["数量"]),
                    "单价": float(r["单价"]),
                    "是否有效": r["是否有效"] == "true",
                    "备注": r["备注"] or None,
                },
                ensure_ascii=False,
            )
        )
    out["jsonl"] = folder / "客户.jsonl"
    lines.insert(60, "")  # a blank line: no row
    out["jsonl"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    out["xlsx"] = write_xlsx(folder / "客户.xlsx", {"客户": rows[:20]})
    return out


# --------------------------------------------------------------------------- comparing


def figures(result: TableResult) -> dict[str, Any]:
    """What must be equal, by column name."""
    table = result.profile
    out: dict[str, Any] = {
        "(table)": (
            table.rows,
            table.duplicate_rows,
            table.candidate_keys,
            result.grade.grade,
            result.grade.level,
        )
    }
    for c in result.columns:
        p = c.profile
        out[p.name] = {
            "type": p.type,
            "nulls": p.nulls,
            "distinct": p.distinct,
            "distinct_exact": p.distinct_exact,
            "min": p.min,
            "max": p.max,
            "lengths": (
                p.length_min,
                p.length_max,
                None if p.length_mean is None else round(p.length_mean, 9),
            ),
            "top_values": p.top_values,
            "patterns": p.patterns,
            "sensitive": c.detection.type_code,
            "grade": (c.grade.grade, c.grade.level),
        }
    return out


def assert_same(duck: TableResult, other: TableResult) -> None:
    assert [c.profile.name for c in other.columns] == [c.profile.name for c in duck.columns]
    want, got = figures(duck), figures(other)
    diffs = {name: (want[name], got[name]) for name in want if want[name] != got[name]}
    assert not diffs, diffs
    for a, b in zip(duck.columns, other.columns, strict=True):  # sums in another order: last digits
        for x, y in ((a.profile.mean, b.profile.mean), (a.profile.stddev, b.profile.stddev)):
            assert (x is None) == (y is None), a.profile.name
            if x is not None and y is not None:
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), (a.profile.name, x, y)
        assert set(a.profile.quantiles) == set(b.profile.quantiles), a.profile.name


def only(results: list[TableResult]) -> TableResult:
    assert len(results) == 1
    return results[0]


# --------------------------------------------------------------------------- the tests


def test_gbk_csv_equals_duckdb(session: Any, files: dict[str, Path]) -> None:
    duck = only(scanner.scan(str(files["csv"])))
    # through the scanner's dispatch, as the service runs it with DATAASSET_SCAN_ENGINE=spark
    events: list[str] = []
    progress = scanner.ScanProgress(
        on_tables=lambda refs: events.append(f"tables {[r.name for r in refs]}"),
        on_table_start=lambda name, estimate: events.append(f"start {name} {estimate}"),
        on_rows=lambda rows: events.append(f"rows {rows}"),
        on_table_done=lambda result: events.append(f"done {result.name}"),
        cancelled=lambda: False,
    )
    on_spark = only(scanner.scan(str(files["csv"]), options={"engine": "spark"}, progress=progress))
    assert events == ["tables ['客户']", f"start 客户 {ROWS + 1}", f"rows {ROWS + 1}", "done 客户"]
    assert_same(duck, on_spark)
    types = {c.profile.name: c.profile.type for c in duck.columns}
    assert types["数量"] == "integer" and types["单价"] == "decimal" and types["用电量"] == "decimal"
    assert types["网点代码"] == "string" and types["订单号"] == "string" and types["身份证号"] == "string"
    assert types["开户日期"] == "date" and types["登记时间"] == "timestamp"
    assert types["是否有效"] == "boolean" and types["状态码"] == "integer" and types["读数"] == "integer"
    assert types["空白列"] == "string" and types["混合"] == "string"
    found = {c.profile.name: c.detection.type_code for c in duck.columns}
    assert found["身份证号"] == "cn_resident_id" and found["手机号"] == "cn_mobile"
    assert found["订单号"] is None
    assert duck.profile.duplicate_rows == 1 and duck.profile.rows == ROWS + 1
    by_name = {c.profile.name: c.profile for c in duck.columns}
    assert (
        by_name["空白列"].nulls == ROWS + 1 and by_name["读数"].min == "-7" and by_name["读数"].max == "1000"
    )


def test_typed_parquet_equals_duckdb(session: Any, files: dict[str, Path]) -> None:
    duck = only(scanner.scan(str(files["parquet"])))
    on_spark = only(spark.scan(str(files["parquet"])))
    assert_same(duck, on_spark)
    assert [c.profile.source_type for c in on_spark.columns] == [c.profile.source_type for c in duck.columns]
    types = {c.profile.name: c.profile.type for c in duck.columns}
    assert types["单价"] == "decimal" and types["开户日期"] == "date" and types["登记时间"] == "timestamp"
    assert types["是否有效"] == "boolean" and types["评分"] == "float"


def test_jsonl_equals_duckdb(session: Any, files: dict[str, Path]) -> None:
    duck = only(scanner.scan(str(files["jsonl"])))
    assert_same(duck, only(spark.scan(str(files["jsonl"]))))
    assert duck.profile.rows == 120


def test_catalog_table_round_trip(session: Any, files: dict[str, Path]) -> None:
    session.read.parquet(str(files["parquet"])).write.mode("overwrite").saveAsTable("customers")
    on_spark = only(scanner.scan("spark:customers"))  # a Spark table runs on Spark whatever the engine
    assert on_spark.name == "customers"
    assert_same(only(scanner.scan(str(files["parquet"]))), on_spark)
    offered = spark._tables("spark:default", {}, lambda: session)  # a database: its tables
    assert "default.customers" in [t.ref.name for t in offered]
    with pytest.raises(DiscoveryError) as err:
        spark.scan("spark:no_such_table")
    assert err.value.code == "no_such_table"


def test_sample_reads_the_first_rows(session: Any, files: dict[str, Path]) -> None:
    duck = only(scanner.scan(str(files["csv"]), sample=50))
    on_spark = only(spark.scan(str(files["csv"]), sample=50))
    assert on_spark.profile.rows == 50 and on_spark.profile.sampled
    assert_same(duck, on_spark)


def test_casts_follow_duckdb(session: Any) -> None:
    """The regexes standing for DuckDB's TRY_CAST give DuckDB's answers on the odd cases."""
    values = [
        "12",
        " 12",
        "12 ",
        "+12",
        "+-1",
        "-+1",
        "1e5",
        "1E+5",
        ".5",
        "5.",
        "-.5",
        "1_000",
        "1__0",
        "_1",
        "0x1F",
        "nan",
        "1,000",
        "１２",
        "12abc",
        "1d",
        "007",
        "0",
        "0.5",
        "00.5",
        "-0",
        "-007",
        "1234567890123456",
        "123456789012345",
        "1234567890.123456",
        "1e400",
        "true",
        "FALSE",
        "t",
        "F",
        "yes",
        "No",
        "y",
        "N",
        "on",
        " true",
        "是",
        "2024-01-02",
        "2024-1-2",
        "2024/01/02",
        "2024 1 2",
        "24-01-02",
        "2024.01.02",
        "20240102",
        "2024-01-02 10:11:12",
        "2024-01-02T10:11:12",
        "2024-01-02 10:11",
        "2024-01-02 10",
        "2024-01-02 10:11:12.1234567",
        "2024-01-02 10:11:12+08:00",
        "2024-01-02T10:11:12Z",
        "2024-01-02 10:11:12 UTC",
        "2024-01-02 10:11:12UTC",
        "2024-02-30",
        "2024-13-01",
        " 2024-01-02",
        "2024-01-02 ",
        "2024-01-02 25:00:00",
        "2024-01-02t10:11:12",
    ]
    con = duckdb.connect()
    expected = con.execute(
        "SELECT v, CASE WHEN (strlen(v) <= 15 OR contains(v, '.')) AND NOT (starts_with(v, '0') "
        "AND strlen(v) > 1 AND NOT starts_with(v, '0.')) THEN TRY_CAST(v AS DOUBLE) END, "
        "TRY_CAST(v AS BOOLEAN), TRY_CAST(v AS TIMESTAMP) FROM (SELECT unnest(?) AS v)",
        [values],
    ).fetchall()
    frame = session.createDataFrame([(v,) for v in values], "v string")
    got = spark._derive(frame, [("v", True, True, True)]).select("v", "d_v", "b_v", "t_v").collect()
    duck = {v: (d if d is not None and math.isfinite(d) else None, b, t) for v, d, b, t in expected}
    assert {r[0]: (r[1], r[2], r[3]) for r in got} == duck


def test_unsupported_sources(session: Any, files: dict[str, Path]) -> None:
    with pytest.raises(DiscoveryError) as err:
        spark.scan(str(files["xlsx"]))
    assert err.value.code == UNSUPPORTED and "DuckDB" in err.value.message
    with pytest.raises(DiscoveryError) as err:
        spark.scan("postgresql://u:secret@127.0.0.1/db")
    assert err.value.code == UNSUPPORTED and "secret" not in err.value.message
    # the service's engine setting: a source Spark does not read stays on DuckDB, with a warning
    result = only(scanner.scan(str(files["xlsx"]), options={"engine": "spark"}))
    assert result.profile.rows == 20 and "DuckDB" in result.warnings[0]
    assert not spark.supports(str(files["xlsx"])) and spark.supports(str(files["csv"]))
    assert spark.supports("spark:db.t") and spark.supports("hdfs://nn/data/t.parquet")
    with pytest.raises(DiscoveryError) as err:
        scanner.scan(str(files["csv"]), options={"engine": "hive"})
    assert err.value.code == UNSUPPORTED


def test_missing_pyspark_or_java_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(DiscoveryError) as err:
        spark.session()
    assert err.value.code == UNSUPPORTED and "pip install 'dataasset[spark]'" in err.value.message
    monkeypatch.undo()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return  # the Java check needs pyspark itself
    monkeypatch.setattr(spark, "_SESSION", None)
    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setattr(spark, "_java", lambda: None)
    with pytest.raises(DiscoveryError) as err:
        spark.session()
    assert err.value.code == UNSUPPORTED and "Java" in err.value.message
