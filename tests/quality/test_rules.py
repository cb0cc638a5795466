"""Rule files: every problem found before anything runs, with its line and a Chinese message."""

from __future__ import annotations

import pytest

from dataasset.quality.rules import parse_rules, to_yaml
from dataasset.quality.types import RuleError

COLUMNS = ["客户编号", "身份证号", "年龄", "更新时间", "创建时间"]


def problems(
    text: str, columns: list[str] | None = COLUMNS, tables: dict[str, list[str]] | None = None
) -> list[tuple[int, str]]:
    with pytest.raises(RuleError) as caught:
        parse_rules(text, columns, tables)
    return [(p.line, p.message) for p in caught.value.problems]


def test_the_issue_example_parses_with_default_dimensions() -> None:
    rules = parse_rules(
        """table: customers
checks:
  - {check: not_null, column: 身份证号}
  - {check: valid_type, column: 身份证号, type: cn_resident_id}
  - {check: between, column: 年龄, min: 0, max: 120}
  - {check: unique, columns: [客户编号]}
  - {check: fresh_within, column: 更新时间, days: 30}
""",
        COLUMNS,
    )
    assert rules.table == "customers"
    assert [(c.check, c.dimension, c.line) for c in rules.checks] == [
        ("not_null", "completeness", 3),
        ("valid_type", "conformity", 4),
        ("between", "accuracy", 5),
        ("unique", "accuracy", 6),
        ("fresh_within", "timeliness", 7),
    ]
    assert rules.checks[4].params["seconds"] == 30 * 86400
    assert len({c.key for c in rules.checks}) == 5


def test_every_wrong_line_is_named() -> None:
    found = problems(
        """table: customers
checks:
  - {check: not_nul, column: 身份证号}
  - {check: between, column: 年龄, min: 0, max: old}
  - {check: unique, columns: [客户号]}
  - {check: valid_type, column: 身份证号, type: passport_cn}
  - check: pattern
    column: 身份证号
    regex: "([0-9"
  - {check: not_null}
  - {check: length, column: 年龄, min: 5, max: 2}
  - {check: not_null, column: 年龄, dimension: beauty}
"""
    )
    lines = [line for line, _ in found]
    assert lines == [3, 4, 5, 6, 7, 10, 11, 12]
    text = "\n".join(m for _, m in found)
    assert "不认识的检查“not_nul”" in text
    assert "表中没有列“客户号”" in text
    assert "不认识的类型“passport_cn”" in text
    assert "正则表达式有误" in text
    assert "缺少参数 column" in text
    assert "min 不能大于 max" in text
    assert "不认识的维度“beauty”" in text


def test_a_check_may_move_to_another_dimension_by_code_or_chinese_name() -> None:
    rules = parse_rules(
        "checks:\n  - {check: unique, columns: [客户编号], dimension: conformity}\n"
        "  - {check: not_null, column: 年龄, dimension: 准确性, weight: 2}\n",
        COLUMNS,
    )
    assert [(c.dimension, c.weight) for c in rules.checks] == [("conformity", 1.0), ("accuracy", 2.0)]


@pytest.mark.parametrize(
    "sql, message",
    [
        ("年龄 > (SELECT 1)", "不能使用"),
        ("年龄 > 1; DROP TABLE x", "无法解析"),
        ("read_csv('/etc/passwd') IS NOT NULL", "不能使用"),
        ("年龄 + 1", "应是一个条件"),
        ("工资 > 0", "不在表中"),
        ("t.年龄 > 0", "不能带表名"),
        ("", "缺少参数 sql"),
    ],
)
def test_expressions_are_parsed_and_refused_when_they_are_not_a_row_condition(sql: str, message: str) -> None:
    found = problems(f'checks:\n  - check: expression\n    sql: "{sql}"\n')
    assert found[0][0] == 2
    assert message in found[0][1]


def test_an_expression_over_columns_is_accepted_and_lists_its_columns() -> None:
    rules = parse_rules(
        'checks:\n  - {check: expression, sql: "更新时间 >= 创建时间 AND 年龄 BETWEEN 0 AND 150"}\n', COLUMNS
    )
    assert rules.checks[0].columns == ("更新时间", "创建时间", "年龄")


def test_yaml_syntax_errors_name_their_line() -> None:
    found = problems("checks:\n  - {check: not_null, column: 年龄\n  - {check: unique}\n")
    assert found[0][0] in (2, 3)
    assert "YAML" in found[0][1]


def test_top_level_mistakes() -> None:
    assert "缺少 checks" in problems("table: a\n")[0][1]
    assert "不认识的顶层键" in problems("tabel: a\nchecks:\n  - {check: row_count, min: 1}\n")[0][1]
    assert "规则文件应是一个映射" in problems("- a\n- b\n")[0][1]
    assert "deadline_days" in problems("deadline_days: 0\nchecks:\n  - {check: row_count, min: 1}\n")[0][1]
    assert "不认识的维度" in problems("weights: {speed: 1}\nchecks:\n  - {check: row_count, min: 1}\n")[0][1]


def test_the_same_check_twice_is_refused() -> None:
    found = problems("checks:\n  - {check: not_null, column: 年龄}\n  - {check: not_null, column: 年龄}\n")
    assert found == [(3, "与前面的检查重复：年龄 不为空")]


def test_other_tables_and_their_columns_are_checked_when_known() -> None:
    tables = {"regions": ["code"], "accounts": ["客户编号", "余额"]}
    found = problems(
        "checks:\n  - {check: foreign_key, column: 年龄, table: region}\n"
        "  - {check: foreign_key, column: 年龄, table: regions}\n"
        "  - {check: matches, column: 年龄, key: 客户编号, table: accounts, other_column: 年纪}\n",
        tables=tables,
    )
    assert [line for line, _ in found] == [2, 3, 4]
    assert "数据源中没有表“region”" in found[0][1]
    assert "表“regions”中没有列“年龄”" in found[1][1]
    ok = parse_rules(
        "checks:\n  - {check: foreign_key, column: 年龄, table: regions, ref_column: code}\n", COLUMNS, tables
    )
    assert ok.other_tables == ("regions",)


def test_unknown_parameters_are_refused() -> None:
    found = problems("checks:\n  - {check: not_null, column: 年龄, colour: red}\n")
    assert "不认识的参数 colour" in found[0][1]


def test_suggested_yaml_reads_back_as_the_same_rules() -> None:
    doc = {
        "table": "客户",
        "checks": [
            {"check": "not_null", "column": "身份证号"},
            {"check": "allowed_values", "column": "年龄", "values": ["1", "2"]},
            {"check": "expression", "sql": "年龄 >= 0 AND 年龄 <= 'a:b'"},
        ],
    }
    text = to_yaml(doc)
    assert "  - {check: not_null, column: 身份证号}" in text
    rules = parse_rules(text, COLUMNS)
    assert [c.check for c in rules.checks] == ["not_null", "allowed_values", "expression"]
    assert rules.checks[2].params["sql"] == "年龄 >= 0 AND 年龄 <= 'a:b'"
