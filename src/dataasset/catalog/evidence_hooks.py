"""The catalog's part of the evidence log: who may read an asset card's evidence, and how the
verifier recomputes a card's state digest (湖南方案第3条 全程可追溯). Registered on import of the
catalog package, so core never imports the catalog."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, String, cast, false, select
from sqlalchemy.orm import Session

from dataasset.catalog import service
from dataasset.catalog.models import AssetCard
from dataasset.core import evidence, evidence_read
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor, has, readable_condition

SUBJECT = "asset_card"


def readable_cards(actor: Actor) -> ColumnElement[bool]:
    """Evidence of the cards the actor may see in the catalog (own, granted, region, public)."""
    if not has(actor, "catalog.read"):
        return false()
    ids = select(cast(AssetCard.id, String)).where(
        readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)
    )
    return EvidenceEntry.subject_id.in_(ids)


def card_digests(session: Session) -> Iterator[tuple[str, str]]:
    """``(card id, state digest)`` of every card as it is stored now."""
    stmt = select(AssetCard).order_by(AssetCard.id).execution_options(populate_existing=True, yield_per=500)
    for card in session.scalars(stmt):
        yield str(card.id), service.card_digest(card)


evidence_read.register_reader(SUBJECT, readable_cards)
evidence.register_state(SUBJECT, card_digests)
