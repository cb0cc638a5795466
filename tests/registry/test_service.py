"""Rights on both backends: declaring, granting within what one holds (never more), revoking with
every sub-grant, a merger moving every right and open dispute in one act, and disputes; each change
evidence that `evidence verify` checks against the rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dataasset.catalog.models import AssetCard
from dataasset.core import evidence_audit
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound
from dataasset.core.models import EvidenceEntry, Organisation
from dataasset.registry import service
from dataasset.registry.models import RightRecord
from dataasset.registry.schemas import (
    DisputeCreate,
    DisputeResolve,
    GrantCreate,
    RightDeclare,
    TransferCreate,
)


def _org(db: Session, name: str) -> int:
    org_id = db.scalar(select(Organisation.id).where(Organisation.name.like(f"{name}%")))
    assert org_id is not None, name
    return int(org_id)


def _card(db: Session, org_id: int) -> AssetCard:
    card = db.scalars(
        select(AssetCard).where(AssetCard.organisation_id == org_id).order_by(AssetCard.id)
    ).first()
    assert card is not None
    return card


def _declare(db: Session, who: Any, card_id: int, right: str = "processing") -> RightRecord:
    data = RightDeclare(
        card_id=card_id, right=right, acquisition="original", legal_basis="自行采集的营业数据"
    )
    return service.declare(db, who, data)


def test_declare_and_grant_within_the_holding(db: Session, actor: Any) -> None:
    xn, xy = _org(db, "湖南湘能"), _org(db, "湖南湘运")
    card = _card(db, xn)
    admin = actor("xn_admin")
    held = _declare(db, admin, card.id)
    assert held.exclusive and held.may_sublicense and held.fields is None
    with pytest.raises(Conflict):
        _declare(db, admin, card.id)
    with pytest.raises(NotFound):
        _declare(db, actor("xy_admin"), card.id)  # another organisation's card
    scope = GrantCreate(
        grantee_organisation_id=xy, purpose="线路规划", fields=["用电量"], end=date(2027, 12, 31)
    )
    first = service.grant(db, admin, held.id, scope)
    assert first.parent_id == held.id and first.organisation_id == xy and not first.may_sublicense
    # the grantee cannot grant onward: its grant does not allow sub-granting
    zz = _org(db, "株洲水务")
    with pytest.raises(Invalid) as caught:
        service.grant(
            db, actor("xy_admin"), first.id, GrantCreate(grantee_organisation_id=zz, purpose="转授权")
        )
    assert caught.value.code == "grant_exceeds"
    assert "无再授权的权利" in caught.value.message and "字段超出" in caught.value.message
    # an exclusive grant overlapping the first is refused; a disjoint one is not
    with pytest.raises(Invalid) as caught:
        service.grant(
            db, admin, held.id,
            GrantCreate(grantee_organisation_id=zz, purpose="独占", fields=["用电量"], exclusive=True),
        )  # fmt: skip
    assert "不能再给予独占授权" in caught.value.message
    other = service.grant(
        db, admin, held.id,
        GrantCreate(grantee_organisation_id=zz, purpose="独占", fields=["住址"], exclusive=True),
    )  # fmt: skip
    assert other.exclusive
    # the grantee sees what it received; the holder sees every right over its card
    assert service.get_right(db, actor("xy_admin"), first.id).id == first.id
    assert {r.id for r in service.rights_of_card(db, admin, card.id)} == {held.id, first.id, other.id}


def test_revoking_a_grant_revokes_its_sub_grants(db: Session, actor: Any) -> None:
    xn, xy, zz = _org(db, "湖南湘能"), _org(db, "湖南湘运"), _org(db, "株洲水务")
    admin = actor("xn_admin")
    held = _declare(db, admin, _card(db, xn).id, "operating")
    grant = service.grant(
        db, admin, held.id, GrantCreate(grantee_organisation_id=xy, purpose="经营", may_sublicense=True)
    )
    sub = service.grant(
        db, actor("xy_admin"), grant.id, GrantCreate(grantee_organisation_id=zz, purpose="转授")
    )
    with pytest.raises(Forbidden):
        service.revoke(db, actor("xy_admin"), grant.id, "越权撤销")  # only the grantor revokes its grant
    service.revoke(db, admin, grant.id, "合同终止")
    db.refresh(sub)
    assert (grant.status, sub.status) == ("revoked", "revoked")


def test_a_merger_moves_every_right_and_open_dispute_in_one_act(db: Session, actor: Any) -> None:
    xn, xy = _org(db, "湖南湘能"), _org(db, "湖南湘运")
    admin = actor("xn_admin")
    cards = db.scalars(select(AssetCard).where(AssetCard.organisation_id == xn).order_by(AssetCard.id)).all()[
        :3
    ]
    held = [_declare(db, admin, c.id, "holding") for c in cards]
    card = cards[0]
    card.is_public = True
    db.flush()
    dispute = service.open_dispute(
        db,
        actor("xy_admin"),
        DisputeCreate(card_id=card.id, right_id=held[0].id, claims="该数据系双方共同采集"),
    )
    assert [d.id for d in service.open_disputes(db, card.id)] == [dispute.id]
    with pytest.raises(Forbidden):
        service.transfer_all(
            db,
            admin,
            TransferCreate(from_organisation_id=xn, to_organisation_id=xy, reason="merger", basis="x号文"),
        )
    zz = _org(db, "株洲水务")
    act = service.transfer_all(
        db,
        actor("admin"),
        TransferCreate(
            from_organisation_id=xn, to_organisation_id=zz, reason="merger", basis="湘国资〔2026〕1号"
        ),
    )
    assert set(act.rights) >= {r.id for r in held} and act.disputes == [dispute.id]
    for r in held:
        db.refresh(r)
        assert r.organisation_id == zz
    db.refresh(dispute)
    assert dispute.respondent_organisation_id == zz
    moved = db.scalars(
        select(EvidenceEntry.subject_id).where(EvidenceEntry.action == "registry.right.transfer")
    ).all()
    assert {str(r.id) for r in held} <= set(moved)
    resolved = service.resolve_dispute(
        db, actor("admin"), dispute.id, DisputeResolve(outcome="调解：双方共有", upheld=True)
    )
    assert resolved.status == "upheld" and service.open_disputes(db, card.id) == []
    with pytest.raises(Conflict):
        service.resolve_dispute(db, actor("admin"), dispute.id, DisputeResolve(outcome="再次", upheld=False))


def test_evidence_verify_finds_a_right_changed_behind_the_service(db: Session, actor: Any) -> None:
    xn, xy = _org(db, "湖南湘能"), _org(db, "湖南湘运")
    admin = actor("xn_admin")
    held = _declare(db, admin, _card(db, xn).id, "holding")
    grant = service.grant(
        db, admin, held.id, GrantCreate(grantee_organisation_id=xy, purpose="研究", fields=["a"])
    )
    db.flush()
    report = evidence_audit.verify_database(db)
    assert not [p for p in report.problems if "registry_right" in p.reason], report.problems[:3]
    db.execute(update(RightRecord).where(RightRecord.id == grant.id).values(fields=None))  # widened by hand
    db.expire_all()
    report = evidence_audit.verify_database(db)
    assert any(f"registry_right {grant.id} 的当前数据" in p.reason for p in report.problems)
