"""Attachments (附件), content-addressed: the bytes live once under ``var_dir/files/<aa>/<sha256>``
whoever uploads them; each organisation that uploads them has one metadata row (name, size, media
type, who uploaded). Uploads are size-limited and type-checked by content (``core.filetypes``).

Who may download: the uploading organisation, the platform administrators, and whoever may see a
record the file is attached to. Domains that attach files register a visibility clause
(:func:`register_visibility`), so this module imports none of them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import BigInteger, ColumnElement, ForeignKey, Integer, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dataasset.core import evidence
from dataasset.core.db import Base, UTCDateTime, utcnow
from dataasset.core.errors import Invalid, NotFound, TooLarge
from dataasset.core.filetypes import FileTypeRejected, clean_name, detect
from dataasset.core.permissions import Actor, require


class StoredFile(Base):
    """One organisation's upload of some content: the bytes are found by ``sha256``."""

    __tablename__ = "core_file"
    __table_args__ = (UniqueConstraint("sha256", "organisation_id", name="uq_core_file_sha256_organisation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class FileStore:
    """Where the bytes go and how large an upload may be (from ``Settings``)."""

    root: Path
    max_bytes: int

    @classmethod
    def under(cls, var_dir: Path, max_bytes: int) -> FileStore:
        return cls(var_dir / "files", max_bytes)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def write(self, sha256: str, content: bytes) -> None:
        """Write once, atomically (a temporary file renamed into place)."""
        target = self.path_for(sha256)
        if target.is_file() and target.stat().st_size == len(content):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound("文件内容不存在", code="file_missing")
        return path.read_bytes()


VisibilityClause = Callable[[Actor], ColumnElement[bool]]
_visibility: dict[str, VisibilityClause] = {}


def register_visibility(name: str, clause: VisibilityClause) -> None:
    """A domain that attaches files says, as a WHERE clause on :class:`StoredFile`, which files it
    lets the actor see (for example: attached to an approval the actor may read)."""
    _visibility[name] = clause


def visible_condition(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return StoredFile.id.is_not(None)
    clauses: list[ColumnElement[bool]] = [clause(actor) for clause in _visibility.values()]
    if actor.organisation_id is not None:
        clauses.append(StoredFile.organisation_id == actor.organisation_id)
    return or_(*clauses) if clauses else StoredFile.id.is_(None)


def upload(session: Session, actor: Actor, store: FileStore, name: str, content: bytes) -> StoredFile:
    """Store an upload: refuse it when too large, empty or of a type not allowed; the same content
    uploaded again by the same organisation is the same row (nothing changes, nothing recorded)."""
    require(actor, "file.upload")
    if len(content) > store.max_bytes:
        raise TooLarge(f"文件过大：最大 {store.max_bytes // (1024 * 1024)} MB", code="file_too_large")
    if not content:
        raise Invalid("上传的文件为空", code="file_empty")
    filename = clean_name(name)
    if not filename:
        raise Invalid("文件名不能为空", code="file_name_missing")
    try:
        _, media_type = detect(filename, content)
    except FileTypeRejected as exc:
        raise Invalid(exc.message, code=exc.code) from exc
    sha256 = hashlib.sha256(content).hexdigest()
    existing = session.scalar(
        select(StoredFile).where(
            StoredFile.sha256 == sha256,
            StoredFile.organisation_id.is_(None)
            if actor.organisation_id is None
            else StoredFile.organisation_id == actor.organisation_id,
        )
    )
    store.write(sha256, content)
    if existing is not None:
        return existing
    row = StoredFile(
        sha256=sha256,
        name=filename,
        size=len(content),
        media_type=media_type,
        organisation_id=actor.organisation_id,
        uploaded_by_user_id=actor.user_id,
        uploaded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    evidence.record(
        session,
        actor,
        "file.upload",
        "file",
        row.id,
        {"sha256": sha256, "name": filename, "size": len(content), "media_type": media_type},
    )
    return row


def get_visible(session: Session, actor: Actor, sha256: str) -> StoredFile:
    """The actor's view of some content: their own organisation's row first, else any row they may see."""
    rows = session.scalars(
        select(StoredFile)
        .where(StoredFile.sha256 == sha256.lower(), visible_condition(actor))
        .order_by(StoredFile.id)
    ).all()
    if not rows:
        raise NotFound("文件不存在或无权查看", code="file_not_found")
    own = [r for r in rows if r.organisation_id == actor.organisation_id]
    return (own or list(rows))[0]


def usable_files(session: Session, actor: Actor, sha256s: Sequence[str]) -> list[StoredFile]:
    """The rows behind the hashes an actor attaches: files they may see, in the order given."""
    wanted = list(dict.fromkeys(s.lower() for s in sha256s))
    found: dict[str, StoredFile] = {}
    for sha in wanted:
        try:
            found[sha] = get_visible(session, actor, sha)
        except NotFound as exc:
            raise Invalid(f"附件不存在或无权使用：{sha[:12]}…", code="attachment_not_found") from exc
    return [found[s] for s in wanted]
