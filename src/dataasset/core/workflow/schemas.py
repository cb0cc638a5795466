"""Pydantic shapes of approvals: actions in; instances, timelines and the inbox out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dataasset.core.schemas import Input, OrganisationRef, Page
from dataasset.core.workflow.definitions import Mode, OnReject, Relation
from dataasset.core.workflow.models import ActionKind, Status

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="附件的 SHA-256（上传文件后得到）")]


class FileRead(BaseModel):
    """An attachment: download it at ``/api/files/{sha256}``."""

    model_config = ConfigDict(from_attributes=True)
    sha256: str
    name: str
    size: int
    media_type: str
    uploaded_at: datetime


class WorkflowActionCreate(Input):
    """One act on an approval. ``comment`` is required to reject or return, ``attachments`` to
    attach; ``payload`` is the corrected request when the applicant resubmits after a return."""

    action: ActionKind
    comment: str = Field("", max_length=2000, description="意见或说明")
    attachments: list[Sha256] = Field(default_factory=list, max_length=20, description="附件")
    payload: dict[str, Any] | None = Field(None, description="重新提交时修改后的申请内容")


class StepActor(BaseModel):
    role: str
    relation: Relation


class StepRead(BaseModel):
    key: str
    name: str
    mode: Mode
    deadline_working_days: int | None
    on_reject: OnReject
    actors: list[StepActor]
    state: str = Field(description="done / current / pending")


class ActorView(BaseModel):
    user_id: int | None
    display_name: str
    organisation_id: int | None
    organisation_name: str | None


class ActionRead(BaseModel):
    id: int
    action: ActionKind
    round: int
    step_key: str | None
    step_name: str | None
    from_status: Status | None
    to_status: Status
    actor: ActorView
    comment: str
    created_at: datetime
    attachments: list[FileRead]


class WorkflowInstanceSummary(BaseModel):
    id: int
    kind: str
    kind_name: str
    title: str
    subject_type: str
    subject_id: str
    status: Status
    step_key: str | None
    step_name: str | None
    holder: OrganisationRef
    applicant: OrganisationRef
    applicant_user_id: int | None
    round: int
    due_on: date | None = Field(description="当前步骤的办理时限（北京时间日期）")
    overdue: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class WorkflowInstanceRead(WorkflowInstanceSummary):
    """An approval with its steps, its request, its timeline and what the caller may do now."""

    policy: str
    definition_source: str
    payload: dict[str, Any]
    steps: list[StepRead]
    timeline: list[ActionRead]
    attachments: list[FileRead]
    allowed_actions: list[ActionKind]


class KindCount(BaseModel):
    kind: str
    kind_name: str
    count: int
    overdue: int


class WorkflowInbox(Page[WorkflowInstanceSummary]):
    """My to-dos (我的待办): approvals waiting for me, and mine returned for changes."""

    by_kind: list[KindCount]
    overdue: int
