"""Classification and grading (分类分级): the three packaged templates, the kernel that applies them,
organisation overrides, manual overrides, clear errors on bad files, and the properties of grading
(pure, with hypothesis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dataasset.core.errors import Invalid
from dataasset.discovery.grading import (
    RULES_DIR,
    TEMPLATES,
    TYPE_LABELS,
    Template,
    TemplateError,
    apply_override,
    grade_column,
    grade_table,
    load_template,
)
from dataasset.discovery.types import ColumnFacts, GradeDecision

# the codes the detectors produce (None: nothing sensitive)
DETECTED = (
    "cn_resident_id",
    "cn_mobile",
    "cn_landline",
    "bank_card",
    "cn_uscc",
    "cn_passport",
    "cn_plate",
    "email",
    "ipv4",
    "ipv6",
    "mac_address",
    "geo_coordinate",
    "cn_person_name",
    "cn_address",
    "birth_date",
)
SENSITIVE = ("cn_resident_id", "cn_passport", "bank_card", "geo_coordinate")
GRADE_RANK = {"general": 0, "important": 1, "core": 2}

GENERAL = load_template("general")
FINANCE = load_template("finance")
INDUSTRY = load_template("industry")
ALL = {"general": GENERAL, "finance": FINANCE, "industry": INDUSTRY}


def rank(decision: GradeDecision) -> tuple[int, int]:
    return GRADE_RANK[decision.grade], decision.level


def col(
    name: str, kind: str | None = None, category: str | None = None, confidence: float = 0.99
) -> ColumnFacts:
    return ColumnFacts(name=name, sensitive_type=kind, confidence=confidence, category=category)


def raw(name: str) -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: Any, filename: str = "override.yaml") -> Path:
    path = tmp_path / filename
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_loads_with_levels_rules_and_a_basis_for_every_rule(name: str) -> None:
    template = load_template(name)
    assert template.id == name and template.name and template.version and template.basis
    assert [lv.level for lv in template.levels] == list(range(1, len(template.levels) + 1))
    assert len(template.levels) <= 5  # the asset card's security_level is 1–5
    assert template.levels[0].grade == "general"
    assert any(lv.grade == "important" for lv in template.levels)
    assert all(lv.label for lv in template.levels)
    assert all(rule.basis and rule.reason for rule in template.rules)
    assert load_template(name) is template  # packaged templates are loaded once


def test_the_level_tables() -> None:
    assert [(lv.level, lv.grade) for lv in GENERAL.levels] == [
        (1, "general"),
        (2, "general"),
        (3, "general"),
        (4, "general"),
        (5, "important"),
    ]
    assert GENERAL.level(3).label == "一般数据 第3级（敏感个人信息）"
    assert [(lv.level, lv.grade) for lv in FINANCE.levels] == [
        (1, "general"),
        (2, "general"),
        (3, "general"),
        (4, "general"),
        (5, "important"),
    ]
    assert FINANCE.level(4).label.startswith("JR/T 0197 第4级")
    assert [(lv.level, lv.grade) for lv in INDUSTRY.levels] == [
        (1, "general"),
        (2, "general"),
        (3, "important"),
        (4, "core"),
    ]
    assert "三级" in INDUSTRY.level(3).label


def test_the_detector_codes_are_the_known_types() -> None:
    assert set(DETECTED) == set(TYPE_LABELS)


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("kind", DETECTED)
def test_every_detected_type_is_covered_by_a_column_rule(name: str, kind: str) -> None:
    template = ALL[name]
    covering = [r.id for r in template.rules if r.enabled and r.scope == "column" and kind in r.types_any]
    assert covering, f"模板 {name} 没有规则覆盖 {kind}"
    decision = grade_column(template, col("c", kind))
    assert decision.rule in covering
    assert TYPE_LABELS[kind] in decision.reason or "“c”" in decision.reason


def test_an_unknown_template_name_is_a_clear_error() -> None:
    with pytest.raises(TemplateError, match="没有名为 medical 的分级模板"):
        load_template("medical")


# --- grading ---------------------------------------------------------------------------------


def test_a_table_without_anything_sensitive_takes_the_default_level() -> None:
    graded = grade_table(GENERAL, "product", [col("sku"), col("price")], 500)
    assert (graded.table.grade, graded.table.level, graded.table.rule) == ("general", 1, "default")
    assert graded.columns["sku"].rule == "default"
    assert grade_table(FINANCE, "product", [col("sku")], 500).table.level == 2  # 金融机构内部数据
    empty = grade_table(GENERAL, "empty", [], 0)
    assert empty.table.rule == "default" and empty.columns == {}


def test_column_decisions_name_the_rule_and_give_a_chinese_reason() -> None:
    graded = grade_table(
        GENERAL, "customer", [col("sfzh", "cn_resident_id"), col("xm", "cn_person_name")], 10
    )
    sfzh = graded.columns["sfzh"]
    assert (sfzh.grade, sfzh.level, sfzh.rule) == ("general", 3, "pi-sensitive-id")
    assert sfzh.level_label == "一般数据 第3级（敏感个人信息）"
    assert "sfzh" in sfzh.reason and "居民身份证号" in sfzh.reason
    assert graded.columns["xm"].level == 2
    assert graded.table.level == 3 and graded.table.rule == "pi-sensitive-id"
    assert graded.table.reason.startswith("表级别取各列最高") and "sfzh" in graded.table.reason


def test_finance_name_with_id_number_is_higher_than_name_alone() -> None:
    name_only = grade_table(FINANCE, "customer", [col("xm", "cn_person_name")], 100)
    id_only = grade_table(FINANCE, "customer", [col("zjhm", "cn_resident_id")], 100)
    both = grade_table(FINANCE, "customer", [col("xm", "cn_person_name"), col("zjhm", "cn_resident_id")], 100)
    assert name_only.table.level == 2 and id_only.table.level == 3
    assert both.table.level == 4 and both.table.rule == "fin-name-id"
    assert rank(both.table) > rank(id_only.table) > rank(name_only.table)
    assert "xm、zjhm" in both.table.reason
    assert both.columns["xm"].level == 2  # the combination raises the table, not each column
    card = grade_table(FINANCE, "t", [col("xm", "cn_person_name"), col("kh", "bank_card")], 100)
    assert card.table.rule == "fin-name-card" and card.table.level == 4


def test_finance_credentials_are_c3_by_column_name() -> None:
    for name in ("jymm", "userPwd", "login_password", "卡片CVN2", "交易密码", "track2_data"):
        decision = grade_column(FINANCE, col(name))
        assert (decision.level, decision.rule) == (4, "fin-c3-keyword"), name
    assert grade_column(FINANCE, col("face_value")).level == 2  # 票面金额, not a face image
    assert grade_column(FINANCE, col("acct_no")).level == 3
    assert grade_column(FINANCE, col("x", category="transaction")).rule == "fin-c2-category"


@pytest.mark.parametrize(
    ("template", "below", "at"),
    [
        (GENERAL, ("general", 4), ("important", 5)),
        (FINANCE, ("general", 4), ("important", 5)),
        (INDUSTRY, ("general", 2), ("important", 3)),
    ],
)
def test_volume_thresholds_at_one_million_people(
    template: Template, below: tuple[str, int], at: tuple[str, int]
) -> None:
    columns = [col("xm", "cn_person_name"), col("sfzh", "cn_resident_id"), col("sjh", "cn_mobile")]
    small = grade_table(template, "customer", columns, 999_999)
    large = grade_table(template, "customer", columns, 1_000_000)
    assert (small.table.grade, small.table.level) == below
    assert (large.table.grade, large.table.level) == at
    assert "1,000,000" in large.table.reason and "居民身份证号" in large.table.reason
    assert small.columns == large.columns  # volume is a table rule: column levels stay


def test_general_volume_steps() -> None:
    ids = [col("sfzh", "cn_resident_id")]
    assert grade_table(GENERAL, "t", ids, 9_999).table.level == 3
    assert grade_table(GENERAL, "t", ids, 10_000).table.rule == "pi-sensitive-10k"
    contacts = [col("sjh", "cn_mobile")]
    assert grade_table(GENERAL, "t", contacts, 999_999).table.level == 2
    assert grade_table(GENERAL, "t", contacts, 1_000_000).table.level == 4
    assert grade_table(GENERAL, "t", contacts, 10_000_000).table.grade == "important"
    core = grade_table(GENERAL, "t", ids, 100_000_000).table
    assert (core.grade, core.level, core.level_label, core.rule) == (
        "core",
        5,
        "核心数据（候选）",
        "pi-sensitive-100m-core",
    )
    assert grade_table(INDUSTRY, "t", ids, 100_000_000).table.grade == "important"  # not in that template


def test_keyword_table_rules() -> None:
    survey = grade_table(GENERAL, "测绘成果_控制点", [col("bh")], 10)
    assert (survey.table.grade, survey.table.rule) == ("important", "important-table-keyword")
    assert "测绘" in survey.table.reason and survey.columns["bh"].level == 1
    assert grade_table(GENERAL, "militaryBase", [col("id")], 1).table.grade == "important"
    assert grade_table(GENERAL, "customer_general", [col("id")], 1).table.grade == "general"  # not "gene"
    by_column = grade_table(GENERAL, "items", [col("id"), col("密级")], 1).table
    assert by_column.rule == "important-column-keyword" and "密级" in by_column.reason
    assert grade_table(INDUSTRY, "军工产品台账", [col("id")], 1).table.level == 3
    assert grade_table(INDUSTRY, "DCS_history", [col("id")], 1).table.level == 2
    assert grade_table(FINANCE, "反洗钱可疑交易报告", [col("id")], 1).table.grade == "important"


def test_low_confidence_detections_can_be_ignored_by_a_template(tmp_path: Path) -> None:
    strict = load_template("general", write(tmp_path, {"extends": "general", "min_confidence": 0.8}))
    unsure = col("maybe_id", "cn_resident_id", confidence=0.5)
    assert grade_column(GENERAL, unsure).level == 3
    assert grade_column(strict, unsure).rule == "default"
    assert grade_table(strict, "t", [unsure], 2_000_000).table.grade == "general"


def test_grading_rejects_duplicate_columns_and_negative_rows() -> None:
    with pytest.raises(ValueError, match="列名重复"):
        grade_table(GENERAL, "t", [col("a"), col("a")], 1)
    with pytest.raises(ValueError, match="rows"):
        grade_table(GENERAL, "t", [col("a")], -1)


# --- manual overrides ------------------------------------------------------------------------


def test_a_manual_override_needs_a_reason_and_keeps_the_old_decision() -> None:
    decision = grade_column(GENERAL, col("用电量"))
    for blank in ("", "   "):
        with pytest.raises(Invalid, match="理由"):
            apply_override(decision, "important", 5, blank)
    manual = apply_override(decision, "important", 4, "  用电量可推断生产经营状况 ")
    assert (manual.grade, manual.level, manual.rule) == ("important", 4, "manual")
    assert manual.reason.startswith("用电量可推断生产经营状况")
    assert decision.level_label in manual.reason and "default" in manual.reason
    assert manual.level_label == "重要数据 第4级（人工认定）"
    with pytest.raises(Invalid, match="分级"):
        apply_override(decision, "secret", 3, "理由")
    with pytest.raises(Invalid, match="级别"):
        apply_override(decision, "general", 0, "理由")


def test_a_manual_override_checked_against_the_template() -> None:
    decision = grade_column(GENERAL, col("sfzh", "cn_resident_id"))
    lowered = apply_override(decision, "general", 2, "已脱敏，仅保留前六位", template=GENERAL)
    assert lowered.level_label == GENERAL.level(2).label
    core = apply_override(decision, "core", 5, "主管部门已认定为核心数据", template=GENERAL)
    assert core.grade == "core" and core.level_label == "核心数据 第5级（人工认定）"
    with pytest.raises(Invalid, match="至少为 important"):
        apply_override(decision, "general", 5, "理由", template=GENERAL)
    with pytest.raises(Invalid, match="1–4"):
        apply_override(decision, "core", 5, "理由", template=INDUSTRY)


# --- organisation overrides and bad files ------------------------------------------------------


def test_an_organisation_patch_changes_merges_adds_and_disables_rules(tmp_path: Path) -> None:
    patch = {
        "extends": "general",
        "version": "2024.1-本单位",
        "rules": [
            {"id": "pi-sensitive-1m", "min_rows": 500_000},
            {
                "id": "org-power",
                "scope": "column",
                "column_keywords": ["用电量"],
                "level": 3,
                "reason": "列“{column}”可推断生产经营状况",
                "basis": "本单位数据分类分级实施细则第5条",
            },
        ],
        "disable": ["pi-sensitive-100m-core"],
    }
    template = load_template("general", write(tmp_path, patch))
    assert template.version == "2024.1-本单位" and template.rules[-1].id == "org-power"
    ids = [col("sfzh", "cn_resident_id")]
    assert grade_table(template, "t", ids, 500_000).table.grade == "important"
    assert grade_table(GENERAL, "t", ids, 500_000).table.grade == "general"
    assert grade_table(template, "t", ids, 200_000_000).table.grade == "important"  # core rule off
    assert grade_column(template, col("月用电量")).rule == "org-power"
    assert load_template("general") is GENERAL  # the packaged template is untouched


def test_a_whole_template_can_replace_the_packaged_one(tmp_path: Path) -> None:
    data = raw("finance")
    data["version"] = "2025.1"
    assert load_template("finance", write(tmp_path, data)).version == "2025.1"
    with pytest.raises(TemplateError, match="字段 id：应为 general"):
        load_template("general", write(tmp_path, data))


def test_override_file_mistakes_are_clear(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="没有可停用的规则 nope"):
        load_template("general", write(tmp_path, {"extends": "general", "disable": ["nope"]}))
    with pytest.raises(TemplateError, match="字段 extends：应为 general"):
        load_template("general", write(tmp_path, {"extends": "finance"}))
    with pytest.raises(TemplateError, match="无法读取"):
        load_template("general", tmp_path / "missing.yaml")
    bad = {"extends": "general", "rules": [{"id": "pi-sensitive-1m", "min_rows": "many"}]}
    with pytest.raises(TemplateError, match=r"规则 pi-sensitive-1m（第 \d+ 条） 字段 min_rows：应为整数"):
        load_template("general", write(tmp_path, bad))


def _broken(tmp_path: Path, rule_id: str, template: str = "general", **changes: Any) -> str:
    data = raw(template)
    for rule in data["rules"]:
        if rule["id"] == rule_id:
            rule.update(changes)
    with pytest.raises(TemplateError) as caught:
        load_template(template, write(tmp_path, data, f"{template}.yaml"))
    return str(caught.value)


def test_a_bad_template_names_the_file_the_rule_and_the_field(tmp_path: Path) -> None:
    message = _broken(tmp_path, "pi-sensitive-id", level="high")
    assert message.startswith("分级模板 general.yaml 不合法：")
    assert "规则 pi-sensitive-id（第 4 条） 字段 level：应为整数" in message
    message = _broken(tmp_path, "pi-general", types_any=["cn_mobile", "wechat_id"])
    assert "规则 pi-general" in message and "字段 types_any" in message and "wechat_id" in message
    assert "规则 pi-device" in _broken(tmp_path, "pi-device", typs_any=["ipv4"])  # a typo
    assert "不认识的字段" in _broken(tmp_path, "pi-device", typs_any=["ipv4"])
    message = _broken(tmp_path, "ind-pi-general", "industry", level=5)
    assert "规则 ind-pi-general 字段 level：级别 5 未在 levels 中定义" in message
    assert "字段 level：应不大于 5" in _broken(tmp_path, "pi-general", level=9)
    message = _broken(tmp_path, "pi-general", reason="列“{col}”")
    assert "规则 pi-general" in message and "{col}" in message
    message = _broken(tmp_path, "pi-general", min_rows=10)
    assert "规则 pi-general" in message and "min_rows" in message and "scope: table" in message
    message = _broken(tmp_path, "pi-general", scope="row")
    assert "字段 scope：应为 'column' 或 'table'" in message
    message = _broken(tmp_path, "pi-general", id="pi-device")
    assert "规则 pi-device 字段 id：规则标识重复" in message
    message = _broken(tmp_path, "pi-general", types_any=[])
    assert "规则 pi-general" in message and "至少需要一个匹配条件" in message
    message = _broken(tmp_path, "pi-general", label="核心")
    assert "规则 pi-general 字段 label：只在 grade 高于该级别本身的分级时使用" in message
    message = _broken(tmp_path, "pi-sensitive-1m", grade="general")
    assert "规则 pi-sensitive-1m 字段 grade：不能低于第 5 级本身的分级 important" in message


def test_a_rule_without_an_id_and_bad_yaml_are_clear(tmp_path: Path) -> None:
    data = raw("general")
    del data["rules"][0]["id"]
    with pytest.raises(TemplateError, match=r"规则 （无 id）（第 1 条） 字段 id：缺少必填项"):
        load_template("general", write(tmp_path, data))
    path = tmp_path / "broken.yaml"
    path.write_text("id: general\nrules: [\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="不是合法的 YAML"):
        load_template("general", path)
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="应为映射"):
        load_template("general", path)


def test_levels_must_be_contiguous_and_grades_must_not_fall(tmp_path: Path) -> None:
    data = raw("industry")
    data["levels"][1]["grade"] = "important"
    data["levels"][2]["grade"] = "general"
    with pytest.raises(TemplateError, match="grade 不能越低"):
        load_template("industry", write(tmp_path, data))
    data = raw("industry")
    data["levels"][1]["level"] = 5
    with pytest.raises(TemplateError, match="级别应从 1 起连续递增"):
        load_template("industry", write(tmp_path, data))


# --- properties --------------------------------------------------------------------------------

NAMES = (
    "id",
    "xm",
    "sfzh",
    "sjh",
    "user_pwd",
    "交易密码",
    "密级",
    "配方",
    "amount",
    "acct_no",
    "地址",
    "指纹",
    "remark",
    "face_id",
    "military_code",
)
TABLE_NAMES = ("customer", "测绘成果", "军工产品", "反洗钱报告", "DCS_history", "orders")
CATEGORIES = (None, "account", "transaction", "biometric", "credential", "process", "other")

templates = st.sampled_from(list(ALL.values()))
kinds = st.sampled_from((None, *DETECTED))
facts = st.builds(
    ColumnFacts,
    name=st.sampled_from(NAMES),
    sensitive_type=kinds,
    confidence=st.floats(0.0, 1.0),
    category=st.sampled_from(CATEGORIES),
)
column_lists = st.lists(facts, max_size=8, unique_by=lambda c: c.name)
row_counts = st.sampled_from(
    (0, 1, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 10_000_000, 100_000_000)
)


@settings(max_examples=300, deadline=None)
@given(templates, st.sampled_from(TABLE_NAMES), column_lists, row_counts)
def test_the_table_is_at_least_as_high_as_every_column(
    template: Template, table: str, columns: list[ColumnFacts], rows: int
) -> None:
    graded = grade_table(template, table, columns, rows)
    assert set(graded.columns) == {c.name for c in columns}
    for decision in (graded.table, *graded.columns.values()):
        assert 1 <= decision.level <= len(template.levels)
        assert GRADE_RANK[decision.grade] >= GRADE_RANK[template.level(decision.level).grade]
        assert decision.rule and decision.reason and "{" not in decision.reason
    for decision in graded.columns.values():
        assert rank(graded.table) >= rank(decision)
    for c in columns:  # a column's decision comes from its own facts
        assert graded.columns[c.name] == grade_column(template, c, table, rows)


@settings(max_examples=300, deadline=None)
@given(
    templates,
    st.sampled_from(TABLE_NAMES),
    column_lists,
    row_counts,
    st.sampled_from(SENSITIVE + DETECTED),
    st.sampled_from((*NAMES, "new_column")),
)
def test_adding_a_sensitive_column_never_lowers_the_table(
    template: Template, table: str, columns: list[ColumnFacts], rows: int, kind: str, name: str
) -> None:
    before = grade_table(template, table, columns, rows).table
    kept = [c for c in columns if c.name != name]
    base = grade_table(template, table, kept, rows).table
    after = grade_table(template, table, [*kept, col(name, kind)], rows).table
    assert rank(after) >= rank(base)
    assert rank(before) >= rank(base)  # removing a column never raises it either


@settings(max_examples=200, deadline=None)
@given(templates, st.sampled_from(TABLE_NAMES), column_lists, row_counts, row_counts)
def test_more_rows_never_lower_the_table_and_order_does_not_matter(
    template: Template, table: str, columns: list[ColumnFacts], a: int, b: int
) -> None:
    low, high = sorted((a, b))
    assert rank(grade_table(template, table, columns, high).table) >= rank(
        grade_table(template, table, columns, low).table
    )
    forward = grade_table(template, table, columns, high)
    backward = grade_table(template, table, list(reversed(columns)), high)
    assert rank(forward.table) == rank(backward.table)
    assert forward.columns == backward.columns
    assert grade_table(template, table, columns, high) == forward  # deterministic
