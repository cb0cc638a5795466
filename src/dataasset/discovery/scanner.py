"""One scan of one source, without a database of the platform's own: connector → profiler →
detectors → grading, table by table. The CLI (``dataasset scan``) prints what this returns; the
background job of the service stores it. Sensitive columns come back masked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dataasset.discovery import detectors, grading, profiler
from dataasset.discovery.connectors import open_source
from dataasset.discovery.types import (
    NO_SUCH_TABLE,
    UNSUPPORTED,
    ColumnFacts,
    ColumnProfile,
    Detection,
    DiscoveryError,
    GradeDecision,
    TableProfile,
    TableRef,
)

SAMPLE_VALUES = 10_000


@dataclass(frozen=True)
class ColumnResult:
    profile: ColumnProfile
    detection: Detection
    grade: GradeDecision


@dataclass(frozen=True)
class TableResult:
    name: str
    profile: TableProfile
    grade: GradeDecision
    columns: list[ColumnResult]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ScanProgress:
    """Where a scan is: called back as rows stream (``rows``) and as tables finish."""

    on_tables: Callable[[list[TableRef]], None] | None = None
    on_table_start: Callable[[str, int | None], None] | None = None
    on_rows: Callable[[int], None] | None = None  # rows of the current table so far
    on_table_done: Callable[[TableResult], None] | None = None
    cancelled: Callable[[], bool] | None = None


def choose_tables(offered: Sequence[TableRef], wanted: Sequence[str]) -> list[TableRef]:
    if not wanted:
        return list(offered)
    by_name = {t.name: t for t in offered}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        names = "、".join(t.name for t in offered[:20]) or "（无）"
        raise DiscoveryError(
            f"数据源中没有表“{missing[0]}”。可扫描的表：{names}。请检查表名后重试",
            code=NO_SUCH_TABLE,
        )
    return [by_name[name] for name in wanted]


def analyse(
    table: TableProfile, template: grading.Template, comments: dict[str, str] | None = None
) -> TableResult:
    """Detect and grade a profiled table, and mask the profile of its sensitive columns."""
    comments = comments or {}
    found = [detectors.detect_column(c.name, c.sample, comments.get(c.name, "")) for c in table.columns]
    facts = [
        ColumnFacts(name=c.name, sensitive_type=d.type_code, confidence=d.confidence)
        for c, d in zip(table.columns, found, strict=True)
    ]
    graded = grading.grade_table(template, table.name, facts, table.rows)
    columns = []
    for col, det in zip(table.columns, found, strict=True):
        shown = profiler.mask_profile(col) if det.type_code else col
        columns.append(ColumnResult(replace(shown, sample=[]), det, graded.columns[col.name]))
    return TableResult(
        table.name, replace(table, columns=[c.profile for c in columns]), graded.table, columns
    )


def scan(
    source: str,
    *,
    tables: Sequence[str] = (),
    template: str = "general",
    sample: int | None = None,
    options: dict[str, Any] | None = None,
    progress: ScanProgress | None = None,
) -> list[TableResult]:
    """Scan ``source`` (a file path or a database URL): every table, or those named. A Spark table
    (``spark:<table>``), or ``options["engine"] == "spark"``, runs on Spark (:mod:`spark`); a source
    Spark does not read (Excel, SQLite, databases) then stays on DuckDB, with a warning."""
    engine = str((options or {}).get("engine") or "duckdb")
    if engine not in ("duckdb", "spark"):
        raise DiscoveryError(f"没有计算引擎“{engine}”：可选 duckdb、spark", code=UNSUPPORTED)
    if str(source).startswith("spark:") or engine == "spark":
        from dataasset.discovery import spark

        if spark.supports(source, options):
            return spark.scan(
                source, tables=tables, template=template, sample=sample, options=options, progress=progress
            )
        note = "Spark 引擎不读取此类数据源（Excel、SQLite 或数据库），本次扫描改用 DuckDB 引擎"
        duckdb = {**(options or {}), "engine": "duckdb"}
        results = scan(
            source, tables=tables, template=template, sample=sample, options=duckdb, progress=progress
        )
        return [replace(r, warnings=[note, *r.warnings]) for r in results]
    progress = progress or ScanProgress()
    rules = grading.load_template(template)
    connector = open_source(source, options)
    try:
        chosen = choose_tables(connector.tables(), tables)
        if progress.on_tables:
            progress.on_tables(chosen)
        results = []
        for ref in chosen:
            if progress.on_table_start:
                progress.on_table_start(ref.name, ref.rows_estimate)
            stream = connector.open(ref.name, sample)
            try:
                profiled = profiler.profile(
                    stream, sample_size=SAMPLE_VALUES, progress=progress.on_rows, cancelled=progress.cancelled
                )
            finally:
                stream.close()
            result = analyse(profiled, rules, stream.comments)
            warnings = list(getattr(stream, "warnings", []) or [])
            result = replace(result, warnings=warnings)
            results.append(result)
            if progress.on_table_done:
                progress.on_table_done(result)
        return results
    finally:
        connector.close()


def as_json(results: Sequence[TableResult]) -> dict[str, Any]:
    """The CLI's ``--format json`` document (its shape is part of the issue's contract)."""
    return {
        "tables": [
            {
                "name": t.name,
                "rows": t.profile.rows,
                "grade": t.grade.grade,
                "level": t.grade.level,
                "level_label": t.grade.level_label,
                "rule": t.grade.rule,
                "columns": [
                    {
                        "name": c.profile.name,
                        "type": c.profile.type,
                        "nulls": c.profile.nulls,
                        "distinct": c.profile.distinct,
                        "sensitive_type": c.detection.type_code,
                        "confidence": round(c.detection.confidence, 4),
                        "grade": c.grade.grade,
                        "level": c.grade.level,
                        "explanation": c.detection.explanation,
                    }
                    for c in t.columns
                ],
            }
            for t in results
        ]
    }
