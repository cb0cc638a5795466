"""Excel in and out: the import template, bulk import with row-level errors, and the register (台账).

An import is all or nothing: every row is parsed and validated first; when any row fails, the
answer lists each bad cell (row, column, reason, in Chinese) and nothing is written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.catalog import queries, service
from dataasset.catalog.enums import (
    AccountingStatus,
    AcquisitionMethod,
    DataFormat,
    Industry,
    RegistrationStatus,
    SecurityGrade,
    SharingType,
    Stage,
    UpdateFrequency,
)
from dataasset.catalog.models import AssetCard
from dataasset.catalog.schemas import AssetCardCreate
from dataasset.core.db import SHANGHAI
from dataasset.core.enums import Labelled
from dataasset.core.errors import Invalid
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, require

MAX_ROWS = 5000
SHEET = "数据资产卡片"
OPTIONS_SHEET = "选项"
_SPLIT = re.compile(r"[；;、，,\n]+")


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # "basic.name", "stage", or "organisation_uscc"
    kind: str = "text"  # text | int | date | list | bool | enum
    enum: type[Labelled] | None = None
    required: bool = False
    example: Any = ""


COLUMNS: list[Column] = [
    Column("数据资产名称", "basic.name", required=True, example="客户用电量月度统计数据"),
    Column("描述", "basic.description", example="按月汇总的居民与工商业客户用电量"),
    Column("行业分类", "basic.industry", "enum", Industry, required=True, example=Industry.D.label_zh),
    Column("来源系统", "basic.source_systems", "list", example="营销系统；用电信息采集系统"),
    Column("数据形态", "basic.data_format", "enum", DataFormat, example=DataFormat.STRUCTURED.label_zh),
    Column("数据量（条）", "basic.volume_rows", "int", example=12000000),
    Column("数据量（字节）", "basic.volume_bytes", "int", example=5368709120),
    Column(
        "更新频率",
        "basic.update_frequency",
        "enum",
        UpdateFrequency,
        example=UpdateFrequency.MONTHLY.label_zh,
    ),
    Column("时间范围起", "basic.time_span_start", "date", example=date(2020, 1, 1)),
    Column("时间范围止", "basic.time_span_end", "date", example=date(2025, 12, 31)),
    Column("归口部门", "basic.owning_department", example="营销服务中心"),
    Column("联系人", "basic.contact_name", example="张敏"),
    Column("联系电话", "basic.contact_phone", example="0731-88880000"),
    Column("数据资源持有权人", "rights.holding_right_holder", example="本单位"),
    Column("数据加工使用权人", "rights.use_right_holder", example="本单位"),
    Column("数据产品经营权人", "rights.operation_right_holder", example=""),
    Column("取得方式", "rights.acquisition_method", "enum", AcquisitionMethod, example="自行采集"),
    Column("权利来源及法律依据", "rights.legal_basis", example="供用电合同约定的数据采集"),
    Column("应用场景", "usage.scenarios", "list", example="电力看经济；负荷预测"),
    Column("共享类型", "usage.sharing_type", "enum", SharingType, example=SharingType.CONDITIONAL.label_zh),
    Column("提供的服务", "usage.services_provided", example="统计报表、API"),
    Column(
        "安全分级", "management.security_grade", "enum", SecurityGrade, example=SecurityGrade.GENERAL.label_zh
    ),
    Column("责任人", "management.responsible_person", example="李强"),
    Column("生命周期阶段", "stage", "enum", Stage, example=Stage.RESOURCE.label_zh),
    Column("是否公开", "is_public", "bool", example="否"),
    Column("持有单位统一社会信用代码", "organisation_uscc", example=""),
]
_BY_PATH = {c.path: c for c in COLUMNS}


# --- template --------------------------------------------------------------------------------


def template() -> bytes:
    """The import template: headers, one example row, drop-down lists for the coded columns."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    options = wb.create_sheet(OPTIONS_SHEET)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE2E2")
    enum_col = 0
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=col.header + ("*" if col.required else ""))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True)
        if col.required:
            cell.fill = required_fill
        ws.cell(row=2, column=i, value=col.example if col.example != "" else None)
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.header) * 2 + 4)
        if col.enum is not None:
            enum_col += 1
            letter = get_column_letter(enum_col)
            options.cell(row=1, column=enum_col, value=col.header).font = bold
            for r, member in enumerate(col.enum, start=2):
                options.cell(row=r, column=enum_col, value=member.label_zh)
            dv = DataValidation(
                type="list",
                formula1=f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(col.enum) + 1}",
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle="取值不合法",
                error=f"{col.header}请从下拉列表中选择",
            )
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{MAX_ROWS + 1}")
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{MAX_ROWS + 1}")
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for r, line in enumerate(
        [
            "带 * 的列为必填；第 2 行为示例，导入前请删除或改写。",
            "来源系统、应用场景可填写多项，用中文分号（；）或顿号（、）分隔。",
            "日期格式为 YYYY-MM-DD；数据量填写整数。",
            "“持有单位统一社会信用代码”仅平台管理员使用，留空表示本单位。",
            f"单次最多导入 {MAX_ROWS} 行；任一行有错误时整批不导入，并列出每个错误的行、列和原因。",
        ],
        start=1,
    ):
        notes.cell(row=r, column=1, value=line)
    notes.column_dimensions["A"].width = 90
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return int(Decimal(_text(value).replace(",", "")).to_integral_exact())


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    return date.fromisoformat(
        text if len(text) == 10 else datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    )


def _to_bool(value: Any) -> bool:
    text = _text(value).lower()
    if text in {"是", "y", "yes", "true", "1", "公开"}:
        return True
    if text in {"否", "n", "no", "false", "0", "不公开", ""}:
        return False
    raise ValueError


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "int": _to_int,
    "date": _to_date,
    "bool": _to_bool,
    "list": lambda v: [p.strip() for p in _SPLIT.split(_text(v)) if p.strip()],
    "text": _text,
}
_REASONS = {"int": "应为整数", "date": "日期格式应为 YYYY-MM-DD", "bool": "应填写“是”或“否”"}


@dataclass
class ParsedRow:
    row: int
    data: AssetCardCreate
    organisation_uscc: str


def parse(content: bytes) -> list[ParsedRow]:
    """Parse and validate an uploaded workbook; raise :class:`Invalid` listing every bad cell."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Invalid("文件不是有效的 Excel（.xlsx）文件，请使用下载的模板", code="file_invalid") from exc
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise Invalid("文件为空", code="file_empty")
    by_header = {c.header: c for c in COLUMNS}
    positions: dict[int, Column] = {}
    for i, value in enumerate(header_row):
        name = _text(value).rstrip("*").strip()
        if name in by_header:
            positions[i] = by_header[name]
    missing = [c.header for c in COLUMNS if c.required and c not in positions.values()]
    if missing:
        raise Invalid(
            f"表头缺少必填列：{'、'.join(missing)}，请使用下载的模板",
            code="import_invalid",
            errors=[{"row": 1, "column": m, "reason": "缺少该列"} for m in missing],
        )
    errors: list[dict[str, Any]] = []
    parsed: list[ParsedRow] = []
    for offset, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        if len(parsed) + len(errors) >= MAX_ROWS:
            raise Invalid(f"单次最多导入 {MAX_ROWS} 行", code="too_many_rows")
        row = _parse_row(offset, values, positions, errors)
        if row is not None:
            parsed.append(row)
    wb.close()
    if errors:
        bad_rows = len({e["row"] for e in errors})
        raise Invalid(
            f"导入失败：{bad_rows} 行共 {len(errors)} 处错误，未写入任何数据",
            code="import_invalid",
            errors=errors,
        )
    if not parsed:
        raise Invalid("文件中没有数据行", code="file_empty")
    return parsed


def _parse_row(
    row: int, values: tuple[Any, ...], positions: dict[int, Column], errors: list[dict[str, Any]]
) -> ParsedRow | None:
    data: dict[str, Any] = {"basic": {}, "rights": {}, "usage": {}, "management": {}}
    uscc = ""
    failed: set[str] = set()
    for i, col in positions.items():
        raw = values[i] if i < len(values) else None
        if _text(raw) == "":
            if col.required:
                errors.append({"row": row, "column": col.header, "reason": "必填项不能为空"})
                failed.add(col.path)
            continue
        try:
            value = _convert(col, raw)
        except (ValueError, ArithmeticError) as exc:
            reason = str(exc) if str(exc) and col.enum is not None else _REASONS.get(col.kind, "取值不合法")
            errors.append({"row": row, "column": col.header, "reason": reason})
            failed.add(col.path)
            continue
        if col.path == "organisation_uscc":
            uscc = str(value).upper()
        elif "." in col.path:
            section, key = col.path.split(".")
            data[section][key] = value
        else:
            data[col.path] = value
    try:
        parsed = AssetCardCreate.model_validate(data)
    except ValidationError as exc:
        # report what the model finds too, except for cells already reported above
        headers = {c.path: c.header for c in COLUMNS}
        for e in exc.errors():
            path = ".".join(str(p) for p in e["loc"][:2])
            if path in failed:
                continue
            message = str(e.get("msg", "")).removeprefix("Value error, ")
            errors.append({"row": row, "column": headers.get(path, path or "整行"), "reason": message})
        return None
    if failed:
        return None
    return ParsedRow(row=row, data=parsed, organisation_uscc=uscc)


def _convert(col: Column, raw: Any) -> Any:
    if col.enum is None:
        return _CONVERT[col.kind](raw)
    member = col.enum.from_label(_text(raw))
    if member is None:
        allowed = "、".join(m.label_zh for m in col.enum)
        raise ValueError(f"取值“{_text(raw)}”不在可选范围内：{allowed}")
    return member.value


def import_cards(session: Session, actor: Actor, content: bytes) -> list[AssetCard]:
    """Bulk import of asset cards (all rows or none). Rows naming another organisation need the
    platform administrator, as any card written for another organisation does."""
    require(actor, "catalog.import")
    rows = parse(content)
    orgs: dict[str, int] = {}
    errors = []
    for r in rows:
        if r.organisation_uscc and r.organisation_uscc not in orgs:
            org_id = session.scalar(select(Organisation.id).where(Organisation.uscc == r.organisation_uscc))
            if org_id is None:
                errors.append(
                    {
                        "row": r.row,
                        "column": _BY_PATH["organisation_uscc"].header,
                        "reason": "该统一社会信用代码对应的单位不存在",
                    }
                )
                continue
            orgs[r.organisation_uscc] = org_id
    if errors:
        raise Invalid("导入失败：持有单位不存在，未写入任何数据", code="import_invalid", errors=errors)
    cards = []
    for r in rows:
        if r.organisation_uscc:
            r.data.organisation_id = orgs[r.organisation_uscc]
        cards.append(service.create_card(session, actor, r.data, action="import"))
    return cards


# --- export ----------------------------------------------------------------------------------

_FIGURES: list[tuple[str, Callable[[AssetCard], Any]]] = [
    ("质量评分", lambda c: float(c.quality_score) if c.quality_score is not None else None),
    ("评估价值（元）", lambda c: float(c.value_amount) if c.value_amount is not None else None),
    ("入表状态", lambda c: AccountingStatus(c.accounting_status).label_zh),
    ("登记状态", lambda c: RegistrationStatus(c.registration_status).label_zh),
    ("版本", lambda c: c.version),
    ("更新时间", lambda c: c.updated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")),
]


def export_register(session: Session, actor: Actor) -> bytes:
    """The register (台账) of every card the actor may see, as .xlsx."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据资产台账")
    headers = ["资产编码", "持有单位"] + [c.header for c in COLUMNS if c.path != "organisation_uscc"]
    ws.append(headers + [h for h, _ in _FIGURES])
    for card in session.scalars(queries.readable_cards(session, actor)).yield_per(500):
        row: list[Any] = [card.code, card.organisation.name]
        for col in COLUMNS:
            if col.path == "organisation_uscc":
                continue
            value = getattr(card, col.path.split(".")[-1])
            if col.enum is not None:
                value = col.enum(value).label_zh
            elif col.kind == "list":
                value = "；".join(value or [])
            elif col.kind == "bool":
                value = "是" if value else "否"
            row.append(value)
        row.extend(fn(card) for _, fn in _FIGURES)
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    return _save(wb)
