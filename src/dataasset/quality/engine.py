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


ROW_COLUMN = "__row"  # a loaded table's 0-based row number (the runner adds it)


def describe(con: Any, relation: str) -> dict[str, str]:
    """Column → DuckDB type of a relation, without the row-number column."""
    rows = con.execute(f"DESCRIBE {relation}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows if r[0] != ROW_COLUMN}


def _has_row_column(con: Any, relation: str) -> bool:
    return any(r[0] == ROW_COLUMN for r in con.execute(f"DESCRIBE {relation}").fetchall())


def valid_type_checker() -> Callable[[str | None, str | None, str | None], bool | None]:
    """``(type code, column name, value)`` → does the value pass the type's checks (check digits,
    dates, gazetteer)? The column's name picks a detector's variant as discovery does (a 经度 column
    holds one longitude, not a coordinate pair)."""
    today = date.today()
    checkers: dict[tuple[str, str], Any] = {}

    def valid(code: str | None, column: str | None, value: str | None) -> bool | None:
        if value is None:
            return None
        if code not in DETECTORS:
            return False
        key = (code, column or "")
        checker = checkers.get(key)
        if checker is None:
            hint = column_hint(column or "")
            if hint is None or not hint.suggests(code):
                hint = Hint(types=(code,), keyword="", text=column or "")
            checker = checkers[key] = DETECTORS[code].checker(hint, today)
        return checker is not None and checker.check(normalise(value)) == VALID

    return valid


def _valid_type_udf(con: Any) -> None:
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    check = valid_type_checker()

    def valid(codes: Any, columns: Any, values: Any) -> Any:
        triples = zip(codes.to_pylist(), columns.to_pylist(), values.to_pylist(), strict=True)
        return pa.array([check(c, n, v) for c, n, v in triples], type=pa.bool_())

    text, boolean = duckdb.sqltype("VARCHAR"), duckdb.sqltype("BOOLEAN")
    with contextlib.suppress(duckdb.CatalogException):  # registered on this connection already
        con.create_function(
            "dq_valid_type",
            valid,
            [text, text, text],
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
    dialect: str = "duckdb",
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
        row_column=ROW_COLUMN if _has_row_column(con, relation) else None,
        dialect=dialect,
    )
    measured = measured or {}
    if any(c.check == "valid_type" for c in ruleset.checks):
        register = getattr(con, "register_valid_type", None)  # the Spark adapter brings its own
        if register is not None:
            register(valid_type_checker)
        else:
            _valid_type_udf(con)
    results: dict[str, CheckResult] = {}
    failing: dict[str, list[int]] = {}  # check → row numbers of its first failing rows
    total = len(ruleset.checks)
    row_checks = [c for c in ruleset.checks if REGISTRY[c.check].level == ROW]
    done = 0
    for check, result, rows in _row_results(con, sql, row_checks):
        results[check.key], failing[check.key] = result, rows
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
            if counted.failing_sql is not None and counted.failed > 0:
                failing[check.key] = _first_rows(con, counted.failing_sql)
        except Exception as exc:
            results[check.key] = _failed(check, exc)
        done += 1
        if on_check is not None:
            on_check(done, total)
    ordered = [results[c.key] for c in ruleset.checks]
    _attach_examples(con, sql, ordered, failing, _Masker(sensitive))
    return ordered


def _first_rows(con: Any, failing_sql: str) -> list[int]:
    try:
        rows = con.execute(f"SELECT dq_row_no FROM ({failing_sql}) LIMIT {MAX_EXAMPLES}").fetchall()
    except Exception:
        return []
    return [int(r[0]) for r in rows]


def _failed(check: Check, exc: Exception) -> CheckResult:
    message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return CheckResult(check, 0, 0, error=f"检查无法执行：{message}")


def _row_results(con: Any, sql: Sql, checks: Sequence[Check]) -> list[tuple[Check, CheckResult, list[int]]]:
    """Row checks counted in one pass; each also collects its first failing row numbers
    (``min(row, 20)``), so examples need no second scan per check."""
    if not checks:
        return []
    preds = []
    for check in checks:
        applies, passes = REGISTRY[check.check].predicate(check, sql)
        preds.append((check, applies, passes))

    def query(items: Sequence[tuple[Check, str, str]]) -> str:
        # each predicate is computed once per row (inner SELECT), then counted three ways
        inner = [f"{sql.row()} AS dq_row_no"]
        outer = []
        for i, (_check, applies, passes) in enumerate(items):
            inner.append(f"coalesce({applies}, FALSE) AS a{i}, coalesce({passes}, FALSE) AS p{i}")
            # DuckDB's min(x, n) keeps the first failing rows in the same pass; Spark has no such
            # aggregate, so there the examples are a LIMIT query per failing check
            first = (
                "NULL" if sql.spark else f"min(dq_row_no, {MAX_EXAMPLES}) FILTER (WHERE a{i} AND NOT p{i})"
            )
            outer.append(f"count(*) FILTER (WHERE a{i}), count(*) FILTER (WHERE a{i} AND p{i}), {first}")
        return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {sql.table}) AS r"

    out: list[tuple[Check, CheckResult, list[int]]] = []
    try:
        row = con.execute(query(preds)).fetchall()[0]
    except Exception:
        row = None
    for i, (check, applies, passes) in enumerate(preds):
        if row is not None:
            found = row[3 * i : 3 * i + 3]
        else:
            try:
                found = con.execute(query([(check, applies, passes)])).fetchall()[0]
            except Exception as exc:
                out.append((check, _failed(check, exc), []))
                continue
        rows = [int(r) for r in found[2] or []]
        if sql.spark and int(found[0]) > int(found[1]):
            fails = f"{applies} AND NOT coalesce({passes}, FALSE)"
            rows = _first_rows(con, f"SELECT {sql.row()} AS dq_row_no FROM {sql.table} WHERE {fails}")
        out.append((check, CheckResult(check, int(found[0]), int(found[1])), rows))
    return out


class _Masker:
    """Which example columns to mask: the given sensitive columns, or (when not given) columns whose
    name hints a personal-data type or whose example values are one."""

    def __init__(self, sensitive: Collection[str] | None) -> None:
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


def _attach_examples(
    con: Any, sql: Sql, results: Sequence[CheckResult], failing: Mapping[str, list[int]], masker: _Masker
) -> None:
    """Fetch every failing example row of every check in one query, then give each check its rows,
    its own columns first, sensitive values masked."""
    wanted = sorted(
        {n for r in results if r.failed > 0 and r.error is None for n in failing.get(r.check.key, [])}
    )
    if not wanted:
        return
    names = list(sql.types)
    cols = ", ".join(sql.quote(n) for n in names)
    numbers = ", ".join(str(n) for n in wanted)
    try:
        fetched = con.execute(
            f"SELECT {sql.row()}, {cols} FROM {sql.table} WHERE {sql.row()} IN ({numbers})"
        ).fetchall()
    except Exception:
        return
    by_row = {int(r[0]): dict(zip(names, (render(v) for v in r[1:]), strict=True)) for r in fetched}
    for result in results:
        rows = [by_row[n] for n in failing.get(result.check.key, []) if n in by_row]
        if result.failed == 0 or result.error is not None or not rows:
            continue
        shown = list(result.check.columns) + [c for c in names if c not in result.check.columns]
        shown = shown[: max(EXAMPLE_COLUMNS, len(result.check.columns))]
        masked = {c for c in shown if masker.masked(c, [r.get(c) for r in rows])}
        numbers_of = [n for n in failing[result.check.key] if n in by_row]
        result.examples = [
            {"__row": n + 1}
            | {
                c: (mask_value(v) if v is not None and c in masked else v)
                for c in shown
                for v in [row.get(c)]
            }
            for n, row in zip(numbers_of, rows, strict=True)
        ]


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
