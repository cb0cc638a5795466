"""Tables of the approval workflow: instances, who may act at their current step, the actions taken
and the files attached to them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.core.db import Base, UTCDateTime, utcnow
from dataasset.core.files import StoredFile
from dataasset.core.models import Organisation


class Status(StrEnum):
    IN_PROGRESS = "in_progress"  # waiting at its current step
    RETURNED = "returned"  # back with the applicant for changes (退回修改)
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


CLOSED = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN})


class ActionKind(StrEnum):
    SUBMIT = "submit"  # the first submission, and each resubmission after a return
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"  # 退回修改
    WITHDRAW = "withdraw"
    COMMENT = "comment"
    ATTACH = "attach"


class WorkflowInstance(Base):
    """One approval of one subject (``subject_type``/``subject_id``), e.g. a sharing request on an
    asset card. ``definition`` is the resolved definition at submission, so editing the YAML never
    changes an approval under way. ``round`` counts submissions: approvals of an earlier round no
    longer count after a return."""

    __tablename__ = "core_workflow_instance"
    __table_args__ = (
        Index("ix_core_workflow_instance_subject", "subject_type", "subject_id"),
        Index("ix_core_workflow_instance_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    holder_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    applicant_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    step_key: Mapped[str | None] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer, default=1)
    step_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    definition_source: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    holder: Mapped[Organisation] = relationship(foreign_keys=[holder_organisation_id], lazy="joined")
    applicant: Mapped[Organisation] = relationship(foreign_keys=[applicant_organisation_id], lazy="joined")


class WorkflowAssignment(Base):
    """Who may act at an instance's current step: a role in an organisation (``holder``/``applicant``),
    a role anywhere (``platform``), or a regulator whose region covers ``region_code``. Rewritten
    each time the instance enters a step, removed when it leaves the approvers."""

    __tablename__ = "core_workflow_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("core_workflow_instance.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))


class WorkflowAction(Base):
    """One act on an instance, in order: who, at which step of which round, with what comment."""

    __tablename__ = "core_workflow_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("core_workflow_instance.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer)
    step_key: Mapped[str | None] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), index=True)
    actor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkflowAttachment(Base):
    """A file attached to an instance by one of its actions."""

    __tablename__ = "core_workflow_attachment"
    __table_args__ = (
        UniqueConstraint("action_id", "file_id", name="uq_core_workflow_attachment_action_file"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("core_workflow_instance.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("core_workflow_action.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("core_file.id"), index=True)

    file: Mapped[StoredFile] = relationship(lazy="joined")
