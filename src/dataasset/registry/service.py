"""Use cases of rights (确权): declaring a right, granting within it (授权), revoking grants,
moving every right of an organisation in one act (合并、分立、解散、破产), and disputes (争议).
Every change is evidence with the record's state."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataasset.catalog.queries import get_card
from dataasset.core import evidence
from dataasset.core.db import utcnow
from dataasset.core.errors import Conflict, Invalid, NotFound
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, readable_condition, require, require_write
from dataasset.registry import evidence_hooks, rights
from dataasset.registry.models import Dispute, RightRecord, RightsTransfer
from dataasset.registry.schemas import (
    DisputeCreate,
    DisputeResolve,
    GrantCreate,
    RightDeclare,
    TransferCreate,
)

OPEN_DISPUTE = ("open", "mediation", "arbitration")


def scope_of(record: RightRecord) -> rights.Scope:
    def frozen(values: list[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(values)

    return rights.Scope(
        rights.Right(record.right),
        fields=frozen(record.fields),
        purposes=frozen(record.purposes),
        start=record.start,
        end=record.end,
        territory=frozen(record.territory),
        exclusive=record.exclusive,
        may_sublicense=record.may_sublicense,
    )


def right_state(record: RightRecord) -> dict[str, Any]:
    return {
        "organisation": record.organisation_id,
        "card": record.card_id,
        "right": record.right,
        "acquisition": record.acquisition,
        "legal_basis": record.legal_basis,
        "purpose": record.purpose,
        "fields": record.fields,
        "purposes": record.purposes,
        "territory": record.territory,
        "start": None if record.start is None else record.start.isoformat(),
        "end": None if record.end is None else record.end.isoformat(),
        "exclusive": record.exclusive,
        "may_sublicense": record.may_sublicense,
        "parent": record.parent_id,
        "status": record.status,
        "files": record.files,
    }


def dispute_state(d: Dispute) -> dict[str, Any]:
    return {
        "claimant": d.claimant_organisation_id,
        "respondent": d.respondent_organisation_id,
        "card": d.card_id,
        "right": d.right_id,
        "claims": d.claims,
        "files": d.files,
        "status": d.status,
        "outcome": d.outcome,
    }


def _sorted(values: list[str] | None) -> list[str] | None:
    return None if values is None else sorted({v.strip() for v in values if v.strip()})


def declare(session: Session, actor: Actor, data: RightDeclare) -> RightRecord:
    """The holder of a card declares a right it holds over the card's data (确权申报)."""
    card = get_card(session, actor, data.card_id)
    require_write(actor, "registry.manage", card.organisation_id)
    if data.acquisition == "grant":
        raise Invalid("经授权取得的权利由授权方通过“授权”登记，不能自行申报", code="grant_by_grantor")
    existing = session.scalar(
        select(func.count()).where(
            RightRecord.card_id == card.id,
            RightRecord.organisation_id == card.organisation_id,
            RightRecord.right == data.right,
            RightRecord.parent_id.is_(None),
            RightRecord.status == "active",
        )
    )
    if existing:
        label = rights.Right(data.right).label_zh
        raise Conflict(f"本单位已申报该资产的{label}", code="right_exists")
    full = data.acquisition == "original"
    record = RightRecord(
        organisation_id=card.organisation_id,
        card_id=card.id,
        right=data.right,
        acquisition=data.acquisition,
        legal_basis=data.legal_basis,
        fields=None if full else _sorted(data.fields),
        purposes=None if full else _sorted(data.purposes),
        territory=None if full else _sorted(data.territory),
        start=None if full else data.start,
        end=None if full else data.end,
        exclusive=True if full else data.exclusive,
        may_sublicense=True if full else data.may_sublicense,
        files=list(data.files),
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    if record.start is not None and record.end is not None and record.end < record.start:
        raise Invalid("截止日早于起始日", code="bad_term")
    session.add(record)
    session.flush()
    evidence.record_state(
        session, actor, "registry.right.declare", "registry_right", record.id, right_state(record)
    )
    return record


def get_right(session: Session, actor: Actor, right_id: int) -> RightRecord:
    require(actor, "registry.read")
    record = session.scalars(
        select(RightRecord).where(
            RightRecord.id == right_id, readable_condition(actor, RightRecord.organisation_id)
        )
    ).first()
    if record is None:
        # the grantor sees the grants it gave, the grantee the right it received
        record = session.get(RightRecord, right_id)
        parent = (
            session.get(RightRecord, record.parent_id) if record is not None and record.parent_id else None
        )
        if record is None or parent is None or parent.organisation_id not in actor.readable_org_ids:
            raise NotFound("权利记录不存在或无权查看", code="right_not_found")
    return record


def rights_of_card(session: Session, actor: Actor, card_id: int) -> list[RightRecord]:
    """Every right over the card: the holder's, and the grants of them (the holder sees all of them;
    a grantee sees what it received)."""
    require(actor, "registry.read")
    card = get_card(session, actor, card_id)
    stmt = select(RightRecord).where(RightRecord.card_id == card.id)
    if not (actor.is_admin or actor.is_regulator or card.organisation_id in actor.readable_org_ids):
        stmt = stmt.where(readable_condition(actor, RightRecord.organisation_id))
    return list(session.scalars(stmt.order_by(RightRecord.id)))


def grant(session: Session, actor: Actor, right_id: int, data: GrantCreate) -> RightRecord:
    """Grant (授权) part of a right one holds to another organisation; never more than one holds."""
    parent = get_right(session, actor, right_id)
    require_write(actor, "registry.manage", parent.organisation_id)
    if parent.status != "active":
        raise Conflict("该权利已失效，不能授权", code="right_inactive")
    grantee = session.get(Organisation, data.grantee_organisation_id)
    if grantee is None:
        raise NotFound("被授权单位不存在", code="organisation_not_found")
    if grantee.id == parent.organisation_id:
        raise Invalid("不能授权给本单位", code="grant_to_self")
    wanted = rights.Scope(
        rights.Right(parent.right),
        fields=None if data.fields is None else frozenset(_sorted(data.fields) or []),
        purposes=None if data.purposes is None else frozenset(_sorted(data.purposes) or []),
        start=data.start,
        end=data.end,
        territory=None if data.territory is None else frozenset(_sorted(data.territory) or []),
        exclusive=data.exclusive,
        may_sublicense=data.may_sublicense,
    )
    others = [
        scope_of(r)
        for r in session.scalars(
            select(RightRecord).where(RightRecord.parent_id == parent.id, RightRecord.status == "active")
        )
    ]
    if parent.end is not None and parent.end < date.today():
        raise Conflict("授权方的权利已到期", code="right_expired")
    problems = rights.excess(scope_of(parent), wanted, others=others)
    if problems:
        raise Invalid(
            "授权超出授权方所持有的权利：" + "；".join(problems),
            code="grant_exceeds",
            errors=[{"message": p} for p in problems],
        )
    record = RightRecord(
        organisation_id=grantee.id,
        card_id=parent.card_id,
        right=parent.right,
        acquisition="grant",
        legal_basis=data.legal_basis,
        purpose=data.purpose,
        fields=_sorted(data.fields),
        purposes=_sorted(data.purposes),
        territory=_sorted(data.territory),
        start=data.start,
        end=data.end,
        exclusive=data.exclusive,
        may_sublicense=data.may_sublicense,
        parent_id=parent.id,
        files=[],
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(record)
    session.flush()
    evidence.record_state(
        session, actor, "registry.right.grant", "registry_right", record.id, right_state(record)
    )
    return record


def revoke(session: Session, actor: Actor, right_id: int, reason: str) -> RightRecord:
    """The grantor revokes a grant it gave (and with it every grant made from that grant)."""
    record = get_right(session, actor, right_id)
    parent = session.get(RightRecord, record.parent_id) if record.parent_id else None
    owner = parent.organisation_id if parent is not None else record.organisation_id
    require_write(actor, "registry.manage", owner)
    if record.status != "active":
        raise Conflict("该权利已失效", code="right_inactive")
    pending = [record]
    while pending:
        current = pending.pop()
        current.status = "revoked"
        current.updated_at = utcnow()
        session.flush()
        state = right_state(current) | {"reason": reason}
        evidence.record(
            session, actor, "registry.right.revoke", "registry_right", current.id,
            {"state": state, "state_sha256": evidence.state_digest(right_state(current))},
        )  # fmt: skip
        pending.extend(
            session.scalars(
                select(RightRecord).where(RightRecord.parent_id == current.id, RightRecord.status == "active")
            )
        )
    return record


def transfer_all(session: Session, actor: Actor, data: TransferCreate) -> RightsTransfer:
    """Move every active right and open dispute of an organisation to its successor, in one act
    (the caller's transaction): merger, split, dissolution or bankruptcy."""
    require(actor, "registry.transfer")
    source = session.get(Organisation, data.from_organisation_id)
    target = session.get(Organisation, data.to_organisation_id)
    if source is None or target is None:
        raise NotFound("单位不存在", code="organisation_not_found")
    if source.id == target.id:
        raise Invalid("转出与承继单位不能相同", code="transfer_to_self")
    moved = list(
        session.scalars(
            select(RightRecord)
            .where(RightRecord.organisation_id == source.id, RightRecord.status == "active")
            .order_by(RightRecord.id)
        )
    )
    disputes = list(
        session.scalars(
            select(Dispute).where(
                Dispute.status.in_(OPEN_DISPUTE),
                (Dispute.claimant_organisation_id == source.id)
                | (Dispute.respondent_organisation_id == source.id),
            )
        )
    )
    act = RightsTransfer(
        from_organisation_id=source.id,
        to_organisation_id=target.id,
        reason=data.reason,
        basis=data.basis,
        rights=[r.id for r in moved],
        disputes=[d.id for d in disputes],
        created_at=utcnow(),
    )
    session.add(act)
    for record in moved:
        record.organisation_id = target.id
        record.updated_at = utcnow()
    for d in disputes:
        if d.claimant_organisation_id == source.id:
            d.claimant_organisation_id = target.id
        if d.respondent_organisation_id == source.id:
            d.respondent_organisation_id = target.id
    session.flush()
    evidence.record_state(
        session,
        actor,
        f"registry.transfer.{data.reason}",
        "registry_transfer",
        act.id,
        evidence_hooks.transfer_state(act),
    )
    for record in moved:
        evidence.record_state(
            session, actor, "registry.right.transfer", "registry_right", record.id, right_state(record)
        )
    for d in disputes:
        evidence.record_state(
            session, actor, "registry.dispute.transfer", "registry_dispute", d.id, dispute_state(d)
        )
    return act


def open_dispute(session: Session, actor: Actor, data: DisputeCreate) -> Dispute:
    """Any organisation may dispute the rights over a card it can see (公开或可见的资产)."""
    require(actor, "registry.dispute")
    if actor.organisation_id is None:
        raise Invalid("请以单位用户提出争议", code="organisation_required")
    card = get_card(session, actor, data.card_id)
    if card.organisation_id == actor.organisation_id:
        raise Invalid("不能对本单位的资产提出争议", code="dispute_own")
    if data.right_id is not None:
        right = session.get(RightRecord, data.right_id)
        if right is None or right.card_id != card.id:
            raise NotFound("所争议的权利不属于该资产", code="right_not_found")
    dispute = Dispute(
        claimant_organisation_id=actor.organisation_id,
        respondent_organisation_id=card.organisation_id,
        card_id=card.id,
        right_id=data.right_id,
        claims=data.claims,
        files=list(data.files),
        status="open",
        created_at=utcnow(),
    )
    session.add(dispute)
    session.flush()
    evidence.record_state(
        session, actor, "registry.dispute.open", "registry_dispute", dispute.id, dispute_state(dispute)
    )
    return dispute


def resolve_dispute(session: Session, actor: Actor, dispute_id: int, data: DisputeResolve) -> Dispute:
    """Record the outcome of mediation or arbitration (by the platform's administrators)."""
    require(actor, "registry.arbitrate")
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("争议不存在", code="dispute_not_found")
    if dispute.status not in OPEN_DISPUTE:
        raise Conflict("争议已结案", code="dispute_closed")
    dispute.status = "upheld" if data.upheld else "dismissed"
    dispute.outcome = data.outcome
    dispute.closed_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "registry.dispute.resolve", "registry_dispute", dispute.id, dispute_state(dispute)
    )
    return dispute


def open_disputes(session: Session, card_id: int) -> list[Dispute]:
    """The disputes that block a new registration of the card (登记驳回理由：权属存在争议)."""
    return list(
        session.scalars(select(Dispute).where(Dispute.card_id == card_id, Dispute.status.in_(OPEN_DISPUTE)))
    )


evidence_hooks.register()
