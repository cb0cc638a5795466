"""Asset card use cases on a real database: create, update, versions, conflicts, evidence, tenancy."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataasset.catalog import queries, service
from dataasset.catalog.enums import AccountingStatus, RegistrationStatus
from dataasset.catalog.models import AssetCard, AssetCardVersion
from dataasset.catalog.schemas import AssetCardCreate, AssetCardUpdate
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound
from dataasset.core.models import EvidenceEntry


def _create(db: Session, who: Any, **basic: Any) -> AssetCard:
    payload = {"basic": {"name": "测试数据集", "industry": "D", **basic}}
    return service.create_card(db, who, AssetCardCreate.model_validate(payload))


def _evidence_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(EvidenceEntry)) or 0


def test_create_assigns_a_stable_unique_code_and_records_evidence(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    before = _evidence_count(db)
    a, b = _create(db, me), _create(db, me, name="另一个数据集")
    assert re.fullmatch(r"DA-430100-\d{4}-\d{6}", a.code)
    assert a.code != b.code and int(b.code[-6:]) == int(a.code[-6:]) + 1
    assert _evidence_count(db) == before + 2
    entry = db.scalar(select(EvidenceEntry).where(EvidenceEntry.subject_id == str(a.id)))
    assert entry is not None and entry.action == "asset_card.create" and len(entry.leaf_hash) == 64


def test_update_makes_a_version_with_field_diffs(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card = _create(db, me, description="旧描述")
    updated = service.update_card(
        db,
        me,
        card.id,
        AssetCardUpdate.model_validate(
            {"version": 1, "basic": {"description": "新描述"}, "usage": {"sharing_type": "none"}}
        ),
    )
    assert updated.version == 2
    history = queries.history(db, me, card.id)
    assert [h.version for h in history] == [2, 1]
    changed = {c.field: (c.old, c.new) for c in history[0].changes}
    assert changed == {
        "basic.description": ("旧描述", "新描述"),
        "usage.sharing_type": ("conditional", "none"),
    }
    assert history[0].actor.display_name == me.display_name


def test_a_stale_version_is_a_conflict_and_changes_nothing(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card = _create(db, me)
    service.update_card(
        db, me, card.id, AssetCardUpdate.model_validate({"version": 1, "basic": {"description": "甲"}})
    )
    with pytest.raises(Conflict):
        service.update_card(
            db, me, card.id, AssetCardUpdate.model_validate({"version": 1, "basic": {"description": "乙"}})
        )
    assert queries.get_card(db, me, card.id).description == "甲"


def test_an_invalid_merge_is_rejected_with_field_paths(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card = _create(db, me, time_span_start="2024-01-01")
    with pytest.raises(Invalid) as err:
        service.update_card(
            db,
            me,
            card.id,
            AssetCardUpdate.model_validate({"version": 1, "basic": {"time_span_end": "2020-01-01"}}),
        )
    assert "时间范围" in err.value.errors[0]["message"]


def test_no_op_update_makes_no_version(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card = _create(db, me)
    service.update_card(
        db, me, card.id, AssetCardUpdate.model_validate({"version": 1, "basic": {"name": "测试数据集"}})
    )
    count = db.scalar(
        select(func.count()).select_from(AssetCardVersion).where(AssetCardVersion.card_id == card.id)
    )
    assert count == 1


def test_others_cannot_see_or_change_a_private_card(db: Session, actor: Any) -> None:
    card = _create(db, actor("xn_admin"))
    with pytest.raises(NotFound):
        queries.get_card(db, actor("zzsw_admin"), card.id)
    with pytest.raises(Forbidden):
        service.update_card(db, actor("xn_finance"), card.id, AssetCardUpdate(version=1))
    with pytest.raises(Forbidden):
        service.update_card(db, actor("sjj"), card.id, AssetCardUpdate(version=1))  # regulators read only
    assert queries.get_card(db, actor("sjj"), card.id).id == card.id
    assert queries.get_card(db, actor("cssjj"), card.id).id == card.id


def test_public_cards_are_readable_by_all_but_writable_only_by_the_holder(db: Session, actor: Any) -> None:
    card = service.create_card(
        db,
        actor("xn_admin"),
        AssetCardCreate.model_validate({"is_public": True, "basic": {"name": "公开数据集", "industry": "D"}}),
    )
    assert queries.get_card(db, actor("ss_merchant"), card.id).id == card.id
    with pytest.raises(Forbidden):
        service.update_card(db, actor("zzsw_admin"), card.id, AssetCardUpdate(version=1))


def test_writing_for_another_organisation_needs_the_platform_admin(db: Session, actor: Any) -> None:
    other = actor("zzsw_admin").organisation_id
    data = AssetCardCreate.model_validate(
        {"organisation_id": other, "basic": {"name": "越权数据", "industry": "D"}}
    )
    with pytest.raises(Forbidden):
        service.create_card(db, actor("xn_admin"), data)
    assert service.create_card(db, actor("admin"), data).organisation_id == other


def test_figures_from_later_domains_set_the_flags(db: Session, actor: Any) -> None:
    me = actor("xn_admin")
    card = _create(db, me)
    service.record_figures(
        db,
        me,
        card.id,
        value_amount=Decimal("1234567.89"),
        registration_status=RegistrationStatus.REGISTERED,
        accounting_status=AccountingStatus.INTANGIBLE_ASSET,
    )
    read = queries.to_read(queries.get_card(db, me, card.id))
    assert read.flags.model_dump() == {
        "registered": True,
        "valued": True,
        "recognised": True,
        "disposed": False,
    }
    assert read.management.value_amount == Decimal("1234567.89")


def test_stats_count_only_what_the_actor_sees(db: Session, actor: Any) -> None:
    admin_total = queries.stats(db, actor("admin")).total
    mine = queries.stats(db, actor("zzsw_admin"))
    assert 0 < mine.total < admin_total
    assert sum(i.count for i in mine.by_industry) == mine.total
