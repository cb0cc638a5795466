"""The database side of checking the evidence log: stream the stored rows into
:func:`dataasset.core.evidence_verify.verify_log`, and export them for offline checking
(湖南方案第3条 全程可追溯)."""

from __future__ import annotations

import base64
import itertools
import multiprocessing
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from dataasset.core import evidence
from dataasset.core.db import make_engine, utcnow
from dataasset.core.evidence_export import export_lines, open_export
from dataasset.core.evidence_verify import (
    CheckedEntries,
    CheckpointRow,
    EntryRow,
    Progress,
    VerifyReport,
    check_entries,
    verify_checked,
    verify_log,
)
from dataasset.core.models import EvidenceCheckpoint, EvidenceNode

_BATCH = 20_000
_CURSORS = itertools.count()


_ENTRY_SQL = (
    'SELECT "index", {recorded_at}, actor_user_id, actor_organisation_id, action, subject_type,'
    " subject_id, payload_sha256, state_sha256, entry, leaf_hash FROM core_evidence_entry"
    ' WHERE "index" >= {begin:d} AND "index" < {end:d} ORDER BY "index"'
)
# the time as naive UTC text in both backends: what SQLite stores, what PostgreSQL formats fastest
_RECORDED_AT = {
    "sqlite": "recorded_at",
    "postgresql": "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
}
_NODE_SQL = 'SELECT "index", hash FROM core_evidence_node WHERE level = {level:d} ORDER BY "index"'
_DONE = object()


def _stream(conn: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows straight from the driver: reading a million entries through the ORM's row processing
    would cost more than checking them. On PostgreSQL a server-side cursor is read in batches by a
    helper thread while the caller checks the previous batch (the server works meanwhile)."""
    dbapi: Any = conn.connection.dbapi_connection
    postgres = conn.dialect.name == "postgresql"
    if not postgres:  # SQLite works in this process: a second thread would only contend for the GIL
        cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(_BATCH):
                yield from rows
        finally:
            cursor.close()
        return
    batches: queue.Queue[Any] = queue.Queue(maxsize=3)
    stop = threading.Event()

    def fetch() -> None:
        cursor = dbapi.cursor(name=f"evidence_verify_{next(_CURSORS)}")
        try:
            cursor.itersize = _BATCH
            cursor.execute(sql)
            while not stop.is_set() and (rows := cursor.fetchmany(_BATCH)):
                _put(batches, rows, stop)
            _put(batches, _DONE, stop)
        except BaseException as exc:  # handed to the reading thread
            _put(batches, exc, stop)
        finally:
            cursor.close()

    worker = threading.Thread(target=fetch, name="evidence-verify-fetch", daemon=True)
    worker.start()
    try:
        while (batch := batches.get()) is not _DONE:
            if isinstance(batch, BaseException):
                raise batch
            yield from batch
    finally:
        stop.set()
        worker.join()


def _put(batches: queue.Queue[Any], item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            batches.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def entry_rows(session: Session, below: int | None = None) -> Iterator[EntryRow]:
    """The entries with index below ``below`` (default: all) in index order, streamed as the driver
    gives them; ``recorded_at`` is naive UTC text."""
    below = evidence.tree_size(session) if below is None else below
    return _entries(session.connection(), 0, below)


def _entries(conn: Connection, begin: int, end: int) -> Iterator[EntryRow]:
    sql = _ENTRY_SQL.format(recorded_at=_RECORDED_AT[conn.dialect.name], begin=begin, end=end)
    return _stream(conn, sql)


def checkpoint_rows(session: Session) -> list[CheckpointRow]:
    c = EvidenceCheckpoint
    rows = session.execute(
        select(c.id, c.tree_size, c.root_hash, c.origin, c.public_key, c.note).order_by(c.id)
    ).all()
    return [CheckpointRow(*row) for row in rows]


def _node_rows(session: Session, level: int) -> Iterable[tuple[int, str]]:
    return _stream(session.connection(), _NODE_SQL.format(level=level))


def verify_database(
    session: Session,
    *,
    trusted_keys: set[bytes] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    parallel_from: int = 200_000,
) -> VerifyReport:
    """Check the log in the database: entries, stored nodes, checkpoints and the current state of
    every subject whose domain registered a state digest.

    With ``workers > 1`` and at least ``parallel_from`` entries, worker processes read and check
    consecutive ranges of entries over their own connections: they see committed rows only, so a
    caller checking its own uncommitted changes keeps ``workers=1``.
    """
    size = evidence.tree_size(session)
    states = {kind: digests(session) for kind, digests in evidence.state_digests().items()}
    options: dict[str, Any] = {
        "checkpoints": checkpoint_rows(session),
        "stored_nodes": lambda level: _node_rows(session, level),
        "top_stored_level": session.scalar(select(func.max(EvidenceNode.level))) or 0,
        "trusted_keys": trusted_keys,
        "current_states": states,
        "progress": progress,
    }
    if workers > 1 and size >= parallel_from:
        parts = _check_in_processes(session, size, frozenset(states), workers, progress)
        return verify_checked(parts, **options)
    return verify_log(entry_rows(session, size), size_hint=size, **options)


def _check_in_processes(
    session: Session, size: int, types: frozenset[str], workers: int, progress: Progress | None
) -> list[CheckedEntries]:
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    step = -(-size // (workers * 2))
    bounds = [(begin, min(begin + step, size)) for begin in range(0, size, step)]
    context = multiprocessing.get_context("spawn")
    parts: list[CheckedEntries] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_check_range, url, begin, end, types) for begin, end in bounds]
        for (begin, end), future in zip(bounds, futures, strict=True):
            parts.append(future.result())
            if progress is not None:
                progress("entries", end - begin, size)
    return parts


def _check_range(url: str, begin: int, end: int, types: frozenset[str]) -> CheckedEntries:
    """In a worker process: check the entries ``[begin, end)`` over a connection of its own."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return check_entries(_entries(conn, begin, end), start=begin, subject_types=types)
    finally:
        engine.dispose()


def export(session: Session, out: TextIO, public_key: bytes | None, origin: str) -> int:
    """Write the checkpoints and entries of the log as it is now (JSON Lines, see
    :mod:`dataasset.core.evidence_export`); returns the number of entries."""
    size = evidence.tree_size(session)
    header = {
        "origin": origin,
        "public_key": base64.b64encode(public_key).decode() if public_key else None,
        "tree_size": size,
        "exported_at": utcnow().isoformat(),
    }
    checkpoints = [cp for cp in checkpoint_rows(session) if cp.tree_size <= size]
    for line in export_lines(header, checkpoints, entry_rows(session, size)):
        out.write(line)
        out.write("\n")
    return size


def verify_file(
    path: Path, *, trusted_keys: set[bytes] | None = None, progress: Progress | None = None
) -> VerifyReport:
    """Check an export file offline, with no database. Without ``trusted_keys`` the key named in the
    file's header is trusted (compare it with the platform's published key)."""
    with path.open(encoding="utf-8") as handle:
        header, checkpoints, entries = open_export(handle)
        if trusted_keys is None and header.get("public_key"):
            trusted_keys = {base64.b64decode(header["public_key"])}
        return verify_log(
            entries,
            size_hint=int(header.get("tree_size") or 0),
            checkpoints=checkpoints,
            trusted_keys=trusted_keys,
            progress=progress,
        )
