"""Every built-in check counted by the engine on DuckDB, against counts worked out by hand or by
Python over the same rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataasset.discovery.samples import id_check
from dataasset.quality import engine
from dataasset.quality.rules import parse_rules
from dataasset.quality.types import CheckResult

ROWS = [
    # 编号, 姓名, 身份证号, 年龄, 性别, 开始, 结束, 金额, 地区
    (
        "C1",
        "张三",
        "11010819900307" + "123" + id_check("11010819900307123"),
        30,
        "男",
        "2024-01-01",
        "2024-01-05",
        10.0,
        "430104",
    ),
    ("C2", "李四", "110108199003071230", 130, "女", "2024-01-03", "2024-01-02", 20.5, "430104"),
    ("C2", "", None, -1, "X", "2024/01/04", "2024-03-01", None, "999999"),
    ("C4", "  ", "abc", None, None, "bad", "2024-01-09", -5.0, None),
    ("C5", None, "430104199001011234", 45, "女", None, "2024-01-10", 7.25, "430211"),
]
COLUMNS = ["编号", "姓名", "身份证号", "年龄", "性别", "开始", "结束", "金额", "地区"]


@pytest.fixture()
def con() -> Any:
    c = duckdb.connect(":memory:")
    c.execute(
        'CREATE TABLE t ("编号" VARCHAR, "姓名" VARCHAR, "身份证号" VARCHAR, "年龄" INTEGER, "性别" VARCHAR, '
        '"开始" VARCHAR, "结束" VARCHAR, "金额" DOUBLE, "地区" VARCHAR)'
    )
    c.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ROWS)
    c.execute('CREATE TABLE regions ("code" VARCHAR, "name" VARCHAR, "total" DOUBLE)')
    c.executemany(
        "INSERT INTO regions VALUES (?, ?, ?)", [("430104", "岳麓区", 30.0), ("430211", "天元区", 2.75)]
    )
    c.execute('CREATE TABLE people ("编号" VARCHAR, "性别" VARCHAR)')
    c.executemany(
        "INSERT INTO people VALUES (?, ?)", [("C1", "男"), ("C2", "男"), ("C5", "女"), ("C9", "女")]
    )
    return c


def run(con: Any, checks: str, now: datetime | None = None, **kwargs: Any) -> list[CheckResult]:
    tables = {"regions": ["code", "name", "total"], "people": ["编号", "性别"]}
    rules = parse_rules("checks:\n" + checks, COLUMNS, tables)
    return engine.evaluate(con, rules, "t", {"regions": "regions", "people": "people"}, now=now, **kwargs)


def counts(results: list[CheckResult]) -> list[tuple[int, int]]:
    return [(r.checked, r.passed) for r in results]


def test_completeness_checks_count_every_row(con: Any) -> None:
    results = run(
        con,
        "  - {check: not_null, column: 姓名}\n  - {check: not_blank, column: 姓名}\n"
        "  - {check: not_null, column: 年龄}\n  - {check: row_count, min: 3, max: 4}\n",
    )
    # '' fails not_null; '  ' passes not_null and fails not_blank; NULL fails both
    assert counts(results) == [(5, 3), (5, 2), (5, 4), (1, 0)]
    assert results[3].detail == "实际 5 行，要求在 3 到 4 之间"


def test_nulls_are_skipped_by_every_other_check(con: Any) -> None:
    results = run(
        con,
        "  - {check: between, column: 年龄, min: 0, max: 120}\n"
        "  - {check: allowed_values, column: 性别, values: [男, 女]}\n"
        "  - {check: length, column: 姓名, min: 2, max: 2}\n"
        "  - {check: pattern, column: 编号, regex: 'C[0-9]'}\n",
    )
    # '' is missing; '  ' is a (dirty) value: the length check reads it (2 characters, passes)
    assert counts(results) == [(4, 2), (4, 3), (3, 3), (5, 5)]


def test_valid_type_uses_the_check_digit(con: Any) -> None:
    (result,) = run(con, "  - {check: valid_type, column: 身份证号, type: cn_resident_id}\n")
    # row 1 valid; row 2 wrong check digit; row 4 'abc'; row 5 wrong check digit
    assert (result.checked, result.passed) == (4, 1)
    assert [e["__row"] for e in result.examples] == [2, 4, 5]


def test_unique_counts_every_row_of_a_repeated_key(con: Any) -> None:
    (single,) = run(con, "  - {check: unique, columns: [编号]}\n")
    assert (single.checked, single.passed) == (5, 3)
    assert sorted(e["__row"] for e in single.examples) == [2, 3]
    assert single.detail == "1 个取值重复出现"
    (pair,) = run(con, "  - {check: unique, columns: [编号, 性别]}\n")
    assert (pair.checked, pair.passed) == (4, 4)  # row 4 has no 性别: not checked


def test_expression_and_time_checks(con: Any) -> None:
    results = run(
        con,
        '  - {check: expression, sql: "结束 >= 开始"}\n'
        "  - {check: ordered, column: 开始, not_after: 结束}\n"
        "  - {check: lag, column: 开始, to: 结束, days: 30}\n"
        "  - {check: date_format, column: 开始}\n"
        '  - {check: expression, sql: "金额 > 0 AND 年龄 < 100"}\n',
    )
    # an expression compares these text columns as text: only row 1 holds ('2024-03-01' < '2024/01/04'
    # and '2024-01-09' < 'bad' as strings; the runner types all-date columns before a run)
    assert counts(results)[0] == (4, 1)
    # ordered reads times: 2024/01/04 parses; 'bad' does not (a dirty value fails)
    assert counts(results)[1] == (4, 2)
    # lag: C1 4 days, C2 -1 day, C3 57 days, C4 unreadable
    assert counts(results)[2] == (4, 2)
    assert counts(results)[3] == (4, 2)
    assert counts(results)[4] == (3, 2)


def test_fresh_within_against_a_given_now(con: Any) -> None:
    (fresh,) = run(con, "  - {check: fresh_within, column: 结束, days: 30}\n", now=datetime(2024, 3, 15))
    assert (fresh.checked, fresh.passed) == (1, 1)
    (stale,) = run(con, "  - {check: fresh_within, column: 结束, days: 7}\n", now=datetime(2024, 3, 15))
    assert (stale.checked, stale.passed) == (1, 0)
    assert "2024-03-01" in stale.detail


def test_consistency_checks_across_tables(con: Any) -> None:
    results = run(
        con,
        "  - {check: foreign_key, column: 地区, table: regions, ref_column: code}\n"
        "  - {check: matches, column: 性别, key: 编号, table: people}\n"
        "  - {check: cross_total, column: 金额, table: regions, other_column: total, tolerance: 0.01}\n"
        "  - {check: cross_total, column: 金额, table: regions, other_column: total}\n",
    )
    assert counts(results)[0] == (4, 3)
    assert results[0].examples[0]["地区"] == "999999"
    # 编号 C1 男=男; C2 女≠男; C2 X≠男; C5 女=女; C4 has no 性别
    assert counts(results)[1] == (4, 2)
    # 10 + 20.5 - 5 + 7.25 = 32.75 = 30 + 2.75
    assert counts(results)[2:] == [(1, 1), (1, 1)]


def test_a_faulty_expression_is_reported_and_the_others_still_count(con: Any) -> None:
    results = run(con, '  - {check: not_null, column: 姓名}\n  - {check: expression, sql: "姓名 > 5"}\n')
    assert counts(results)[0] == (5, 3)
    assert results[1].error is not None and results[1].error.startswith("检查无法执行")
    assert results[1].score == 0.0


def test_examples_keep_at_most_20_rows_and_mask_sensitive_columns(con: Any) -> None:
    con.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [("D", "王五", "x", 200, "男", None, None, 1.0, None)] * 30,
    )
    (result,) = run(con, "  - {check: between, column: 年龄, min: 0, max: 120}\n")
    assert len(result.examples) == 20
    first = result.examples[0]
    assert first["__row"] == 2 and first["年龄"] == "130"
    assert first["姓名"] == "李*"  # a name: masked
    assert first["身份证号"] == "1****************0"
    assert list(first)[:2] == ["__row", "年龄"]  # the check's column first
    (given_set,) = run(con, "  - {check: between, column: 年龄, min: 0, max: 120}\n", sensitive={"年龄"})
    assert given_set.examples[0]["年龄"] == "1*0" and given_set.examples[0]["姓名"] == "李四"


def test_reachable_uses_what_the_runner_measured(con: Any) -> None:
    results = run(con, "  - {check: reachable, seconds: 2}\n", measured={"connect_seconds": 0.5})
    assert counts(results) == [(1, 1)]
    results = run(con, "  - {check: reachable, seconds: 2}\n", measured={"connect_seconds": 3.0})
    assert counts(results) == [(1, 0)]


def test_identifiers_and_literals_cannot_break_out(con: Any) -> None:
    con.execute('ALTER TABLE t ADD COLUMN "a""b" VARCHAR')
    con.execute("""UPDATE t SET "a""b" = 'it''s'""")
    rules = parse_rules(
        """checks:\n  - {check: allowed_values, column: 'a"b', values: ["it's", "x') OR TRUE --"]}\n""",
        [*COLUMNS, 'a"b'],
    )
    (result,) = engine.evaluate(con, rules, "t")
    assert (result.checked, result.passed) == (5, 5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-50, 200)), min_size=0, max_size=40),
    low=st.integers(-10, 50),
    span=st.integers(0, 150),
)
def test_between_not_null_and_unique_agree_with_python(values: list[int | None], low: int, span: int) -> None:
    c = duckdb.connect(":memory:")
    c.execute('CREATE TABLE t ("v" INTEGER)')
    if values:
        c.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    rules = parse_rules(
        f"checks:\n  - {{check: between, column: v, min: {low}, max: {low + span}}}\n"
        "  - {check: not_null, column: v}\n  - {check: unique, columns: [v]}\n",
        ["v"],
    )
    between, not_null, unique = engine.evaluate(c, rules, "t")
    present = [v for v in values if v is not None]
    assert (between.checked, between.passed) == (len(present), sum(low <= v <= low + span for v in present))
    assert (not_null.checked, not_null.passed) == (len(values), len(present))
    assert (unique.checked, unique.passed) == (len(present), sum(present.count(v) == 1 for v in present))
    for r in (between, not_null, unique):
        assert r.score == (r.passed / r.checked if r.checked else 1.0)
        assert len(r.examples) == min(20, r.failed)
