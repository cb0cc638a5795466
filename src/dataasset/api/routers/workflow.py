"""Approvals (审批): my to-dos, the approvals that concern me, one approval and its actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dataasset.api.deps import CurrentActor, DbSession, Id, Pagination
from dataasset.core.schemas import Page
from dataasset.core.workflow import engine, queries
from dataasset.core.workflow.models import Status
from dataasset.core.workflow.queries import Scope
from dataasset.core.workflow.schemas import (
    WorkflowActionCreate,
    WorkflowInbox,
    WorkflowInstanceRead,
    WorkflowInstanceSummary,
)

router = APIRouter(prefix="/api/workflow", tags=["workflow"])
Name = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]


@router.get("/inbox")
def get_workflow_inbox(
    actor: CurrentActor, session: DbSession, paging: Pagination, kind: Name = None
) -> WorkflowInbox:
    """我的待办: approvals waiting for me, and mine returned for changes; counts by kind and overdue."""
    return queries.inbox(session, actor, kind=kind, page=paging[0], page_size=paging[1])


@router.get("/instances")
def list_workflow_instances(
    actor: CurrentActor,
    session: DbSession,
    paging: Pagination,
    scope: Scope = Scope.ALL,
    kind: Name = None,
    status: Status | None = None,
    overdue: Annotated[bool | None, Query(description="只看超过办理时限的")] = None,
    subject_type: Name = None,
    subject_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")] = None,
) -> Page[WorkflowInstanceSummary]:
    """Approvals I started or that concern my organisation (regulators: in their region)."""
    return queries.list_instances(
        session,
        actor,
        scope=scope,
        kind=kind,
        status=status,
        overdue=overdue,
        subject_type=subject_type,
        subject_id=subject_id,
        page=paging[0],
        page_size=paging[1],
    )


@router.get("/instances/{instance_id}")
def get_workflow_instance(instance_id: Id, actor: CurrentActor, session: DbSession) -> WorkflowInstanceRead:
    return queries.to_read(session, actor, queries.get_instance(session, actor, instance_id))


@router.post("/instances/{instance_id}/actions")
def act_on_workflow_instance(
    instance_id: Id, body: WorkflowActionCreate, actor: CurrentActor, session: DbSession
) -> WorkflowInstanceRead:
    """Approve, reject, return for changes, resubmit, withdraw, comment or attach files."""
    instance = engine.act(session, actor, instance_id, body)
    return queries.to_read(session, actor, instance)
