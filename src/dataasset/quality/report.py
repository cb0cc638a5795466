"""The quality report of one data asset (数据质量评价报告) as an Excel workbook and as a PDF.

Two pure functions over the plain dict the service builds (no database, no network)::

    xlsx_bytes(data) -> bytes   # sheets 概览 / 检查项 / 不合格示例 / 整改事项 / 得分趋势
    pdf_bytes(data)  -> bytes   # landscape A4, the same content, at most 5 examples × 8 columns a check

Every key of ``data`` may be missing or None (old runs): the report then shows "—" or leaves the
part out, it never fails on it.

Excel: every string cell that Excel could take for a formula (it starts with = + - @, a tab or a
carriage return; example values are user data) is written as a string cell with the quote-prefix
style, so it shows as typed and is never evaluated; characters XML cannot hold are dropped.

PDF font, the known trap: ReportLab embeds TrueType outlines only, and the CJK font every Debian
machine here has (``fonts-noto-cjk``: ``NotoSansCJK-Regular.ttc``) has CFF outlines, which
ReportLab refuses ("postscript outlines are not supported"). So the font is, in this order:

1. the file named by ``DATAASSET_PDF_FONT`` (a ``.ttf``/``.ttc`` with TrueType outlines, first face
   of a collection);
2. the first of ``FONT_CANDIDATES`` that exists: Debian's TrueType CJK fonts (``fonts-wqy-zenhei``,
   ``fonts-wqy-microhei``, ``fonts-arphic-uming``/``ukai``, ``fonts-droid-fallback``…) and the usual
   Windows ones;
3. otherwise ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1, encoding UniGB-UCS2-H).

A TrueType font is embedded as a subset, so the PDF looks the same everywhere. ``STSong-Light`` needs
no file and is never embedded: the PDF viewer supplies a Song (宋体) face for it (browsers, pdf.js,
Poppler and Acrobat with its Asian font pack do); the text stays Unicode and searchable either way.
A candidate that cannot be read, has CFF outlines or lacks Chinese glyphs is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.linecharts import (  # type: ignore[import-untyped, unused-ignore]
    HorizontalLineChart,
)
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped, unused-ignore]
from reportlab.graphics.widgets.markers import makeMarker  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_CENTER  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.units import mm  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dataasset.quality.types import Dimension

log = logging.getLogger(__name__)

__all__ = ["CID_FALLBACK", "FONT_CANDIDATES", "FONT_ENV", "pdf_bytes", "pdf_font", "xlsx_bytes"]

TITLE = "数据质量评价报告"
STANDARD = "依据 GB/T 36344-2018《信息技术 数据质量评价指标》"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DASH = "—"

FONT_ENV = "DATAASSET_PDF_FONT"
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/arphic/ukai.ttc",  # fonts-arphic-ukai
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",  # fonts-arphic-gbsn00lp
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CID_FALLBACK = "STSong-Light"
_PROBE = "数据质量评价报告"  # a usable font has glyphs for these

TRIGGERS = {"manual": "手动", "schedule": "定时", "scan": "扫描后自动", "recheck": "整改复检"}

XLSX_EXAMPLES_SHEET = "不合格示例"
PDF_EXAMPLES = 5  # rows of a failing check shown in the PDF
PDF_EXAMPLE_COLUMNS = 8  # 行号 and up to 7 of the example's columns
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XLSX_MAX_TEXT = 32_767


# --------------------------------------------------------------------------- reading ``data``


def _map(data: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _maps(data: Mapping[str, Any] | None, key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else round(number)


def _text(value: Any) -> str:
    """A value as one line of display text ("" for None); containers as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _moment(value: Any) -> datetime | None:
    """An ISO time (or datetime) in Asia/Shanghai; naive times are UTC, as the database keeps them."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI)


def _time(value: Any) -> str:
    moment = _moment(value)
    if moment is not None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return _text(value) or DASH


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return _moment(value).strftime("%Y-%m-%d")  # type: ignore[union-attr]
    if isinstance(value, date):
        return value.isoformat()
    return _text(value) or DASH


def _score100(value: Any) -> str:
    number = _num(value)
    return DASH if number is None else f"{number:.1f}"


def _percent(value: Any) -> str:
    number = _num(value)
    return DASH if number is None else f"{number * 100:.2f}%"


def _count(value: Any) -> str:
    number = _int(value)
    return DASH if number is None else f"{number:,}"


def _dimension(code: Any) -> str:
    if not code:
        return DASH
    try:
        return Dimension(str(code)).label_zh
    except ValueError:
        return str(code)


def _dimension_rows(run: Mapping[str, Any]) -> list[tuple[str, float | None]]:
    """(label, score) of the run's dimensions: the six in the standard's order, then any other."""
    dims = run.get("dimensions")
    if not isinstance(dims, Mapping):
        return []
    rows = [(d.label_zh, _num(dims[d.value])) for d in Dimension if d.value in dims]
    known = {d.value for d in Dimension}
    rows += [(str(code), _num(score)) for code, score in dims.items() if code not in known]
    return rows


def _note(check: Mapping[str, Any]) -> str:
    if check.get("error"):
        return f"执行出错：{_text(check['error'])}"
    return _text(check.get("detail"))


def _example_keys(check: Mapping[str, Any], examples: Sequence[Mapping[str, Any]]) -> list[str]:
    """The examples' columns (without ``__row``): the check's own columns first, then the others."""
    seen: dict[str, None] = {}
    for example in examples:
        for key in example:
            if key != "__row":
                seen.setdefault(str(key), None)
    own = [c for c in (check.get("columns") or [check.get("column")]) if isinstance(c, str) and c in seen]
    return own + [k for k in seen if k not in own]


def _examples(check: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _maps(check, "examples")


def _failing(checks: Iterable[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    return [(i, c) for i, c in enumerate(checks, start=1) if (_int(c.get("failed")) or 0) > 0]


def _facts(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The report's header as (label, value) pairs."""
    org, card, rules, run = (_map(data, k) for k in ("organisation", "card", "rule_set", "run"))
    rule_set = _text(rules.get("name")) or DASH
    if rules.get("version") not in (None, ""):
        rule_set += f"（第 {_text(rules['version'])} 版）"
    seconds = _num(run.get("seconds"))
    trigger = _text(run.get("trigger"))
    generated = data.get("generated_at") or datetime.now(SHANGHAI)
    return [
        ("数据资产", _text(card.get("name")) or DASH),
        ("资产编号", _text(card.get("code")) or DASH),
        ("持有单位", _text(org.get("name")) or DASH),
        ("统一社会信用代码", _text(org.get("uscc")) or DASH),
        ("所属部门", _text(card.get("owning_department")) or DASH),
        ("责任人", _text(card.get("responsible_person")) or DASH),
        ("质量规则", rule_set),
        ("检查表", _text(rules.get("table")) or DASH),
        ("评价行数", _count(run.get("rows"))),
        ("评价时间", _time(run.get("finished_at"))),
        ("触发方式", TRIGGERS.get(trigger, trigger) or DASH),
        ("耗时", DASH if seconds is None else f"{seconds:.1f} 秒"),
        ("评价编号", _text(run.get("id")) or DASH),
        ("报告生成时间", _time(generated)),
    ]


# --------------------------------------------------------------------------- Excel

_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_LABEL_FONT = Font(bold=True)
_LABEL_FILL = PatternFill("solid", fgColor="DDEBF7")
_FAIL_FILL = PatternFill("solid", fgColor="FCE4D6")
_RED = Font(color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _cell_value(value: Any) -> Any:
    """What goes into a cell: numbers stay numbers, text is cleaned (see ``_protect``)."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, datetime):
        moment = _moment(value)
        return moment.replace(tzinfo=None) if moment is not None else None
    text = _CONTROL.sub("", _text(value))
    return text[:_XLSX_MAX_TEXT]


def _protect(cell: Any) -> None:
    """A string Excel could read as a formula stays a string (quote prefix, as Excel itself does)."""
    if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _put(ws: Any, row: int, column: int, value: Any, number_format: str | None = None) -> Any:
    cell = ws.cell(row=row, column=column, value=_cell_value(value))
    _protect(cell)
    if number_format and isinstance(cell.value, int | float):
        cell.number_format = number_format
    return cell


def _put_row(ws: Any, row: int, values: Sequence[Any], formats: Sequence[str | None] = ()) -> list[Any]:
    return [
        _put(ws, row, i, value, formats[i - 1] if i - 1 < len(formats) else None)
        for i, value in enumerate(values, start=1)
    ]


def _head(ws: Any, row: int, headers: Sequence[str]) -> None:
    for cell in _put_row(ws, row, headers):
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        cell.alignment = Alignment(vertical="center")


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fit_columns(
    ws: Any, minimum: int = 8, maximum: int = 60, fixed: Mapping[int, int] | None = None
) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or type(cell).__name__ == "MergedCell":
                continue
            shown = f"{cell.value:,.2f}" if isinstance(cell.value, float) else _text(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), _width(shown))
    for column, width in widths.items():
        if fixed and column in fixed:
            width = fixed[column]
        ws.column_dimensions[get_column_letter(column)].width = max(minimum, min(maximum, width + 2))


def _overview_sheet(ws: Any, data: Mapping[str, Any]) -> None:
    ws.title = "概览"
    run = _map(data, "run")
    title = _put(ws, 1, 1, TITLE)
    title.font = Font(bold=True, size=16)
    _put(ws, 2, 1, STANDARD).font = Font(italic=True, color="595959")
    row = 4
    for label, value in _facts(data):
        _put(ws, row, 1, label).font = _LABEL_FONT
        ws.cell(row=row, column=1).fill = _LABEL_FILL
        if label == "评价行数" and _int(run.get("rows")) is not None:
            _put(ws, row, 2, _int(run.get("rows")), "#,##0")
        else:
            _put(ws, row, 2, value)
        row += 1
    row += 1
    overall = _num(run.get("overall"))
    heading = _put(ws, row, 1, "综合得分")
    heading.font, heading.fill = Font(bold=True, size=13), _LABEL_FILL
    score = _put(ws, row, 2, overall if overall is not None else DASH, "0.0")
    score.font = Font(bold=True, size=13)
    score.alignment = Alignment(horizontal="left")
    row += 2
    _put(ws, row, 1, "各维度得分（满分 100）").font = _LABEL_FONT
    row += 1
    _head(ws, row, ["维度", "得分"])
    dims = _dimension_rows(run)
    for name, dim_score in dims:
        row += 1
        _put(ws, row, 1, name)
        cell = _put(ws, row, 2, dim_score if dim_score is not None else DASH, "0.0")
        cell.alignment = Alignment(horizontal="left")
    if not dims:
        _put(ws, row + 1, 1, "本次评价无维度得分")
    ws.freeze_panes = "A3"
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 50


_CHECK_HEADERS = ["序号", "检查", "维度", "检查数", "通过数", "不合格数", "得分", "说明"]
_CHECK_EXTRA = ["检查类型", "列", "权重", "规则行号"]


def _checks_sheet(ws: Any, checks: Sequence[Mapping[str, Any]]) -> None:
    _head(ws, 1, _CHECK_HEADERS + _CHECK_EXTRA)
    formats = [None, None, None, "#,##0", "#,##0", "#,##0", "0.00%", None, None, None, "0.##", None]
    for i, check in enumerate(checks, start=1):
        row = i + 1
        columns = check.get("columns") or ([check["column"]] if check.get("column") else [])
        values = [
            i,
            _text(check.get("title")) or _text(check.get("check")),
            _dimension(check.get("dimension")),
            _int(check.get("checked")),
            _int(check.get("passed")),
            _int(check.get("failed")),
            _num(check.get("score")),
            _note(check),
            _text(check.get("check")),
            "、".join(_text(c) for c in columns) if isinstance(columns, list | tuple) else _text(columns),
            _num(check.get("weight")),
            _int(check.get("line")),
        ]
        cells = _put_row(ws, row, values, formats)
        cells[7].alignment = _WRAP
        if (_int(check.get("failed")) or 0) > 0 or check.get("error"):
            for cell in cells[:8]:
                cell.fill = _FAIL_FILL
        if check.get("error"):
            cells[7].font = _RED
    if not checks:
        _put(ws, 2, 1, "本次评价没有检查项")
    ws.freeze_panes = "C2"
    _fit_columns(ws, fixed={1: 4, 2: 40, 8: 50})


def _examples_sheet(ws: Any, checks: Sequence[Mapping[str, Any]]) -> None:
    failing = _failing(checks)
    if not failing:
        _put(ws, 1, 1, "本次评价没有不合格的检查项")
        _fit_columns(ws)
        return
    row = 1
    headings: set[int] = set()
    for number, check in failing:
        examples = _examples(check)
        heading = (
            f"{number}. {_text(check.get('title')) or _text(check.get('check'))}"
            f"（{_dimension(check.get('dimension'))}，不合格 {_count(check.get('failed'))} 行"
            f"{f'，示例 {len(examples)} 行' if examples else '，无示例'}）"
        )
        _put(ws, row, 1, heading).font = Font(bold=True, size=12)
        headings.add(row)
        row += 1
        if examples:
            keys = _example_keys(check, examples)
            _head(ws, row, ["行号", *keys])
            for example in examples:
                row += 1
                _put_row(ws, row, [example.get("__row"), *(example.get(k) for k in keys)])
        row += 2
    widths: dict[int, int] = {}
    for cells in ws.iter_rows():
        for cell in cells:
            if cell.value is not None and cell.row not in headings:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(_text(cell.value)))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = max(8, min(40, width + 2))


_ISSUE_HEADERS = ["编号", "检查", "维度", "状态", "责任部门", "整改期限", "是否逾期", "不合格数"]


def _issues_sheet(ws: Any, issues: Sequence[Mapping[str, Any]]) -> None:
    _head(ws, 1, _ISSUE_HEADERS)
    for row, issue in enumerate(issues, start=2):
        overdue = issue.get("overdue")
        cells = _put_row(
            ws,
            row,
            [
                _int(issue.get("id")),
                _text(issue.get("check_title")),
                _dimension(issue.get("dimension")),
                _text(issue.get("status_label")) or _text(issue.get("status")),
                _text(issue.get("department")),
                _day(issue.get("deadline")) if issue.get("deadline") else "",
                "" if overdue is None else ("是" if overdue else "否"),
                _int(issue.get("failed")),
            ],
            [None] * 7 + ["#,##0"],
        )
        if overdue:
            for cell in cells:
                cell.font = _RED
    if not issues:
        _put(ws, 2, 1, "无整改事项")
    ws.freeze_panes = "A2"
    _fit_columns(ws, fixed={2: 40})


def _trend_sheet(ws: Any, trend: Sequence[Mapping[str, Any]]) -> None:
    _head(ws, 1, ["时间", "综合得分", "评价编号"])
    for row, point in enumerate(trend, start=2):
        _put_row(
            ws, row, [_time(point.get("finished_at")), _num(point.get("overall")), _int(point.get("run_id"))]
        )
        ws.cell(row=row, column=2).number_format = "0.0"
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 10
    if not trend:
        _put(ws, 2, 1, "暂无历史得分")
        return
    chart = LineChart()
    chart.title = "综合得分趋势"
    chart.y_axis.title = "综合得分"
    chart.x_axis.title = "评价时间"
    chart.y_axis.scaling.max = 100
    scores = [s for s in (_num(p.get("overall")) for p in trend) if s is not None]
    chart.y_axis.scaling.min = max(0, (int(min(scores)) // 10) * 10 - 10) if scores else 0
    chart.x_axis.delete = False  # newer Excel hides axes openpyxl leaves undeclared
    chart.y_axis.delete = False
    chart.legend = None
    chart.height, chart.width = 8, 18
    last = len(trend) + 1
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    series = chart.series[0]
    series.marker.symbol = "circle"
    series.smooth = False
    ws.add_chart(chart, "E2")


def xlsx_bytes(data: Mapping[str, Any]) -> bytes:
    """The report as an .xlsx workbook: 概览, 检查项, 不合格示例, 整改事项, 得分趋势."""
    checks = _maps(data, "checks")
    wb = Workbook()
    _overview_sheet(wb.active, data)
    _checks_sheet(wb.create_sheet("检查项"), checks)
    _examples_sheet(wb.create_sheet(XLSX_EXAMPLES_SHEET), checks)
    _issues_sheet(wb.create_sheet("整改事项"), _maps(data, "issues"))
    _trend_sheet(wb.create_sheet("得分趋势"), _maps(data, "trend"))
    card = _map(data, "card")
    wb.properties.title = _CONTROL.sub("", f"{TITLE} {_text(card.get('name'))}").strip()
    wb.properties.creator = _CONTROL.sub("", _text(_map(data, "organisation").get("name"))) or "dataasset"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF font


def pdf_font() -> str:
    """The registered font name the PDF is set in (see the module docstring for the order)."""
    return _register_font(os.environ.get(FONT_ENV, "").strip())


@lru_cache(maxsize=8)
def _register_font(configured: str) -> str:
    paths = ([configured] if configured else []) + [p for p in FONT_CANDIDATES if p != configured]
    for path in paths:
        if not os.path.isfile(path):
            if path == configured:
                log.warning("%s=%s: no such file; the PDF report uses another font", FONT_ENV, path)
            continue
        name = "DataAssetCJK-" + hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()[:10]
        try:
            font = TTFont(name, path, subfontIndex=0)
        except Exception as exc:  # TTFError for CFF outlines, anything for a broken file
            log.warning("PDF font %s cannot be embedded (%s); trying the next", path, exc)
            continue
        glyphs = getattr(font.face, "charToGlyph", {})
        if not all(ord(ch) in glyphs for ch in _PROBE):
            log.warning("PDF font %s has no Chinese glyphs; trying the next", path)
            continue
        pdfmetrics.registerFont(font)
        return name
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


# --------------------------------------------------------------------------- PDF

_PAGE = landscape(A4)
_MARGIN = 14 * mm
_FRAME_WIDTH = _PAGE[0] - 2 * _MARGIN
_BLUE = colors.HexColor("#1F4E79")
_PALE = colors.HexColor("#DDEBF7")
_PINK = colors.HexColor("#FCE4D6")
_GRID = colors.HexColor("#A6A6A6")


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
        self.body = base
        self.title = ParagraphStyle("title", base, fontSize=20, leading=26, alignment=TA_CENTER)
        self.subtitle = ParagraphStyle(
            "subtitle",
            base,
            fontSize=10,
            leading=14,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#595959"),
        )
        self.h2 = ParagraphStyle(
            "h2", base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=5, textColor=_BLUE
        )
        self.h3 = ParagraphStyle("h3", base, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3)
        self.cell = ParagraphStyle("cell", base, fontSize=8.5, leading=11)
        self.head = ParagraphStyle("head", self.cell, textColor=colors.white)
        self.number = ParagraphStyle("number", self.cell, alignment=2)  # right
        self.big = ParagraphStyle("big", base, fontSize=16, leading=22, textColor=_BLUE)
        self.note = ParagraphStyle(
            "note", base, fontSize=8.5, leading=11, textColor=colors.HexColor("#595959")
        )


def _para(text: Any, style: Any, limit: int = 400) -> Any:
    value = _CONTROL.sub("", _text(text))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    st: _Styles,
    *,
    numeric: Iterable[int] = (),
    limit: int = 400,
    highlight: Callable[[int], bool] | None = None,
) -> Any:
    """A table with a blue header row; every cell a wrapping Paragraph."""
    right = set(numeric)
    body = [[_para(h, st.head) for h in rows[0]]]
    for row in rows[1:]:
        body.append([_para(v, st.number if i in right else st.cell, limit) for i, v in enumerate(row)])
    table = Table(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), _BLUE),
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if highlight is not None:
        style += [("BACKGROUND", (0, r), (-1, r), _PINK) for r in range(1, len(rows)) if highlight(r - 1)]
    table.setStyle(TableStyle(style))
    return table


def _share(total: float, parts: Sequence[float]) -> list[float]:
    whole = sum(parts)
    return [total * p / whole for p in parts]


def _header_block(data: Mapping[str, Any], st: _Styles) -> list[Any]:
    facts = _facts(data)
    pairs = [facts[i : i + 2] for i in range(0, len(facts), 2)]
    rows: list[list[Any]] = []
    for pair in pairs:
        row: list[Any] = []
        for label, value in pair:
            row += [_para(label, st.cell), _para(value, st.cell)]
        while len(row) < 4:
            row.append("")
        rows.append(row)
    table = Table(rows, colWidths=_share(_FRAME_WIDTH, [18, 32, 18, 32]))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
                ("BACKGROUND", (0, 0), (0, -1), _PALE),
                ("BACKGROUND", (2, 0), (2, -1), _PALE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [Paragraph("一、基本信息", st.h2), table]


def _score_block(data: Mapping[str, Any], st: _Styles) -> list[Any]:
    run = _map(data, "run")
    out: list[Any] = [Paragraph("二、评价结果", st.h2)]
    out.append(Paragraph(f"综合得分：{escape(_score100(run.get('overall')))}（满分 100）", st.big))
    dims = _dimension_rows(run)
    if dims:
        rows = [["维度", *(name for name, _ in dims)], ["得分", *(_score100(v) for _, v in dims)]]
        width = min(_FRAME_WIDTH, 28 * mm * (len(dims) + 1))
        out += [Spacer(1, 3 * mm), _grid(rows, [width / (len(dims) + 1)] * (len(dims) + 1), st)]
    else:
        out.append(Paragraph("本次评价无维度得分。", st.note))
    return out


def _checks_block(checks: Sequence[Mapping[str, Any]], st: _Styles) -> list[Any]:
    out: list[Any] = [Paragraph("三、检查项", st.h2)]
    if not checks:
        return [*out, Paragraph("本次评价没有检查项。", st.note)]
    rows: list[list[Any]] = [_CHECK_HEADERS]
    for i, check in enumerate(checks, start=1):
        rows.append(
            [
                i,
                _text(check.get("title")) or _text(check.get("check")),
                _dimension(check.get("dimension")),
                _count(check.get("checked")),
                _count(check.get("passed")),
                _count(check.get("failed")),
                _percent(check.get("score")),
                _note(check),
            ]
        )

    def failing(index: int) -> bool:
        check = checks[index]
        return bool(check.get("error")) or (_int(check.get("failed")) or 0) > 0

    widths = _share(_FRAME_WIDTH, [10, 66, 16, 22, 22, 20, 18, 86])
    out.append(_grid(rows, widths, st, numeric=(3, 4, 5, 6), highlight=failing))
    return out


def _examples_block(checks: Sequence[Mapping[str, Any]], st: _Styles) -> list[Any]:
    out: list[Any] = [Paragraph("四、不合格示例", st.h2)]
    failing = _failing(checks)
    if not failing:
        return [*out, Paragraph("本次评价没有不合格的检查项。", st.note)]
    out.append(
        Paragraph(
            f"每项至多列出 {PDF_EXAMPLES} 行、{PDF_EXAMPLE_COLUMNS - 1} 列；完整示例见 Excel 报告"
            f"“{XLSX_EXAMPLES_SHEET}”表。敏感字段已脱敏。",
            st.note,
        )
    )
    for number, check in failing:
        examples = _examples(check)
        heading = Paragraph(
            escape(
                f"{number}. {_text(check.get('title')) or _text(check.get('check'))}"
                f"（{_dimension(check.get('dimension'))}，不合格 {_count(check.get('failed'))} 行）"
            ),
            st.h3,
        )
        if not examples:
            out.append(KeepTogether([heading, Paragraph("无示例。", st.note)]))
            continue
        keys = _example_keys(check, examples)
        shown = keys[: PDF_EXAMPLE_COLUMNS - 1]
        rows: list[list[Any]] = [["行号", *shown]]
        rows += [[_text(e.get("__row")), *(e.get(k) for k in shown)] for e in examples[:PDF_EXAMPLES]]
        column = min(60 * mm, (_FRAME_WIDTH - 16 * mm) / max(1, len(shown)))
        widths = [16 * mm] + [column] * len(shown)
        parts = [heading, _grid(rows, widths, st, limit=80)]
        left = [f"另有 {len(keys) - len(shown)} 列未列出"] if len(keys) > len(shown) else []
        if len(examples) > PDF_EXAMPLES:
            left.append(f"另有 {len(examples) - PDF_EXAMPLES} 行示例未列出")
        if left:
            parts.append(Paragraph("；".join(left) + "。", st.note))
        out.append(KeepTogether(parts))
    return out


def _issues_block(issues: Sequence[Mapping[str, Any]], st: _Styles) -> list[Any]:
    out: list[Any] = [Paragraph("五、整改事项", st.h2)]
    if not issues:
        return [*out, Paragraph("无整改事项。", st.note)]
    rows: list[list[Any]] = [_ISSUE_HEADERS[:7]]
    for issue in issues:
        overdue = issue.get("overdue")
        rows.append(
            [
                _text(issue.get("id")),
                _text(issue.get("check_title")),
                _dimension(issue.get("dimension")),
                _text(issue.get("status_label")) or _text(issue.get("status")),
                _text(issue.get("department")) or DASH,
                _day(issue.get("deadline")) if issue.get("deadline") else DASH,
                DASH if overdue is None else ("是" if overdue else "否"),
            ]
        )
    widths = _share(_FRAME_WIDTH, [12, 80, 18, 20, 36, 24, 16])
    out.append(_grid(rows, widths, st, highlight=lambda i: bool(issues[i].get("overdue"))))
    return out


def _trend_chart(points: Sequence[tuple[str, float]], font: str) -> Any:
    width, height = _FRAME_WIDTH * 0.62, 70 * mm
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 18 * mm
    chart.width, chart.height = width - 18 * mm, height - 22 * mm
    chart.data = [[score for _, score in points]]
    step = max(1, len(points) // 8)
    chart.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, (label, _) in enumerate(points)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    low = min(score for _, score in points)
    chart.valueAxis.valueMin = max(0, (int(low) // 10) * 10 - 10)
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 10
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = _BLUE
    chart.lines[0].strokeWidth = 1.5
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4, fillColor=_BLUE, strokeColor=_BLUE)
    chart.joinedLines = 1
    drawing.add(chart)
    return drawing


def _trend_block(trend: Sequence[Mapping[str, Any]], st: _Styles) -> list[Any]:
    heading = Paragraph("六、得分趋势", st.h2)
    if not trend:
        return [heading, Paragraph("暂无历史得分。", st.note)]
    points = [
        (_moment(p.get("finished_at")), _num(p.get("overall")))
        for p in trend
        if _num(p.get("overall")) is not None
    ]
    labelled = [(m.strftime("%m-%d %H:%M") if m else "", s) for m, s in points if s is not None]
    out: list[Any] = [heading]
    if len(labelled) >= 2:
        out = [KeepTogether([heading, _trend_chart(labelled, st.font)])]
    rows: list[list[Any]] = [["时间", "综合得分", "评价编号"]]
    rows += [
        [_time(p.get("finished_at")), _score100(p.get("overall")), _text(p.get("run_id")) or DASH]
        for p in trend[-12:]
    ]
    out.append(_grid(rows, [45 * mm, 25 * mm, 25 * mm], st, numeric=(1,)))
    if len(trend) > 12:
        out.append(Paragraph(f"表中为最近 12 次，共 {len(trend)} 次评价。", st.note))
    return out


def pdf_bytes(data: Mapping[str, Any]) -> bytes:
    """The report as a landscape A4 PDF, set in a CJK font (``pdf_font``)."""
    font = pdf_font()
    st = _Styles(font)
    checks = _maps(data, "checks")
    card = _map(data, "card")
    name = _CONTROL.sub("", _text(card.get("name")))
    footer = f"{TITLE} · {name} · 生成于 {_time(data.get('generated_at') or datetime.now(SHANGHAI))}"

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#7F7F7F"))
        canvas.drawString(_MARGIN, 8 * mm, footer[:120])
        canvas.drawRightString(_PAGE[0] - _MARGIN, 8 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    story: list[Any] = [
        Paragraph(TITLE, st.title),
        Paragraph(escape(STANDARD), st.subtitle),
        Spacer(1, 4 * mm),
    ]
    story += _header_block(data, st)
    story += _score_block(data, st)
    story += _checks_block(checks, st)
    story += _examples_block(checks, st)
    story += _issues_block(_maps(data, "issues"), st)
    story += _trend_block(_maps(data, "trend"), st)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=_PAGE,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 2 * mm,
        title=f"{TITLE} {name}".strip(),
        author=_CONTROL.sub("", _text(_map(data, "organisation").get("name"))),
        subject=STANDARD,
        creator="dataasset",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
