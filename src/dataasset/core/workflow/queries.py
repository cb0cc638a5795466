"""Reading approvals: my to-dos (我的待办), the approvals that concern me, one approval with its
timeline. Tenancy is a WHERE clause from ``core.permissions``, evaluated in the query."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from dataasset.core.errors import NotFound
from dataasset.core.files import StoredFile
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, may_take_part, require
from dataasset.core.schemas import OrganisationRef, Page
from dataasset.core.workflow import definitions
from dataasset.core.workflow.access import assigned_clause, readable_condition
from dataasset.core.workflow.definitions import Mode
from dataasset.core.workflow.models import (
    ActionKind,
    Status,
    WorkflowAction,
    WorkflowAttachment,
    WorkflowInstance,
)
from dataasset.core.workflow.schemas import (
    ActionRead,
    ActorView,
    FileRead,
    KindCount,
    StepActor,
    StepRead,
    WorkflowInbox,
    WorkflowInstanceRead,
    WorkflowInstanceSummary,
)
from dataasset.core.workflow.steps import definition_of, is_assigned, shanghai_today


class Scope(StrEnum):
    """Which of the approvals I may read: all of them, those I submitted, those my organisation
    applied for, those on subjects my organisation holds."""

    ALL = "all"
    STARTED = "started"
    APPLIED = "applied"
    RECEIVED = "received"


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Waiting at a step whose deadline (a working day, Beijing time) has passed."""
    return and_(
        WorkflowInstance.status == Status.IN_PROGRESS.value,
        WorkflowInstance.due_on.is_not(None),
        WorkflowInstance.due_on < today,
    )


def get_instance(session: Session, actor: Actor, instance_id: int) -> WorkflowInstance:
    require(actor, "workflow.read")
    instance = session.scalar(
        select(WorkflowInstance).where(WorkflowInstance.id == instance_id, readable_condition(actor))
    )
    if instance is None:
        raise NotFound("审批不存在或无权查看", code="workflow_instance_not_found")
    return instance


def to_summary(instance: WorkflowInstance, today: date) -> WorkflowInstanceSummary:
    definition = definition_of(instance)
    step = definition.step(instance.step_key)
    return WorkflowInstanceSummary(
        id=instance.id,
        kind=instance.kind,
        kind_name=definition.name,
        title=instance.title,
        subject_type=instance.subject_type,
        subject_id=instance.subject_id,
        status=Status(instance.status),
        step_key=instance.step_key,
        step_name=step.name if step else None,
        holder=OrganisationRef(id=instance.holder.id, name=instance.holder.name),
        applicant=OrganisationRef(id=instance.applicant.id, name=instance.applicant.name),
        applicant_user_id=instance.applicant_user_id,
        round=instance.round,
        due_on=instance.due_on,
        overdue=instance.status == Status.IN_PROGRESS.value
        and instance.due_on is not None
        and instance.due_on < today,
        created_at=instance.created_at,
        updated_at=instance.updated_at,
        completed_at=instance.completed_at,
    )


def _page(
    session: Session, where: list[ColumnElement[bool]], page: int, page_size: int, today: date
) -> Page[WorkflowInstanceSummary]:
    total = session.scalar(select(func.count()).select_from(WorkflowInstance).where(*where)) or 0
    rows = session.scalars(
        select(WorkflowInstance)
        .where(*where)
        .order_by(WorkflowInstance.updated_at.desc(), WorkflowInstance.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page(items=[to_summary(r, today) for r in rows], total=total, page=page, page_size=page_size)


def list_instances(
    session: Session,
    actor: Actor,
    *,
    scope: Scope = Scope.ALL,
    kind: str | None = None,
    status: Status | None = None,
    overdue: bool | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> Page[WorkflowInstanceSummary]:
    """Approvals the actor may read, filtered; ``overdue`` lists those past their step's deadline."""
    require(actor, "workflow.read")
    today = today or shanghai_today()
    where = [readable_condition(actor)]
    if scope == Scope.STARTED:
        where.append(WorkflowInstance.applicant_user_id == actor.user_id)
    elif scope == Scope.APPLIED:
        where.append(WorkflowInstance.applicant_organisation_id == actor.organisation_id)
    elif scope == Scope.RECEIVED:
        where.append(WorkflowInstance.holder_organisation_id == actor.organisation_id)
    for column, value in (
        (WorkflowInstance.kind, kind),
        (WorkflowInstance.status, status.value if status else None),
        (WorkflowInstance.subject_type, subject_type),
        (WorkflowInstance.subject_id, subject_id),
    ):
        if value is not None:
            where.append(column == value)
    if overdue is not None:
        where.append(overdue_condition(today) if overdue else not_(overdue_condition(today)))
    return _page(session, where, page, page_size, today)


def inbox_condition(actor: Actor) -> ColumnElement[bool]:
    """Waiting for the actor: at a step naming them that they have not approved yet in this round,
    or returned to them as the applicant."""
    approved_by_me = exists().where(
        WorkflowAction.instance_id == WorkflowInstance.id,
        WorkflowAction.round == WorkflowInstance.round,
        WorkflowAction.step_key == WorkflowInstance.step_key,
        WorkflowAction.action == ActionKind.APPROVE.value,
        WorkflowAction.actor_user_id == actor.user_id,
    )
    waiting = and_(
        WorkflowInstance.status == Status.IN_PROGRESS.value, assigned_clause(actor), not_(approved_by_me)
    )
    if actor.user_id is None:
        return waiting
    returned = and_(
        WorkflowInstance.status == Status.RETURNED.value, WorkflowInstance.applicant_user_id == actor.user_id
    )
    return or_(waiting, returned)


def inbox(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> WorkflowInbox:
    """My to-dos (我的待办) with counts by kind and how many are overdue."""
    require(actor, "workflow.read")
    today = today or shanghai_today()
    where = [readable_condition(actor), inbox_condition(actor)]
    overdue_sum = func.sum(case((overdue_condition(today), 1), else_=0))
    counts = session.execute(
        select(WorkflowInstance.kind, func.count(), overdue_sum)
        .where(*where)
        .group_by(WorkflowInstance.kind)
        .order_by(WorkflowInstance.kind)
    ).all()
    registry = definitions.current()
    by_kind = [
        KindCount(
            kind=k,
            kind_name=registry.base[k].definition.name if k in registry.base else k,
            count=n,
            overdue=int(late or 0),
        )
        for k, n, late in counts
    ]
    if kind is not None:
        where.append(WorkflowInstance.kind == kind)
    listed = _page(session, where, page, page_size, today)
    return WorkflowInbox(
        items=listed.items,
        total=listed.total,
        page=page,
        page_size=page_size,
        by_kind=by_kind,
        overdue=sum(c.overdue for c in by_kind),
    )


# --- one approval ----------------------------------------------------------------------------


def _file(f: StoredFile) -> FileRead:
    return FileRead.model_validate(f)


def _step_states(instance: WorkflowInstance, actions: list[WorkflowAction]) -> dict[str, str]:
    keys = [s.key for s in definition_of(instance).steps]
    states = dict.fromkeys(keys, "pending")
    if instance.status == Status.APPROVED.value:
        return dict.fromkeys(keys, "done")
    if instance.status == Status.IN_PROGRESS.value:
        stop, label = instance.step_key, "current"
    else:
        stopping = {ActionKind.REJECT.value, ActionKind.RETURN.value, ActionKind.WITHDRAW.value}
        last = next(
            (a for a in reversed(actions) if a.round == instance.round and a.action in stopping), None
        )
        stop, label = (last.step_key if last else None), instance.status
    if stop in states:
        for key in keys[: keys.index(stop)]:
            states[key] = "done"
        states[stop] = label
    return states


def allowed_actions(session: Session, actor: Actor, instance: WorkflowInstance) -> list[ActionKind]:
    """What the actor may do now (the console shows these buttons; the engine checks again)."""
    allowed: list[ActionKind] = []
    assigned = instance.status == Status.IN_PROGRESS.value and is_assigned(session, actor, instance)
    if assigned:
        step = definition_of(instance).step(instance.step_key)
        mine = session.scalar(
            select(
                exists().where(
                    WorkflowAction.instance_id == instance.id,
                    WorkflowAction.round == instance.round,
                    WorkflowAction.step_key == instance.step_key,
                    WorkflowAction.action == ActionKind.APPROVE.value,
                    WorkflowAction.actor_user_id == actor.user_id,
                )
            )
        )
        if step is not None and (step.mode == Mode.ANY or not mine):
            allowed += [ActionKind.APPROVE, ActionKind.REJECT, ActionKind.RETURN]
    applicant = actor.user_id is not None and actor.user_id == instance.applicant_user_id
    if applicant and instance.status == Status.RETURNED.value:
        allowed.append(ActionKind.SUBMIT)
    if applicant and instance.status in (Status.IN_PROGRESS.value, Status.RETURNED.value):
        allowed.append(ActionKind.WITHDRAW)
    if assigned or may_take_part(actor, instance.holder_organisation_id, instance.applicant_organisation_id):
        allowed += [ActionKind.COMMENT, ActionKind.ATTACH]
    return allowed


def to_read(
    session: Session, actor: Actor, instance: WorkflowInstance, today: date | None = None
) -> WorkflowInstanceRead:
    """The approval, its steps, its request, its timeline of actions and the caller's options."""
    today = today or shanghai_today()
    definition = definition_of(instance)
    actions = list(
        session.scalars(
            select(WorkflowAction)
            .where(WorkflowAction.instance_id == instance.id)
            .order_by(WorkflowAction.id)
        ).all()
    )
    attachments = session.scalars(
        select(WorkflowAttachment)
        .where(WorkflowAttachment.instance_id == instance.id)
        .order_by(WorkflowAttachment.id)
    ).all()
    by_action: dict[int, list[FileRead]] = {}
    for a in attachments:
        by_action.setdefault(a.action_id, []).append(_file(a.file))
    org_ids = {a.actor_organisation_id for a in actions if a.actor_organisation_id is not None}
    org_names: dict[int, str] = dict(
        session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))).all()
    )
    names = {s.key: s.name for s in definition.steps}
    states = _step_states(instance, actions)
    summary: dict[str, Any] = to_summary(instance, today).model_dump()
    return WorkflowInstanceRead(
        **summary,
        policy=definition.policy,
        definition_source=instance.definition_source,
        payload=instance.payload,
        steps=[
            StepRead(
                key=s.key,
                name=s.name,
                mode=s.mode,
                deadline_working_days=s.deadline_working_days,
                on_reject=s.on_reject,
                actors=[StepActor(role=r.role.value, relation=r.relation) for r in s.actors],
                state=states[s.key],
            )
            for s in definition.steps
        ],
        timeline=[
            ActionRead(
                id=a.id,
                action=ActionKind(a.action),
                round=a.round,
                step_key=a.step_key,
                step_name=names.get(a.step_key or ""),
                from_status=Status(a.from_status) if a.from_status else None,
                to_status=Status(a.to_status),
                actor=ActorView(
                    user_id=a.actor_user_id,
                    display_name=a.actor_name,
                    organisation_id=a.actor_organisation_id,
                    organisation_name=org_names.get(a.actor_organisation_id or 0),
                ),
                comment=a.comment,
                created_at=a.created_at,
                attachments=by_action.get(a.id, []),
            )
            for a in actions
        ],
        attachments=list(dict((f.sha256, f) for fs in by_action.values() for f in fs).values()),
        allowed_actions=allowed_actions(session, actor, instance),
    )
