"""Fast bulk generation of a valid evidence log: entries exactly as ``core.evidence.record`` writes
them (canonical JSON, RFC 9162 leaf hashes) and every complete subtree hash, bulk-inserted."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from dataasset.core import merkle
from dataasset.core.evidence import canonical_json

_ENTRY = (
    '{{"action":"bench.append","actor":{{"name":"bench","organisation":null,"user":null}},'
    '"index":{i},"payload_sha256":"{p}","subject":{{"id":"{i}","type":"bench"}},"time":"{t}"}}'
)
_COLUMNS = (
    '"index", recorded_at, actor_user_id, actor_organisation_id, action, subject_type, subject_id, '
    "payload_sha256, entry, leaf_hash, state_sha256"
)
BATCH = 50_000


def entries(start: int, count: int) -> Iterator[tuple[int, datetime, str, str, str]]:
    """``(index, recorded_at, payload_sha256, entry text, leaf hash hex)``, canonical as record() makes."""
    base = datetime(2026, 11, 1, tzinfo=UTC)
    sha256 = hashlib.sha256
    for i in range(start, start + count):
        when = base + timedelta(microseconds=i * 1_000)
        payload = sha256(b'{"i":%d}' % i).hexdigest()
        text = _ENTRY.format(i=i, p=payload, t=when.isoformat())
        yield i, when, payload, text, sha256(b"\x00" + text.encode()).hexdigest()


def check_canonical() -> None:
    """The template must produce exactly what ``canonical_json`` does."""
    i, when, payload, text, _ = next(entries(7, 1))
    body = {
        "index": i,
        "time": when.isoformat(),
        "actor": {"user": None, "organisation": None, "name": "bench"},
        "action": "bench.append",
        "subject": {"type": "bench", "id": str(i)},
        "payload_sha256": payload,
    }
    assert canonical_json(body).decode() == text, "bench entry template is not canonical"


def _sqlite_rows(batch: list[tuple[int, datetime, str, str, str]]) -> list[tuple[Any, ...]]:
    # UTCDateTime on SQLite: naive UTC text in SQLAlchemy's storage format
    return [
        (i, w.strftime("%Y-%m-%d %H:%M:%S.%f"), None, None, "bench.append", "bench", str(i), p, t, h, None)
        for i, w, p, t, h in batch
    ]


def load(engine: Engine, count: int, log: Any) -> dict[str, float]:
    """Insert ``count`` entries and their subtree hashes into an empty, migrated log."""
    check_canonical()
    started = time.perf_counter()
    leaves: list[bytes] = []
    dialect = engine.dialect.name
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        batch: list[tuple[int, datetime, str, str, str]] = []
        for row in entries(0, count):
            batch.append(row)
            leaves.append(bytes.fromhex(row[4]))
            if len(batch) == BATCH:
                _insert_entries(raw, dialect, batch)
                batch = []
                if len(leaves) % 200_000 == 0:
                    log(f"  {len(leaves):,} entries")
        if batch:
            _insert_entries(raw, dialect, batch)
        entries_s = time.perf_counter() - started
        t = time.perf_counter()
        nodes = [(lv, i, h.hex()) for lv, i, h in merkle.complete_subtrees(leaves)]
        _insert_nodes(raw, dialect, nodes)
        nodes_s = time.perf_counter() - t
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE core_evidence_entry")
            conn.exec_driver_sql("VACUUM ANALYZE core_evidence_node")
    return {
        "entries_s": entries_s,
        "nodes_s": nodes_s,
        "nodes": float(len(nodes)),
        "total_s": time.perf_counter() - started,
    }


def _insert_entries(raw: Any, dialect: str, batch: list[tuple[int, datetime, str, str, str]]) -> None:
    if dialect == "sqlite":
        raw.executemany(
            f"INSERT INTO core_evidence_entry ({_COLUMNS}) VALUES ({','.join('?' * 11)})", _sqlite_rows(batch)
        )
        return
    with raw.cursor() as cur, cur.copy(f"COPY core_evidence_entry ({_COLUMNS}) FROM STDIN") as copy:
        for i, w, p, t, h in batch:
            copy.write_row((i, w, None, None, "bench.append", "bench", str(i), p, t, h, None))


def _insert_nodes(raw: Any, dialect: str, nodes: list[tuple[int, int, str]]) -> None:
    if dialect == "sqlite":
        raw.executemany('INSERT INTO core_evidence_node (level, "index", hash) VALUES (?, ?, ?)', nodes)
        return
    with raw.cursor() as cur, cur.copy('COPY core_evidence_node (level, "index", hash) FROM STDIN') as copy:
        for row in nodes:
            copy.write_row(row)
