"""External data sharing (对外提供数据服务), 湖南省加强数据资产管理工作方案 第3条: a user of another
organisation asks to use the data of an asset card it can see; the holder's 数据管理员 and then its
首席数据官 approve (the ``sharing`` workflow); on approval the catalog records a sharing grant on the
card's 使用信息 and a new version in its history.

The catalog plugs the ``sharing`` kind into the core workflow registry when this module is imported
(``dataasset.catalog`` imports it), so the core never imports the catalog.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, String, cast, exists, or_, select
from sqlalchemy.orm import Session

from dataasset.catalog import queries, service
from dataasset.catalog.enums import SharingType
from dataasset.catalog.models import AssetCard, SharingGrant
from dataasset.catalog.schemas import SharingGrantRead, SharingRequestCreate, SharingTerms
from dataasset.core import evidence, evidence_read
from dataasset.core.db import utcnow
from dataasset.core.errors import Conflict, Invalid
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor, may_read_org, readable_condition, require
from dataasset.core.schemas import OrganisationRef
from dataasset.core.workflow import engine, steps
from dataasset.core.workflow.kinds import WorkflowKind, register_kind
from dataasset.core.workflow.models import Status, WorkflowInstance

KIND = "sharing"
SUBJECT = "asset_card"


def request_sharing(
    session: Session, actor: Actor, card_id: int, data: SharingRequestCreate, *, today: date | None = None
) -> WorkflowInstance:
    """Ask to use a card's data (申请共享). The card must be one the actor sees (public, or of a
    subsidiary that shares with its group) and of another organisation, not marked 不予共享, and the
    organisation may have only one open request per card."""
    require(actor, "sharing.request")
    card = queries.get_card(session, actor, card_id)
    if actor.organisation_id is None or card.organisation_id == actor.organisation_id:
        raise Invalid("本单位的数据资产无需申请共享", code="own_asset_card")
    if card.sharing_type == SharingType.NONE.value:
        raise Invalid("该数据资产的共享类型为不予共享，不能申请", code="sharing_not_allowed")
    pending = session.scalar(
        select(
            exists().where(
                WorkflowInstance.kind == KIND,
                WorkflowInstance.subject_type == SUBJECT,
                WorkflowInstance.subject_id == str(card.id),
                WorkflowInstance.applicant_organisation_id == actor.organisation_id,
                WorkflowInstance.status.in_([Status.IN_PROGRESS.value, Status.RETURNED.value]),
            )
        )
    )
    if pending:
        raise Conflict("本单位对该数据资产已有进行中的共享申请", code="sharing_request_pending")
    terms = SharingTerms.model_validate(data.model_dump(include=set(SharingTerms.model_fields)))
    return engine.start(
        session,
        actor,
        kind=KIND,
        subject_type=SUBJECT,
        subject_id=card.id,
        title=f"申请共享：{card.name}（{card.code}）",
        holder_organisation_id=card.organisation_id,
        payload=terms.model_dump(mode="json"),
        comment=data.comment,
        attachments=data.attachments,
        today=today,
    )


def list_grants(
    session: Session, actor: Actor, card_id: int, *, today: date | None = None
) -> list[SharingGrantRead]:
    """The card's sharing grants: all of them for those who read the holder's records, otherwise
    only the grants to the actor's own organisation (a recipient's purpose is not public)."""
    card = queries.get_card(session, actor, card_id)
    stmt = select(SharingGrant).where(SharingGrant.card_id == card.id)
    if not may_read_org(actor, card.organisation_id, card.organisation.region_code):
        stmt = stmt.where(SharingGrant.recipient_organisation_id == actor.organisation_id)
    today = today or steps.shanghai_today()
    return [
        SharingGrantRead(
            id=g.id,
            card_id=g.card_id,
            recipient=OrganisationRef(id=g.recipient.id, name=g.recipient.name),
            purpose=g.purpose,
            fields=list(g.fields or []),
            scope=g.scope,
            term_start=g.term_start,
            term_end=g.term_end,
            workflow_instance_id=g.workflow_instance_id,
            granted_at=g.granted_at,
            state="not_started" if today < g.term_start else "expired" if today > g.term_end else "active",
        )
        for g in session.scalars(stmt.order_by(SharingGrant.granted_at.desc(), SharingGrant.id.desc()))
    ]


def on_complete(session: Session, actor: Actor, instance: WorkflowInstance, status: Status) -> None:
    """Completion hook of the ``sharing`` kind: an approved request becomes a grant on the card's
    使用信息 and a new card version; a rejected or withdrawn one changes nothing in the catalog."""
    if status != Status.APPROVED:
        return
    card = session.get(AssetCard, int(instance.subject_id))
    if card is None:
        raise Invalid("申请共享的数据资产已不存在", code="asset_card_not_found")
    terms = SharingTerms.model_validate(instance.payload)
    grant = SharingGrant(
        card_id=card.id,
        recipient_organisation_id=instance.applicant_organisation_id,
        purpose=terms.purpose,
        scope=terms.scope,
        fields=terms.fields,
        term_start=terms.term_start,
        term_end=terms.term_end,
        workflow_instance_id=instance.id,
        granted_at=utcnow(),
        granted_by_user_id=actor.user_id,
    )
    session.add(grant)
    session.flush()
    recipient = instance.applicant.name
    line = f"{recipient}：{terms.purpose}（{terms.term_start} 至 {terms.term_end}）"
    service.record_event(
        session, actor, card, "sharing", [{"field": "usage.sharing_grants", "old": None, "new": line}]
    )
    evidence.record(
        session,
        actor,
        "sharing_grant.create",
        "sharing_grant",
        grant.id,
        {
            "card": card.code,
            "recipient_organisation_id": grant.recipient_organisation_id,
            "workflow_instance_id": instance.id,
            **terms.model_dump(mode="json"),
        },
    )


def grant_evidence(actor: Actor) -> ColumnElement[bool]:
    """Evidence of a grant: for those who read the holder's records and for the recipient."""
    holder_side = readable_condition(actor, AssetCard.organisation_id)
    ids = (
        select(cast(SharingGrant.id, String))
        .join(AssetCard, AssetCard.id == SharingGrant.card_id)
        .where(or_(holder_side, SharingGrant.recipient_organisation_id == actor.organisation_id))
    )
    return EvidenceEntry.subject_id.in_(ids)


register_kind(WorkflowKind(KIND, payload=SharingTerms, on_complete=on_complete))
evidence_read.register_reader("sharing_grant", grant_evidence)
