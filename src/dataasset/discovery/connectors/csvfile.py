"""CSV (and TSV / delimited .txt): one table, every column read as text.

The head of the file (64 KB) decides the encoding (:mod:`textfile`), the delimiter (``,`` tab ``;``
``|``: the one that splits the first rows into the same number of fields, most of them), title lines
above the header (a single non-empty cell, as Excel exports a report title; skipped with a warning)
and whether the first row is a header (not when it looks like the rows below it: numbers or dates
in the same columns). Then pyarrow's streaming CSV reader reads the rest, from the byte after the
header, transcoding GBK etc. on the way, all columns as strings (the profiler infers the types, so
no value is lost to a wrong guess: leading zeros, long digit strings).

Options: ``delimiter``, ``header`` (bool), ``encoding``, ``bad_rows`` (``"error"``, the default, or
``"skip"``: leave out rows with the wrong number of fields and say how many), ``max_bytes``, ``name``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    FileConnector,
    register,
    sample_limit,
    string_schema,
    unique_names,
)
from dataasset.discovery.connectors.textfile import LimitedReader, TextInfo, find_bad_byte, sniff_text
from dataasset.discovery.types import (
    EMPTY_FILE,
    MALFORMED,
    UNDECODABLE,
    DiscoveryError,
    TableRef,
    TableStream,
)

DELIMITERS = [",", "\t", ";", "|"]
_DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}
_SNIFF_ROWS = 200
_MAX_TITLE_ROWS = 3


@dataclass
class Layout:
    info: TextInfo
    delimiter: str
    names: list[str]
    header: bool
    data_offset: int  # byte where the data rows start
    lines_before: int  # physical lines before data_offset
    rows_estimate: int | None
    row_bytes: float  # average bytes of a data row in the head
    warnings: list[str] = field(default_factory=list)


def _rows(text: str, delimiter: str, limit: int) -> list[tuple[list[str], int, int]]:
    """The first rows of ``text``: ``(fields, characters consumed, physical lines consumed)``."""
    buffer = io.StringIO(text, newline="")
    consumed = [0, 0]

    def lines() -> Iterator[str]:
        for line in buffer:
            consumed[0] += len(line)
            consumed[1] += 1
            yield line

    out: list[tuple[list[str], int, int]] = []
    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for row in reader:
            out.append((row, consumed[0], consumed[1]))
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def choose_delimiter(text: str, preferred: str | None = None) -> str:
    """The delimiter that splits the first rows most consistently into more than one field."""
    best: tuple[bool, float, int, int] | None = None
    choice = preferred or ","
    order = ([preferred] if preferred else []) + [d for d in DELIMITERS if d != preferred]
    for rank, delim in enumerate(order):
        counts = [len(r) for r, _, _ in _rows(text, delim, 100) if any(c.strip() for c in r)]
        if not counts:
            continue
        modal, freq = Counter(counts).most_common(1)[0]
        key = (modal > 1, freq / len(counts), modal, -rank)
        if best is None or key > best:
            best, choice = key, delim
    return choice


def _kind(value: str) -> str:
    v = value.strip()
    if not v:
        return "empty"
    body = v[1:] if v[0] in "+-" else v
    if body.replace(".", "", 1).isdigit():
        return "number"
    if len(v) >= 8 and v[:4].isdigit() and v[4] in "-/." and v[5:6].isdigit():
        return "date"
    return "text"


def looks_like_data(first: list[str], rest: list[list[str]]) -> bool:
    """True when the first row is data, not a header: it has numbers or dates, and they sit in
    columns whose other values are of the same kind (a header's names are text above numbers)."""
    if not rest:
        return False
    typed = [i for i, v in enumerate(first) if _kind(v) in {"number", "date"}]
    if not typed:
        return False
    for i, value in enumerate(first):
        below = Counter(_kind(r[i]) for r in rest if i < len(r) and _kind(r[i]) != "empty")
        if not below:
            continue
        dominant = below.most_common(1)[0][0]
        if _kind(value) == "text" and dominant in {"number", "date"}:
            return False  # a name above numbers: a header
        if i in typed and dominant != _kind(value):
            return False
    return True


def flag(value: object) -> bool | None:
    """An on/off option given as a bool or as text (``true``/``false``, ``是``/``否``…); None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on", "是"}
    return bool(value)


def _codec(info: TextInfo) -> str:
    return "utf-8" if info.encoding == "utf-8-sig" else info.encoding


@register
class CsvConnector(FileConnector):
    name = "csv"
    label = "CSV 文件"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self._layout: Layout | None = None

    # ------------------------------------------------------------------ sniffing

    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = self._sniff()
        return self._layout

    def _sniff(self) -> Layout:
        forced = self.options.get("encoding")
        info = sniff_text(self.path, self.size, self.display, encoding=str(forced) if forced else None)
        text = info.text
        preferred = "\t" if self.path.suffix.lower() == ".tsv" else None
        delimiter = str(self.options.get("delimiter") or choose_delimiter(text, preferred))
        rows = _rows(text, delimiter, _SNIFF_ROWS)
        warnings = list(info.warnings)
        filled = [(r, c, n) for r, c, n in rows if any(x.strip() for x in r)]
        if not filled:
            raise self._empty()
        widths = Counter(len(r) for r, _, _ in filled)
        modal = widths.most_common(1)[0][0]
        # title lines: one non-empty cell above rows of several
        start = 0
        titles: list[str] = []
        while (
            start < min(_MAX_TITLE_ROWS, len(filled) - 1)
            and modal > 1
            and sum(1 for x in filled[start][0] if x.strip()) == 1
            and sum(1 for x in filled[start + 1][0] if x.strip()) > 1
        ):
            titles.append(next(x.strip() for x in filled[start][0] if x.strip()))
            start += 1
        if titles:
            warnings.append("已跳过表头上方的标题行：" + "、".join(f"“{t[:40]}”" for t in titles))
        head_row, head_chars, head_lines = filled[start]
        before_chars, before_lines = (filled[start - 1][1], filled[start - 1][2]) if start else (0, 0)
        rest = [r for r, _, _ in filled[start + 1 :]]
        option = flag(self.options.get("header"))
        header = option if option is not None else not looks_like_data(head_row, rest)
        if header:
            names, renamed = unique_names(head_row)
            warnings += renamed
            data_chars, data_lines = head_chars, head_lines
        else:
            names = [f"列_{i}" for i in range(1, len(head_row) + 1)]
            warnings.append(
                "第一行看起来是数据而不是表头，已用“列_1”“列_2”…作为列名；"
                "如果第一行其实是表头，请指定 header=true 后重新扫描"
            )
            data_chars, data_lines = before_chars, before_lines
        codec = _codec(info)
        data_offset = info.bom + len(text[:data_chars].encode(codec))
        # average bytes of a data line over the whole head (rows and lines differ only for quoted
        # line breaks): for the row estimate and the block size
        body = text[data_chars:]
        lines = body.count("\n") or body.count("\r")
        if lines:
            row_bytes = max(1.0, len(body.encode(codec)) / lines)
        else:
            row_bytes = max(1.0, (data_offset - info.bom) / max(1, data_lines))
        estimate: int | None
        if info.complete:
            estimate = sum(
                1 for r, _, _ in _rows(text[data_chars:], delimiter, 10**9) if any(x.strip() for x in r)
            )
            if estimate == 0:
                warnings.append("文件只有表头，没有数据行")
        else:
            estimate = int((self.size - info.drop_tail - data_offset) / row_bytes)
        return Layout(
            info=info,
            delimiter=delimiter,
            names=names,
            header=header,
            data_offset=data_offset,
            lines_before=data_lines,
            rows_estimate=estimate,
            row_bytes=row_bytes,
            warnings=warnings,
        )

    def _empty(self) -> DiscoveryError:
        return DiscoveryError(
            f"文件“{self.display}”没有任何数据（只有空行或分隔符）：请检查导出是否成功后重新上传",
            code=EMPTY_FILE,
        )

    # ------------------------------------------------------------------ the connector

    def tables(self) -> list[TableRef]:
        return [TableRef(self.table_name, self.layout().rows_estimate)]

    def open(self, table: str, sample: int | None = None) -> TableStream:
        self.check_table(table)
        limit = sample_limit(sample)
        layout = self.layout()
        schema = string_schema(layout.names)
        warnings = list(layout.warnings)
        stream = TableStream(
            name=table,
            schema=schema,
            batches=iter(()),
            rows_estimate=layout.rows_estimate
            if limit is None
            else min(limit, layout.rows_estimate or limit),
            bytes_estimate=self.size,
            source_types={n: "text" for n in layout.names},
            warnings=warnings,
            limit=limit,
        )
        block = int(min(64 << 20, max(1 << 20, layout.row_bytes * BATCH_ROWS)))
        if limit is not None:
            block = int(min(block, max(64 << 10, layout.row_bytes * (limit + 16) * 1.2)))
        stop = self.size - layout.info.drop_tail
        raw = LimitedReader(self.path, layout.data_offset, stop)
        handle = io.BufferedReader(raw, buffer_size=1 << 20)
        bad_rows: list[int] = []
        skip = str(self.options.get("bad_rows", "error")) == "skip"

        def on_invalid(row: Any) -> str:
            bad_rows.append(int(row.actual_columns))
            return "skip" if skip else "error"

        try:
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(
                    column_names=layout.names,
                    encoding=layout.info.pyarrow_encoding,
                    block_size=block,
                    use_threads=True,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=layout.delimiter,
                    quote_char='"',
                    double_quote=True,
                    newlines_in_values=True,
                    ignore_empty_lines=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in layout.names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except BaseException as exc:
            handle.close()
            if isinstance(exc, StopIteration) or "empty csv" in str(exc).lower():  # nothing after the header
                stream.batches = Batches(iter(()), limit=limit)
                return stream
            raise self._translate(exc, layout) from None

        def batches() -> Iterator[Any]:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except Exception as exc:
                    raise self._translate(exc, layout) from None
                yield batch
            if bad_rows:
                warnings.append(
                    f"有 {len(bad_rows)} 行的列数与表头（{len(layout.names)} 列）不符，已跳过："
                    "请检查这些行的分隔符和引号"
                )

        stream.batches = Batches(batches(), closers=[handle.close], limit=limit)
        return stream

    # ------------------------------------------------------------------ errors

    def _translate(self, exc: BaseException, layout: Layout) -> DiscoveryError:
        if isinstance(exc, DiscoveryError):
            return exc
        text = str(exc)
        lowered = text.lower()
        if (
            isinstance(exc, UnicodeDecodeError)
            or "utf8" in lowered
            or "utf-8" in lowered
            or "decode" in lowered
        ):
            found = find_bad_byte(self.path, layout.info.encoding)
            where = f"第 {found[0]} 字节（第 {found[1]} 行）" if found else "某处"
            encoding = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}.get(
                layout.info.encoding, layout.info.encoding
            )
            return DiscoveryError(
                f"文件“{self.display}”{where}不是有效的 {encoding} 编码（前面的内容按 {encoding} 识别）："
                "文件可能混用了多种编码或已损坏。请用 Excel 或 WPS 打开后另存为“CSV UTF-8（逗号分隔）”再上传",
                code=UNDECODABLE,
            )
        if "expected" in lowered and "column" in lowered:
            found_row = self._find_ragged(layout)
            sep = _DELIMITER_NAMES.get(layout.delimiter, layout.delimiter)
            if found_row:
                line, width = found_row
                return DiscoveryError(
                    f"文件“{self.display}”第 {line} 行有 {width} 列，而表头有 {len(layout.names)} 列："
                    f"请检查该行是否多了或少了分隔符（{sep}），或有未闭合的引号，改正后重新上传",
                    code=MALFORMED,
                )
            return DiscoveryError(
                f"文件“{self.display}”有列数与表头（{len(layout.names)} 列）不符的行："
                f"请检查分隔符（{sep}）和引号",
                code=MALFORMED,
            )
        first = text.splitlines()[0][:200] if text else type(exc).__name__
        return DiscoveryError(f"文件“{self.display}”无法按 CSV 解析：{first}", code=MALFORMED)

    def _find_ragged(self, layout: Layout) -> tuple[int, int] | None:
        """``(line, fields)`` of the first data row whose width differs from the header's."""
        expected = len(layout.names)
        with self.path.open("rb") as raw:
            raw.seek(layout.data_offset)
            text = io.TextIOWrapper(raw, encoding=_codec(layout.info), errors="replace", newline="")
            reader = csv.reader(text, delimiter=layout.delimiter)
            try:
                for row in reader:
                    if row and len(row) != expected and any(x.strip() for x in row):
                        return layout.lines_before + reader.line_num, len(row)
            except csv.Error:
                return layout.lines_before + reader.line_num, 0
        return None
