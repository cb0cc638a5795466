"""Checking the whole log: the demo verifies; any byte flipped in the log, or a domain row changed
behind the services' back, is found; export files verify offline."""

from __future__ import annotations

import io
import json
import random
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dataasset.catalog.models import AssetCard
from dataasset.core import evidence, evidence_audit, merkle
from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine, session_factory, transaction
from dataasset.core.evidence_export import ExportError, open_export
from dataasset.core.evidence_verify import verify_log
from dataasset.core.models import EvidenceCheckpoint, EvidenceEntry, EvidenceNode
from dataasset.core.permissions import Actor
from dataasset.settings import Settings
from tests.conftest import require_pg, scratch_pg_database

TRIALS = 200


def _signed(db: Session, tmp_path: Path) -> set[bytes]:
    signer = evidence.signer_for(Settings(var_dir=tmp_path))
    evidence.checkpoint(db, signer)
    return {signer.public_key}


def test_the_demo_log_verifies(db: Session, tmp_path: Path) -> None:
    keys = _signed(db, tmp_path)
    report = evidence_audit.verify_database(db, trusted_keys=keys)
    assert report.ok, report.problems[:3]
    assert report.size == evidence.tree_size(db) and report.checkpoints_checked >= 1
    assert report.subjects_checked == db.scalar(select(func.count()).select_from(AssetCard))
    assert report.nodes_checked == db.scalar(select(func.count()).select_from(EvidenceNode))


def _flip_text(value: str, rng: random.Random) -> str:
    """Flip one bit of one ASCII byte so that the text stays printable (and valid UTF-8)."""
    positions = [i for i, ch in enumerate(value) if " " <= ch <= "~"]
    while True:
        i, bit = rng.choice(positions), rng.randrange(7)
        flipped = chr(ord(value[i]) ^ (1 << bit))
        if " " <= flipped <= "~":
            return value[:i] + flipped + value[i + 1 :]


def _flip_hash(value: str, rng: random.Random) -> str:
    raw = bytearray(bytes.fromhex(value))
    raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    return raw.hex()


def _tamper(db: Session, rng: random.Random, size: int) -> tuple[str, int]:
    """Change one stored value directly in SQL; answer what and the first leaf index concerned."""
    kind = rng.choice(["entry", "leaf_hash", "node", "card"])
    if kind == "node":
        level, index, value = rng.choice(
            db.execute(select(EvidenceNode.level, EvidenceNode.index, EvidenceNode.hash)).all()
        )
        db.execute(
            text('UPDATE core_evidence_node SET hash = :h WHERE level = :l AND "index" = :i'),
            {"h": _flip_hash(value, rng), "l": level, "i": index},
        )
        return kind, index << level
    if kind == "card":
        card_id = rng.choice(db.scalars(select(AssetCard.id)).all())
        column = rng.choice(["name", "description", "owning_department"])
        db.execute(
            text(f"UPDATE catalog_asset_card SET {column} = {column} || '改' WHERE id = :id"), {"id": card_id}
        )
        latest = db.scalar(
            select(func.max(EvidenceEntry.index)).where(
                EvidenceEntry.subject_type == "asset_card", EvidenceEntry.subject_id == str(card_id)
            )
        )
        assert latest is not None
        return kind, latest
    index = rng.randrange(size)
    current = db.scalar(select(getattr(EvidenceEntry, kind)).where(EvidenceEntry.index == index))
    flipped = _flip_text(current, rng) if kind == "entry" else _flip_hash(current, rng)
    db.execute(
        text(f'UPDATE core_evidence_entry SET {kind} = :v WHERE "index" = :i'), {"v": flipped, "i": index}
    )
    return kind, index


def test_any_tampering_is_found(db: Session, tmp_path: Path) -> None:
    keys = _signed(db, tmp_path)
    size = evidence.tree_size(db)
    rng = random.Random(9162)
    seen: set[str] = set()
    for _ in range(TRIALS):
        savepoint = db.begin_nested()
        try:
            kind, index = _tamper(db, rng, size)
            report = evidence_audit.verify_database(db, trusted_keys=keys)
            assert not report.ok, kind
            assert report.first is not None and report.first.index == index, (kind, index, report.first)
            seen.add(kind)
        finally:
            savepoint.rollback()
    assert seen == {"entry", "leaf_hash", "node", "card"}
    assert evidence_audit.verify_database(db, trusted_keys=keys).ok


def test_a_consistent_rewrite_is_caught_by_the_checkpoint(db: Session, tmp_path: Path) -> None:
    """Rewriting an entry together with its leaf hash and every stored node leaves the signed
    checkpoint as the witness."""
    keys = _signed(db, tmp_path)
    row = db.get(EvidenceEntry, evidence.tree_size(db) - 1)
    assert row is not None
    forged = row.entry.replace(f'"action":"{row.action}"', '"action":"forged"')
    db.execute(
        text('UPDATE core_evidence_entry SET entry = :e, action = :a, leaf_hash = :h WHERE "index" = :i'),
        {"e": forged, "a": "forged", "h": merkle.leaf_hash(forged.encode()).hex(), "i": row.index},
    )
    leaves = db.scalars(select(EvidenceEntry.leaf_hash).order_by(EvidenceEntry.index)).all()
    db.execute(text("DELETE FROM core_evidence_node"))
    db.execute(
        text('INSERT INTO core_evidence_node (level, "index", hash) VALUES (:l, :i, :h)'),
        [
            {"l": lv, "i": i, "h": h.hex()}
            for lv, i, h in merkle.complete_subtrees(bytes.fromhex(h) for h in leaves)
        ],
    )
    report = evidence_audit.verify_database(db, trusted_keys=keys)
    assert [p.reason for p in report.problems] == [
        f"检查点 #{db.scalar(select(func.max(EvidenceCheckpoint.id)))}（大小 {row.index + 1}）"
        f"的根哈希与当前日志的前 {row.index + 1} 条不一致"
    ]


def test_truncation_and_bad_signatures_are_found(db: Session, tmp_path: Path) -> None:
    keys = _signed(db, tmp_path)
    size = evidence.tree_size(db)
    savepoint = db.begin_nested()
    db.execute(text('DELETE FROM core_evidence_entry WHERE "index" = :i'), {"i": size - 1})
    report = evidence_audit.verify_database(db, trusted_keys=keys)
    assert any("截断" in p.reason for p in report.problems)
    savepoint.rollback()
    db.execute(text("UPDATE core_evidence_checkpoint SET note = replace(note, '\u2014 d', '\u2014 D')"))
    report = evidence_audit.verify_database(db, trusted_keys=keys)
    assert report.first is not None and "签名无效" in report.first.reason
    db.rollback()


def test_export_verifies_offline_and_finds_edits(db: Session, tmp_path: Path) -> None:
    signer = evidence.signer_for(Settings(var_dir=tmp_path))
    evidence.checkpoint(db, signer)
    out = io.StringIO()
    count = evidence_audit.export(db, out, signer.public_key, signer.name)
    lines = out.getvalue().splitlines()
    header, checkpoints, entries = open_export(lines)
    assert header["tree_size"] == count == evidence.tree_size(db) and checkpoints
    assert len(lines) == 1 + len(checkpoints) + count
    assert verify_log(entries, size_hint=count, checkpoints=checkpoints, trusted_keys={signer.public_key}).ok
    path = tmp_path / "log.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert evidence_audit.verify_file(path).ok
    assert not evidence_audit.verify_file(path, trusted_keys={b"\x01" * 32}).ok
    index = count // 2
    target = 1 + len(checkpoints) + index
    item: dict[str, Any] = json.loads(lines[target])
    assert item["index"] == index
    item["action"] = item["action"] + "x"
    lines[target] = json.dumps(item, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = evidence_audit.verify_file(path)
    assert report.first is not None and report.first.index == index and "action" in report.first.reason
    path.write_text("\n".join([lines[0], "{broken"]) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="第 2 行"):
        evidence_audit.verify_file(path)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_worker_processes_check_like_one_process(backend: str, tmp_path: Path) -> None:
    """The parallel entry pass (the CLI's, for large logs) finds what one process finds."""
    context: Any
    if backend == "sqlite":
        context = nullcontext(f"sqlite:///{tmp_path / 'w.db'}")
    else:
        require_pg()
        context = scratch_pg_database("evidence_workers")
    with context as url:
        migrations.upgrade(url)
        engine = make_engine(url)
        factory = session_factory(engine)
        try:
            with transaction(factory) as session:
                for i in range(300):
                    evidence.record(session, Actor.system("t"), "test.append", "test", i, {"i": i})
            with transaction(factory) as session:
                report = evidence_audit.verify_database(session, workers=2, parallel_from=1)
            assert report.ok and report.size == 300 and report.nodes_checked == 300 - 4  # n − popcount(n)
            with engine.begin() as conn:
                conn.execute(text("UPDATE core_evidence_entry SET action = 'x' WHERE \"index\" = 150"))
                conn.execute(text('DELETE FROM core_evidence_entry WHERE "index" = 77'))
            with transaction(factory) as session:
                one = evidence_audit.verify_database(session)
                many = evidence_audit.verify_database(session, workers=2, parallel_from=1)
            assert one.first == many.first and one.first is not None and one.first.index == 77
            assert any(p.index == 150 and "action" in p.reason for p in many.problems)
        finally:
            engine.dispose()
