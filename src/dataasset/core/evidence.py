"""Evidence log (存证, 湖南方案第3条 全程可追溯): every state change appends a canonical entry in the
same transaction, and anyone can check the log with RFC 9162 proofs and signed checkpoints.

Leaves follow RFC 9162 §2.1: leaf hash = SHA-256(0x00 ‖ entry bytes). Appending a leaf also stores
the hash of every perfect subtree it completes (``core_evidence_node``), so roots and proofs read
``O(log n)`` stored hashes (:mod:`dataasset.core.merkle` does the arithmetic). Checkpoints sign the
tree size and root in the C2SP tlog-checkpoint format (:mod:`dataasset.core.signed_note`).

Services call :func:`record` and nothing else; ``core.evidence_guard`` refuses to commit a transaction
that changed domain tables without it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ClauseElement,
    Connection,
    Dialect,
    Integer,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from dataasset.core import evidence_guard, merkle
from dataasset.core.db import driver_execute, utcnow
from dataasset.core.errors import Invalid
from dataasset.core.models import EvidenceCheckpoint, EvidenceEntry, EvidenceNode
from dataasset.core.permissions import Actor
from dataasset.core.signed_note import NoteSigner, checkpoint_body, load_or_create_signer
from dataasset.settings import Settings, get_settings

_ADVISORY_LOCK = 7_001_001  # serialises appends on PostgreSQL until the transaction ends
_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_LOCKED = "evidence_lock_held_in"


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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_json(value: Any) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, UTF-8 (what ``json.dumps`` with these options
    gives, from one encoder built once)."""
    return _CANONICAL.encode(value).encode()


def leaf_hash(entry: bytes) -> bytes:
    return merkle.leaf_hash(entry)


def state_digest(state: Any) -> str:
    """SHA-256 (hex) of a subject's canonical state: what ``state_sha256`` in a payload carries."""
    return hashlib.sha256(canonical_json(state)).hexdigest()


def record_state(
    session: Session, actor: Actor, action: str, subject_type: str, subject_id: int | str, state: Any
) -> Recorded:
    """:func:`record` with the subject's state after the change and its digest (what ``evidence
    verify`` compares with the row as it is stored)."""
    return record(
        session,
        actor,
        action,
        subject_type,
        subject_id,
        {"state": state, "state_sha256": state_digest(state)},
    )


# --- state digests: domains tell the verifier how to recompute a subject's state ----------------

StateDigests = Callable[[Session], Iterable[tuple[str, str]]]
_STATE_DIGESTS: dict[str, StateDigests] = {}


def register_state(subject_type: str, digests: StateDigests) -> None:
    """Register how to recompute ``(subject_id, state_sha256)`` of every current row of a subject
    type. ``dataasset evidence verify`` compares them with the latest evidence of each subject, so a
    row changed behind the services' back is found."""
    _STATE_DIGESTS[subject_type] = digests


def state_digests() -> Mapping[str, StateDigests]:
    return dict(_STATE_DIGESTS)


# --- appending --------------------------------------------------------------------------------


_MAX_INDEX = select(func.max(EvidenceEntry.index))
_ENTRY_COLUMNS = (
    "index",
    "recorded_at",
    "actor_user_id",
    "actor_organisation_id",
    "action",
    "subject_type",
    "subject_id",
    "payload_sha256",
    "entry",
    "leaf_hash",
    "state_sha256",
)


def _siblings_statement(count: int) -> ClauseElement:
    """The ``count`` left siblings of an append in one statement: the leaf before it (``i0``) and the
    nodes ``(l<j>, i<j>)`` above it, as ``(level, index, hash)`` rows."""
    leaf = select(
        literal_column("0", Integer).label("level"), EvidenceEntry.index, EvidenceEntry.leaf_hash
    ).where(EvidenceEntry.index == bindparam("i0", type_=EvidenceEntry.__table__.c.index.type))
    if count == 1:
        return leaf
    nodes = select(EvidenceNode.level, EvidenceNode.index, EvidenceNode.hash).where(
        or_(
            *(
                and_(EvidenceNode.level == bindparam(f"l{j}"), EvidenceNode.index == bindparam(f"i{j}"))
                for j in range(1, count)
            )
        )
    )
    return union_all(leaf, nodes)


def _insert_nodes_statement(count: int) -> ClauseElement:
    """``count`` node rows in one ``INSERT … VALUES (…), (…)`` (``l<j>``, ``i<j>``, ``h<j>``)."""
    columns = EvidenceNode.__table__.c
    return insert(EvidenceNode).values(
        [
            {
                "level": bindparam(f"l{j}", type_=columns.level.type),
                "index": bindparam(f"i{j}", type_=columns.index.type),
                "hash": bindparam(f"h{j}", type_=columns.hash.type),
            }
            for j in range(count)
        ]
    )


class _Prepared:
    """One statement compiled once for a dialect (SQL text, parameter order, bind processors such as
    ``UTCDateTime``'s), to run on the DBAPI cursor with :func:`dataasset.core.db.driver_execute`."""

    __slots__ = ("binds", "positional", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self.positional = compiled.positional
        names = (compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        self.binds = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
        )

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.positional:
            return tuple(values[n] if p is None else p(values[n]) for n, p in self.binds)
        return {n: values[n] if p is None else p(values[n]) for n, p in self.binds}


class _AppendStatements:
    """The statements of an append, compiled once per dialect. SQLAlchemy's per-statement execution
    costs about ten times what a statement itself costs on SQLite (bench/evidence), so ``record`` runs
    these on the DBAPI cursor of the session's connection, in the session's transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.max_index = _Prepared(_MAX_INDEX, dialect).sql
        # PostgreSQL: the lock and max(index) in one round trip. Both run in the session's
        # transaction, one after the other, and under READ COMMITTED the second statement reads a
        # snapshot taken after the lock was granted, i.e. after every earlier append committed.
        lock = _LOCK.bindparams(k=_ADVISORY_LOCK).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
        self.lock_and_max_index = f"{lock}; {self.max_index}"
        self.insert_entry = _Prepared(insert(EvidenceEntry), dialect, _ENTRY_COLUMNS)
        self._siblings: dict[int, _Prepared] = {}
        self._insert_nodes: dict[int, _Prepared] = {}

    def siblings(self, count: int) -> _Prepared:
        prepared = self._siblings.get(count)
        if prepared is None:
            prepared = self._siblings[count] = _Prepared(_siblings_statement(count), self.dialect)
        return prepared

    def insert_nodes(self, count: int) -> _Prepared:
        prepared = self._insert_nodes.get(count)
        if prepared is None:
            prepared = self._insert_nodes[count] = _Prepared(_insert_nodes_statement(count), self.dialect)
        return prepared


_APPEND: weakref.WeakKeyDictionary[Dialect, _AppendStatements] = weakref.WeakKeyDictionary()


def _append_statements(dialect: Dialect) -> _AppendStatements:
    statements = _APPEND.get(dialect)
    if statements is None:
        statements = _APPEND[dialect] = _AppendStatements(dialect)
    return statements


@dataclass(frozen=True)
class Recorded:
    """The entry just appended: its leaf index, time, canonical bytes (as text) and leaf hash (hex)."""

    index: int
    recorded_at: datetime
    entry: str
    leaf_hash: str


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int,
    payload: Any,
) -> Recorded:
    """Append one evidence entry for a state change, inside the caller's transaction.

    When ``payload`` carries ``state_sha256`` (the subject's state digest after the change), the entry
    carries it too, so the current row can later be checked against the log.

    The next index is ``max(index) + 1`` read under the append lock: on PostgreSQL a transaction-level
    advisory lock, taken with the first append of a transaction and held until it ends; on SQLite the
    database's single write lock (a transaction that read an older snapshot fails to write instead of
    forking the tree). The entry and the subtree hashes it completes are written by statements compiled
    once per dialect, run on the DBAPI cursor of the session's connection: ``max(index)`` (with the lock
    on PostgreSQL, one round trip), the entry ``INSERT`` and, for every second append, one read of the
    left siblings and one ``INSERT`` of the nodes they complete.
    """
    session.flush()
    conn = session.connection()
    sql = _append_statements(conn.dialect)
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql" and session.info.get(_LOCKED) is not conn.get_transaction():
            driver_execute(conn, cursor, sql.lock_and_max_index, None)
            cursor.nextset()
            session.info[_LOCKED] = conn.get_transaction()
        else:
            driver_execute(conn, cursor, sql.max_index, ())
        row = cursor.fetchone()
        last = None if row is None else row[0]
        index = 0 if last is None else last + 1
        now = utcnow()
        payload_sha256 = hashlib.sha256(canonical_json(payload)).hexdigest()
        state = payload.get("state_sha256") if isinstance(payload, Mapping) else None
        body: dict[str, Any] = {
            "index": index,
            "time": now.isoformat(),
            "actor": {"user": actor.user_id, "organisation": actor.organisation_id, "name": actor.username},
            "action": action,
            "subject": {"type": subject_type, "id": str(subject_id)},
            "payload_sha256": payload_sha256,
        }
        if state is not None:
            body["state_sha256"] = str(state)
        entry = canonical_json(body)
        text_entry = entry.decode()
        leaf = merkle.leaf_hash(entry)
        values = {
            "index": index,
            "recorded_at": now,
            "actor_user_id": actor.user_id,
            "actor_organisation_id": actor.organisation_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "payload_sha256": payload_sha256,
            "entry": text_entry,
            "leaf_hash": leaf.hex(),
            "state_sha256": body.get("state_sha256"),
        }
        driver_execute(conn, cursor, sql.insert_entry.sql, sql.insert_entry.params(values))
        keys = merkle.append_siblings(index)
        if keys:
            nodes = merkle.completed_nodes(index, leaf, _siblings(conn, cursor, sql, keys))
            insert_nodes = sql.insert_nodes(len(nodes))
            params: dict[str, Any] = {}
            for j, (level, i, value) in enumerate(nodes):
                params[f"l{j}"], params[f"i{j}"], params[f"h{j}"] = level, i, value.hex()
            driver_execute(conn, cursor, insert_nodes.sql, insert_nodes.params(params))
    finally:
        cursor.close()
    evidence_guard.note_evidence(session)
    return Recorded(index, now, text_entry, leaf.hex())


def _siblings(
    conn: Connection, cursor: DBAPICursor, sql: _AppendStatements, keys: Sequence[merkle.NodeKey]
) -> dict[merkle.NodeKey, bytes]:
    """The left siblings an append needs (:func:`merkle.append_siblings`: the leaf before it, then one
    node per level above), read in one statement."""
    if [level for level, _ in keys] != list(range(len(keys))):  # the statement's j is the level
        raise ValueError(f"not the siblings of an append: {keys[:3]}")
    statement = sql.siblings(len(keys))
    params: dict[str, Any] = {}
    for level, index in keys:
        params[f"i{level}"] = index
        if level:
            params[f"l{level}"] = level
    driver_execute(conn, cursor, statement.sql, statement.params(params))
    out = {(level, index): bytes.fromhex(value) for level, index, value in cursor.fetchall()}
    missing = [key for key in keys if key not in out]
    if missing:
        raise RuntimeError(f"存证日志缺少树节点 {missing[:5]}：请运行 dataasset evidence verify")
    return {key: out[key] for key in keys}


# --- reading the tree -------------------------------------------------------------------------


_LEAVES = select(EvidenceEntry.index, EvidenceEntry.leaf_hash).where(
    EvidenceEntry.index.in_(bindparam("indexes", expanding=True))
)


def read_nodes(session: Session, keys: Sequence[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
    """Stored hashes of perfect subtrees: leaves from the entries, higher levels from the nodes."""
    out: dict[merkle.NodeKey, bytes] = {}
    leaves = sorted({i for level, i in keys if level == 0})
    inner = sorted({(level, i) for level, i in keys if level > 0})
    conn = session.connection()
    if leaves:
        for i, value in conn.execute(_LEAVES, {"indexes": leaves}):
            out[(0, i)] = bytes.fromhex(value)
    if inner:
        cond = or_(*(and_(EvidenceNode.level == lv, EvidenceNode.index == i) for lv, i in inner))
        for lv, i, value in conn.execute(
            select(EvidenceNode.level, EvidenceNode.index, EvidenceNode.hash).where(cond)
        ):
            out[(lv, i)] = bytes.fromhex(value)
    missing = [k for k in keys if k not in out]
    if missing:
        raise RuntimeError(f"存证日志缺少树节点 {missing[:5]}：请运行 dataasset evidence verify")
    return out


def tree_size(session: Session) -> int:
    """Number of entries in the log."""
    last = session.connection().execute(_MAX_INDEX).scalar()
    return 0 if last is None else last + 1


def root_hash(session: Session, size: int | None = None) -> bytes:
    """MTH of the first ``size`` entries (default: all), from ``O(log n)`` stored nodes."""
    size = tree_size(session) if size is None else size
    return merkle.root(size, lambda keys: read_nodes(session, keys))


def _check_tree_size(session: Session, size: int) -> None:
    current = tree_size(session)
    if not 1 <= size <= current:
        raise Invalid(
            f"树的大小必须在 1 到当前日志长度 {current} 之间", code="evidence_tree_size_out_of_range"
        )


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    """The audit path of entry ``index`` in the tree of ``size`` entries (RFC 9162 §2.1.3.1)."""
    _check_tree_size(session, size)
    if not 0 <= index < size:
        raise Invalid("条目序号必须小于树的大小", code="evidence_leaf_index_out_of_range")
    return merkle.inclusion_proof(index, size, lambda keys: read_nodes(session, keys))


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` entries is a prefix of the tree of ``second`` entries
    (RFC 9162 §2.1.4.1). A proof from size 0 proves nothing and is refused."""
    if first < 1:
        raise Invalid("一致性证明的起始大小必须大于 0", code="evidence_consistency_from_empty_tree")
    if first > second:
        raise Invalid("一致性证明的起始大小不能大于结束大小", code="evidence_consistency_range_invalid")
    _check_tree_size(session, second)
    return merkle.consistency_proof(first, second, lambda keys: read_nodes(session, keys))


# --- signed checkpoints -----------------------------------------------------------------------


@lru_cache(maxsize=16)
def _signer(path: Path, origin: str) -> NoteSigner:
    return load_or_create_signer(path, origin)


def signer_for(settings: Settings | None = None) -> NoteSigner:
    """The checkpoint signer the settings name (``DATAASSET_EVIDENCE_KEY_FILE``, or
    ``var_dir/evidence.key`` generated on first use) under ``DATAASSET_EVIDENCE_ORIGIN``."""
    settings = settings or get_settings()
    return _signer(settings.resolved_evidence_key_file.resolve(), settings.evidence_origin)


def public_key_b64(signer: NoteSigner) -> str:
    return base64.b64encode(signer.public_key).decode()


def checkpoint(session: Session, signer: NoteSigner | None = None) -> EvidenceCheckpoint:
    """Sign the current tree size and root and keep the checkpoint (every checkpoint is kept)."""
    signer = signer or signer_for()
    size = tree_size(session)
    root = root_hash(session, size)
    row = EvidenceCheckpoint(
        tree_size=size,
        root_hash=root.hex(),
        origin=signer.name,
        public_key=public_key_b64(signer),
        note=signer.sign(checkpoint_body(signer.name, size, root)),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def current_checkpoint(session: Session, signer: NoteSigner | None = None) -> EvidenceCheckpoint:
    """The latest checkpoint, or a new one when the tree has grown since (or the key changed)."""
    signer = signer or signer_for()
    last = session.scalar(select(EvidenceCheckpoint).order_by(EvidenceCheckpoint.id.desc()).limit(1))
    if (
        last is not None
        and last.tree_size == tree_size(session)
        and last.origin == signer.name
        and last.public_key == public_key_b64(signer)
    ):
        return last
    return checkpoint(session, signer)
