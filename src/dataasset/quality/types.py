"""The values that pass between quality's parts: rules → checks → engine → scores → service.

Plain dataclasses, no I/O, so every part can be built and tested alone::

    rules.parse_rules(text, columns)     -> RuleSet          (every problem with its line, in Chinese)
    engine.evaluate(con, ruleset, ...)   -> list[CheckResult] (DuckDB SQL, one pass for row checks)
    scoring.score(results, weights)      -> QualityReport
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataasset.core.enums import Labelled
from dataasset.core.errors import DomainError


class Dimension(Labelled):
    """The six dimensions of GB/T 36344-2018 (数据质量评价指标), in the standard's order."""

    CONFORMITY = "conformity", "规范性", "Conformity"
    COMPLETENESS = "completeness", "完整性", "Completeness"
    ACCURACY = "accuracy", "准确性", "Accuracy"
    CONSISTENCY = "consistency", "一致性", "Consistency"
    TIMELINESS = "timeliness", "时效性", "Timeliness"
    ACCESSIBILITY = "accessibility", "可访问性", "Accessibility"


DIMENSIONS: tuple[str, ...] = tuple(d.value for d in Dimension)


class QualityError(DomainError):
    """A quality run cannot go on (source unreadable, table missing); Chinese message, machine code."""

    status = 422
    code = "quality_failed"


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong in a rule file: where (1-based line, 0 when unknown) and what, in Chinese."""

    line: int
    message: str
    check: int | None = None  # position of the check in the file (0-based), when it is about one

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "check": self.check}


class RuleError(DomainError):
    """A rule file was refused before anything ran; ``problems`` says every line that is wrong."""

    status = 422
    code = "invalid_rules"

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        self.problems = list(problems)
        first = "；".join(f"第 {p.line} 行：{p.message}" if p.line else p.message for p in self.problems[:5])
        more = f"（另有 {len(self.problems) - 5} 处）" if len(self.problems) > 5 else ""
        super().__init__(
            f"质量规则有误：{first}{more}", code=self.code, errors=[p.as_dict() for p in self.problems]
        )


@dataclass(frozen=True)
class Check:
    """One parsed check of a rule file.

    ``key`` is stable across edits that do not change what the check does (it names the check's
    quality issue); ``params`` are the check type's own parsed parameters.
    """

    key: str
    check: str  # the check type's name in the registry
    dimension: str
    weight: float
    column: str | None
    columns: tuple[str, ...]  # every column of the checked table the check reads
    params: Mapping[str, Any]
    line: int
    title: str  # Chinese, e.g. "年龄 在 0 到 120 之间"
    position: int = 0


@dataclass(frozen=True)
class RuleSet:
    table: str | None
    checks: tuple[Check, ...]
    weights: Mapping[str, float] = field(default_factory=dict)  # dimension weights set by the file
    deadline_days: int | None = None  # working days an owner has to fix a failing check
    other_tables: tuple[str, ...] = ()  # tables of the same source the checks compare with


@dataclass
class CheckResult:
    """What one check found. ``checked``/``passed`` count rows for a row check, 1/0 for a table
    check; ``score`` is passed ÷ checked (1.0 when no row applied); ``examples`` are failing rows
    (masked where sensitive)."""

    check: Check
    checked: int
    passed: int
    examples: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""  # Chinese, e.g. "最新值 2026-10-01，早于 30 天前"
    error: str | None = None  # the check could not run (the score is then 0)

    @property
    def failed(self) -> int:
        return self.checked - self.passed

    @property
    def score(self) -> float:
        if self.error is not None:
            return 0.0
        return self.passed / self.checked if self.checked else 1.0

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check.check,
            "column": self.check.column,
            "dimension": self.check.dimension,
            "checked": self.checked,
            "passed": self.passed,
            "score": round(self.score, 6),
        }

    def as_detail(self) -> dict[str, Any]:
        return self.as_json() | {
            "key": self.check.key,
            "title": self.check.title,
            "columns": list(self.check.columns),
            "line": self.check.line,
            "weight": self.check.weight,
            "failed": self.failed,
            "examples": self.examples,
            "detail": self.detail,
            "error": self.error,
        }


@dataclass
class QualityReport:
    table: str | None
    rows: int
    overall: float | None  # 0..100; None when no check ran
    dimensions: dict[str, float]  # only dimensions that have checks, 0..100
    results: list[CheckResult]
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The CLI's ``--format json`` document (the issue's contract)."""
        return {
            "overall": None if self.overall is None else round(self.overall, 4),
            "dimensions": {k: round(v, 4) for k, v in self.dimensions.items()},
            "checks": [r.as_json() for r in self.results],
        }
