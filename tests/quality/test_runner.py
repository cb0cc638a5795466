"""A whole run over real sources: GBK CSV, xlsx, Parquet, SQLite with several tables, PostgreSQL,
a second file for a reference table, and the ways a run is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text

from dataasset.discovery.types import DiscoveryError
from dataasset.quality.rules import load_yaml
from dataasset.quality.runner import RunOptions, check_source, run
from dataasset.quality.types import QualityError, RuleError
from tests.conftest import require_pg, scratch_pg_database
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx

RULES = """table: customers
checks:
  - {check: not_null, column: 备注}
  - {check: valid_type, column: 身份证号, type: cn_resident_id}
  - {check: valid_type, column: 手机号, type: cn_mobile}
  - {check: unique, columns: [客户编号]}
  - {check: between, column: 用电量, min: 100, max: 900}
  - {check: pattern, column: 客户编号, regex: 'C[0-9]{6}'}
"""


def expected(rows: list[dict[str, str]]) -> list[tuple[int, int]]:
    n = len(rows)
    remarks = sum(1 for r in rows if r["备注"])
    usage = [float(r["用电量"]) for r in rows]
    return [(n, remarks), (n, n), (n, n), (n, n), (n, sum(100 <= u <= 900 for u in usage)), (n, n)]


def got(report: object) -> list[tuple[int, int]]:
    return [(r.checked, r.passed) for r in report.results]  # type: ignore[attr-defined]


def test_a_gbk_csv_is_read_typed_and_scored(tmp_path: Path) -> None:
    rows = customer_rows(300)
    path = write_csv(tmp_path / "customers.csv", rows, encoding="gbk")
    report = check_source(str(path), RULES)
    assert report.table == "customers" and report.rows == 300
    assert got(report) == expected(rows)
    assert set(report.dimensions) == {"completeness", "conformity", "accuracy"}
    doc = report.as_json()
    assert doc["overall"] == pytest.approx(sum(report.dimensions.values()) / 3, abs=1e-3)
    # 用电量 arrived as text and was typed: a numeric range check works on it
    between = report.results[4]
    assert between.failed > 0 and all(float(e["用电量"]) < 100 for e in between.examples)
    # 身份证号 is detected sensitive and masked in the not_null examples
    example = report.results[0].examples[0]
    assert "*" in example["身份证号"] and "*" in example["手机号"]


def test_an_xlsx_sheet_is_chosen_by_the_rule_file(tmp_path: Path) -> None:
    rows = customer_rows(120)
    path = write_xlsx(tmp_path / "book.xlsx", {"customers": rows, "other": [{"a": "1"}]})
    report = check_source(str(path), RULES)
    assert got(report) == expected(rows)
    with pytest.raises(QualityError) as caught:
        check_source(str(path), RULES.replace("table: customers", "table: nope"))
    assert caught.value.code == "no_such_table" and "customers" in caught.value.message
    with pytest.raises(QualityError) as caught:
        check_source(str(path), RULES.replace("table: customers\n", ""))
    assert caught.value.code == "table_required"


def test_parquet_with_a_reference_table_from_another_file(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"id": [1, 2, 3, 4, None], "region": ["a", "b", "z", None, "a"]}), tmp_path / "main.parquet"
    )
    pq.write_table(pa.table({"code": ["a", "b"]}), tmp_path / "regions.parquet")
    rules = (
        "checks:\n  - {check: foreign_key, column: region, table: regions, ref_column: code}\n"
        "  - {check: not_null, column: id}\n"
    )
    report = run(
        str(tmp_path / "main.parquet"),
        load_yaml(rules),
        RunOptions(refs={"regions": str(tmp_path / "regions.parquet")}),
    )
    assert got(report) == [(4, 3), (5, 4)]
    # DuckDB read the file itself (the fast path): row numbers still follow the file
    assert [e["__row"] for e in report.results[0].examples] == [3]
    assert [e["__row"] for e in report.results[1].examples] == [5]
    with pytest.raises(RuleError) as caught:
        run(str(tmp_path / "main.parquet"), load_yaml(rules), RunOptions())
    assert "没有表“regions”" in caught.value.problems[0].message


def test_sqlite_tables_are_compared_with_each_other(tmp_path: Path) -> None:
    db = tmp_path / "biz.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE orders (no TEXT, customer TEXT, amount REAL, created TEXT, updated TEXT)")
        c.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
            [
                ("o1", "c1", 10, "2024-01-01", "2024-01-02"),
                ("o2", "c2", 5.5, "2024-01-05", "2024-01-04"),
                ("o3", "c9", 1, "2024-02-01", None),
            ],
        )
        c.execute("CREATE TABLE customers (id TEXT, total REAL)")
        c.executemany("INSERT INTO customers VALUES (?, ?)", [("c1", 10), ("c2", 7.5)])
    rules = """table: orders
checks:
  - {check: foreign_key, column: customer, table: customers, ref_column: id}
  - {check: cross_total, column: amount, table: customers, other_column: total}
  - {check: ordered, column: created, not_after: updated}
  - {check: row_count, min: 1}
"""
    report = check_source(str(db), rules)
    assert got(report) == [(3, 2), (1, 0), (2, 1), (1, 1)]
    assert report.results[1].detail == "本表合计 16.50，customers 合计 17.50"
    assert set(report.dimensions) == {"consistency", "timeliness", "completeness"}
    assert report.dimensions["consistency"] == pytest.approx((2 / 3 + 0) / 2 * 100)


def test_a_postgresql_table(tmp_path: Path) -> None:
    require_pg()
    with scratch_pg_database("quality") as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text('CREATE TABLE "客户" ("编号" text PRIMARY KEY, "年龄" integer, "更新时间" timestamp)')
            )
            conn.execute(
                text(
                    "INSERT INTO \"客户\" VALUES ('a', 10, now()), ('b', 150, now()), "
                    "('c', NULL, now() - interval '40 days')"
                )
            )
        engine.dispose()
        rules = (
            "table: 客户\nchecks:\n  - {check: between, column: 年龄, min: 0, max: 120}\n"
            "  - {check: fresh_within, column: 更新时间, days: 1}\n  - {check: reachable, seconds: 30}\n"
        )
        report = check_source(url, rules)
        assert got(report) == [(2, 1), (1, 1), (1, 1)]


def test_an_unreachable_database_fails_reachable_and_nothing_else_runs(tmp_path: Path) -> None:
    url = "postgresql://u:secret@127.0.0.1:1/none"
    rules = "table: t\nchecks:\n  - {check: reachable, seconds: 5}\n  - {check: row_count, min: 1}\n"
    report = check_source(url, rules, connector_options={"connect_timeout": 2})
    assert got(report) == [(1, 0), (0, 0)]
    assert report.results[1].error == "数据源无法访问，未能执行"
    assert report.dimensions == {"accessibility": 0.0, "completeness": 0.0}
    assert "secret" not in report.results[0].detail
    # without a reachable check an unreachable source is an error
    with pytest.raises(DiscoveryError) as caught:
        check_source(
            url,
            "table: t\nchecks:\n  - {check: row_count, min: 1}\n",
            connector_options={"connect_timeout": 2},
        )
    assert caught.value.code == "unreachable" and "secret" not in caught.value.message


def test_rule_files_that_are_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes("checks:\n  - {check: not_null, column: 名}\n".encode("gbk"))
    with pytest.raises(QualityError) as caught:
        check_source(str(tmp_path / "x.csv"), path)
    assert caught.value.code == "rules_not_utf8"
    with pytest.raises(QualityError) as caught:
        check_source(str(tmp_path / "x.csv"), tmp_path / "missing.yaml")
    assert caught.value.code == "rules_not_found"
