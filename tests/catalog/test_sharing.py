"""External data sharing (湖南方案第3条): request, the holder's two approvals, the grant on the card's
使用信息 and its history; returns, withdrawals, rejections and the refusals, on both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.catalog import queries as catalog_queries
from dataasset.catalog import sharing
from dataasset.catalog.models import AssetCard, SharingGrant
from dataasset.catalog.schemas import SharingRequestCreate
from dataasset.core import evidence_read
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound
from dataasset.core.files import FileStore, upload
from dataasset.core.models import EvidenceEntry
from dataasset.core.workflow import engine, queries
from dataasset.core.workflow.models import ActionKind, WorkflowInstance
from dataasset.core.workflow.schemas import WorkflowActionCreate


def card_named(db: Session, name: str) -> AssetCard:
    card = db.scalar(select(AssetCard).where(AssetCard.name == name))
    assert card is not None, name
    return card


def terms(**extra: Any) -> SharingRequestCreate:
    return SharingRequestCreate.model_validate(
        {
            "purpose": "新能源发电量分析",
            "fields": ["电站编号", "发电量"],
            "scope": "仅限内部分析",
            "term_start": "2027-01-01",
            "term_end": "2027-12-31",
            **extra,
        }
    )


def act(db: Session, who: Any, instance: WorkflowInstance, action: str, **extra: Any) -> None:
    engine.act(db, who, instance.id, WorkflowActionCreate(action=ActionKind(action), **extra))


def test_the_whole_flow_ends_in_a_grant_on_the_card(db: Session, actor: Any, tmp_path: Path) -> None:
    merchant = actor("ss_merchant")
    card = card_named(db, "光伏发电站运行数据")  # a public card of 湘能
    letter = upload(db, merchant, FileStore.under(tmp_path, 10_000), "申请函.pdf", b"%PDF-1.7\n%%EOF\n")
    version = card.version
    inst = sharing.request_sharing(
        db, merchant, card.id, terms(comment="请审批", attachments=[letter.sha256])
    )
    assert inst.holder_organisation_id == card.organisation_id and inst.step_key == "data_admin_review"
    assert inst.title == f"申请共享：{card.name}（{card.code}）"
    assert inst.id in {i.id for i in queries.inbox(db, actor("xn_admin"), page_size=200).items}
    assert inst.id not in {i.id for i in queries.inbox(db, actor("xn_cdo"), page_size=200).items}
    detail = queries.to_read(db, actor("xn_admin"), inst)
    assert [f.name for f in detail.attachments] == ["申请函.pdf"]
    act(db, actor("xn_admin"), inst, "approve", comment="字段范围合理")
    assert inst.step_key == "cdo_approval"
    assert inst.id in {i.id for i in queries.inbox(db, actor("xn_cdo"), page_size=200).items}
    act(db, actor("xn_cdo"), inst, "approve")
    assert inst.status == "approved"

    grants = sharing.list_grants(db, merchant, card.id, today=date(2027, 6, 1))
    assert len(grants) == 1
    grant = grants[0]
    assert grant.recipient.name == "衢州数智科技有限公司" and grant.purpose == "新能源发电量分析"
    assert grant.fields == ["电站编号", "发电量"] and grant.workflow_instance_id == inst.id
    assert grant.state == "active"
    assert sharing.list_grants(db, merchant, card.id, today=date(2028, 1, 1))[0].state == "expired"
    assert sharing.list_grants(db, merchant, card.id, today=date(2026, 12, 31))[0].state == "not_started"
    assert len(sharing.list_grants(db, actor("xn_admin"), card.id)) == 1
    assert sharing.list_grants(db, actor("xy_admin"), card.id) == []  # another recipient's purpose

    assert card.version == version + 1
    newest = catalog_queries.history(db, merchant, card.id)[0]
    assert newest.action == "sharing" and newest.actor.display_name == "湘能 周首席数据官"
    assert newest.changes[0].field == "usage.sharing_grants" and "衢州数智科技" in str(newest.changes[0].new)
    actions = set(db.scalars(select(EvidenceEntry.action).where(EvidenceEntry.index >= 0)))
    assert {"sharing_grant.create", "asset_card.sharing", "workflow.approve", "workflow.submit"} <= actions

    # the parties read the whole evidence of their approval, including the other side's actions
    def trail(who: str) -> list[str]:
        page = evidence_read.list_entries(
            db, actor(who), subject_type="workflow_instance", subject_id=str(inst.id)
        )
        return [e.action for e in reversed(page.items)]

    assert trail("ss_merchant") == ["workflow.submit", "workflow.approve", "workflow.approve"]
    assert trail("xn_cdo") == trail("ss_merchant") and trail("zzsw_admin") == []
    grant_entries = evidence_read.list_entries(db, merchant, subject_type="sharing_grant")
    assert any(e.subject.id == str(grant.id) for e in grant_entries.items)


def test_return_for_changes_then_resubmit_corrected(db: Session, actor: Any) -> None:
    merchant = actor("ss_merchant")
    card = card_named(db, "光伏发电站运行数据")
    inst = sharing.request_sharing(db, merchant, card.id, terms())
    act(db, actor("xn_admin"), inst, "return", comment="请缩小字段范围并说明使用场景")
    assert inst.status == "returned"
    assert inst.id in {i.id for i in queries.inbox(db, merchant, page_size=200).items}
    with pytest.raises(Invalid):  # the corrected request is checked like the first
        act(db, merchant, inst, "submit", payload={"term_end": "2026-01-01"})
    act(db, merchant, inst, "submit", comment="已修改", payload={"fields": ["发电量"], "scope": "月度统计"})
    assert (inst.status, inst.round, inst.payload["fields"]) == ("in_progress", 2, ["发电量"])
    act(db, actor("xn_admin"), inst, "approve")
    act(db, actor("xn_cdo"), inst, "approve")
    grant = db.scalar(select(SharingGrant).where(SharingGrant.workflow_instance_id == inst.id))
    assert grant is not None and grant.fields == ["发电量"] and grant.scope == "月度统计"


def test_withdraw_and_reject_leave_the_card_alone(db: Session, actor: Any) -> None:
    merchant = actor("ss_merchant")
    card = card_named(db, "光伏发电站运行数据")
    version = card.version
    first = sharing.request_sharing(db, merchant, card.id, terms())
    with pytest.raises(Conflict):  # one open request per organisation and card
        sharing.request_sharing(db, merchant, card.id, terms())
    act(db, merchant, first, "withdraw")
    second = sharing.request_sharing(db, merchant, card.id, terms())
    act(db, actor("xn_admin"), second, "approve")
    act(db, actor("xn_cdo"), second, "reject", comment="涉及重要生产数据，不予提供")
    assert (first.status, second.status) == ("withdrawn", "rejected")
    assert card.version == version and sharing.list_grants(db, actor("xn_admin"), card.id) == []


def test_what_cannot_be_requested(db: Session, actor: Any) -> None:
    merchant = actor("ss_merchant")
    with pytest.raises(Invalid) as own:
        sharing.request_sharing(db, actor("xn_admin"), card_named(db, "光伏发电站运行数据").id, terms())
    assert own.value.code == "own_asset_card"
    with pytest.raises(NotFound):  # a non-public card of another organisation is not even visible
        sharing.request_sharing(db, merchant, card_named(db, "客户用电量月度统计数据").id, terms())
    with pytest.raises(Forbidden):  # regulators supervise, they do not apply
        sharing.request_sharing(db, actor("cssjj"), card_named(db, "光伏发电站运行数据").id, terms())
    with pytest.raises(Invalid) as closed:  # the parent group sees 湘能供电's card, but it is 不予共享
        sharing.request_sharing(db, actor("xn_admin"), card_named(db, "低压客户档案数据").id, terms())
    assert closed.value.code == "sharing_not_allowed"
    with pytest.raises(ValidationError):
        terms(term_start="2027-01-01", term_end="2026-12-31")
    with pytest.raises(ValidationError):
        terms(term_start="2027-01-01", term_end="2033-01-01")


def test_a_group_asks_its_subsidiary(db: Session, actor: Any) -> None:
    card = card_named(db, "供电服务工单数据")  # 湘能供电, shared with the parent group, not public
    inst = sharing.request_sharing(db, actor("xn_admin"), card.id, terms(purpose="集团服务质量分析"))
    assert inst.id in {i.id for i in queries.inbox(db, actor("xnps_admin"), page_size=200).items}
    assert inst.id not in {i.id for i in queries.inbox(db, actor("xn_admin"), page_size=200).items}
