"""Catalog: asset cards, search, history, statistics, Excel import and the register export."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from dataasset.api.deps import CurrentActor, DbSession, Id, OptionalId, Pagination
from dataasset.catalog import excel, queries, service
from dataasset.catalog.enums import Industry, RegistrationStatus, SecurityGrade, Stage
from dataasset.catalog.schemas import (
    AssetCardCreate,
    AssetCardHistoryEntry,
    AssetCardPage,
    AssetCardRead,
    AssetCardUpdate,
    CatalogStats,
    ImportResult,
)
from dataasset.core.db import SHANGHAI, utcnow
from dataasset.core.errors import Invalid, TooLarge

router = APIRouter(prefix="/api/catalog", tags=["catalog"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/assets")
def list_assets(
    actor: CurrentActor,
    session: DbSession,
    paging: Pagination,
    q: Annotated[str | None, Query(max_length=100, description="中文全文检索")] = None,
    organisation_id: OptionalId = None,
    industry: Industry | None = None,
    security_grade: SecurityGrade | None = None,
    stage: Stage | None = None,
    registration_status: RegistrationStatus | None = None,
) -> AssetCardPage:
    return queries.list_cards(
        session,
        actor,
        q=q,
        organisation_id=organisation_id,
        industry=industry,
        security_grade=security_grade,
        stage=stage,
        registration_status=registration_status,
        page=paging[0],
        page_size=paging[1],
    )


@router.get("/assets/{card_id}")
def get_asset(card_id: Id, actor: CurrentActor, session: DbSession) -> AssetCardRead:
    return queries.to_read(queries.get_card(session, actor, card_id))


@router.post("/assets", status_code=201)
def create_asset(body: AssetCardCreate, actor: CurrentActor, session: DbSession) -> AssetCardRead:
    return queries.to_read(service.create_card(session, actor, body))


@router.patch("/assets/{card_id}")
def update_asset(
    card_id: Id, body: AssetCardUpdate, actor: CurrentActor, session: DbSession
) -> AssetCardRead:
    return queries.to_read(service.update_card(session, actor, card_id, body))


@router.get("/assets/{card_id}/history")
def list_asset_history(card_id: Id, actor: CurrentActor, session: DbSession) -> list[AssetCardHistoryEntry]:
    return queries.history(session, actor, card_id)


@router.get("/stats")
def get_catalog_stats(actor: CurrentActor, session: DbSession) -> CatalogStats:
    return queries.stats(session, actor)


def _download(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get("/import/template", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def get_import_template(actor: CurrentActor) -> Response:
    return _download(excel.template(), "数据资产卡片导入模板.xlsx")


@router.post("/import")
def import_assets(
    request: Request, file: UploadFile, actor: CurrentActor, session: DbSession
) -> ImportResult:
    """Bulk import from .xlsx: all rows or none, with row-level errors in Chinese."""
    limit = request.app.state.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"文件过大：最大 {limit // (1024 * 1024)} MB", code="file_too_large")
    if not content:
        raise Invalid("上传的文件为空", code="file_empty")
    cards = excel.import_cards(session, actor, content)
    return ImportResult(created=len(cards), codes=[c.code for c in cards])


@router.get("/export", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_register(actor: CurrentActor, session: DbSession) -> Response:
    stamp = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d")
    return _download(excel.export_register(session, actor), f"数据资产台账_{stamp}.xlsx")
