"""Reading the evidence log for the API: who may see an entry's content, entries, proofs, checkpoints.

Hashes, proofs and checkpoints are public: anyone may check the log (湖南方案第3条 全程可追溯).
An entry's content (its canonical bytes) is shown to

- the platform administrator;
- members of the organisation whose user made the change;
- whoever may read the subject: a domain registers the rule for its subject types
  (:func:`register_reader`; the catalog registers ``asset_card`` with the catalog's own visibility);
  organisations and users follow the tenancy rules (own organisation, granted subsidiaries,
  regulator in region); for any other subject the acting organisation's records are the measure.

The rule is a SQL condition, so lists are filtered in the query.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from dataasset.core import evidence
from dataasset.core.errors import NotFound
from dataasset.core.evidence_schemas import (
    ConsistencyProofRead,
    EvidenceCheckpointRead,
    EvidenceEntryRead,
    EvidenceSubject,
    InclusionProofRead,
)
from dataasset.core.models import EvidenceCheckpoint, EvidenceEntry, Organisation, User
from dataasset.core.permissions import Actor, readable_condition
from dataasset.core.schemas import Page
from dataasset.core.signed_note import NoteSigner

#: subject type → condition on ``EvidenceEntry.subject_id`` for the subjects an actor may read
SubjectReader = Callable[[Actor], ColumnElement[bool]]
_READERS: dict[str, SubjectReader] = {}


def register_reader(subject_type: str, reader: SubjectReader) -> None:
    """Declare who may read the subjects of a type: a SQL condition over ``EvidenceEntry.subject_id``."""
    _READERS[subject_type] = reader


def _organisations(actor: Actor) -> ColumnElement[bool]:
    ids = select(cast(Organisation.id, String)).where(
        readable_condition(actor, Organisation.id, region_column=Organisation.region_code)
    )
    return EvidenceEntry.subject_id.in_(ids)


def _users(actor: Actor) -> ColumnElement[bool]:
    ids = select(cast(User.id, String)).where(readable_condition(actor, User.organisation_id))
    return EvidenceEntry.subject_id.in_(ids)


register_reader("organisation", _organisations)
register_reader("user", _users)


def visible_condition(actor: Actor | None) -> ColumnElement[bool]:
    """Entries whose content the actor may see (none for an anonymous caller)."""
    if actor is None:
        return false()
    if actor.is_admin:
        return true()
    acting_org: Any = EvidenceEntry.actor_organisation_id
    clauses: list[ColumnElement[bool]] = []
    if actor.organisation_id is not None:
        clauses.append(acting_org == actor.organisation_id)
    for subject_type, reader in _READERS.items():
        clauses.append(and_(EvidenceEntry.subject_type == subject_type, reader(actor)))
    clauses.append(
        and_(EvidenceEntry.subject_type.not_in(sorted(_READERS)), readable_condition(actor, acting_org))
    )
    return or_(*clauses)


def _entry_read(row: EvidenceEntry, visible: bool) -> EvidenceEntryRead:
    return EvidenceEntryRead(
        index=row.index,
        leaf_hash=row.leaf_hash,
        entry=base64.b64encode(row.entry.encode()).decode() if visible else None,
        action=row.action,
        subject=EvidenceSubject(type=row.subject_type, id=row.subject_id),
        recorded_at=row.recorded_at,
    )


def get_entry(session: Session, actor: Actor | None, index: int) -> EvidenceEntryRead:
    """One entry: hashes for everyone, the content for those who may see the subject."""
    row = session.get(EvidenceEntry, index)
    if row is None:
        raise NotFound("存证条目不存在", code="evidence_entry_not_found")
    visible = actor is not None and bool(
        session.scalar(select(func.count()).where(EvidenceEntry.index == index, visible_condition(actor)))
    )
    return _entry_read(row, visible)


def list_entries(
    session: Session,
    actor: Actor,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[EvidenceEntryRead]:
    """The entries the actor may see, newest first (the console's evidence explorer)."""
    where = [visible_condition(actor)]
    if subject_type is not None:
        where.append(EvidenceEntry.subject_type == subject_type)
    if subject_id is not None:
        where.append(EvidenceEntry.subject_id == subject_id)
    total = session.scalar(select(func.count()).select_from(EvidenceEntry).where(*where)) or 0
    rows = session.scalars(
        select(EvidenceEntry)
        .where(*where)
        .order_by(EvidenceEntry.index.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page(items=[_entry_read(r, True) for r in rows], total=total, page=page, page_size=page_size)


def checkpoint_read(row: EvidenceCheckpoint, signer: NoteSigner) -> EvidenceCheckpointRead:
    return EvidenceCheckpointRead(
        tree_size=row.tree_size,
        root_hash=row.root_hash,
        timestamp=row.created_at,
        checkpoint=row.note,
        public_key=row.public_key,
        verifier_key=signer.verifier_key,
    )


def current_checkpoint(session: Session, signer: NoteSigner) -> EvidenceCheckpointRead:
    """The latest signed checkpoint; a new one is made when the tree has grown since."""
    return checkpoint_read(evidence.current_checkpoint(session, signer), signer)


def inclusion(session: Session, index: int, tree_size: int) -> InclusionProofRead:
    path = evidence.inclusion_proof(session, index, tree_size)
    return InclusionProofRead(leaf_index=index, tree_size=tree_size, audit_path=[h.hex() for h in path])


def consistency(session: Session, first: int, second: int) -> ConsistencyProofRead:
    proof = evidence.consistency_proof(session, first, second)
    return ConsistencyProofRead(first=first, second=second, proof=[h.hex() for h in proof])
