"""Discovery (盘点/清查): data sources, scans with progress, results per table and column, grade
overrides. Passwords never leave the server; sensitive values in profiles are masked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.api.deps import CurrentActor, DbSession, Id
from dataasset.catalog.enums import Industry
from dataasset.catalog.models import AssetCard
from dataasset.discovery import detectors, service
from dataasset.discovery.models import DataSource, Scan, ScanColumn, ScanTable
from dataasset.discovery.schemas import (
    ConnectionTest,
    DataSourceCreate,
    DataSourceRead,
    DataSourceUpdate,
    GradeOverride,
    OrganisationRef,
    ScanBrief,
    ScanColumnRead,
    ScanRead,
    ScanRequest,
    ScanTableBrief,
    ScanTableRead,
    Schedule,
    Template,
)

router = APIRouter(prefix="/api/discovery", tags=["discovery"])


def _scan_brief(scan: Scan) -> ScanBrief:
    return ScanBrief(
        id=scan.id,
        source_id=scan.source_id,
        source_name=scan.source.name,
        status=scan.status,
        trigger=scan.trigger,
        template=scan.template,
        tables_total=scan.tables_total,
        tables_done=scan.tables_done,
        current_table=scan.current_table,
        rows_total=scan.rows_total,
        rows_scanned=scan.rows_scanned,
        error_code=scan.error_code,
        error_message=scan.error_message,
        summary=scan.summary or {},
        created_at=scan.created_at,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
    )


def _source_read(session: Session, source: DataSource) -> DataSourceRead:
    last = session.get(Scan, source.last_scan_id) if source.last_scan_id else None
    return DataSourceRead(
        id=source.id,
        organisation=OrganisationRef(id=source.organisation.id, name=source.organisation.name),
        name=source.name,
        kind=source.kind,
        location=source.location,
        file_size=source.file_size,
        industry=Industry(source.industry),
        template=source.template,
        sample_rows=source.sample_rows,
        tables=source.tables or [],
        schedule=source.schedule,
        next_scan_at=source.next_scan_at,
        description=source.description,
        created_at=source.created_at,
        updated_at=source.updated_at,
        last_scan=_scan_brief(last) if last is not None else None,
    )


def _table_brief(session: Session, table: ScanTable) -> ScanTableBrief:
    code = (
        session.scalar(select(AssetCard.code).where(AssetCard.id == table.card_id)) if table.card_id else None
    )
    grade, level = service._table_grade(table)
    sensitive = sum(1 for c in table.columns if c.sensitive_type)
    return ScanTableBrief(
        id=table.id,
        name=table.name,
        rows=table.rows,
        bytes=table.bytes,
        sampled=table.sampled,
        duplicate_rows=table.duplicate_rows,
        candidate_keys=table.candidate_keys or [],
        grade=grade,
        level=level,
        level_label=table.level_label,
        rule=table.rule,
        reason=table.reason,
        drift=table.drift or [],
        warnings=table.warnings or [],
        card_id=table.card_id,
        card_code=code,
        sensitive_columns=sensitive,
        columns_total=len(table.columns),
    )


def _column_read(column: ScanColumn) -> ScanColumnRead:
    grade, level = service._effective(column)
    return ScanColumnRead(
        id=column.id,
        position=column.position,
        name=column.name,
        type=column.type,
        source_type=column.source_type,
        nulls=column.nulls,
        distinct=column.distinct,
        sensitive_type=column.sensitive_type,
        sensitive_label=detectors.label(column.sensitive_type),
        confidence=column.confidence,
        explanation=column.explanation,
        grade=grade,
        level=level,
        level_label=column.level_label if column.override_grade is None else "人工认定",
        rule=column.rule if column.override_grade is None else "manual",
        reason=column.reason if column.override_grade is None else column.override_reason,
        detected_grade=column.grade,
        detected_level=column.level,
        overridden=column.override_grade is not None,
        override_reason=column.override_reason,
        profile=column.profile or {},
    )


def _table_read(session: Session, table: ScanTable) -> ScanTableRead:
    brief = _table_brief(session, table)
    return ScanTableRead(
        **brief.model_dump(),
        scan_id=table.scan_id,
        source_id=table.source_id,
        columns=[_column_read(c) for c in table.columns],
    )


@router.get("/sources")
def list_data_sources(actor: CurrentActor, session: DbSession) -> list[DataSourceRead]:
    """数据源列表（本单位及可见范围）。"""
    return [_source_read(session, s) for s in service.list_sources(session, actor)]


@router.post("/sources", status_code=201)
def create_data_source(
    body: DataSourceCreate, request: Request, actor: CurrentActor, session: DbSession
) -> DataSourceRead:
    """添加数据库数据源（PostgreSQL、MySQL）；密码加密保存，不再返回。"""
    source = service.create_source(session, actor, body, request.app.state.settings)
    return _source_read(session, source)


@router.post("/uploads", status_code=201)
def upload_data_source(
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    file: UploadFile,
    name: Annotated[str, Form(min_length=2, max_length=200, description="数据源名称")],
    industry: Annotated[Industry, Form(description="行业分类")],
    template: Annotated[Template, Form(description="分类分级模板")] = "general",
    schedule: Annotated[Schedule, Form(description="定期清查")] = "none",
    sample_rows: Annotated[int | None, Form(ge=1, le=10**9, description="每表最多读取行数")] = None,
) -> DataSourceRead:
    """上传数据文件（CSV（UTF-8/GBK）、Excel .xlsx、Parquet、JSON Lines、SQLite）作为数据源。"""
    source = service.upload_source(
        session,
        actor,
        request.app.state.settings,
        name=name,
        filename=file.filename or "data",
        content=file.file,
        industry=industry.value,
        template=template,
        sample_rows=sample_rows,
        schedule=schedule,
    )
    return _source_read(session, source)


@router.get("/sources/{source_id}")
def get_data_source(source_id: Id, actor: CurrentActor, session: DbSession) -> DataSourceRead:
    return _source_read(session, service.get_source(session, actor, source_id))


@router.patch("/sources/{source_id}")
def update_data_source(
    source_id: Id, body: DataSourceUpdate, request: Request, actor: CurrentActor, session: DbSession
) -> DataSourceRead:
    source = service.update_source(session, actor, source_id, body, request.app.state.settings)
    return _source_read(session, source)


@router.delete("/sources/{source_id}", status_code=204)
def delete_data_source(source_id: Id, actor: CurrentActor, session: DbSession) -> None:
    service.delete_source(session, actor, source_id)


@router.post("/sources/{source_id}/test")
def check_data_source(
    source_id: Id, request: Request, actor: CurrentActor, session: DbSession
) -> ConnectionTest:
    """测试连接：能否连上、有哪些表。"""
    ok, tables, code, message = service.check_source(session, actor, source_id, request.app.state.settings)
    return ConnectionTest(ok=ok, tables=tables, code=code, message=message)


@router.post("/sources/{source_id}/scans", status_code=202)
def start_scan(
    source_id: Id, actor: CurrentActor, session: DbSession, body: ScanRequest | None = None
) -> ScanBrief:
    """立即扫描：在后台运行，进度见扫描记录。"""
    scan = service.request_scan(session, actor, source_id, body)
    return _scan_brief(scan)


@router.get("/scans")
def list_scans(
    actor: CurrentActor,
    session: DbSession,
    source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ScanBrief]:
    return [_scan_brief(s) for s in service.list_scans(session, actor, source_id)]


@router.get("/scans/{scan_id}")
def get_scan(scan_id: Id, actor: CurrentActor, session: DbSession) -> ScanRead:
    """扫描进度与结果（每表的行数、分级、敏感列数、变化）。"""
    scan = service.get_scan(session, actor, scan_id)
    brief = _scan_brief(scan)
    tables = [_table_brief(session, t) for t in service.scan_tables(session, scan)]
    return ScanRead(**brief.model_dump(), tables=tables)


@router.post("/scans/{scan_id}/cancel")
def cancel_scan(scan_id: Id, actor: CurrentActor, session: DbSession) -> ScanBrief:
    return _scan_brief(service.cancel_scan(session, actor, scan_id))


@router.get("/tables/{table_id}")
def get_scan_table(table_id: Id, actor: CurrentActor, session: DbSession) -> ScanTableRead:
    """一张表的扫描结果：每列的画像、检测结论及依据、分级。"""
    return _table_read(session, service.get_scan_table(session, actor, table_id))


@router.get("/cards/{card_id}")
def get_card_discovery(card_id: Id, actor: CurrentActor, session: DbSession) -> ScanTableRead | None:
    """资产卡片背后的表最近一次清查的结果（非清查产生的卡片为 null）。"""
    table = service.latest_table_for_card(session, actor, card_id)
    return _table_read(session, table) if table is not None else None


@router.post("/columns/{column_id}/override")
def override_column_grade(
    column_id: Id, body: GradeOverride, actor: CurrentActor, session: DbSession
) -> ScanColumnRead:
    """人工调整列的分级（须填写理由，留痕存证）。"""
    column = service.override_column(session, actor, column_id, body)
    return _column_read(column)
