"""The values that pass between discovery's parts: connectors → profiler → detectors → grading →
service. Plain frozen dataclasses, no I/O, so that every part can be built and tested alone.

The flow of one scan of one table::

    connector.open(table, sample)            -> TableStream   (Arrow batches, streamed once)
    profiler.profile(stream, sample_size)    -> TableProfile  (DuckDB, one pass; keeps a value sample)
    detectors.detect_column(name, values)    -> Detection     (per column, on the value sample)
    grading.grade_table(template, facts)     -> TableGrade    (per column and for the table)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataasset.core.errors import DomainError


class DiscoveryError(DomainError):
    """A scan cannot go on: the message says what, where and what to do (in Chinese); ``code`` is
    one of the machine codes below. Raised by connectors and the profiler; the service turns it into
    a failed job and leaves the catalog as it was."""

    status = 422
    code = "discovery_failed"


# machine codes of DiscoveryError (stable: the console and the API document them)
EMPTY_FILE = "empty_file"  # 文件为空
NOT_TEXT = "not_text"  # binary or truncated file posing as CSV / JSON Lines
UNDECODABLE = "undecodable"  # no supported encoding decodes it
BAD_HEADER = "bad_header"  # merged header cells, duplicate or empty column names
TOO_LARGE = "too_large"  # over the configured limit of an upload
UNREACHABLE = "unreachable"  # database host/port/file not reachable
AUTH_FAILED = "auth_failed"  # wrong user or password
NO_SUCH_TABLE = "no_such_table"
UNSUPPORTED = "unsupported_source"  # no connector for this source
MALFORMED = "malformed"  # rows that do not parse (ragged CSV, broken JSON, corrupt Parquet/xlsx)
CANCELLED = "cancelled"


@dataclass(frozen=True)
class TableRef:
    """A table a connector offers: for files, a sheet or the file itself."""

    name: str
    rows_estimate: int | None = None  # what the source says before the scan (None: unknown)


@dataclass
class TableStream:
    """One table opened for a single streaming pass. ``batches`` yields pyarrow RecordBatches with
    ``schema``; iterate it once. ``close()`` releases the source (connection, file)."""

    name: str
    schema: Any  # pyarrow.Schema
    batches: Iterator[Any]  # Iterator[pyarrow.RecordBatch]
    rows_estimate: int | None = None
    bytes_estimate: int | None = None
    source_types: dict[str, str] = field(default_factory=dict)  # column → type as the source names it
    comments: dict[str, str] = field(default_factory=dict)  # column → comment from the source, if any
    # what the connector changed or noticed (renamed header names, skipped title rows, ...), in Chinese;
    # connectors may append while the batches stream, so read it after the pass
    warnings: list[str] = field(default_factory=list)
    limit: int | None = None  # the ``sample`` the table was opened with: at most this many rows stream

    def close(self) -> None:
        closer = getattr(self.batches, "close", None)
        if closer is not None:
            closer()


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # inferred logical type: integer, decimal, float, boolean, date, timestamp, string, binary
    source_type: str
    rows: int
    nulls: int  # null or empty/blank string
    distinct: int
    distinct_exact: bool
    min: str | None = None  # rendered as text (dates ISO, numbers plain)
    max: str | None = None
    mean: float | None = None
    stddev: float | None = None
    quantiles: dict[str, float | str] = field(default_factory=dict)  # "p25", "p50", "p75"
    length_min: int | None = None
    length_max: int | None = None
    length_mean: float | None = None
    top_values: list[tuple[str, int]] = field(default_factory=list)  # (value, count), most common first
    top_values_exact: bool = False  # counts of top_values are exact (else estimated from the row sample)
    patterns: list[tuple[str, int]] = field(
        default_factory=list
    )  # shape summary: "9" digit, "A" letter, "汉" CJK
    sample: list[str] = field(default_factory=list)  # non-empty values sampled uniformly, for detectors


@dataclass(frozen=True)
class TableProfile:
    name: str
    rows: int
    bytes: int | None
    duplicate_rows: int
    candidate_keys: list[str]
    columns: list[ColumnProfile]
    sampled: bool = False  # True when only ``--sample N`` rows were read


@dataclass(frozen=True)
class Detection:
    """What a column holds, decided from its values (validated) and name.

    ``type_code`` is one of the stable codes (``cn_resident_id``, ``cn_mobile``, ... or None for
    nothing sensitive); ``explanation`` is Chinese and names the rule and the shares, e.g.
    "身份证号检测器（GB 11643 校验码、出生日期）：2000 个非空值中 1992 个（99.6%）格式匹配且校验通过；
    列名“sfzh”提示身份证号"."""

    type_code: str | None
    confidence: float  # 0..1
    explanation: str
    rule: str = ""  # detector (and variant) that decided
    checked: int = 0  # non-empty values looked at
    matched: int = 0  # values of the right shape
    validated: int = 0  # values that also pass the checks (checksum, date, gazetteer)
    name_hint: str | None = None  # type the column name suggests, if any


@dataclass(frozen=True)
class ColumnFacts:
    """What grading needs of a column."""

    name: str
    sensitive_type: str | None
    confidence: float = 0.0
    category: str | None = None  # an optional business category (e.g. "account", "transaction")


@dataclass(frozen=True)
class GradeDecision:
    grade: str  # core | important | general   (catalog SecurityGrade values)
    level: int  # 1..5 within the template (higher is more sensitive); the template names it
    level_label: str  # e.g. "一般数据 第3级（敏感个人信息）" / "JR/T 0197 第4级"
    rule: str  # the id of the template rule that decided
    reason: str  # Chinese, why


@dataclass(frozen=True)
class TableGrade:
    table: GradeDecision
    columns: dict[str, GradeDecision]


def column_types(profiles: Sequence[ColumnProfile]) -> dict[str, str]:
    return {p.name: p.type for p in profiles}
