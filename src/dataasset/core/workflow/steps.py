"""The step machinery of the approval engine: entering a step (its assignments and deadline),
leaving the approvers, closing, the completion hook, and who is named at the current step."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, cast, delete, exists, select
from sqlalchemy.orm import Session

from dataasset.core.calendar import add_working_days, load_calendar
from dataasset.core.db import SHANGHAI, utcnow
from dataasset.core.identity import load_actor
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor, assignment_condition
from dataasset.core.workflow.definitions import Relation, StepDefinition, WorkflowDefinition
from dataasset.core.workflow.kinds import get_kind
from dataasset.core.workflow.models import (
    ActionKind,
    Status,
    WorkflowAction,
    WorkflowAssignment,
    WorkflowInstance,
)


def shanghai_today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def definition_of(instance: WorkflowInstance) -> WorkflowDefinition:
    return WorkflowDefinition.model_validate(instance.definition)


def enter_step(
    session: Session,
    instance: WorkflowInstance,
    definition: WorkflowDefinition,
    index: int,
    today: date | None,
) -> None:
    step = definition.steps[index]
    instance.status = Status.IN_PROGRESS.value
    instance.step_key = step.key
    instance.step_started_at = utcnow()
    instance.due_on = (
        add_working_days(today or shanghai_today(), step.deadline_working_days, load_calendar())
        if step.deadline_working_days
        else None
    )
    touch(instance)
    session.execute(delete(WorkflowAssignment).where(WorkflowAssignment.instance_id == instance.id))
    holder = session.get(Organisation, instance.holder_organisation_id)
    assert holder is not None
    for rule in step.actors:
        org = {
            Relation.HOLDER: instance.holder_organisation_id,
            Relation.APPLICANT: instance.applicant_organisation_id,
        }.get(rule.relation)
        region = holder.region_code if rule.relation == Relation.REGULATOR_OF_HOLDER else None
        session.add(
            WorkflowAssignment(
                instance_id=instance.id,
                role=rule.role.value,
                relation=rule.relation.value,
                organisation_id=org,
                region_code=region,
            )
        )
    session.flush()


def leave_approvers(session: Session, instance: WorkflowInstance, status: Status) -> None:
    instance.status = status.value
    instance.step_key = None
    instance.due_on = None
    touch(instance)
    session.execute(delete(WorkflowAssignment).where(WorkflowAssignment.instance_id == instance.id))
    session.flush()


def close(session: Session, actor: Actor, instance: WorkflowInstance, status: Status) -> None:
    leave_approvers(session, instance, status)
    instance.completed_at = utcnow()


def run_hook(session: Session, actor: Actor, instance: WorkflowInstance) -> None:
    hook = get_kind(instance.kind).on_complete
    if hook is not None:
        hook(session, actor, instance, Status(instance.status))


def touch(instance: WorkflowInstance) -> None:
    instance.updated_at = utcnow()


def is_assigned(session: Session, actor: Actor, instance: WorkflowInstance) -> bool:
    """Is the actor named by an assignment of the instance's current step?"""
    condition = assignment_condition(
        actor,
        role=WorkflowAssignment.role,
        relation=WorkflowAssignment.relation,
        organisation=WorkflowAssignment.organisation_id,
        region=WorkflowAssignment.region_code,
    )
    return bool(
        session.scalar(select(exists().where(WorkflowAssignment.instance_id == instance.id, condition)))
    )


def approvers(session: Session, instance: WorkflowInstance) -> set[int]:
    """Who approved the current step in the current round."""
    rows = session.scalars(
        select(WorkflowAction.actor_user_id).where(
            WorkflowAction.instance_id == instance.id,
            WorkflowAction.round == instance.round,
            WorkflowAction.step_key == instance.step_key,
            WorkflowAction.action == ActionKind.APPROVE.value,
        )
    ).all()
    return {r for r in rows if r is not None}


def eligible_user_ids(session: Session, instance: WorkflowInstance, step: StepDefinition) -> set[int]:
    """The active users the current step names (the same rule as for acting, user by user)."""
    found: set[int] = set()
    for role in {rule.role.value for rule in step.actors}:
        candidates = session.scalars(
            select(User.id).where(User.is_active.is_(True), cast(User.roles, Text).contains(f'"{role}"'))
        ).all()
        for user_id in candidates:
            if user_id not in found and is_assigned(session, load_actor(session, user_id), instance):
                found.add(user_id)
    return found
