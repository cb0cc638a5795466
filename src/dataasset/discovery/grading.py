"""Classification and grading (分类分级): templates as data, a pure kernel that applies them.

A template (``discovery/rules/<name>.yaml``) names its levels (number → Chinese label → catalog
grade: ``general`` 一般数据 / ``important`` 重要数据 / ``core`` 核心数据) and an ordered list of rules.
A rule matches on detected sensitive types (``types_any``; ``types_all`` for combinations within
one table), column or table name keywords, business categories and a row threshold (``min_rows``);
it yields a level and a Chinese reason, and cites its ``basis``. Conditions of one rule all have to
hold; each list is any-of. Levels are numbered 1–5 (the asset card's ``security_level``); a rule may
raise the grade above its level's own (``grade: core`` on the top level: a 核心数据 candidate).
Decisions compare by grade, then by level.

- ``scope: column`` rules look at one column's own facts (its type, name, category); the column
  takes the highest level among the rules it matches (ties: the earlier rule), else the template's
  ``default_level``.
- ``scope: table`` rules look at the table as a whole (combinations, volume, table name); the
  table takes the highest of its columns' levels and of the table rules it matches (ties: the
  earlier rule in the template). The table's level is therefore never below a column's, and adding
  a column never lowers it: no condition is negative.

Templates are validated with pydantic when loaded; a bad file is a :class:`TemplateError` naming the
file, the rule and the field. An organisation may override a template with its own file, either a
whole template (same ``id``) or a patch (``extends: <name>``: rules merged field by field by ``id``,
new rules appended, ``disable`` switches rules off). Grading itself reads no file and no clock.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dataasset.catalog.enums import SecurityGrade
from dataasset.core.errors import Invalid
from dataasset.discovery.types import ColumnFacts, GradeDecision, TableGrade

RULES_DIR = Path(__file__).resolve().parent / "rules"
TEMPLATES: tuple[str, ...] = ("general", "finance", "industry")

# The codes the detectors produce, with their Chinese names (shown in reasons).
TYPE_LABELS: dict[str, str] = {
    "cn_resident_id": "居民身份证号",
    "cn_mobile": "手机号码",
    "cn_landline": "固定电话",
    "bank_card": "银行卡号",
    "cn_uscc": "统一社会信用代码",
    "cn_passport": "护照号码",
    "cn_plate": "机动车号牌",
    "email": "电子邮箱",
    "ipv4": "IPv4 地址",
    "ipv6": "IPv6 地址",
    "mac_address": "MAC 地址",
    "geo_coordinate": "经纬度坐标",
    "cn_person_name": "姓名",
    "cn_address": "地址",
    "birth_date": "出生日期",
}

Grade = Literal["general", "important", "core"]
_GRADE_RANK: dict[str, int] = {"general": 0, "important": 1, "core": 2}
MANUAL = "manual"
DEFAULT = "default"

_ID = r"^[a-z][a-z0-9_.-]{0,63}$"
_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "column": frozenset({"column", "type", "category", "keyword", "table", "rows"}),
    "table": frozenset({"table", "rows", "types", "columns", "keyword"}),
}


class TemplateError(ValueError):
    """A template file is malformed or missing; the message names the file, the rule and the field."""


# --- the template ----------------------------------------------------------------------------


class Level(BaseModel):
    """One level of a template: its number, Chinese label and the catalog grade it stands for."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: int = Field(ge=1, le=5)
    label: str = Field(min_length=1, max_length=60)
    grade: Grade
    description: str = Field("", max_length=500)


class Rule(BaseModel):
    """A rule: conditions (all must hold; each list is any-of) → a level, a reason and its basis."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=_ID, description="规则标识（英文小写）")
    scope: Literal["column", "table"]
    level: int = Field(ge=1, le=5)
    grade: Grade | None = Field(None, description="高于该级别本身的分级（如最高级上的核心数据候选）")
    label: str | None = Field(None, min_length=1, max_length=60, description="grade 升级时显示的级别名称")
    reason: str = Field(min_length=1, max_length=300, description="判定理由，可用 {column} {type} 等占位符")
    basis: str = Field(min_length=1, max_length=500, description="依据的标准或法规条款")
    enabled: bool = True
    types_any: tuple[str, ...] = ()
    types_all: tuple[str, ...] = ()
    column_keywords: tuple[str, ...] = ()
    table_keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_rows: int | None = Field(None, ge=1)

    @field_validator("types_any", "types_all")
    @classmethod
    def _known_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in types if t not in TYPE_LABELS]
        if unknown:
            raise ValueError(f"未知的敏感类型 {'、'.join(unknown)}（可选：{', '.join(TYPE_LABELS)}）")
        return types

    @field_validator("column_keywords", "table_keywords", "categories")
    @classmethod
    def _non_blank(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(not w.strip() for w in words):
            raise ValueError("不能含空白项")
        return tuple(w.strip() for w in words)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.scope == "column":
            for name in ("types_all", "table_keywords", "min_rows"):
                if getattr(self, name):
                    raise ValueError(f"字段 {name} 只能用于 scope: table 的规则（列规则只看该列自身）")
        conditions = (self.types_any, self.types_all, self.column_keywords, self.table_keywords)
        if not any(conditions) and not self.categories and self.min_rows is None:
            raise ValueError("至少需要一个匹配条件（types_any、types_all、关键词、categories 或 min_rows）")
        allowed = _PLACEHOLDERS[self.scope]
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(self.reason) if f is not None]
        except ValueError as exc:
            raise ValueError(f"字段 reason：花括号不成对（{exc}）") from exc
        bad = [f for f in fields if f not in allowed]
        if bad:
            raise ValueError(
                f"字段 reason：不支持的占位符 {'、'.join('{' + f + '}' for f in bad)}"
                f"（可用：{'、'.join('{' + f + '}' for f in sorted(allowed))}）"
            )
        return self


class Template(BaseModel):
    """A classification and grading template (分类分级模板)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=100)
    version: str = Field(min_length=1, max_length=40)
    basis: str = Field(min_length=1, max_length=500, description="依据的标准")
    description: str = Field("", max_length=2000)
    min_confidence: float = Field(0.0, ge=0.0, le=1.0, description="低于此置信度的检测结果不参与分级")
    default_level: int = Field(ge=1, le=5, description="未命中任何列规则时的级别")
    default_reason: str = Field(min_length=1, max_length=300)
    levels: tuple[Level, ...] = Field(min_length=1, max_length=5)
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _version_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("version"), int | float):
            return {**data, "version": str(data["version"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Template:
        numbers = [lv.level for lv in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"字段 levels：级别应从 1 起连续递增，实为 {numbers}")
        ranks = [_GRADE_RANK[lv.grade] for lv in self.levels]
        if ranks != sorted(ranks):
            raise ValueError("字段 levels：级别越高，对应的 grade 不能越低（general ≤ important ≤ core）")
        if self.default_level > len(self.levels) or self.levels[self.default_level - 1].grade != "general":
            raise ValueError(f"字段 default_level：级别 {self.default_level} 未定义或不是一般数据")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"规则 {rule.id} 字段 id：规则标识重复")
            seen.add(rule.id)
            if rule.level > len(self.levels):
                raise ValueError(f"规则 {rule.id} 字段 level：级别 {rule.level} 未在 levels 中定义")
            own = self.levels[rule.level - 1].grade
            if rule.grade is not None and _GRADE_RANK[rule.grade] < _GRADE_RANK[own]:
                raise ValueError(f"规则 {rule.id} 字段 grade：不能低于第 {rule.level} 级本身的分级 {own}")
            if rule.label is not None and (rule.grade is None or rule.grade == own):
                raise ValueError(f"规则 {rule.id} 字段 label：只在 grade 高于该级别本身的分级时使用")
        return self

    def level(self, number: int) -> Level:
        if not 1 <= number <= len(self.levels):
            raise KeyError(number)
        return self.levels[number - 1]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# --- loading ---------------------------------------------------------------------------------

_MESSAGES: dict[str, str] = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（拼写错误？）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        return f"应为 {str(ctx.get('expected', '')).replace(' or ', ' 或 ')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"应{'不小于' if kind == 'greater_than_equal' else '不大于'} {bound}"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_pattern_mismatch":
        return f"格式不符（应匹配 {ctx.get('pattern')}）"
    return str(error.get("msg", "")).removeprefix("Value error, ")


def _rule_name(raw: Any, index: int) -> str:
    rules = raw.get("rules") if isinstance(raw, dict) else None
    rule = rules[index] if isinstance(rules, list) and 0 <= index < len(rules) else None
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    return f"规则 {rule_id if rule_id else '（无 id）'}（第 {index + 1} 条）"


def _error(source: str, raw: Any, exc: ValidationError) -> TemplateError:
    lines = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        message = _message(e)
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            field = ".".join(str(p) for p in loc[2:])
            where = _rule_name(raw, loc[1]) + (f" 字段 {field}" if field else "")
        else:
            where = "字段 " + ".".join(str(p) for p in loc) if loc else ""
        lines.append(f"{where}：{message}" if where else message)
    return TemplateError(f"分级模板 {source} 不合法：" + "；".join(lines))


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"分级模板 {path} 无法读取：{exc.strerror or exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"分级模板 {path.name} 不是合法的 YAML：{exc}") from exc


def parse_template(raw: Any, source: str) -> Template:
    """Validate one template's content; errors name the source, the rule and the field."""
    try:
        return Template.model_validate(raw)
    except ValidationError as exc:
        raise _error(source, raw, exc) from exc


@lru_cache
def _packaged(name: str) -> tuple[Template, Any]:
    if name not in TEMPLATES:
        raise TemplateError(f"没有名为 {name} 的分级模板（可选：{'、'.join(TEMPLATES)}）")
    path = RULES_DIR / f"{name}.yaml"
    raw = _read(path)
    template = parse_template(raw, path.name)
    if template.id != name:
        raise TemplateError(f"分级模板 {path.name} 字段 id：应与文件名一致（{name}）")
    return template, raw


def _patch(base: Any, patch: dict[str, Any], source: str) -> Any:
    """Merge an ``extends`` file over the base template's raw content."""
    merged = {k: v for k, v in base.items() if k != "rules"}
    merged.update({k: v for k, v in patch.items() if k not in ("extends", "rules", "disable")})
    rules: list[Any] = [dict(r) for r in base["rules"]]
    index = {r["id"]: i for i, r in enumerate(rules)}
    extra = patch.get("rules") or []
    if not isinstance(extra, list):
        raise TemplateError(f"分级模板 {source} 字段 rules：应为列表")
    for i, rule in enumerate(extra):
        if not isinstance(rule, dict) or not rule.get("id"):
            raise TemplateError(f"分级模板 {source} 规则（第 {i + 1} 条）字段 id：缺少必填项")
        if rule["id"] in index:
            rules[index[rule["id"]]] = {**rules[index[rule["id"]]], **rule}
        else:
            index[rule["id"]] = len(rules)
            rules.append(dict(rule))
    disable = patch.get("disable") or []
    if not isinstance(disable, list):
        raise TemplateError(f"分级模板 {source} 字段 disable：应为规则标识的列表")
    for rule_id in disable:
        if rule_id not in index:
            raise TemplateError(f"分级模板 {source} 字段 disable：没有可停用的规则 {rule_id}")
        rules[index[rule_id]] = {**rules[index[rule_id]], "enabled": False}
    merged["rules"] = rules
    return merged


def load_template(name: str, override_path: Path | None = None) -> Template:
    """The packaged template ``name``, or an organisation's override of it.

    ``override_path`` is a YAML file holding either a whole template (its ``id`` must be ``name``) or
    a patch: ``extends: <name>``, optional top-level fields to replace (``version``, ``min_confidence``,
    ``levels``, ...), ``rules`` (an existing ``id`` is merged field by field, a new one is appended)
    and ``disable`` (rule ids to switch off).
    """
    template, base = _packaged(name)
    if override_path is None:
        return template
    source = override_path.name
    raw = _read(override_path)
    if not isinstance(raw, dict):
        raise TemplateError(f"分级模板 {source} 不合法：应为映射（键: 值）")
    if "extends" in raw:
        if raw["extends"] != name:
            raise TemplateError(f"分级模板 {source} 字段 extends：应为 {name}")
        raw = _patch(base, raw, source)
    result = parse_template(raw, source)
    if result.id != name:
        raise TemplateError(f"分级模板 {source} 字段 id：应为 {name}")
    return result


# --- grading ---------------------------------------------------------------------------------

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(_CAMEL.sub(r"\1_\2", text).lower()) if t]


def _keyword_in(name: str, keywords: Sequence[str]) -> str | None:
    """The first keyword found in ``name``: Chinese ones as substrings, Latin ones as whole words
    (``pwd`` matches ``user_pwd`` and ``userPwd``, ``gene`` does not match ``general``)."""
    tokens = _tokens(name)
    lowered = name.lower()
    for keyword in keywords:
        if keyword.isascii():
            want = _tokens(keyword)
            n = len(want)
            if n and any(tokens[i : i + n] == want for i in range(len(tokens) - n + 1)):
                return keyword
        elif keyword.lower() in lowered:
            return keyword
    return None


def _category(facts: ColumnFacts) -> str | None:
    return facts.category.strip().lower() if facts.category else None


def _in_categories(category: str | None, categories: Sequence[str]) -> bool:
    return category is not None and category in (c.lower() for c in categories)


def _decision(template: Template, level: int, rule: str, reason: str) -> GradeDecision:
    spec = template.level(level)
    return GradeDecision(grade=spec.grade, level=level, level_label=spec.label, rule=rule, reason=reason)


def _rule_decision(template: Template, rule: Rule, values: dict[str, str]) -> GradeDecision:
    spec = template.level(rule.level)
    if rule.grade is None or rule.grade == spec.grade:
        grade, label = spec.grade, spec.label
    else:
        grade, label = rule.grade, rule.label or f"{SecurityGrade(rule.grade).label_zh}（候选）"
    reason = rule.reason.format_map(values)
    return GradeDecision(grade=grade, level=rule.level, level_label=label, rule=rule.id, reason=reason)


def _rank(decision: GradeDecision) -> tuple[int, int]:
    """How decisions compare: by grade, then by level (the service compares them the same way)."""
    return _GRADE_RANK.get(decision.grade, 0), decision.level


def _effective_type(template: Template, facts: ColumnFacts) -> str | None:
    if facts.sensitive_type is None or facts.confidence < template.min_confidence:
        return None
    return facts.sensitive_type


def _match_column(
    rule: Rule, facts: ColumnFacts, kind: str | None, table: str, rows: int
) -> dict[str, str] | None:
    if rule.types_any and kind not in rule.types_any:
        return None
    keyword = ""
    if rule.column_keywords:
        found = _keyword_in(facts.name, rule.column_keywords)
        if found is None:
            return None
        keyword = found
    category = _category(facts)
    if rule.categories and not _in_categories(category, rule.categories):
        return None
    return {
        "column": facts.name,
        "type": TYPE_LABELS.get(kind or "", kind or ""),
        "category": category or "",
        "keyword": keyword,
        "table": table,
        "rows": f"{rows:,}",
    }


def _match_table(
    rule: Rule, table: str, columns: Sequence[tuple[ColumnFacts, str | None]], rows: int
) -> dict[str, str] | None:
    if rule.min_rows is not None and rows < rule.min_rows:
        return None
    present = {kind for _, kind in columns if kind is not None}
    if not set(rule.types_all) <= present:
        return None
    if rule.types_any and not present & set(rule.types_any):
        return None
    keyword = ""
    if rule.table_keywords:
        found = _keyword_in(table, rule.table_keywords)
        if found is None:
            return None
        keyword = found
    hits: list[str] = []
    if rule.column_keywords:
        named = [(f.name, _keyword_in(f.name, rule.column_keywords)) for f, _ in columns]
        named = [(n, k) for n, k in named if k is not None]
        if not named:
            return None
        keyword = keyword or str(named[0][1])
        hits.extend(n for n, _ in named)
    if rule.categories:
        in_category = [f.name for f, _ in columns if _in_categories(_category(f), rule.categories)]
        if not in_category:
            return None
        hits.extend(in_category)
    wanted = [*rule.types_all, *(t for t in rule.types_any if t not in rule.types_all)]
    matched_types = [t for t in wanted if t in present]
    hits.extend(f.name for f, kind in columns if kind in matched_types)
    ordered = [f.name for f, _ in columns if f.name in set(hits)]
    return {
        "table": table,
        "rows": f"{rows:,}",
        "types": "、".join(TYPE_LABELS[t] for t in matched_types),
        "columns": "、".join(ordered),
        "keyword": keyword,
    }


def grade_column(
    template: Template, facts: ColumnFacts, table_name: str = "", rows: int = 0
) -> GradeDecision:
    """One column's decision from its own facts: the highest matching column rule (ties: the earlier),
    else the template's default level."""
    kind = _effective_type(template, facts)
    best: GradeDecision | None = None
    for rule in template.rules:
        if not rule.enabled or rule.scope != "column":
            continue
        values = _match_column(rule, facts, kind, table_name, rows)
        if values is None:
            continue
        decision = _rule_decision(template, rule, values)
        if best is None or _rank(decision) > _rank(best):
            best = decision
    if best is None:
        return _decision(
            template, template.default_level, DEFAULT, f"列“{facts.name}”：{template.default_reason}"
        )
    return best


def grade_table(template: Template, table_name: str, columns: Sequence[ColumnFacts], rows: int) -> TableGrade:
    """Grade every column and the table: the highest of its columns and of the table rules it matches
    (ties: the rule earlier in the template, then the earlier column).

    Column names must be unique; ``rows`` is the table's row count, taken as the number of people a
    table of personal information covers."""
    if rows < 0:
        raise ValueError("rows 不能为负数")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"列名重复：{'、'.join(duplicates)}")
    decisions = {c.name: grade_column(template, c, table_name, rows) for c in columns}
    order = {rule.id: i for i, rule in enumerate(template.rules)}
    last = len(template.rules)

    best: tuple[tuple[int, int, int], GradeDecision] | None = None  # ((grade, level, -rule order), decision)
    for position, name in enumerate(names):
        column = decisions[name]
        key = (*_rank(column), -order.get(column.rule, last))
        if best is not None and key <= best[0]:
            continue
        peers = [n for n in names[position + 1 :] if _same(decisions[n]) == _same(column)]
        reason = f"表级别取各列最高：{column.reason}"
        if peers:
            reason += f"（同级的还有：{'、'.join(peers)}）"
        best = (key, replace(column, reason=reason))
    typed = [(c, _effective_type(template, c)) for c in columns]
    for i, rule in enumerate(template.rules):
        if not rule.enabled or rule.scope != "table":
            continue
        values = _match_table(rule, table_name, typed, rows)
        if values is None:
            continue
        decision = _rule_decision(template, rule, values)
        key = (*_rank(decision), -i)
        if best is None or key > best[0]:
            best = (key, decision)
    if best is None:
        table = _decision(
            template, template.default_level, DEFAULT, f"表“{table_name}”：{template.default_reason}"
        )
    else:
        table = best[1]
    return TableGrade(table=table, columns=decisions)


def _same(decision: GradeDecision) -> tuple[str, int, str]:
    return decision.grade, decision.level, decision.rule


def apply_override(
    decision: GradeDecision, grade: str, level: int, reason: str, *, template: Template | None = None
) -> GradeDecision:
    """A manual decision replacing ``decision`` (人工调整): the reason is required; ``rule`` becomes
    ``manual`` and the reason keeps what was decided before. With ``template``, ``level`` must be one
    of its levels and ``grade`` no lower than that level's own grade."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise Invalid("人工调整分级必须填写理由", errors=[{"field": "reason", "message": "不能为空"}])
    if grade not in _GRADE_RANK:
        raise Invalid(
            f"分级 {grade} 不正确（可选：general、important、core）",
            errors=[{"field": "grade", "message": "应为 general、important 或 core"}],
        )
    top = len(template.levels) if template is not None else 5
    if not 1 <= level <= top:
        raise Invalid(f"级别应在 1–{top} 之间", errors=[{"field": "level", "message": f"应在 1–{top} 之间"}])
    label = f"{SecurityGrade(grade).label_zh} 第{level}级（人工认定）"
    if template is not None:
        spec = template.level(level)
        if _GRADE_RANK[grade] < _GRADE_RANK[spec.grade]:
            raise Invalid(
                f"模板 {template.name} 的第 {level} 级（{spec.label}）至少为 {spec.grade}，不能定为 {grade}",
                errors=[{"field": "grade", "message": f"第 {level} 级至少为 {spec.grade}"}],
            )
        if spec.grade == grade:
            label = spec.label
    elif grade == decision.grade and level == decision.level:
        label = decision.level_label
    note = f"{reason}（人工调整；原判定：{decision.level_label}，规则 {decision.rule}）"
    return GradeDecision(grade=grade, level=level, level_label=label, rule=MANUAL, reason=note)
