"""External data sharing (对外提供数据服务) on an asset card: request it, see the grants."""

from __future__ import annotations

from fastapi import APIRouter

from dataasset.api.deps import CurrentActor, DbSession, Id
from dataasset.catalog import sharing
from dataasset.catalog.schemas import SharingGrantRead, SharingRequestCreate
from dataasset.core.workflow import queries
from dataasset.core.workflow.schemas import WorkflowInstanceRead

router = APIRouter(prefix="/api/catalog/assets/{card_id}", tags=["catalog"])


@router.get("/sharing")
def list_asset_sharing_grants(card_id: Id, actor: CurrentActor, session: DbSession) -> list[SharingGrantRead]:
    """The card's sharing grants (使用信息)."""
    return sharing.list_grants(session, actor, card_id)


@router.post("/sharing-requests", status_code=201)
def request_asset_sharing(
    card_id: Id, body: SharingRequestCreate, actor: CurrentActor, session: DbSession
) -> WorkflowInstanceRead:
    """申请共享: starts the holder's approval (数据管理员审核 → 首席数据官审批)."""
    instance = sharing.request_sharing(session, actor, card_id, body)
    return queries.to_read(session, actor, instance)
