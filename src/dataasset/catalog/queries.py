"""The read side of the catalog: one card, pages of search results, history, statistics, exports.

Search answers stay fast on large catalogs (bench/catalog, docs/benchmarks.md) by never visiting
every match twice: the total is counted up to ``COUNT_CAP`` matches (the page says when it is a
lower bound), relevance ranking runs only when the matches are few enough to rank, and a broad query
is answered newest-first straight from the index, stopping at the page's last row.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnClause, ColumnElement, Select, and_, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from dataasset.catalog import search
from dataasset.catalog.enums import AccountingStatus, RegistrationStatus, Stage
from dataasset.catalog.models import AssetCard, AssetCardVersion
from dataasset.catalog.schemas import (
    ActorRef,
    AssetCardHistoryEntry,
    AssetCardPage,
    AssetCardRead,
    AssetCardSummary,
    BasicInfo,
    CatalogStats,
    CountItem,
    FieldChange,
    Flags,
    ManagementRead,
    RightsInfo,
    UsageInfo,
)
from dataasset.core.errors import NotFound
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor, may_read_org, readable_condition, require
from dataasset.core.schemas import OrganisationRef

COUNT_CAP = 1000
_WALK_THRESHOLD = 200
_CODE_RE = re.compile(r"^DA-?\d", re.IGNORECASE)
_RECOGNISED = {
    AccountingStatus.INTANGIBLE_ASSET.value,
    AccountingStatus.INVENTORIES.value,
    AccountingStatus.DEVELOPMENT_EXPENDITURE.value,
}
# SQLite FTS5 external-content index over catalog_asset_card.search_text, kept in step by triggers.
_FTS = table("catalog_asset_card_fts", column("rowid"), column("rank"))


def to_read(card: AssetCard) -> AssetCardRead:
    def section(model: type[Any]) -> dict[str, Any]:
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


def visible(actor: Actor, card: AssetCard) -> bool:
    return card.is_public or may_read_org(actor, card.organisation_id, card.organisation.region_code)


def get_card(session: Session, actor: Actor, card_id: int) -> AssetCard:
    """One card the actor may see; another organisation's non-public card is reported missing."""
    require(actor, "catalog.read")
    card = session.get(AssetCard, card_id)
    if card is None or not visible(actor, card):
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
) -> AssetCardPage:
    """Search and filter the catalog within the actor's tenancy (in the query, not after it)."""
    require(actor, "catalog.read")
    where: list[ColumnElement[bool]] = [
        readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)
    ]
    for attribute, value in (
        (AssetCard.organisation_id, organisation_id),
        (AssetCard.industry, industry),
        (AssetCard.security_grade, security_grade),
        (AssetCard.stage, stage),
        (AssetCard.registration_status, registration_status),
    ):
        if value is not None:
            where.append(attribute == value)
    q = (q or "").strip()
    text_search = bool(q) and not _CODE_RE.match(q)
    sqlite = session.get_bind().dialect.name == "sqlite"
    rank: Any = None
    if q and not text_search:
        where.append(AssetCard.code.startswith(q.upper()))
    elif text_search:
        matched = _match(q, sqlite=sqlite)
        if matched is None:
            return AssetCardPage(items=[], total=0, total_capped=False, page=page, page_size=page_size)
        condition, rank = matched
        where.append(condition)

    def joined(stmt: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        return stmt.join(_FTS, _FTS.c.rowid == AssetCard.id) if text_search and sqlite else stmt

    counted = joined(select(AssetCard.id)).where(*where).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    if text_search and not capped:
        order = [rank, AssetCard.id.desc()]
    elif text_search:  # broad: newest first, read from the index in id order, stops after the page
        order = [_FTS.c.rowid.desc()] if sqlite else [AssetCard.id.desc()]
    else:
        order = [AssetCard.updated_at.desc(), AssetCard.id.desc()]
    page_where = where
    if sqlite and not q and total > _WALK_THRESHOLD:
        # Many matches, newest first: walk the updated_at index and stop at the page's last row.
        # Given bare conditions SQLite's planner OR-combines the tenancy and filter indexes and
        # sorts every match instead (bench/catalog: 50–200 ms → 2–3 ms at 100k cards); inside a
        # function the conditions stay row filters. Few matches keep the selective indexes.
        page_where = [func.coalesce(and_(*where), False).is_(True)]
    stmt = joined(
        select(
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
        ).join(Organisation, Organisation.id == AssetCard.organisation_id, isouter=True)
    ).where(*page_where)
    rows = session.execute(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return AssetCardPage(
        items=[AssetCardSummary.model_validate(row._asdict()) for row in rows],
        total=min(total, COUNT_CAP),
        total_capped=capped,
        page=page,
        page_size=page_size,
    )


def _match(q: str, *, sqlite: bool) -> tuple[ColumnElement[bool], Any] | None:
    """The full-text condition and its relevance expression for this backend."""
    if sqlite:
        expression = search.fts5_match(q)
        if expression is None:
            return None
        fts: ColumnClause[Any] = literal_column("catalog_asset_card_fts")
        return fts.op("MATCH")(expression), _FTS.c.rank
    query = search.tsquery(q)
    if query is None:
        return None
    tsq = func.to_tsquery("simple", query)
    vector: ColumnClause[Any] = literal_column("catalog_asset_card.search_vector")
    return vector.op("@@")(tsq), func.ts_rank(vector, tsq).desc()


def history(session: Session, actor: Actor, card_id: int) -> list[AssetCardHistoryEntry]:
    card = get_card(session, actor, card_id)
    versions = session.scalars(
        select(AssetCardVersion)
        .where(AssetCardVersion.card_id == card.id)
        .order_by(AssetCardVersion.version.desc())
    ).all()
    user_ids = {v.actor_user_id for v in versions if v.actor_user_id is not None}
    usernames = dict(
        session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).tuples().all()
    )
    return [
        AssetCardHistoryEntry(
            version=v.version,
            action=v.action,
            changed_at=v.changed_at,
            actor=ActorRef(
                user_id=v.actor_user_id,
                username=usernames.get(v.actor_user_id or 0),
                display_name=v.actor_name,
            ),
            changes=[FieldChange(**c) for c in v.changes],
        )
        for v in versions
    ]


def stats(session: Session, actor: Actor) -> CatalogStats:
    """Counts of the cards the actor may see, by stage, industry and grade (home dashboard)."""
    require(actor, "catalog.read")
    cond = readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)

    def by(attribute: Any) -> list[CountItem]:
        rows = session.execute(
            select(attribute, func.count()).where(cond).group_by(attribute).order_by(func.count().desc())
        ).all()
        return [CountItem(value=str(value), count=count) for value, count in rows]

    total = session.scalar(select(func.count()).select_from(AssetCard).where(cond)) or 0
    return CatalogStats(
        total=total,
        by_stage=by(AssetCard.stage),
        by_industry=by(AssetCard.industry),
        by_security_grade=by(AssetCard.security_grade),
    )


def readable_cards(session: Session, actor: Actor) -> Select[AssetCard]:
    """Every card the actor may see, for exports."""
    require(actor, "catalog.read")
    return (
        select(AssetCard)
        .where(readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public))
        .order_by(AssetCard.organisation_id, AssetCard.code)
    )
