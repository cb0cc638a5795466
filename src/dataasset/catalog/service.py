"""Use cases of the catalog: the only place that changes asset cards.

Each function takes ``(session, actor, ...)``, checks permissions through ``core.permissions``,
flushes (never commits) and records evidence in the caller's transaction.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dataasset.catalog import search
from dataasset.catalog.enums import AccountingStatus, RegistrationStatus, SecurityGrade
from dataasset.catalog.models import AssetCard, AssetCardVersion, CodeSequence
from dataasset.catalog.queries import get_card, to_read
from dataasset.catalog.schemas import (
    AssetCardCreate,
    AssetCardUpdate,
    BasicInfo,
    ManagementIn,
    RightsInfo,
    UsageInfo,
)
from dataasset.core import evidence
from dataasset.core.db import SHANGHAI, utcnow
from dataasset.core.errors import Conflict, Invalid
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, require_write

SECTIONS: dict[str, type[BaseModel]] = {
    "basic": BasicInfo,
    "rights": RightsInfo,
    "usage": UsageInfo,
    "management": ManagementIn,
}
_TOP_FIELDS = ("stage", "is_public")
_CODE_RE = re.compile(r"^DA-?\d", re.IGNORECASE)


def _flatten(card: AssetCard) -> dict[str, Any]:
    """The card as ``{"basic.name": value, ...}`` in JSON-ready form, for history and diffs."""
    read = to_read(card).model_dump(mode="json")
    flat: dict[str, Any] = {name: read[name] for name in _TOP_FIELDS}
    for section in (*SECTIONS, "management"):
        for key, value in read[section].items():
            flat[f"{section}.{key}"] = value
    return flat


def _record_version(
    session: Session,
    actor: Actor,
    card: AssetCard,
    action: str,
    before: dict[str, Any] | None,
    events: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    after = _flatten(card)
    if events is not None:
        changes = events
    elif before is None:
        changes = [{"field": k, "old": None, "new": v} for k, v in after.items() if v not in (None, "", [])]
    else:
        changes = [
            {"field": k, "old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v
        ]
    session.add(
        AssetCardVersion(
            card_id=card.id,
            version=card.version,
            action=action,
            changed_at=card.updated_at,
            actor_user_id=actor.user_id,
            actor_name=actor.display_name,
            changes=changes,
            snapshot=after,
        )
    )
    evidence.record(
        session,
        actor,
        f"asset_card.{action}",
        "asset_card",
        card.id,
        {
            "code": card.code,
            "version": card.version,
            "changes": changes,
            "state_sha256": state_sha256(session, card),
        },
    )
    return changes


def state_sha256(session: Session, card: AssetCard) -> str:
    """Digest of the card as stored (re-read after the flush, so values carry the columns' scale);
    its latest evidence carries it and ``dataasset evidence verify`` recomputes it (湖南方案第3条)."""
    session.flush()
    session.refresh(card)
    return card_digest(card)


def card_digest(card: AssetCard) -> str:
    """SHA-256 of the card's canonical state: code, holder, version and its flattened fields."""
    state = {"code": card.code, "organisation_id": card.organisation_id, "version": card.version}
    return evidence.state_digest({**state, "card": _flatten(card)})


def _apply(card: AssetCard, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(
            card, key, value.value if hasattr(value, "value") and not isinstance(value, Decimal) else value
        )
    card.search_text = search.index_text(
        card.code,
        card.name,
        card.description,
        " ".join(card.source_systems or []),
        " ".join(card.scenarios or []),
        card.owning_department,
        card.services_provided,
        card.organisation.name if card.organisation else "",
    )


def next_code(session: Session, region_code: str, year: int) -> str:
    """The next asset code: ``DA-<region>-<year>-<sequence>``, unique and never reused."""
    prefix = f"{region_code}{year}"
    dialect = session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(CodeSequence)
    stmt = (
        ins.values(prefix=prefix, last=1)
        .on_conflict_do_update(index_elements=[CodeSequence.prefix], set_={"last": CodeSequence.last + 1})
        .returning(CodeSequence.last)
    )
    seq = session.execute(stmt).scalar_one()
    return f"DA-{region_code}-{year}-{seq:06d}"


def create_card(
    session: Session, actor: Actor, data: AssetCardCreate, *, action: str = "create"
) -> AssetCard:
    """Add an asset card to the holder's catalog (长沙方案第4条 目录和台账)."""
    org_id = data.organisation_id if data.organisation_id is not None else actor.organisation_id
    if org_id is None:
        raise Invalid("请指定数据持有单位", code="organisation_required")
    require_write(actor, "catalog.write", org_id)
    org = session.get(Organisation, org_id)
    if org is None:
        raise Invalid("数据持有单位不存在", code="organisation_not_found")
    now = utcnow()
    card = AssetCard(
        code=next_code(session, org.region_code, now.astimezone(SHANGHAI).year),
        organisation=org,
        version=1,
        created_at=now,
        updated_at=now,
    )
    values: dict[str, Any] = {"stage": data.stage, "is_public": data.is_public}
    for name in SECTIONS:
        values.update(getattr(data, name).model_dump())
    _apply(card, values)
    session.add(card)
    session.flush()
    _record_version(session, actor, card, action, None)
    return card


def update_card(session: Session, actor: Actor, card_id: int, data: AssetCardUpdate) -> AssetCard:
    """Change an asset card; every change is a new version with its field-level diff."""
    card = get_card(session, actor, card_id)
    require_write(actor, "catalog.write", card.organisation_id)
    if data.version != card.version:
        raise Conflict(
            f"该卡片已被他人修改（当前版本 {card.version}），请刷新后重试", code="version_conflict"
        )
    before = _flatten(card)
    merged: dict[str, Any] = {}
    for name, model in SECTIONS.items():
        current = {key: getattr(card, key) for key in model.model_fields}
        patch = getattr(data, name)
        if patch is not None:
            current.update(patch.model_dump(exclude_unset=True))
        try:
            merged.update(model.model_validate(current).model_dump())
        except ValidationError as exc:
            raise Invalid(
                "数据资产卡片内容不合法",
                code="validation_error",
                errors=[
                    {
                        "loc": ["body", name, *map(str, e["loc"])],
                        "field": ".".join([name, *map(str, e["loc"])]),
                        "message": e["msg"],
                    }
                    for e in exc.errors()
                ],
            ) from exc
    for key in _TOP_FIELDS:
        value = getattr(data, key)
        if value is not None:
            merged[key] = value
    _apply(card, merged)
    if _flatten(card) == before:
        return card
    card.version += 1
    card.updated_at = utcnow()
    session.flush()
    _record_version(session, actor, card, "update", before)
    return card


def record_figures(
    session: Session,
    actor: Actor,
    card_id: int,
    *,
    quality_score: Decimal | None = None,
    value_amount: Decimal | None = None,
    accounting_status: AccountingStatus | None = None,
    registration_status: RegistrationStatus | None = None,
    security_grade: SecurityGrade | None = None,
    security_level: int | None = None,
    volume_rows: int | None = None,
    volume_bytes: int | None = None,
    alerts: list[dict[str, Any]] | None = None,
    disposed_at: datetime | None = None,
) -> AssetCard:
    """Set the management figures that later domains own (quality, valuation, 入表, registration;
    discovery's grade, volume and alerts). ``alerts`` replaces the card's list when given."""
    card = get_card(session, actor, card_id)
    require_write(actor, "catalog.write", card.organisation_id)
    before = _flatten(card)
    updates = {
        "quality_score": quality_score,
        "value_amount": value_amount,
        "accounting_status": accounting_status,
        "registration_status": registration_status,
        "security_grade": security_grade,
        "security_level": security_level,
        "volume_rows": volume_rows,
        "volume_bytes": volume_bytes,
        "alerts": alerts,
        "disposed_at": disposed_at,
    }
    _apply(card, {k: v for k, v in updates.items() if v is not None})
    if _flatten(card) == before:
        return card
    card.version += 1
    card.updated_at = utcnow()
    session.flush()
    _record_version(session, actor, card, "figures", before)
    return card


def record_event(
    session: Session, actor: Actor, card: AssetCard, action: str, events: list[dict[str, Any]]
) -> AssetCard:
    """A new version for something that happened to the card rather than an edit of its fields
    (a sharing grant after an approval): ``events`` are the history lines. The caller has decided
    that the actor may cause it (an approval's final approver), so no write permission is checked."""
    card.version += 1
    card.updated_at = utcnow()
    session.flush()
    _record_version(session, actor, card, action, None, events)
    return card
