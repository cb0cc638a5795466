"""The registry's part of the evidence log: who may read the evidence of rights and disputes, and
their state digests for ``evidence verify``. Registered on import of :mod:`registry.service`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, String, cast, false, or_, select
from sqlalchemy.orm import Session

from dataasset.core import evidence, evidence_read
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor, has, readable_condition
from dataasset.registry.models import Dispute, RightRecord, RightsTransfer


def _rights(actor: Actor) -> ColumnElement[bool]:
    if not has(actor, "registry.read"):
        return false()
    ids = select(cast(RightRecord.id, String)).where(readable_condition(actor, RightRecord.organisation_id))
    return EvidenceEntry.subject_id.in_(ids)


def _disputes(actor: Actor) -> ColumnElement[bool]:
    if not has(actor, "registry.read"):
        return false()
    ids = select(cast(Dispute.id, String)).where(
        or_(
            readable_condition(actor, Dispute.claimant_organisation_id),
            readable_condition(actor, Dispute.respondent_organisation_id),
        )
    )
    return EvidenceEntry.subject_id.in_(ids)


def _transfers(actor: Actor) -> ColumnElement[bool]:
    if not has(actor, "registry.read"):
        return false()
    ids = select(cast(RightsTransfer.id, String)).where(
        or_(
            readable_condition(actor, RightsTransfer.from_organisation_id),
            readable_condition(actor, RightsTransfer.to_organisation_id),
        )
    )
    return EvidenceEntry.subject_id.in_(ids)


def _digests(model: Any, state: Callable[[Any], Any]) -> Callable[[Session], Iterator[tuple[str, str]]]:
    def digests(session: Session) -> Iterator[tuple[str, str]]:
        stmt = select(model).order_by(model.id).execution_options(populate_existing=True, yield_per=500)
        for row in session.scalars(stmt):
            yield str(row.id), evidence.state_digest(state(row))

    return digests


def transfer_state(act: RightsTransfer) -> dict[str, Any]:
    return {
        "from": act.from_organisation_id,
        "to": act.to_organisation_id,
        "reason": act.reason,
        "basis": act.basis,
        "rights": act.rights,
        "disputes": act.disputes,
    }


def register() -> None:
    from dataasset.registry import service

    evidence_read.register_reader("registry_right", _rights)
    evidence_read.register_reader("registry_dispute", _disputes)
    evidence_read.register_reader("registry_transfer", _transfers)
    evidence.register_state("registry_right", _digests(RightRecord, service.right_state))
    evidence.register_state("registry_dispute", _digests(Dispute, service.dispute_state))
    evidence.register_state("registry_transfer", _digests(RightsTransfer, transfer_state))
