"""Rule files (质量规则): YAML in, a validated :class:`RuleSet` out, or every problem with its line.

::

    table: customers            # the table of the source (optional when the source has one table)
    deadline_days: 10           # working days an owner has to fix a failing check (optional)
    weights: {accuracy: 2}      # dimension weights for this rule set (optional)
    checks:
      - {check: not_null, column: 身份证号}
      - {check: between, column: 年龄, min: 0, max: 120, weight: 2}
      - {check: unique, columns: [客户编号], dimension: conformity}

Every check may carry ``dimension`` (move it to another of the six), ``weight`` (default 1) and
``name`` (a title shown instead of the generated one). Nothing runs unless the whole file is right.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from dataasset.quality.checks import REGISTRY, ParamError, ParseContext
from dataasset.quality.types import DIMENSIONS, Check, Dimension, RuleError, RuleProblem, RuleSet

MAX_CHECKS = 500
_TOP_KEYS = {"table", "checks", "weights", "deadline_days", "name", "description"}


def _dimension_names() -> str:
    return "、".join(f"{d.value}（{d.label_zh}）" for d in Dimension)


class _Loader(yaml.SafeLoader):
    """Safe YAML that remembers the line of every mapping and sequence."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Any:
    value = _LineDict(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


class _LineDict(dict[Any, Any]):
    line = 0


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# dates stay text: 2024-01-01 in a rule file is compared as written
_Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise RuleError([RuleProblem(line, f"YAML 格式有误：{exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise RuleError([RuleProblem(0, f"YAML 格式有误：{exc}")]) from exc


def parse_rules(
    text: str,
    columns: Sequence[str] | None = None,
    tables: Mapping[str, Sequence[str]] | None = None,
) -> RuleSet:
    """Parse and validate a rule file. ``columns`` are the checked table's columns, ``tables`` the
    other tables of the source with theirs (None: unknown, those checks wait for the run)."""
    if len(text) > 1_000_000:
        raise RuleError([RuleProblem(0, "规则文件过大（上限 1 MB）")])
    data = load_yaml(text)
    return parse_document(data, columns, tables)


def parse_document(
    data: Any, columns: Sequence[str] | None = None, tables: Mapping[str, Sequence[str]] | None = None
) -> RuleSet:
    problems: list[RuleProblem] = []
    if not isinstance(data, dict):
        raise RuleError([RuleProblem(1, "规则文件应是一个映射，至少包含 checks（检查列表）")])
    top_line = getattr(data, "line", 1)
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                RuleProblem(top_line, f"不认识的顶层键“{key}”（可用：{'、'.join(sorted(_TOP_KEYS))}）")
            )
    table = data.get("table")
    if table is not None and (not isinstance(table, str | int) or not str(table).strip()):
        problems.append(RuleProblem(top_line, "table 应是表名"))
        table = None
    weights = _weights(data.get("weights"), top_line, problems)
    deadline = data.get("deadline_days")
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, int) or not 1 <= deadline <= 365
    ):
        problems.append(RuleProblem(top_line, "deadline_days 应是 1 到 365 之间的整数（工作日）"))
        deadline = None
    raw_checks = data.get("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        problems.append(
            RuleProblem(top_line, "缺少 checks：至少要有一项检查，例如 - {check: not_null, column: 客户编号}")
        )
        raw_checks = []
    if len(raw_checks) > MAX_CHECKS:
        problems.append(RuleProblem(top_line, f"检查项过多（上限 {MAX_CHECKS}）"))
        raw_checks = raw_checks[:MAX_CHECKS]
    ctx = ParseContext(columns=columns, tables=tables)
    checks: list[Check] = []
    others: list[str] = []
    keys: set[str] = set()
    for position, raw in enumerate(raw_checks):
        line = getattr(raw, "line", top_line)
        try:
            check, needs = _parse_check(raw, position, line, ctx, None if table is None else str(table))
        except ParamError as exc:
            name = raw.get("check") if isinstance(raw, dict) else None
            prefix = f"检查 {name}：" if isinstance(name, str) and name in REGISTRY else ""
            problems.append(RuleProblem(line, prefix + str(exc), position))
            continue
        if check.key in keys:
            problems.append(RuleProblem(line, f"与前面的检查重复：{check.title}", position))
            continue
        keys.add(check.key)
        checks.append(check)
        others.extend(t for t in needs if t not in others)
    if problems:
        raise RuleError(problems)
    return RuleSet(
        table=None if table is None else str(table),
        checks=tuple(checks),
        weights=weights,
        deadline_days=deadline,
        other_tables=tuple(others),
    )


def _weights(raw: Any, line: int, problems: list[RuleProblem]) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(RuleProblem(line, f"weights 应是 维度: 权重 的映射，维度为 {_dimension_names()}"))
        return {}
    out: dict[str, float] = {}
    for key, value in raw.items():
        if key not in DIMENSIONS:
            problems.append(
                RuleProblem(getattr(raw, "line", line), f"不认识的维度“{key}”（可用：{_dimension_names()}）")
            )
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(RuleProblem(getattr(raw, "line", line), f"维度 {key} 的权重应是不小于 0 的数"))
        else:
            out[key] = float(value)
    return out


def _parse_check(
    raw: Any, position: int, line: int, ctx: ParseContext, table: str | None
) -> tuple[Check, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ParamError("每项检查应是一个映射，例如 {check: not_null, column: 客户编号}")
    name = raw.get("check")
    if not isinstance(name, str) or name not in REGISTRY:
        known = "、".join(sorted(REGISTRY))
        raise ParamError(
            f"不认识的检查“{name}”（可用：{known}）" if name else f"缺少 check（检查类型，可用：{known}）"
        )
    kind = REGISTRY[name]
    parsed = kind.parse(raw, ctx)
    dimension = raw.get("dimension", kind.dimension.value)
    if dimension not in DIMENSIONS:
        found = Dimension.from_label(str(dimension))
        if found is None:
            raise ParamError(f"不认识的维度“{dimension}”（可用：{_dimension_names()}）")
        dimension = found.value
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        raise ParamError("weight 应是不小于 0 的数")
    title = raw.get("name")
    title = str(title).strip() if title else parsed.title
    identity = {
        "check": name,
        "table": table,
        "column": parsed.column,
        "columns": parsed.columns,
        "params": parsed.params,
    }
    key = hashlib.sha256(
        json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:16]
    check = Check(
        key=key,
        check=name,
        dimension=str(dimension),
        weight=float(weight),
        column=parsed.column,
        columns=parsed.columns,
        params=parsed.params,
        line=line,
        title=title[:300],
        position=position,
    )
    return check, parsed.other_tables


def dump_rules(ruleset: RuleSet, raw_checks: Sequence[Mapping[str, Any]]) -> str:
    """YAML text for a rule set given as plain check mappings (suggested rules, the editor)."""
    doc: dict[str, Any] = {}
    if ruleset.table is not None:
        doc["table"] = ruleset.table
    if ruleset.deadline_days is not None:
        doc["deadline_days"] = ruleset.deadline_days
    if ruleset.weights:
        doc["weights"] = dict(ruleset.weights)
    doc["checks"] = [dict(c) for c in raw_checks]
    return to_yaml(doc)


def to_yaml(doc: Mapping[str, Any]) -> str:
    """Rule YAML with one flow mapping per check (the issue's layout), Chinese kept as is."""
    head = {k: v for k, v in doc.items() if k != "checks"}
    text = yaml.safe_dump(head, allow_unicode=True, sort_keys=False) if head else ""
    lines = ["checks:"]
    for check in doc.get("checks", []):
        item = yaml.safe_dump(
            dict(check), allow_unicode=True, sort_keys=False, default_flow_style=True, width=10_000
        )
        lines.append("  - " + item.strip())
    return text + "\n".join(lines) + "\n"
