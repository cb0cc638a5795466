"""Excel workbooks (.xlsx, also .xlsm/.xls/.xlsb/.ods through calamine): every worksheet is a table.

Read with python-calamine (Rust: it loads one sheet at a time, fast; the cells then stream out in
Arrow batches of text). Cells become text as Excel shows them plainly: whole numbers without
``.0``, dates ``2024-01-31``, date-times ``2024-01-31 08:30:00``, booleans ``true``/``false``.

The header is the first non-empty row, after title rows (a row with a single filled cell above a
row of several, as reports have; skipped with a warning). A header row that crosses a merged range
is refused (``bad_header``), naming the sheet and the range: a merged header leaves columns without
names. Merged cells in the data are read as Excel stores them (the value in the top-left cell only)
and reported in a warning. Fully empty rows are skipped. Empty worksheets are not offered as tables
(told from the sheet XML of an .xlsx without loading it).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    FileConnector,
    float_text,
    register,
    sample_limit,
    string_batch,
    string_schema,
    unique_names,
)
from dataasset.discovery.connectors.csvfile import flag, looks_like_data
from dataasset.discovery.types import (
    BAD_HEADER,
    EMPTY_FILE,
    MALFORMED,
    NO_SUCH_TABLE,
    DiscoveryError,
    TableRef,
    TableStream,
)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_EMPTY_DATA = re.compile(rb"<(?:\w+:)?sheetData\s*/>|<(?:\w+:)?sheetData>\s*</(?:\w+:)?sheetData>")
_MAX_TITLE_ROWS = 3
_LOOKAHEAD = 8


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_range(first: tuple[int, int], last: tuple[int, int]) -> str:
    a = f"{column_letter(first[1])}{first[0] + 1}"
    b = f"{column_letter(last[1])}{last[0] + 1}"
    return a if a == b else f"{a}:{b}"


def cell_text(value: Any) -> str | None:
    """A cell as text (None when empty)."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        return str(value) if value else None
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return float_text(float(value))
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _filled(row: Sequence[Any]) -> int:
    return sum(1 for v in row if v is not None and v != "")


def xlsx_sheets(path: Any) -> dict[str, tuple[int | None, bool]]:
    """For an .xlsx: sheet name → (data rows from its ``<dimension>``, empty?), read from the first
    64 KB of each sheet's XML (best effort: {} when the file is not a readable .xlsx)."""
    out: dict[str, tuple[int | None, bool]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") or "" for r in rels}
            members = set(archive.namelist())
            for sheet in book.iter(f"{_MAIN}sheet"):
                name = sheet.get("name") or ""
                target = targets.get(sheet.get(f"{_REL}id"), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if member not in members:
                    continue
                with archive.open(member) as handle:
                    head = handle.read(64 * 1024)
                found = _DIMENSION.search(head)
                rows = None
                if found and found.group(4):
                    rows = max(0, int(found.group(4)) - int(found.group(2)))
                out[name] = (rows, bool(_EMPTY_DATA.search(head)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return {}
    return out


@register
class ExcelConnector(FileConnector):
    name = "excel"
    label = "Excel 文件"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self._book: CalamineWorkbook | None = None

    def _workbook(self) -> CalamineWorkbook:
        if self._book is None:
            try:
                self._book = CalamineWorkbook.from_path(str(self.path))
            except PasswordError:
                raise DiscoveryError(
                    f"Excel 文件“{self.display}”有密码保护：请取消密码后重新上传", code=MALFORMED
                ) from None
            except (CalamineError, OSError, ValueError) as exc:
                raise self._unreadable(exc) from None
        return self._book

    def _unreadable(self, exc: BaseException) -> DiscoveryError:
        with self.path.open("rb") as handle:
            head = handle.read(8)
        if not head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return DiscoveryError(
                f"文件“{self.display}”不是 Excel 工作簿"
                "（内容不是 .xlsx/.xls 格式，可能是改了扩展名的其他文件）："
                "请确认文件格式；CSV 文本请使用 .csv 扩展名",
                code=MALFORMED,
            )
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return DiscoveryError(
            f"Excel 文件“{self.display}”已损坏或无法读取（{detail}）：请在 Excel 中打开后另存为 .xlsx 再上传",
            code=MALFORMED,
        )

    def close(self) -> None:
        if self._book is not None:
            with contextlib.suppress(CalamineError):
                self._book.close()
            self._book = None

    def _sheet_names(self) -> list[str]:
        book = self._workbook()
        return [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]

    def tables(self) -> list[TableRef]:
        names = self._sheet_names()
        known = xlsx_sheets(self.path)
        refs = [
            TableRef(n, known.get(n, (None, False))[0]) for n in names if not known.get(n, (None, False))[1]
        ]
        if not refs:
            raise DiscoveryError(
                f"Excel 文件“{self.display}”的所有工作表都是空的：请检查文件内容后重新上传", code=EMPTY_FILE
            )
        return refs

    def open(self, table: str, sample: int | None = None) -> TableStream:
        limit = sample_limit(sample)
        names = self._sheet_names()
        if table not in names:
            raise DiscoveryError(
                f"Excel 文件“{self.display}”中没有工作表“{table}”：现有工作表 {'、'.join(names) or '（无）'}",
                code=NO_SUCH_TABLE,
            )
        try:
            sheet = self._workbook().get_sheet_by_name(table)
        except CalamineError as exc:
            raise self._unreadable(exc) from None
        where = f"工作表“{table}”"
        if sheet.start is None:
            raise DiscoveryError(f"Excel 文件“{self.display}”的{where}是空的", code=EMPTY_FILE)
        start_row = sheet.start[0]
        rows = iter(sheet.iter_rows())
        # the first non-empty rows, with their absolute row numbers
        head: list[tuple[int, list[Any]]] = []
        row_offset: int | None = None  # iter_rows may or may not yield the empty rows above the data
        for index, row in enumerate(rows):
            if not _filled(row):
                continue
            if row_offset is None:
                row_offset = start_row - index
            head.append((index + row_offset, row))
            if len(head) >= _LOOKAHEAD:
                break
        if not head:
            raise DiscoveryError(f"Excel 文件“{self.display}”的{where}是空的", code=EMPTY_FILE)
        warnings: list[str] = []
        skip = 0
        titles: list[str] = []
        width = len(head[0][1])
        while (
            skip < min(_MAX_TITLE_ROWS, len(head) - 1)
            and width > 1
            and _filled(head[skip][1]) == 1
            and _filled(head[skip + 1][1]) > 1
        ):
            titles.append(next(cell_text(v) or "" for v in head[skip][1] if v is not None and v != ""))
            skip += 1
        if titles:
            warnings.append(f"{where}已跳过表头上方的标题行：" + "、".join(f"“{t[:40]}”" for t in titles))
        header_row, header = head[skip]
        self._check_merged(sheet.merged_cell_ranges or [], header_row, where, warnings)
        header_text = [cell_text(v) or "" for v in header]
        rest_text = [[cell_text(v) or "" for v in r] for _, r in head[skip + 1 :]]
        option = flag(self.options.get("header"))
        has_header = option if option is not None else not looks_like_data(header_text, rest_text)
        if has_header:
            names_, renamed = unique_names(header_text, where=f"{where}表头")
            warnings += renamed
            pending = [r for _, r in head[skip + 1 :]]
        else:
            names_ = [f"列_{i}" for i in range(1, len(header) + 1)]
            warnings.append(f"{where}的第一行看起来是数据而不是表头，已用“列_1”“列_2”…作为列名")
            pending = [r for _, r in head[skip:]]
        estimate = max(0, sheet.height - skip - (1 if has_header else 0))

        def batches() -> Iterator[Any]:
            chunk: list[list[Any]] = list(pending)
            for row in rows:
                if not _filled(row):
                    continue
                chunk.append(row)
                if len(chunk) >= BATCH_ROWS:
                    yield _batch(names_, chunk)
                    chunk = []
            if chunk:
                yield _batch(names_, chunk)

        return TableStream(
            name=table,
            schema=string_schema(names_),
            batches=Batches(batches(), limit=limit),
            rows_estimate=estimate if limit is None else min(limit, estimate),
            bytes_estimate=self.size,
            source_types={n: "excel" for n in names_},
            warnings=warnings,
            limit=limit,
        )

    def _check_merged(
        self,
        ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]],
        header_row: int,
        where: str,
        warnings: list[str],
    ) -> None:
        in_header = [cell_range(a, b) for a, b in ranges if a[0] <= header_row <= b[0] and a != b]
        if in_header:
            shown = "、".join(in_header[:5]) + ("等" if len(in_header) > 5 else "")
            raise DiscoveryError(
                f"Excel 文件“{self.display}”的{where}表头（第 {header_row + 1} 行）有合并单元格 {shown}："
                "请取消表头合并单元格，使每列只有一个列名后重新上传",
                code=BAD_HEADER,
            )
        in_data = [cell_range(a, b) for a, b in ranges if a[0] > header_row and a != b]
        if in_data:
            warnings.append(
                f"{where}的数据区有 {len(in_data)} 处合并单元格（如 {in_data[0]}）："
                "合并区域只有左上角单元格有值，其余单元格按空值统计"
            )


def _batch(names: list[str], rows: list[list[Any]]) -> Any:
    width = len(names)
    columns: list[list[str | None]] = []
    for j in range(width):
        columns.append([cell_text(r[j]) if j < len(r) else None for r in rows])
    return string_batch(names, columns)
