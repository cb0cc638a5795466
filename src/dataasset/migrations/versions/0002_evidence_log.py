"""Evidence log: stored Merkle subtree hashes, signed checkpoints, state digests of subjects

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00

Backfills the subtree hashes of the entries already in the log, so proofs work at once.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 10_000


def upgrade() -> None:
    node = op.create_table(
        "core_evidence_node",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_core_evidence_node")),
    )
    op.create_table(
        "core_evidence_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_evidence_checkpoint")),
    )
    with op.batch_alter_table("core_evidence_checkpoint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_evidence_checkpoint_tree_size"), ["tree_size"], unique=False
        )
    with op.batch_alter_table("core_evidence_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_sha256", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_core_evidence_entry_subject", ["subject_type", "subject_id", "index"], unique=False
        )
    _backfill_nodes(node)


def _backfill_nodes(node: sa.Table) -> None:
    """Every complete perfect subtree (level ≥ 1) over the existing leaves (RFC 9162 node hashes)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT "index", leaf_hash FROM core_evidence_entry ORDER BY "index"'))
    stack: list[bytes] = []
    batch: list[dict[str, object]] = []
    for expected, (index, leaf_hex) in enumerate(rows.all()):
        if index != expected:
            raise RuntimeError(f"core_evidence_entry has a gap at index {expected}")
        current, count, level = bytes.fromhex(leaf_hex), index + 1, 0
        while count % 2 == 0:
            current = hashlib.sha256(b"\x01" + stack.pop() + current).digest()
            count //= 2
            level += 1
            batch.append({"level": level, "index": count - 1, "hash": current.hex()})
        stack.append(current)
        if len(batch) >= _BATCH:
            conn.execute(node.insert(), batch)
            batch = []
    if batch:
        conn.execute(node.insert(), batch)


def downgrade() -> None:
    with op.batch_alter_table("core_evidence_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_core_evidence_entry_subject")
        batch_op.drop_column("state_sha256")
    with op.batch_alter_table("core_evidence_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_evidence_checkpoint_tree_size"))
    op.drop_table("core_evidence_checkpoint")
    op.drop_table("core_evidence_node")
