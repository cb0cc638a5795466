"""Run a rule set over tables already loaded into DuckDB, and score it.

* every **row** check of the table is counted in one aggregate query (``count(*) FILTER (WHERE …)``
  per check), so twenty row checks read the table once; if that query fails (say an expression
  compares text with a number), each row check runs alone, so only the faulty one is marked;
* **query** and **table** checks run their own query each;
* for every failing check up to 20 failing rows are kept, with their row number (``__row``, 1-based
  in source order), the check's columns first; values of sensitive columns are masked.

No database of the platform, no network: the caller loads the tables (:mod:`.runner`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from dataasset.discovery.detectors import DETECTORS, column_hint, detect_value
from dataasset.discovery.detectors.base import VALID, Hint, normalise
from dataasset.discovery.profiler import mask_value, render
from dataasset.quality import scoring
from dataasset.quality.checks import QUERY, REGISTRY, ROW, Sql
from dataasset.quality.types import Check, CheckResult, QualityReport, RuleSet

MAX_EXAMPLES = 20
EXAMPLE_COLUMNS = 10


def describe(con: Any, relation: str) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {relation}").fetchall()}


def _valid_type_udf(con: Any) -> None:
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    today = date.today()

    def valid(codes: Any, values: Any) -> Any:
        out = []
        checkers: dict[str, Any] = {}
        for code, value in zip(codes.to_pylist(), values.to_pylist(), strict=True):
            if value is None or code not in DETECTORS:
                out.append(None if value is None else False)
                continue
            checker = checkers.get(code)
            if checker is None:
                hint = Hint(types=(code,), keyword="", text="")
                checker = checkers[code] = DETECTORS[code].checker(hint, today)
            out.append(checker is not None and checker.check(normalise(value)) == VALID)
        return pa.array(out, type=pa.bool_())

    text, boolean = duckdb.sqltype("VARCHAR"), duckdb.sqltype("BOOLEAN")
    with contextlib.suppress(duckdb.CatalogException):  # registered on this connection already
        con.create_function(
            "dq_valid_type",
            valid,
            [text, text],
            boolean,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )


def evaluate(
    con: Any,
    ruleset: RuleSet,
    relation: str,
    others: Mapping[str, str] | None = None,
    *,
    measured: Mapping[str, Any] | None = None,
    sensitive: Collection[str] | None = None,
    now: datetime | None = None,
    on_check: Callable[[int, int], None] | None = None,
) -> list[CheckResult]:
    """Every check of ``ruleset`` over DuckDB ``relation`` (the other tables it names in ``others``:
    rule-file name → relation). ``sensitive`` columns are masked in examples (None: decided from the
    column names and the example values themselves)."""
    others = dict(others or {})
    sql = Sql(
        table=relation,
        types=describe(con, relation),
        tables=others,
        other_types={name: describe(con, rel) for name, rel in others.items()},
        now=now,
    )
    measured = measured or {}
    if any(c.check == "valid_type" for c in ruleset.checks):
        _valid_type_udf(con)
    results: dict[str, CheckResult] = {}
    failing: dict[str, str | None] = {}
    total = len(ruleset.checks)
    row_checks = [c for c in ruleset.checks if REGISTRY[c.check].level == ROW]
    done = 0
    for check, result, where in _row_results(con, sql, row_checks):
        results[check.key], failing[check.key] = result, where
        done += 1
    if on_check is not None and row_checks:
        on_check(done, total)
    for check in ruleset.checks:
        kind = REGISTRY[check.check]
        if kind.level == ROW:
            continue
        try:
            counted = kind.count(check, sql, con, measured)
            results[check.key] = CheckResult(check, counted.checked, counted.passed, detail=counted.detail)
            failing[check.key] = counted.failing_sql
        except Exception as exc:
            results[check.key] = _failed(check, exc)
            failing[check.key] = None
        done += 1
        if on_check is not None:
            on_check(done, total)
    ordered = [results[c.key] for c in ruleset.checks]
    masker = _Masker(sql.types, sensitive)
    for result in ordered:
        where = failing.get(result.check.key)
        if result.failed > 0 and result.error is None and where is not None:
            result.examples = _examples(con, sql, result.check, where, masker)
    return ordered


def _failed(check: Check, exc: Exception) -> CheckResult:
    message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return CheckResult(check, 0, 0, error=f"检查无法执行：{message}")


def _row_results(con: Any, sql: Sql, checks: Sequence[Check]) -> list[tuple[Check, CheckResult, str | None]]:
    if not checks:
        return []
    preds = []
    for check in checks:
        applies, passes = REGISTRY[check.check].predicate(check, sql)
        preds.append((check, applies, passes))
    parts = []
    for i, (_check, applies, passes) in enumerate(preds):
        parts.append(f"count(*) FILTER (WHERE {applies}) AS a{i}")
        parts.append(f"count(*) FILTER (WHERE {applies} AND coalesce({passes}, FALSE)) AS p{i}")
    out: list[tuple[Check, CheckResult, str | None]] = []
    try:
        row = con.execute(f"SELECT {', '.join(parts)} FROM {sql.table}").fetchall()[0]
    except Exception:
        row = None
    for i, (check, applies, passes) in enumerate(preds):
        where = f"SELECT rowid AS __row, * FROM {sql.table} WHERE {applies} AND NOT coalesce({passes}, FALSE)"
        if row is not None:
            out.append((check, CheckResult(check, int(row[2 * i]), int(row[2 * i + 1])), where))
            continue
        try:
            one = con.execute(
                f"SELECT count(*) FILTER (WHERE {applies}), "
                f"count(*) FILTER (WHERE {applies} AND coalesce({passes}, FALSE)) FROM {sql.table}"
            ).fetchall()[0]
            out.append((check, CheckResult(check, int(one[0]), int(one[1])), where))
        except Exception as exc:
            out.append((check, _failed(check, exc), None))
    return out


class _Masker:
    """Which example columns to mask: the given sensitive columns, or (when not given) columns whose
    name hints a personal-data type or whose example values are one."""

    def __init__(self, types: Mapping[str, str], sensitive: Collection[str] | None) -> None:
        self.given = None if sensitive is None else set(sensitive)
        self.decided: dict[str, bool] = {}

    def masked(self, column: str, values: Sequence[str | None]) -> bool:
        if self.given is not None:
            return column in self.given
        if column not in self.decided:
            hinted = column_hint(column) is not None
            self.decided[column] = hinted or any(v and detect_value(v, column) for v in values)
        elif not self.decided[column] and any(v and detect_value(v, column) for v in values):
            self.decided[column] = True
        return self.decided[column]


def _examples(con: Any, sql: Sql, check: Check, where: str, masker: _Masker) -> list[dict[str, Any]]:
    names = list(check.columns) + [c for c in sql.types if c not in check.columns]
    names = names[: max(EXAMPLE_COLUMNS, len(check.columns))]
    cols = ", ".join(sql.ident(n) for n in names)
    try:
        rows = con.execute(f"SELECT __row, {cols} FROM ({where}) LIMIT {MAX_EXAMPLES}").fetchall()
    except Exception:
        return []
    texts = [[render(v) for v in row[1:]] for row in rows]
    masked = {n for i, n in enumerate(names) if masker.masked(n, [t[i] for t in texts])}
    out = []
    for row, values in zip(rows, texts, strict=True):
        item: dict[str, Any] = {"__row": int(row[0]) + 1}
        for name, value in zip(names, values, strict=True):
            item[name] = mask_value(value) if value is not None and name in masked else value
        out.append(item)
    return out


def report(
    results: list[CheckResult],
    *,
    table: str | None,
    rows: int,
    weights: Mapping[str, float] | None = None,
    started: float | None = None,
) -> QualityReport:
    dims = scoring.dimension_scores(results)
    return QualityReport(
        table=table,
        rows=rows,
        overall=scoring.overall_score(dims, weights),
        dimensions=dims,
        results=results,
        seconds=0.0 if started is None else time.monotonic() - started,
    )


__all__ = ["MAX_EXAMPLES", "QUERY", "describe", "evaluate", "report"]
