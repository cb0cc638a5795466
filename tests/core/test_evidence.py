"""The evidence log on a real database: stored nodes, roots and proofs, checkpoints, the guard."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from dataasset.catalog import service as catalog
from dataasset.catalog.schemas import AssetCardCreate, AssetCardUpdate
from dataasset.core import evidence, evidence_audit, evidence_guard, merkle
from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine, session_factory, transaction
from dataasset.core.errors import Invalid
from dataasset.core.evidence_guard import EvidenceMissing
from dataasset.core.models import EvidenceEntry, EvidenceNode, Organisation, User
from dataasset.core.permissions import Actor
from dataasset.core.signed_note import load_or_create_signer, verify_checkpoint
from dataasset.settings import Settings
from tests.conftest import require_pg, scratch_pg_database

SYSTEM = Actor.system("test")


def _leaves(db: Session) -> list[bytes]:
    rows = db.scalars(select(EvidenceEntry.leaf_hash).order_by(EvidenceEntry.index)).all()
    return [bytes.fromhex(h) for h in rows]


def _append(db: Session, count: int) -> None:
    for i in range(count):
        evidence.record(db, SYSTEM, "test.append", "test", i, {"i": i})


def test_appends_store_every_complete_subtree(db: Session) -> None:
    _append(db, 37)
    leaves = _leaves(db)
    stored = {
        (lv, i): bytes.fromhex(h)
        for lv, i, h in db.execute(select(EvidenceNode.level, EvidenceNode.index, EvidenceNode.hash))
    }
    expected = {(lv, i): h for lv, i, h in merkle.complete_subtrees(leaves)}
    assert stored == expected
    for size in (1, 2, 3, len(leaves) // 2, len(leaves)):
        assert evidence.root_hash(db, size) == merkle.reference_root(leaves[:size])
    assert evidence.root_hash(db) == merkle.reference_root(leaves)


def test_entry_bytes_hash_to_the_leaf_and_carry_the_state_digest(db: Session, actor: Any) -> None:
    card = catalog.create_card(
        db,
        actor("xn_admin"),
        AssetCardCreate.model_validate({"basic": {"name": "存证测试", "industry": "D"}}),
    )
    row = db.scalar(
        select(EvidenceEntry)
        .where(EvidenceEntry.subject_type == "asset_card", EvidenceEntry.subject_id == str(card.id))
        .order_by(EvidenceEntry.index.desc())
    )
    assert row is not None
    assert hashlib.sha256(b"\x00" + row.entry.encode()).hexdigest() == row.leaf_hash
    assert (
        row.state_sha256 == catalog.card_digest(card) and f'"state_sha256":"{row.state_sha256}"' in row.entry
    )
    patch = AssetCardUpdate.model_validate({"version": 1, "basic": {"description": "改"}})
    catalog.update_card(db, actor("xn_admin"), card.id, patch)
    latest = db.scalar(select(func.max(EvidenceEntry.index)).where(EvidenceEntry.subject_id == str(card.id)))
    assert db.get(EvidenceEntry, latest).state_sha256 == catalog.card_digest(card)  # type: ignore[union-attr]


def test_proofs_from_stored_nodes_verify(db: Session) -> None:
    _append(db, 21)
    size = evidence.tree_size(db)
    leaves = _leaves(db)
    root = evidence.root_hash(db)
    for index in {0, 1, size // 2, size - 2, size - 1}:
        proof = evidence.inclusion_proof(db, index, size)
        merkle.verify_inclusion(index, size, leaves[index], proof, root)
    for first in {1, 2, size // 3, size - 1, size}:
        proof = evidence.consistency_proof(db, first, size)
        merkle.verify_consistency(first, size, evidence.root_hash(db, first), root, proof)


def test_a_proof_reads_logarithmically_many_rows(db: Session) -> None:
    _append(db, 40)
    size = evidence.tree_size(db)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        evidence.inclusion_proof(db, size // 2, size)
        evidence.consistency_proof(db, size // 3, size)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(statements) <= 6  # tree size, leaves, nodes per proof: never a scan of the log
    assert not any("ORDER BY" in s.upper() for s in statements)


def _append_until_siblings(db: Session, count: int) -> int:
    """Append until the next append needs ``count`` left siblings; return that next index."""
    while len(merkle.append_siblings(evidence.tree_size(db))) != count:
        _append(db, 1)
    return evidence.tree_size(db)


def test_appends_store_what_the_orm_reads_back(db: Session) -> None:
    """``record`` writes through the DBAPI cursor: the row must be what the mapped columns say."""
    recorded = evidence.record(db, SYSTEM, "test.append", "test", "x-1", {"state_sha256": "ab" * 32})
    row = db.get(EvidenceEntry, recorded.index)
    assert row is not None
    assert (row.recorded_at, row.entry, row.leaf_hash) == (
        recorded.recorded_at,
        recorded.entry,
        recorded.leaf_hash,
    )
    assert row.recorded_at.tzinfo is not None and row.state_sha256 == "ab" * 32
    assert (row.subject_type, row.subject_id, row.action) == ("test", "x-1", "test.append")


def test_an_append_that_cannot_read_its_siblings_stops(db: Session) -> None:
    index = _append_until_siblings(db, 3)
    level, node = merkle.append_siblings(index)[2]
    db.execute(
        text('DELETE FROM core_evidence_node WHERE level = :l AND "index" = :i'), {"l": level, "i": node}
    )
    with pytest.raises(RuntimeError, match="缺少树节点"):
        evidence.record(db, SYSTEM, "test.append", "test", index, {})


def test_driver_errors_are_raised_as_sqlalchemy_errors(db: Session) -> None:
    """A conflicting row is refused by the database, reported as SQLAlchemy's ``IntegrityError``
    (the API maps it to 409), never written twice."""
    index = _append_until_siblings(db, 1)
    db.execute(
        text('INSERT INTO core_evidence_node (level, "index", hash) VALUES (1, :i, :h)'),
        {"i": index // 2, "h": "00" * 32},
    )
    with pytest.raises(IntegrityError):
        evidence.record(db, SYSTEM, "test.append", "test", index, {})


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_writers_never_fork_the_log(backend: str, tmp_path: Path) -> None:
    """Writers in their own transactions: on PostgreSQL the advisory lock makes them wait for one
    another and every append commits; on SQLite a writer whose snapshot is older than the last
    commit cannot take the write lock and fails (``database is locked``). Either way the log stays
    one tree with contiguous indexes."""
    context: Any
    if backend == "sqlite":
        context = nullcontext(f"sqlite:///{tmp_path / 'c.db'}")
    else:
        require_pg()
        context = scratch_pg_database("evidence_concurrency")
    threads, per_thread = 4, 25
    with context as url:
        migrations.upgrade(url)
        engine = make_engine(url, pool_size=threads)
        factory = session_factory(engine)
        failures: list[BaseException] = []

        def append(worker: int) -> None:
            for i in range(per_thread):
                try:
                    with transaction(factory) as session:
                        evidence.record(session, SYSTEM, "test.append", "test", f"{worker}-{i}", {"i": i})
                except OperationalError as exc:
                    failures.append(exc)

        try:
            workers = [threading.Thread(target=append, args=(w,)) for w in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            with transaction(factory) as session:
                report = evidence_audit.verify_database(session)
                indexes = session.scalars(select(EvidenceEntry.index).order_by(EvidenceEntry.index)).all()
        finally:
            engine.dispose()
    assert report.ok, report.problems[:3]
    assert indexes == list(range(threads * per_thread - len(failures)))
    if backend == "postgresql":
        assert not failures
    assert all("locked" in str(f) for f in failures)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda db, n: evidence.inclusion_proof(db, n, n), "evidence_leaf_index_out_of_range"),
        (lambda db, n: evidence.inclusion_proof(db, 0, n + 1), "evidence_tree_size_out_of_range"),
        (lambda db, n: evidence.inclusion_proof(db, 0, 0), "evidence_tree_size_out_of_range"),
        (lambda db, n: evidence.consistency_proof(db, 0, n), "evidence_consistency_from_empty_tree"),
        (lambda db, n: evidence.consistency_proof(db, 3, 2), "evidence_consistency_range_invalid"),
        (lambda db, n: evidence.consistency_proof(db, 1, n + 1), "evidence_tree_size_out_of_range"),
    ],
)
def test_impossible_proofs_are_refused_in_chinese(db: Session, call: Any, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        call(db, evidence.tree_size(db))
    assert caught.value.code == code and caught.value.status == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


# --- checkpoints ----------------------------------------------------------------------------------


def test_checkpoints_are_signed_notes_over_the_current_root(db: Session, tmp_path: Path) -> None:
    signer = evidence.signer_for(Settings(var_dir=tmp_path, evidence_origin="example.org/log"))
    key_file = tmp_path / "evidence.key"
    assert key_file.is_file() and os.stat(key_file).st_mode & 0o777 == 0o600
    first = evidence.checkpoint(db, signer)
    lines = first.note.split("\n")
    assert lines[:3] == [
        "example.org/log",
        str(first.tree_size),
        base64.b64encode(bytes.fromhex(first.root_hash)).decode(),
    ]
    assert lines[3] == "" and lines[4].startswith("\u2014 example.org/log ") and lines[5] == ""
    parsed = verify_checkpoint(first.note, "example.org/log", signer.public_key)
    assert parsed.tree_size == evidence.tree_size(db) and parsed.root_hash == evidence.root_hash(db)
    assert evidence.current_checkpoint(db, signer).id == first.id  # not grown: the same checkpoint
    _append(db, 1)
    grown = evidence.current_checkpoint(db, signer)
    assert grown.id != first.id and grown.tree_size == first.tree_size + 1
    other = load_or_create_signer(tmp_path / "other.key", "example.org/log")
    with pytest.raises(ValueError, match="no signature"):
        verify_checkpoint(first.note, "example.org/log", other.public_key)


def test_the_key_file_setting_and_the_same_key_on_reload(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "cp.pem"
    one = evidence.signer_for(Settings(var_dir=tmp_path / "var", evidence_key_file=path))
    assert path.is_file() and not (tmp_path / "var" / "evidence.key").exists()
    assert load_or_create_signer(path, one.name).public_key == one.public_key
    assert one.verifier_key.startswith("dataasset.local/evidence+")


# --- the guard: no change without evidence ---------------------------------------------------


def _rename_without_evidence(session: Session) -> None:
    """A faulty service: changes a domain row and forgets ``evidence.record``."""
    org = session.scalar(select(Organisation).order_by(Organisation.id))
    assert org is not None
    org.name = org.name + "（改）"
    session.flush()


def test_a_change_without_evidence_cannot_commit(db: Session) -> None:
    _rename_without_evidence(db)
    with pytest.raises(EvidenceMissing, match="core_organisation"):
        db.commit()
    db.rollback()


def test_a_change_with_evidence_commits(db: Session) -> None:
    _rename_without_evidence(db)
    evidence.record(db, SYSTEM, "organisation.update", "organisation", 1, {"name": "改"})
    db.commit()


def test_sql_statements_through_the_session_count(db: Session) -> None:
    db.execute(text("UPDATE core_organisation SET name = name || 'x' WHERE id = 1"))
    with pytest.raises(EvidenceMissing, match="core_organisation"):
        db.commit()
    db.rollback()


def test_the_logs_own_tables_are_not_domain_changes(db: Session, tmp_path: Path) -> None:
    evidence.checkpoint(db, evidence.signer_for(Settings(var_dir=tmp_path)))
    db.execute(text("DELETE FROM core_evidence_checkpoint WHERE id < 0"))
    db.commit()


def test_declared_bookkeeping_is_exempt(db: Session) -> None:
    user = db.scalar(select(User).order_by(User.id))
    assert user is not None
    user.failed_logins += 1
    user.last_login_at = None
    catalog.next_code(db, "430100", 2099)  # the asset-code counter
    db.commit()
    user.display_name = "改名"
    with pytest.raises(EvidenceMissing, match="core_user"):
        db.commit()
    db.rollback()


def test_savepoints_are_judged_by_the_enclosing_commit(db: Session) -> None:
    with db.begin_nested():
        _rename_without_evidence(db)
    evidence.record(db, SYSTEM, "organisation.update", "organisation", 1, {})
    db.commit()
    with db.begin_nested():
        _rename_without_evidence(db)
    with pytest.raises(EvidenceMissing):
        db.commit()
    db.rollback()


def test_the_session_factory_installs_the_guard(engine: Engine) -> None:
    factory = session_factory(engine)
    assert event.contains(factory, "before_commit", evidence_guard._before_commit)
    assert event.contains(factory, "before_flush", evidence_guard._before_flush)
    assert event.contains(factory, "do_orm_execute", evidence_guard._on_execute)
    with factory() as session:
        _rename_without_evidence(session)
        with pytest.raises(EvidenceMissing):
            session.commit()
        session.rollback()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_backfills_the_nodes_of_existing_entries(backend: str, tmp_path: Path) -> None:
    context: Any
    if backend == "sqlite":
        context = nullcontext(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        require_pg()
        context = scratch_pg_database("evidence_backfill")
    with context as url:
        migrations.upgrade(url, "0001")
        engine = make_engine(url)
        try:
            _backfill_round_trip(url, engine)
        finally:
            engine.dispose()


def _backfill_round_trip(url: str, engine: Engine) -> None:
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(13)]
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO core_evidence_entry ("index", recorded_at, action, subject_type, subject_id,'
                " payload_sha256, entry, leaf_hash) VALUES (:i, :t, 'a', 't', '1', '', :e, :h)"
            ),
            [
                {"i": i, "t": datetime.now(UTC), "e": f"entry {i}", "h": leaf.hex()}
                for i, leaf in enumerate(leaves)
            ],
        )
    migrations.upgrade(url)
    with engine.connect() as conn:
        stored = set(conn.execute(text('SELECT level, "index", hash FROM core_evidence_node')).tuples())
    assert stored == {(lv, i, h.hex()) for lv, i, h in merkle.complete_subtrees(leaves)}
    migrations.downgrade(url, "0001")
    tables = set(inspect(engine).get_table_names())
    assert "core_evidence_node" not in tables and "core_evidence_checkpoint" not in tables
    assert "state_sha256" not in {c["name"] for c in inspect(engine).get_columns("core_evidence_entry")}
