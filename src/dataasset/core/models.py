"""Tables of the core: organisations, users and the evidence log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.core.db import Base, UTCDateTime, utcnow


class Organisation(Base):
    """An organisation on the platform (数据持有单位, 监管部门, 评估机构, 数据交易所 ...).

    ``region_code`` is its 行政区划代码; for a regulator the region's prefix is its jurisdiction.
    A subsidiary with ``share_with_parent`` lets its parent group read its records.
    """

    __tablename__ = "core_organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    share_with_parent: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_type: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class User(Base):
    """A person who logs in. Roles are a list of :class:`dataasset.core.enums.Role` values."""

    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class EvidenceEntry(Base):
    """One entry of the evidence log (存证): the canonical bytes of a state change and their leaf hash.

    ``state_sha256`` is the digest of the subject's state after the change, when its domain gives one.
    The Merkle tree, checkpoints and proofs over these leaves are built by ``core.evidence``.
    """

    __tablename__ = "core_evidence_entry"
    __table_args__ = (Index("ix_core_evidence_entry_subject", "subject_type", "subject_id", "index"),)

    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    state_sha256: Mapped[str | None] = mapped_column(String(64))


class EvidenceNode(Base):
    """The hash of a complete perfect subtree of the evidence log (level ≥ 1): ``2**level`` leaves
    from leaf ``index * 2**level``. Written once, in the transaction of the leaf that completes it;
    roots and proofs read ``O(log n)`` of these (leaves are ``core_evidence_entry.leaf_hash``)."""

    __tablename__ = "core_evidence_node"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class EvidenceCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint): the tree size and root hash at a moment, as the
    signed note text. Every checkpoint is kept."""

    __tablename__ = "core_evidence_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
