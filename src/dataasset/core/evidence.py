"""Evidence log (存证): every state change appends a canonical entry in the same transaction.

Leaves follow RFC 9162 §2.1: leaf hash = SHA-256(0x00 ‖ entry bytes). The tree, signed checkpoints
and proofs are built over these leaves.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dataasset.core.db import utcnow
from dataasset.core.models import EvidenceEntry
from dataasset.core.permissions import Actor

_ADVISORY_LOCK = 7_001_001  # serialises appends on PostgreSQL until the transaction ends


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def canonical_json(value: Any) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int,
    payload: Any,
) -> EvidenceEntry:
    """Append one evidence entry for a state change, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
    session.flush()
    last = session.scalar(select(func.max(EvidenceEntry.index)))
    index = 0 if last is None else last + 1
    now = utcnow()
    payload_sha256 = hashlib.sha256(canonical_json(payload)).hexdigest()
    entry = canonical_json(
        {
            "index": index,
            "time": now.isoformat(),
            "actor": {"user": actor.user_id, "organisation": actor.organisation_id, "name": actor.username},
            "action": action,
            "subject": {"type": subject_type, "id": str(subject_id)},
            "payload_sha256": payload_sha256,
        }
    )
    row = EvidenceEntry(
        index=index,
        recorded_at=now,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload_sha256=payload_sha256,
        entry=entry.decode(),
        leaf_hash=leaf_hash(entry).hex(),
    )
    session.add(row)
    session.flush()
    return row
