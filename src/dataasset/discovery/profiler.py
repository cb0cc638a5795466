"""Profile a table in one streaming pass: DuckDB aggregates the Arrow batches as they come (one SQL
query per table) while a Python generator in front of it keeps a uniform sample of rows, reports
progress and honours cancellation.

Before the query is written, the first 65,536 rows are read and held (then fed to DuckDB first):
they decide what the query needs to compute for each column (which casts, which columns could be
keys, which have few values). A tiny query over their first 2,000 rows tries the casts.

How the figures are made (and which are exact):

* **Rows, nulls, min/max, lengths, mean, stddev, duplicate rows**: exact, over every row read.
  A text value that is empty or only whitespace counts as null ("blank"). Duplicate rows are
  ``rows - count(DISTINCT hash(all columns))``: exact but for 64-bit hash collisions (for a billion
  rows, a few percent chance of being off by one).
* **Quantiles** p25/p50/p75 of numbers, dates and timestamps: DuckDB's ``approx_quantile``
  (t-digest; the last digits may differ between runs, as threads merge in any order).
* **Types** of text columns (CSV, Excel, JSON Lines, SQLite): a column is ``integer``/``decimal``/
  ``boolean``/``date``/``timestamp`` only when *every* non-blank value casts (``TRY_CAST``) to it,
  else ``string``. To keep the pass cheap, the casts a column can still pass are chosen on its first
  2,000 rows (a cast that fails there cannot hold for the column) and checked on every row by the
  query. Integers are written without a decimal point (``3.0`` makes a column ``decimal``); a value
  with a time of day makes it ``timestamp``. Not numbers, on purpose: digit strings with a leading
  zero (``007``, postal codes) or of more than 15 digits (ID, bank-card and order numbers: a double
  would mangle them), ``nan``/``inf``. Typed columns (Parquet, PostgreSQL, MySQL) keep their type.
* **Distinct**: exact (``distinct_exact=True``) for columns that could be keys (no blank and no
  value twice in the first rows: ``count(DISTINCT hash(col))`` over all rows, exact but for hash
  collisions), for columns of at most 1,000 values (see below), and for every column of a table
  that fits in the first rows; else DuckDB's HyperLogLog ``approx_count_distinct`` (about ±2 %).
  (An exact distinct of every column would cost about a quarter more time and 300 MB more memory at
  1M × 20; a key must be exact, other columns need not.)
* **Candidate keys**: columns with no blank whose exact distinct count equals the row count.
* **Top values**: for columns with at most 1,000 distinct values in the first rows, DuckDB's
  ``histogram_exact`` over those values gives exact counts in the same pass (values first seen
  later are counted together; the top list stays exact while they could not outrank it, else the
  newcomers' counts are estimated from the sample). Columns whose values repeat: ``approx_top_k``
  picks the values (DuckDB returns no counts) and their counts are estimated from the row sample
  (exact when the sample holds every row). Mostly-unique columns: the values seen at least twice
  in the sample. Values too rare to appear in the sample twice are left out; key-like columns get
  none (every count is 1). ``top_values_exact`` says whether the counts are exact.
* **Patterns** (shape: digit → 9, Latin letter → A, Chinese character → 汉, runs of more than 4
  written ``9{11}``) are taken from the row sample, counts scaled to the column.
* **Sample**: a uniform reservoir sample (Algorithm R, vectorised with numpy, seeded: the same
  input gives the same sample) of ``sample_size`` rows; ``ColumnProfile.sample`` holds the
  non-blank values of the column in those rows, as text, in row order.

Memory stays bounded: DuckDB runs under ``memory_limit`` with a temporary directory to spill to;
Python holds the first rows until DuckDB has taken them, then one batch at a time, and the sample.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.types import (
    CANCELLED,
    TOO_LARGE,
    ColumnProfile,
    DiscoveryError,
    TableProfile,
    TableStream,
)

PEEK_ROWS = 65_536  # rows read before the query is written (decide keys, low-cardinality columns)
PROBE_ROWS = 2_000  # rows on which the casts a text column may pass are chosen
LOW_CARDINALITY = 1_000  # at most this many distinct values in the peeked rows: exact value counts
PATTERN_RUN = 4  # runs longer than this are written X{n}
PATTERN_WIDTH = 60
_SEED = 20_240_601
QUANTILES = (("p25", 0.25), ("p50", 0.5), ("p75", 0.75))
_RUN = re.compile(r"(.)\1{" + str(PATTERN_RUN) + ",}", re.DOTALL)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

_TEXT = "text"
_NUMERIC = ("integer", "float", "decimal")


# --------------------------------------------------------------------------- rendering


def render(value: Any) -> str | None:
    """A value as profile text: numbers plain (no exponent), dates ISO, booleans true/false."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def mask_value(value: str) -> str:
    """Keep the first and last character: ``13800138000`` → ``1*********0``, ``张三`` → ``张*``."""
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_profile(profile: ColumnProfile) -> ColumnProfile:
    """The profile of a sensitive column as it may be shown and kept: top values, min/max, text
    quantiles and the sample masked (counts, lengths, patterns and numeric statistics kept)."""
    return replace(
        profile,
        min=None if profile.min is None else mask_value(profile.min),
        max=None if profile.max is None else mask_value(profile.max),
        quantiles={k: (mask_value(v) if isinstance(v, str) else v) for k, v in profile.quantiles.items()},
        top_values=[(mask_value(v), n) for v, n in profile.top_values],
        sample=[mask_value(v) for v in profile.sample],
    )


def shape(value: str) -> str:
    """The pattern of one value (digit 9, Latin letter A, Chinese character 汉, long runs ``9{11}``)."""
    out: list[str] = []
    for ch in value:
        if ch.isdecimal():
            out.append("9")
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            out.append("A")
        elif _HAN.match(ch):
            out.append("汉")
        else:
            out.append(ch)
    return compress("".join(out))


def compress(text: str) -> str:
    """Runs longer than PATTERN_RUN written ``X{n}``; long patterns cut at PATTERN_WIDTH."""
    joined = _RUN.sub(lambda m: f"{m.group(1)}{{{len(m.group(0))}}}", text)
    return joined if len(joined) <= PATTERN_WIDTH else joined[:PATTERN_WIDTH] + "…"


# --------------------------------------------------------------------------- columns and batches


@dataclass
class _Column:
    index: int
    name: str
    kind: str  # text | integer | float | decimal | boolean | date | timestamp | binary
    source_type: str
    convert: Callable[[Any], Any]

    @property
    def key(self) -> str:
        return f"c{self.index}"


def _blank_to_null(array: Any) -> Any:
    if len(array) == 0:
        return array
    blank = pc.or_(pc.equal(pc.binary_length(array), 0), pc.utf8_is_space(array))
    if not pc.any(blank).as_py():
        return array
    return pc.if_else(blank, pa.scalar(None, array.type), array)


def _as_json_text(array: Any) -> Any:
    values = [
        None
        if v is None
        else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=render))
        for v in array.to_pylist()
    ]
    return pa.array(values, type=pa.string())


def _plan(field_type: Any) -> tuple[str, Callable[[Any], Any], Any]:
    """``(kind, conversion of an array, type after conversion)`` for a column of ``field_type``."""
    t = pa.types
    if t.is_dictionary(field_type):
        kind, inner, out_type = _plan(field_type.value_type)
        return kind, (lambda a: inner(a.dictionary_decode())), out_type
    if t.is_string(field_type) or t.is_large_string(field_type):
        return _TEXT, _blank_to_null, field_type
    if hasattr(t, "is_string_view") and t.is_string_view(field_type):
        return _TEXT, (lambda a: _blank_to_null(a.cast(pa.string()))), pa.string()
    if t.is_boolean(field_type):
        return "boolean", (lambda a: a), field_type
    if t.is_integer(field_type):
        return "integer", (lambda a: a), field_type
    if t.is_floating(field_type):
        if field_type == pa.float16():
            return "float", (lambda a: a.cast(pa.float32())), pa.float32()
        return "float", (lambda a: a), field_type
    if t.is_decimal(field_type):
        if field_type.precision <= 38:
            target = pa.decimal128(field_type.precision, field_type.scale)
            if field_type == target:
                return "decimal", (lambda a: a), field_type
            return "decimal", (lambda a: a.cast(target)), target
        return _TEXT, (lambda a: _blank_to_null(a.cast(pa.string()))), pa.string()
    if t.is_date(field_type):
        if field_type == pa.date32():
            return "date", (lambda a: a), field_type
        return "date", (lambda a: a.cast(pa.date32())), pa.date32()
    if t.is_timestamp(field_type):
        return "timestamp", (lambda a: a), field_type
    if t.is_fixed_size_binary(field_type) or t.is_binary(field_type) or t.is_large_binary(field_type):
        if t.is_fixed_size_binary(field_type):
            return "binary", (lambda a: a.cast(pa.binary())), pa.binary()
        return "binary", (lambda a: a), field_type
    if t.is_null(field_type):
        return _TEXT, (lambda a: pa.nulls(len(a), pa.string())), pa.string()
    if t.is_time(field_type) or t.is_duration(field_type):
        return _TEXT, (lambda a: a.cast(pa.string())), pa.string()
    return _TEXT, _as_json_text, pa.string()  # nested, interval, union, extension…: JSON text


class _Reservoir:
    """A uniform sample of up to ``size`` rows over batches (Algorithm R, vectorised)."""

    def __init__(self, size: int, seed: int = _SEED) -> None:
        self.size = size
        self.seen = 0
        self._rng = np.random.default_rng(seed)
        self._pieces: list[Any] = []
        self._stored = 0
        self._slot_pos = np.full(size, -1, dtype=np.int64)  # position in the concatenated pieces
        self._slot_row = np.full(size, -1, dtype=np.int64)  # global row number

    def add(self, batch: Any) -> None:
        n = batch.num_rows
        if n == 0 or self.size == 0:
            self.seen += n
            return
        start = self.seen
        fill = max(0, min(self.size - start, n))
        slots = [np.arange(start, start + fill, dtype=np.int64)]
        rows = [np.arange(0, fill, dtype=np.int64)]
        if n > fill:
            t = np.arange(start + fill, start + n, dtype=np.int64)
            j = np.floor(self._rng.random(t.size) * (t + 1)).astype(np.int64)
            hit = j < self.size
            slots.append(j[hit])
            rows.append(t[hit] - start)
        slot = np.concatenate(slots)
        row = np.concatenate(rows)
        self.seen += n
        if slot.size == 0:
            return
        # a slot replaced twice in this batch keeps the later row
        rev_slot = slot[::-1]
        _, first = np.unique(rev_slot, return_index=True)
        keep = slot.size - 1 - first
        slot, row = slot[keep], row[keep]
        order = np.argsort(row, kind="stable")
        slot, row = slot[order], row[order]
        piece = batch.take(pa.array(row))
        self._pieces.append(piece)
        self._slot_pos[slot] = self._stored + np.arange(row.size, dtype=np.int64)
        self._slot_row[slot] = start + row
        self._stored += row.size
        if self._stored > 4 * self.size:
            self._compact()

    def _compact(self) -> None:
        filled = np.nonzero(self._slot_pos >= 0)[0]
        whole = pa.Table.from_batches(self._pieces)
        kept = whole.take(pa.array(self._slot_pos[filled])).combine_chunks()
        self._pieces = kept.to_batches()
        self._slot_pos[filled] = np.arange(filled.size, dtype=np.int64)
        self._stored = int(filled.size)

    def table(self) -> Any:
        """The sampled rows, in the order they came."""
        filled = self._slot_pos >= 0
        if not self._pieces or not filled.any():
            return None
        order = np.argsort(self._slot_row[filled], kind="stable")
        positions = self._slot_pos[filled][order]
        whole = pa.Table.from_batches(self._pieces)
        return whole.take(pa.array(positions))


# --------------------------------------------------------------------------- the query


@dataclass
class _Prep:
    """What the peeked rows say about a column, and what the query computes for it."""

    col: _Column
    numeric: bool = False  # text: try the DOUBLE cast
    integer: bool = False  # text: … and check that no value has a decimal point
    boolean: bool = False
    temporal: bool = False
    key: bool = False  # unique and complete in the peeked rows: exact distinct
    bins: list[Any] | None = None  # low cardinality: exact counts of these values
    top: bool = False  # approx_top_k (values repeat enough for top values to mean something)
    exact_distinct: int | None = None  # whole table peeked
    exact_top: list[tuple[Any, int]] | None = None
    aggs: dict[str, int] = field(default_factory=dict)  # name → position in the result row


def _numeric_expr(c: str) -> str:
    """``c`` as DOUBLE when it is a number (digit strings of more than 15 digits and ones with a
    leading zero are codes, not numbers), else NULL. ``strlen`` counts bytes: numbers are ASCII."""
    eligible = (
        f"(strlen({c}) <= 15 OR contains({c}, '.')) "
        f"AND NOT (starts_with({c}, '0') AND strlen({c}) > 1 AND NOT starts_with({c}, '0.'))"
    )
    return f"CASE WHEN {eligible} THEN TRY_CAST({c} AS DOUBLE) END"


def _probe(con: Any, cols: list[_Column], rows: Any) -> dict[int, tuple[bool, bool, bool, bool]]:
    """For each text column: may it be numeric, integer, boolean, temporal (every non-blank value
    of the first rows casts)? No evidence (all blank) leaves every cast open."""
    text = [c for c in cols if c.kind == _TEXT]
    if not text:
        return {}
    parts: list[str] = []
    for c in text:
        k = c.key
        parts += [
            f"count({k})",
            f"count(CASE WHEN isfinite(d_{k}) THEN 1 END)",
            f"count(CASE WHEN isfinite(d_{k}) AND NOT contains({k}, '.') THEN 1 END)",
            f"count(TRY_CAST({k} AS BOOLEAN))",
            f"count(TRY_CAST({k} AS TIMESTAMP))",
        ]
    inner = ", ".join(f"{_numeric_expr(c.key)} AS d_{c.key}" for c in text)
    con.register("probe", rows)
    try:
        got = con.execute(f"SELECT {', '.join(parts)} FROM (SELECT *, {inner} FROM probe)").fetchall()[0]
    finally:
        con.unregister("probe")
    out: dict[int, tuple[bool, bool, bool, bool]] = {}
    for i, c in enumerate(text):
        n, num, whole, boo, tem = got[5 * i : 5 * i + 5]
        if n == 0:
            out[c.index] = (True, True, True, True)
        else:
            numeric = num == n
            out[c.index] = (
                numeric,
                numeric and whole == n,
                boo == n and not numeric,
                tem == n and not numeric,
            )
    return out


def _query(preps: list[_Prep], top_k: int, exhausted: bool) -> tuple[str, list[Any], list[str]]:
    """The single aggregate query over ``src``: SQL, parameters, result names."""
    names: list[str] = ["rows"]
    exprs: list[str] = ["count(*)"]
    params: list[Any] = []
    inner: list[str] = []
    middle: list[str] = []

    def add(prep: _Prep, name: str, expr: str) -> None:
        prep.aggs[name] = len(exprs)
        names.append(f"{prep.col.key}.{name}")
        exprs.append(expr)

    for p in preps:
        c, k = p.col, p.col.key
        add(p, "nn", f"count({k})")
        if not exhausted:
            if p.key:
                add(p, "xd", f"count(DISTINCT hash({k}))")
            else:
                add(p, "acd", f"approx_count_distinct({k})")
        if c.kind == "binary":
            add(p, "lmin", f"min(octet_length({k}))")
            add(p, "lmax", f"max(octet_length({k}))")
            add(p, "lavg", f"avg(octet_length({k}))")
            continue
        add(p, "min", f"min({k})")
        add(p, "max", f"max({k})")
        if p.bins is not None:
            add(p, "hist", f"histogram_exact({k}, ?)")
            params.append(p.bins)
        elif p.top:
            add(p, "top", f"approx_top_k({k}, {int(top_k)})")
        if c.kind == _TEXT:
            inner.append(f"length({k}) AS l_{k}")
            add(p, "lmin", f"min(l_{k})")
            add(p, "lmax", f"max(l_{k})")
            add(p, "lavg", f"avg(l_{k})")
            if p.numeric:
                inner.append(f"{_numeric_expr(k)} AS r_{k}")
                middle.append(f"CASE WHEN isfinite(r_{k}) THEN r_{k} END AS d_{k}")
                add(p, "nnum", f"count(d_{k})")
                if p.integer:
                    add(
                        p, "nint", f"count(CASE WHEN d_{k} IS NOT NULL AND NOT contains({k}, '.') THEN 1 END)"
                    )
                _numeric_aggs(p, add, f"d_{k}")
            if p.boolean:
                inner.append(f"TRY_CAST({k} AS BOOLEAN) AS b_{k}")
                add(p, "nbool", f"count(b_{k})")
                add(p, "ntrue", f"count_if(b_{k})")
            if p.temporal:
                inner.append(f"TRY_CAST({k} AS TIMESTAMP) AS t_{k}")
                add(p, "nts", f"count(t_{k})")
                add(p, "ndate", f"count(CASE WHEN t_{k} IS NOT NULL AND l_{k} <= 10 THEN 1 END)")
                add(p, "tmin", f"min(t_{k})")
                add(p, "tmax", f"max(t_{k})")
                add(p, "tq", f"approx_quantile(t_{k}, [0.25, 0.5, 0.75])")
        elif c.kind in _NUMERIC:
            _numeric_aggs(p, add, f"CAST({k} AS DOUBLE)")
        elif c.kind == "boolean":
            add(p, "ntrue", f"count_if({k})")
        elif c.kind in {"date", "timestamp"}:
            add(p, "tq", f"approx_quantile({k}, [0.25, 0.5, 0.75])")
    if preps:
        cols = ", ".join(p.col.key for p in preps)
        names.append("distinct_rows")
        exprs.append(f"count(DISTINCT hash({cols}))")
    source = "src"
    if inner:
        source = f"(SELECT *, {', '.join(inner)} FROM src)"
    if middle:
        source = f"(SELECT *, {', '.join(middle)} FROM {source})"
    select = ",\n  ".join(exprs)
    return f"SELECT\n  {select}\nFROM {source}", params, names


def _numeric_aggs(p: _Prep, add: Callable[[_Prep, str, str], None], d: str) -> None:
    add(p, "dmin", f"min({d})")
    add(p, "dmax", f"max({d})")
    add(p, "mean", f"avg({d})")
    add(p, "std", f"stddev_samp({d})")
    add(p, "q", f"approx_quantile({d}, [0.25, 0.5, 0.75])")


# --------------------------------------------------------------------------- the pass


class _Tee:
    """Batches from the stream, normalised (columns ``c0…``, blanks as nulls, odd types as text),
    first those peeked, then the rest; sampling, counting and checking for cancellation."""

    def __init__(
        self,
        source: Iterator[Any],
        cols: list[_Column],
        schema: Any,
        reservoir: _Reservoir,
        progress: Callable[[int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.source = source
        self.cols = cols
        self.schema = schema
        self.reservoir = reservoir
        self.progress = progress
        self.cancelled = cancelled
        self.rows = 0
        self.error: BaseException | None = None
        self.peeked: list[Any] = []

    def read(self) -> Any | None:
        self.check()
        try:
            batch = next(self.source)
        except StopIteration:
            return None
        arrays = [c.convert(batch.column(c.index)) for c in self.cols]
        out = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self.rows += out.num_rows
        self.reservoir.add(out)
        if self.progress is not None:
            self.progress(self.rows)
        return out

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise DiscoveryError("扫描已取消", code=CANCELLED)

    def peek(self, rows: int) -> bool:
        """Read batches until ``rows`` are held; False when the stream ended first."""
        held = 0
        while held < rows:
            batch = self.read()
            if batch is None:
                return False
            self.peeked.append(batch)
            held += batch.num_rows
        return True

    def __iter__(self) -> Iterator[Any]:
        try:
            while self.peeked:
                self.check()
                yield self.peeked.pop(0)
            while True:
                batch = self.read()
                if batch is None:
                    return
                yield batch
        except GeneratorExit:
            raise
        except BaseException as exc:
            self.error = exc
            raise


def _duckdb(memory_limit: str, tmp: str) -> Any:
    threads = max(1, min(8, os.cpu_count() or 1))
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": memory_limit,
            "threads": threads,
            "temp_directory": tmp,
            "preserve_insertion_order": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    con.execute("SET enable_external_access = false")
    return con


def profile(
    stream: TableStream,
    *,
    sample_size: int = 10_000,
    top_k: int = 10,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    memory_limit: str = "1GB",
) -> TableProfile:
    """Profile ``stream`` (read once, then closed). ``progress(rows so far)`` is called as batches
    are read; ``cancelled()`` is asked before each batch and a True answer raises DiscoveryError
    (code ``cancelled``). Both may be called from a DuckDB worker thread (the one pulling the
    batches): keep them cheap and thread-safe. ``memory_limit`` caps DuckDB (it spills to a
    temporary directory beyond it). Sensitive values come back raw: mask them with
    :func:`mask_profile` once detection has run on the sample."""
    cols: list[_Column] = []
    fields = []
    for i, f in enumerate(stream.schema):
        kind, convert, out_type = _plan(f.type)
        source_type = stream.source_types.get(f.name) or str(f.type)
        cols.append(_Column(i, f.name, kind, source_type, convert))
        fields.append(pa.field(f"c{i}", out_type))
    schema = pa.schema(fields)
    if not cols:
        return _no_columns(stream, progress, cancelled)
    reservoir = _Reservoir(max(0, int(sample_size)))
    tee = _Tee(iter(stream.batches), cols, schema, reservoir, progress, cancelled)
    tmp = tempfile.mkdtemp(prefix="dataasset-profile-")
    con = _duckdb(memory_limit, tmp)
    try:
        exhausted = not tee.peek(PEEK_ROWS)
        prefix = pa.Table.from_batches(tee.peeked, schema=schema)
        preps = _prepare(con, cols, prefix, exhausted, top_k)
        del prefix
        sql, params, _ = _query(preps, top_k, exhausted)
        reader = pa.RecordBatchReader.from_batches(schema, iter(tee))
        con.register("src", reader)
        try:
            row: Sequence[Any] = con.execute(sql, params).fetchall()[0]
        except duckdb.Error as exc:
            if tee.error is not None:
                raise tee.error from None
            if isinstance(exc, duckdb.OutOfMemoryException):
                raise DiscoveryError(
                    f"表“{stream.name}”的统计超出内存上限（{memory_limit}）：请增大内存上限或使用抽样扫描",
                    code=TOO_LARGE,
                ) from None
            raise
        if tee.error is not None:
            raise tee.error
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
        stream.close()
    rows = int(row[0])
    sample = reservoir.table()
    columns = [_column_profile(p, row, rows, sample, top_k) for p in preps]
    duplicates = rows - int(row[-1]) if preps else 0
    keys = [c.name for c in columns if rows > 0 and c.nulls == 0 and c.distinct == rows and c.distinct_exact]
    return TableProfile(
        name=stream.name,
        rows=rows,
        bytes=stream.bytes_estimate,
        duplicate_rows=duplicates,
        candidate_keys=keys,
        columns=columns,
        sampled=stream.limit is not None and rows >= stream.limit,
    )


def _no_columns(
    stream: TableStream, progress: Callable[[int], None] | None, cancelled: Callable[[], bool] | None
) -> TableProfile:
    rows = 0
    try:
        for batch in stream.batches:
            if cancelled is not None and cancelled():
                raise DiscoveryError("扫描已取消", code=CANCELLED)
            rows += batch.num_rows
            if progress is not None:
                progress(rows)
    finally:
        stream.close()
    return TableProfile(stream.name, rows, stream.bytes_estimate, 0, [], [], stream.limit is not None)


def _prepare(con: Any, cols: list[_Column], prefix: Any, exhausted: bool, top_k: int) -> list[_Prep]:
    probe = _probe(con, cols, prefix.slice(0, PROBE_ROWS)) if prefix.num_rows else {}
    preps: list[_Prep] = []
    for c in cols:
        p = _Prep(c)
        if c.kind == _TEXT:
            p.numeric, p.integer, p.boolean, p.temporal = probe.get(c.index, (True, True, True, True))
        values = prefix.column(c.index)
        present = values.drop_null() if values.null_count else values
        distinct = pc.unique(present) if len(present) else None
        if exhausted:
            p.exact_distinct = 0 if distinct is None else len(distinct)
            if c.kind != "binary" and distinct is not None:
                counts = pc.value_counts(present)
                pairs = sorted(
                    zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True),
                    key=lambda vc: -vc[1],
                )
                p.exact_top = [(v, int(n)) for v, n in pairs[:top_k]]
        elif distinct is None:
            p.top = c.kind != "binary"  # nothing yet: look at the whole column
        elif values.null_count == 0 and len(distinct) == len(values):
            p.key = True
        elif c.kind != "binary":
            if len(distinct) <= LOW_CARDINALITY and c.kind in {_TEXT, "integer", "boolean", "date"}:
                p.bins = distinct.to_pylist()
            else:
                # values that repeat: top values are worth an approx_top_k (else from the sample)
                p.top = len(distinct) <= len(present) // 2
        preps.append(p)
    return preps


def _column_profile(p: _Prep, row: Sequence[Any], rows: int, sample: Any, top_k: int) -> ColumnProfile:
    c = p.col

    def get(name: str) -> Any:
        return row[p.aggs[name]] if name in p.aggs else None

    nn = int(get("nn") or 0)
    kind = c.kind if c.kind != _TEXT else _infer(p, get, nn)
    hist = get("hist")
    bins = set(p.bins or ())
    if p.exact_distinct is not None:
        distinct, exact = p.exact_distinct, True
    elif "xd" in p.aggs:
        distinct, exact = int(get("xd")), True
    elif hist is not None and sum(n for v, n in hist.items() if v in bins) == nn:
        distinct, exact = sum(1 for v, n in hist.items() if v in bins and n), True
    else:
        distinct, exact = min(nn, int(get("acd") or 0)), False
    values = _sample_values(sample, c) if sample is not None else []
    # min / max / statistics by the type decided
    lo, hi = get("min"), get("max")
    mean = std = None
    quantiles: dict[str, float | str] = {}
    if c.kind == _TEXT and kind in _NUMERIC:
        lo, hi = get("dmin"), get("dmax")
        if kind == "integer" and lo is not None:
            lo, hi = int(lo), int(hi)
    elif c.kind == _TEXT and kind == "boolean":
        trues = int(get("ntrue") or 0)
        lo = None if nn == 0 else trues == nn
        hi = None if nn == 0 else trues > 0
    elif c.kind == _TEXT and kind in {"date", "timestamp"}:
        lo, hi = get("tmin"), get("tmax")
        if kind == "date" and lo is not None:
            lo, hi = lo.date(), hi.date()
    if kind in _NUMERIC:
        mean, std = _finite(get("mean")), _finite(get("std"))
        q = get("q")
        if q:
            quantiles = {name: float(v) for (name, _), v in zip(QUANTILES, q, strict=True) if v is not None}
    elif kind in {"date", "timestamp"}:
        for (name, _), v in zip(QUANTILES, get("tq") or [], strict=False):
            if isinstance(v, datetime):
                v = v.date() if kind == "date" else v.replace(microsecond=0)
            if v is not None:
                quantiles[name] = render(v) or ""
    lavg = get("lavg")
    top, top_exact = _top_values(p, get, nn, values, top_k, distinct, exact)
    return ColumnProfile(
        name=c.name,
        type=kind,
        source_type=c.source_type,
        rows=rows,
        nulls=rows - nn,
        distinct=distinct,
        distinct_exact=exact,
        min=render(lo),
        max=render(hi),
        mean=mean,
        stddev=std,
        quantiles=quantiles,
        length_min=None if get("lmin") is None else int(get("lmin")),
        length_max=None if get("lmax") is None else int(get("lmax")),
        length_mean=None if lavg is None else float(lavg),
        top_values=top,
        top_values_exact=top_exact,
        patterns=_patterns(values, nn, top_k) if c.kind != "binary" else [],
        sample=values if c.kind != "binary" else [],
    )


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _infer(p: _Prep, get: Callable[[str], Any], nn: int) -> str:
    if nn == 0:
        return "string"
    if p.numeric and get("nnum") == nn:
        return "integer" if p.integer and get("nint") == nn else "decimal"
    if p.boolean and get("nbool") == nn:
        return "boolean"
    if p.temporal and get("nts") == nn:
        return "date" if get("ndate") == nn else "timestamp"
    return "string"


def _sample_values(sample: Any, c: _Column) -> list[str]:
    if c.kind == "binary":
        return []
    column = sample.column(c.index)
    if c.kind == _TEXT:
        return [v for v in column.to_pylist() if v is not None]
    return [t for t in (render(v) for v in column.to_pylist()) if t is not None]


def _top_values(
    p: _Prep,
    get: Callable[[str], Any],
    nn: int,
    values: list[str],
    top_k: int,
    distinct: int,
    distinct_exact: bool,
) -> tuple[list[tuple[str, int]], bool]:
    if p.col.kind == "binary" or nn == 0:
        return [], True
    if distinct_exact and distinct == nn and nn > 1:
        return [], True  # every value once: no value is more common than another
    if p.exact_top is not None:
        return [(render(v) or "", n) for v, n in p.exact_top], True
    sampled = Counter(values)
    scale = nn / len(values) if values else 0.0
    exact = bool(values) and len(values) == nn  # the sample holds every value
    least = 1 if exact else 2  # an estimate from a single sampled occurrence is noise
    hist = get("hist")
    if hist is not None:
        bins = set(p.bins or ())
        counted = {render(v) or "": int(n) for v, n in hist.items() if v in bins and n}
        other = nn - sum(counted.values())
        ranked = sorted(counted.items(), key=lambda vn: -vn[1])[:top_k]
        if other == 0 or (len(ranked) >= top_k and ranked[-1][1] >= other):
            return ranked, True
        # values first seen after the peeked rows: estimated from the sample
        extra = [(v, round(n * scale)) for v, n in sampled.items() if v not in counted and n >= least]
        merged = sorted([*counted.items(), *extra], key=lambda vn: -vn[1])[:top_k]
        return merged, False
    candidates = [render(v) or "" for v in (get("top") or []) if v is not None]
    if not candidates:
        candidates = [v for v, _ in sampled.most_common(top_k)]
    estimated = [(v, round(sampled[v] * scale)) for v in candidates if sampled.get(v, 0) >= least]
    estimated.sort(key=lambda vn: -vn[1])
    return estimated[:top_k], exact


def _patterns(values: list[str], nn: int, top_k: int) -> list[tuple[str, int]]:
    if not values:
        return []
    distinct = Counter(values)
    mapped = pa.array(list(distinct), type=pa.string())
    mapped = pc.replace_substring_regex(mapped, r"\p{Nd}", "9")
    mapped = pc.replace_substring_regex(mapped, r"[A-Za-z]", "A")
    mapped = pc.replace_substring_regex(mapped, r"\p{Han}", "汉")
    by_shape: Counter[str] = Counter()
    for raw, n in zip(mapped.to_pylist(), distinct.values(), strict=True):
        by_shape[raw] += n
    counts: Counter[str] = Counter()
    for raw, n in by_shape.items():
        counts[compress(raw)] += n
    scale = nn / len(values)
    return [(pattern, round(n * scale)) for pattern, n in counts.most_common(top_k)]
