"""A scan as an Excel workbook (``dataasset scan --format xlsx``): a summary sheet of tables and a
sheet of every column with its profile, detection and grade, as an inventory (盘点) annex."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dataasset.discovery import detectors
from dataasset.discovery.scanner import TableResult

_HEAD = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="1F4E79")
_SENSITIVE = PatternFill("solid", fgColor="FCE4D6")


def _sheet_header(ws: object, headers: Sequence[str], widths: Sequence[int]) -> None:
    ws.append(list(headers))  # type: ignore[attr-defined]
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)  # type: ignore[attr-defined]
        cell.font, cell.fill = _HEAD, _FILL
        ws.column_dimensions[get_column_letter(i)].width = width  # type: ignore[attr-defined]
    ws.freeze_panes = "A2"  # type: ignore[attr-defined]


def write_xlsx(results: Sequence[TableResult], path: Path, *, source: str = "") -> None:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "汇总"
    _sheet_header(
        summary,
        [
            "数据源",
            "表",
            "行数",
            "列数",
            "重复行",
            "候选主键",
            "敏感列数",
            "分级",
            "级别",
            "决定规则",
            "理由",
        ],
        [30, 24, 12, 8, 10, 20, 10, 12, 24, 20, 50],
    )
    for t in results:
        summary.append(
            [
                source,
                t.name,
                t.profile.rows,
                len(t.columns),
                t.profile.duplicate_rows,
                "、".join(t.profile.candidate_keys),
                sum(1 for c in t.columns if c.detection.type_code),
                t.grade.grade,
                t.grade.level_label,
                t.grade.rule,
                t.grade.reason,
            ]
        )
    cols = wb.create_sheet("列")
    _sheet_header(
        cols,
        [
            "表",
            "列",
            "类型",
            "空值",
            "不同值",
            "最小值",
            "最大值",
            "常见值",
            "敏感类型",
            "置信度",
            "分级",
            "级别",
            "规则",
            "检测依据",
        ],
        [20, 20, 10, 10, 10, 16, 16, 30, 14, 8, 10, 22, 18, 70],
    )
    for t in results:
        for c in t.columns:
            p = c.profile
            cols.append(
                [
                    t.name,
                    p.name,
                    p.type,
                    p.nulls,
                    p.distinct,
                    p.min,
                    p.max,
                    "、".join(f"{v}({n})" for v, n in p.top_values[:5]),
                    detectors.label(c.detection.type_code),
                    round(c.detection.confidence, 3) if c.detection.type_code else None,
                    c.grade.grade,
                    c.grade.level_label,
                    c.grade.rule,
                    c.detection.explanation,
                ]
            )
            if c.detection.type_code:
                for cell in cols[cols.max_row]:
                    cell.fill = _SENSITIVE
    for row in cols.iter_rows(min_row=2, min_col=14, max_col=14):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
