"""Rights (确权): declare a right over one's asset card, grant within it (授权), revoke, move every
right of an organisation in one act (合并、分立、解散、破产), and disputes (争议)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from dataasset.api.deps import CurrentActor, DbSession, Id
from dataasset.core.permissions import readable_condition, require
from dataasset.core.schemas import Input
from dataasset.registry import rights, service
from dataasset.registry.models import Dispute, RightRecord
from dataasset.registry.schemas import (
    DisputeCreate,
    DisputeResolve,
    GrantCreate,
    RightDeclare,
    TransferCreate,
)

router = APIRouter(prefix="/api/registry", tags=["registry"])


class RightRead(BaseModel):
    id: int
    organisation_id: int
    card_id: int
    right: str
    right_label: str
    acquisition: str
    acquisition_label: str
    legal_basis: str
    purpose: str
    fields: list[str] | None
    purposes: list[str] | None
    territory: list[str] | None
    start: date | None
    end: date | None
    exclusive: bool
    may_sublicense: bool
    parent_id: int | None
    status: str
    created_at: datetime


class DisputeRead(BaseModel):
    id: int
    claimant_organisation_id: int
    respondent_organisation_id: int
    card_id: int
    right_id: int | None
    claims: str
    status: str
    outcome: str
    created_at: datetime
    closed_at: datetime | None


class TransferRead(BaseModel):
    id: int
    from_organisation_id: int
    to_organisation_id: int
    reason: str
    rights: list[int]
    disputes: list[int]
    created_at: datetime


class Revoke(Input):
    reason: str = Field(min_length=2, max_length=2000, description="撤销理由")


def right_read(r: RightRecord) -> RightRead:
    return RightRead(
        id=r.id,
        organisation_id=r.organisation_id,
        card_id=r.card_id,
        right=r.right,
        right_label=rights.Right(r.right).label_zh,
        acquisition=r.acquisition,
        acquisition_label=rights.Acquisition(r.acquisition).label_zh,
        legal_basis=r.legal_basis,
        purpose=r.purpose,
        fields=r.fields,
        purposes=r.purposes,
        territory=r.territory,
        start=r.start,
        end=r.end,
        exclusive=r.exclusive,
        may_sublicense=r.may_sublicense,
        parent_id=r.parent_id,
        status=r.status,
        created_at=r.created_at,
    )


def dispute_read(d: Dispute) -> DisputeRead:
    return DisputeRead.model_validate(d, from_attributes=True)


@router.get("/cards/{card_id}/rights")
def card_rights(card_id: Id, actor: CurrentActor, session: DbSession) -> list[RightRead]:
    """资产上的各项权利及其授权（持有单位可见全部；被授权单位可见其所获授权）。"""
    return [right_read(r) for r in service.rights_of_card(session, actor, card_id)]


@router.post("/rights", status_code=201)
def declare_right(body: RightDeclare, actor: CurrentActor, session: DbSession) -> RightRead:
    """申报本单位资产上的一项权利（持有权、加工使用权、经营权）。"""
    return right_read(service.declare(session, actor, body))


@router.get("/rights/{right_id}")
def get_right(right_id: Id, actor: CurrentActor, session: DbSession) -> RightRead:
    return right_read(service.get_right(session, actor, right_id))


@router.post("/rights/{right_id}/grants", status_code=201)
def grant_right(right_id: Id, body: GrantCreate, actor: CurrentActor, session: DbSession) -> RightRead:
    """在所持权利范围内授权给其他单位；超出时 422 grant_exceeds，errors 列出每一项。"""
    return right_read(service.grant(session, actor, right_id, body))


@router.post("/rights/{right_id}/revoke")
def revoke_right(right_id: Id, body: Revoke, actor: CurrentActor, session: DbSession) -> RightRead:
    """撤销（授权方撤销其授权，连同由此再授权的各项）。"""
    return right_read(service.revoke(session, actor, right_id, body.reason))


@router.post("/transfers", status_code=201)
def transfer_rights(body: TransferCreate, actor: CurrentActor, session: DbSession) -> TransferRead:
    """单位合并、分立、解散或破产时，一次转移其全部权利与未结争议（平台管理员）。"""
    return TransferRead.model_validate(service.transfer_all(session, actor, body), from_attributes=True)


@router.get("/disputes")
def list_disputes(actor: CurrentActor, session: DbSession) -> list[DisputeRead]:
    """本单位作为申请方或被申请方的争议（监管部门为辖区内，管理员为全部）。"""
    require(actor, "registry.read")
    found = session.scalars(
        select(Dispute)
        .where(
            or_(
                readable_condition(actor, Dispute.claimant_organisation_id),
                readable_condition(actor, Dispute.respondent_organisation_id),
            )
        )
        .order_by(Dispute.id.desc())
        .limit(500)
    )
    return [dispute_read(d) for d in found]


@router.post("/disputes", status_code=201)
def open_dispute(body: DisputeCreate, actor: CurrentActor, session: DbSession) -> DisputeRead:
    """对他单位资产上的权利提出争议；争议未结期间该资产不能登记。"""
    return dispute_read(service.open_dispute(session, actor, body))


@router.post("/disputes/{dispute_id}/resolve")
def resolve_dispute(
    dispute_id: Id, body: DisputeResolve, actor: CurrentActor, session: DbSession
) -> DisputeRead:
    """记录调解或仲裁结果（平台管理员）。"""
    return dispute_read(service.resolve_dispute(session, actor, dispute_id, body))
