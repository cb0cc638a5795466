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
from sqlalchemy import ColumnClause, Select, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dataasset.catalog import search
from dataasset.catalog.enums import AccountingStatus, RegistrationStatus, SecurityGrade, Stage
from dataasset.catalog.models import AssetCard, AssetCardVersion, CodeSequence
from dataasset.catalog.schemas import (
    ActorRef,
    AssetCardCreate,
    AssetCardHistoryEntry,
    AssetCardRead,
    AssetCardSummary,
    AssetCardUpdate,
    BasicInfo,
    CatalogStats,
    CountItem,
    FieldChange,
    Flags,
    ManagementIn,
    ManagementRead,
    RightsInfo,
    UsageInfo,
)
from dataasset.core import evidence
from dataasset.core.db import SHANGHAI, utcnow
from dataasset.core.errors import Conflict, Invalid, NotFound
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor, may_read_org, readable_condition, require, require_write
from dataasset.core.schemas import OrganisationRef, Page

SECTIONS: dict[str, type[BaseModel]] = {
    "basic": BasicInfo,
    "rights": RightsInfo,
    "usage": UsageInfo,
    "management": ManagementIn,
}
_TOP_FIELDS = ("stage", "is_public")
_CODE_RE = re.compile(r"^DA-?\d", re.IGNORECASE)
_RECOGNISED = {
    AccountingStatus.INTANGIBLE_ASSET.value,
    AccountingStatus.INVENTORIES.value,
    AccountingStatus.DEVELOPMENT_EXPENDITURE.value,
}


# --- reading ---------------------------------------------------------------------------------


def to_read(card: AssetCard) -> AssetCardRead:
    def section(model: type[BaseModel]) -> dict[str, Any]:
        return {name: getattr(card, name) for name in model.model_fields}

    return AssetCardRead(
        id=card.id,
        code=card.code,
        version=card.version,
        stage=Stage(card.stage),
        is_public=card.is_public,
        organisation=OrganisationRef(id=card.organisation.id, name=card.organisation.name),
        basic=BasicInfo.model_validate(section(BasicInfo)),
        rights=RightsInfo.model_validate(section(RightsInfo)),
        usage=UsageInfo.model_validate(section(UsageInfo)),
        management=ManagementRead.model_validate(section(ManagementRead)),
        flags=Flags(
            registered=card.registration_status == RegistrationStatus.REGISTERED.value,
            valued=card.value_amount is not None,
            recognised=card.accounting_status in _RECOGNISED,
            disposed=card.disposed_at is not None,
        ),
        created_at=card.created_at,
        updated_at=card.updated_at,
    )


def _visible(actor: Actor, card: AssetCard) -> bool:
    return card.is_public or may_read_org(actor, card.organisation_id, card.organisation.region_code)


def get_card(session: Session, actor: Actor, card_id: int) -> AssetCard:
    """One card the actor may see; another organisation's non-public card is reported missing."""
    require(actor, "catalog.read")
    card = session.get(AssetCard, card_id)
    if card is None or not _visible(actor, card):
        raise NotFound("数据资产卡片不存在或无权查看", code="asset_card_not_found")
    return card


def list_cards(
    session: Session,
    actor: Actor,
    *,
    q: str | None = None,
    organisation_id: int | None = None,
    industry: str | None = None,
    security_grade: str | None = None,
    stage: str | None = None,
    registration_status: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[AssetCardSummary]:
    """Search and filter the catalog within the actor's tenancy (in the query, not after it)."""
    require(actor, "catalog.read")
    where = [readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)]
    for attribute, value in (
        (AssetCard.organisation_id, organisation_id),
        (AssetCard.industry, industry),
        (AssetCard.security_grade, security_grade),
        (AssetCard.stage, stage),
        (AssetCard.registration_status, registration_status),
    ):
        if value is not None:
            where.append(attribute == value)
    stmt: Select[*tuple[Any, ...]] = select(
        AssetCard.id,
        AssetCard.code,
        AssetCard.name,
        AssetCard.organisation_id,
        Organisation.name.label("organisation_name"),
        AssetCard.industry,
        AssetCard.stage,
        AssetCard.security_grade,
        AssetCard.sharing_type,
        AssetCard.registration_status,
        AssetCard.is_public,
        AssetCard.updated_at,
    ).join(Organisation, Organisation.id == AssetCard.organisation_id)
    order: list[Any] = [AssetCard.updated_at.desc(), AssetCard.id.desc()]
    q = (q or "").strip()
    if q:
        if _CODE_RE.match(q):
            where.append(AssetCard.code.startswith(q.upper()))
        else:
            stmt, match_where, order = _full_text(session, stmt, q)
            where.extend(match_where)
    stmt = stmt.where(*where)
    count_stmt = select(func.count()).select_from(AssetCard).where(*where)
    if q and not _CODE_RE.match(q) and session.get_bind().dialect.name == "sqlite":
        count_stmt = count_stmt.join(_FTS, _FTS.c.rowid == AssetCard.id)
    total = session.scalar(count_stmt) or 0
    rows = session.execute(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    items = [AssetCardSummary.model_validate(row._asdict()) for row in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


# SQLite FTS5 external-content index over catalog_asset_card.search_text, kept in step by triggers.
_FTS = table("catalog_asset_card_fts", column("rowid"), column("rank"))


def _full_text(
    session: Session, stmt: Select[*tuple[Any, ...]], q: str
) -> tuple[Select[*tuple[Any, ...]], list[Any], list[Any]]:
    if session.get_bind().dialect.name == "sqlite":
        match = search.fts5_match(q)
        if match is None:
            return stmt, [literal_column("0") == 1], []
        fts: ColumnClause[Any] = literal_column("catalog_asset_card_fts")
        stmt = stmt.join(_FTS, _FTS.c.rowid == AssetCard.id)
        return stmt, [fts.op("MATCH")(match)], [_FTS.c.rank, AssetCard.id.desc()]
    query = search.tsquery(q)
    if query is None:
        return stmt, [literal_column("0") == 1], []
    tsq = func.to_tsquery("simple", query)
    vector: ColumnClause[Any] = literal_column("catalog_asset_card.search_vector")
    return stmt, [vector.op("@@")(tsq)], [func.ts_rank(vector, tsq).desc(), AssetCard.id.desc()]


def history(session: Session, actor: Actor, card_id: int) -> list[AssetCardHistoryEntry]:
    card = get_card(session, actor, card_id)
    versions = session.scalars(
        select(AssetCardVersion)
        .where(AssetCardVersion.card_id == card.id)
        .order_by(AssetCardVersion.version.desc())
    ).all()
    out = []
    for v in versions:
        username = None
        if v.actor_user_id is not None:
            user = session.get(User, v.actor_user_id)
            username = user.username if user else None
        out.append(
            AssetCardHistoryEntry(
                version=v.version,
                action=v.action,
                changed_at=v.changed_at,
                actor=ActorRef(user_id=v.actor_user_id, username=username, display_name=v.actor_name),
                changes=[FieldChange(**c) for c in v.changes],
            )
        )
    return out


def stats(session: Session, actor: Actor) -> CatalogStats:
    """Counts of the cards the actor may see, by stage, industry and grade (home dashboard)."""
    require(actor, "catalog.read")
    cond = readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)

    def by(column: Any) -> list[CountItem]:
        rows = session.execute(
            select(column, func.count()).where(cond).group_by(column).order_by(func.count().desc())
        ).all()
        return [CountItem(value=str(value), count=count) for value, count in rows]

    total = session.scalar(select(func.count()).select_from(AssetCard).where(cond)) or 0
    return CatalogStats(
        total=total,
        by_stage=by(AssetCard.stage),
        by_industry=by(AssetCard.industry),
        by_security_grade=by(AssetCard.security_grade),
    )


# --- changing --------------------------------------------------------------------------------


def _flatten(card: AssetCard) -> dict[str, Any]:
    """The card as ``{"basic.name": value, ...}`` in JSON-ready form, for history and diffs."""
    read = to_read(card).model_dump(mode="json")
    flat: dict[str, Any] = {name: read[name] for name in _TOP_FIELDS}
    for section in (*SECTIONS, "management"):
        for key, value in read[section].items():
            flat[f"{section}.{key}"] = value
    return flat


def _record_version(
    session: Session, actor: Actor, card: AssetCard, action: str, before: dict[str, Any] | None
) -> list[dict[str, Any]]:
    after = _flatten(card)
    if before is None:
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
        {"code": card.code, "version": card.version, "changes": changes},
    )
    return changes


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
    disposed_at: datetime | None = None,
) -> AssetCard:
    """Set the management figures that later domains own (quality, valuation, 入表, registration)."""
    card = get_card(session, actor, card_id)
    require_write(actor, "catalog.write", card.organisation_id)
    before = _flatten(card)
    updates = {
        "quality_score": quality_score,
        "value_amount": value_amount,
        "accounting_status": accounting_status,
        "registration_status": registration_status,
        "security_grade": security_grade,
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


def readable_cards(session: Session, actor: Actor) -> Select[AssetCard]:
    """Every card the actor may see, for exports."""
    require(actor, "catalog.read")
    return (
        select(AssetCard)
        .where(readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public))
        .order_by(AssetCard.organisation_id, AssetCard.code)
    )
