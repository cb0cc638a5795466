"""The approval engine (审批): submit, approve, reject, return for changes (退回修改), withdraw,
comment and attach files, on any subject.

湖南省加强数据资产管理工作方案 第3条 asks for approval flows before data is provided outside the
holder; this engine runs them as data-defined steps. Every action is a row of
``core_workflow_action`` and an evidence entry in the caller's transaction; the final action calls
the kind's completion hook in that same transaction. Who may act is decided by
``core.permissions`` over the assignments of the current step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataasset.core import evidence
from dataasset.core.db import utcnow
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound
from dataasset.core.files import StoredFile, usable_files
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, may_take_part, require
from dataasset.core.workflow import definitions
from dataasset.core.workflow.access import readable_condition
from dataasset.core.workflow.definitions import Mode, OnReject
from dataasset.core.workflow.kinds import get_kind
from dataasset.core.workflow.models import (
    ActionKind,
    Status,
    WorkflowAction,
    WorkflowAttachment,
    WorkflowInstance,
)
from dataasset.core.workflow.schemas import WorkflowActionCreate
from dataasset.core.workflow.steps import (
    approvers,
    close,
    definition_of,
    eligible_user_ids,
    enter_step,
    is_assigned,
    leave_approvers,
    run_hook,
    touch,
)

_OPEN = (Status.IN_PROGRESS.value, Status.RETURNED.value)


def _validation(exc: ValidationError, prefix: str) -> Invalid:
    return Invalid(
        "申请内容不合法",
        code="validation_error",
        errors=[
            {
                "loc": ["body", prefix, *map(str, e["loc"])],
                "field": ".".join([prefix, *map(str, e["loc"])]),
                "message": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()
        ],
    )


# --- submitting ------------------------------------------------------------------------------


def start(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    subject_type: str,
    subject_id: str | int,
    title: str,
    holder_organisation_id: int,
    payload: dict[str, Any],
    comment: str = "",
    attachments: Sequence[str] = (),
    applicant_organisation_id: int | None = None,
    today: date | None = None,
    registry: definitions.DefinitionRegistry | None = None,
) -> WorkflowInstance:
    """Submit a new approval of ``subject`` held by ``holder_organisation_id`` on behalf of the
    actor's organisation. The domain that calls this has checked that the actor may apply; the
    definition is the holder's override of ``kind`` if it has one."""
    applicant_org = applicant_organisation_id or actor.organisation_id
    if applicant_org is None:
        raise Invalid("请指定申请单位", code="applicant_required")
    if (
        applicant_organisation_id is not None
        and not actor.is_admin
        and applicant_org != actor.organisation_id
    ):
        raise Forbidden("只能以本单位名义提出申请", code="other_organisation")
    holder = session.get(Organisation, holder_organisation_id)
    if holder is None or session.get(Organisation, applicant_org) is None:
        raise Invalid("持有单位或申请单位不存在", code="organisation_not_found")
    try:
        resolved = (registry or definitions.current()).resolve(kind, holder.id, holder.uscc)
    except KeyError as exc:
        raise Invalid(f"未定义的审批流程：{kind}", code="workflow_kind_unknown") from exc
    if resolved.definition.subject_type != subject_type:
        raise Invalid("审批对象类型与流程定义不符", code="workflow_subject_mismatch")
    try:
        clean = get_kind(kind).validate_payload(payload)
    except ValidationError as exc:
        raise _validation(exc, "payload") from exc
    files = usable_files(session, actor, attachments)
    now = utcnow()
    instance = WorkflowInstance(
        kind=kind,
        title=title,
        subject_type=subject_type,
        subject_id=str(subject_id),
        holder_organisation_id=holder.id,
        applicant_organisation_id=applicant_org,
        applicant_user_id=actor.user_id,
        status=Status.IN_PROGRESS.value,
        round=1,
        definition=resolved.definition.model_dump(mode="json"),
        definition_source=resolved.source,
        payload=clean,
        created_at=now,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    enter_step(session, instance, resolved.definition, 0, today)
    _log(session, actor, instance, ActionKind.SUBMIT, None, comment, files, {"payload": clean})
    return instance


# --- acting ----------------------------------------------------------------------------------


def load_for_action(session: Session, actor: Actor, instance_id: int) -> WorkflowInstance:
    """The instance, locked for the rest of the transaction, if the actor may read it (else 404)."""
    stmt = select(WorkflowInstance).where(WorkflowInstance.id == instance_id, readable_condition(actor))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=WorkflowInstance)
    instance = session.scalar(stmt)
    if instance is None:
        raise NotFound("审批不存在或无权查看", code="workflow_instance_not_found")
    return instance


def act(
    session: Session, actor: Actor, instance_id: int, data: WorkflowActionCreate, *, today: date | None = None
) -> WorkflowInstance:
    """Take one action on an approval; the rules of each action are in its function below."""
    require(actor, "workflow.read")
    instance = load_for_action(session, actor, instance_id)
    files = usable_files(session, actor, data.attachments) if data.attachments else []
    kind = ActionKind(data.action)
    if kind in (ActionKind.APPROVE, ActionKind.REJECT, ActionKind.RETURN):
        _decide(session, actor, instance, kind, data.comment, files, today)
    elif kind == ActionKind.SUBMIT:
        _resubmit(session, actor, instance, data, files, today)
    elif kind == ActionKind.WITHDRAW:
        _require_applicant(actor, instance, "撤回")
        if instance.status not in _OPEN:
            raise Conflict("该审批已结束，不能撤回", code="workflow_closed")
        from_status, at_step = instance.status, instance.step_key
        close(session, actor, instance, Status.WITHDRAWN)
        _log(session, actor, instance, kind, from_status, data.comment, files, step=at_step)
        run_hook(session, actor, instance)
    else:
        if kind == ActionKind.COMMENT and not data.comment.strip():
            raise Invalid("请填写意见", code="comment_required")
        if kind == ActionKind.ATTACH and not files:
            raise Invalid("请选择要添加的附件", code="attachments_required")
        if not (
            may_take_part(actor, instance.holder_organisation_id, instance.applicant_organisation_id)
            or is_assigned(session, actor, instance)
        ):
            raise Forbidden("您不是该审批的参与方，不能发表意见或添加附件", code="not_a_party")
        _log(session, actor, instance, kind, instance.status, data.comment, files)
    return instance


def _decide(
    session: Session,
    actor: Actor,
    instance: WorkflowInstance,
    kind: ActionKind,
    comment: str,
    files: list[StoredFile],
    today: date | None,
) -> None:
    """Approve, reject or return at the current step: only a person the step names, while it waits."""
    require(actor, "workflow.act")
    if instance.status != Status.IN_PROGRESS.value:
        raise Conflict("该审批当前不在审批中，不能办理", code="workflow_not_in_progress")
    if not is_assigned(session, actor, instance):
        raise Forbidden("您不是当前步骤的办理人", code="not_assignee")
    definition = definition_of(instance)
    step = definition.step(instance.step_key)
    assert step is not None
    if kind != ActionKind.APPROVE and not comment.strip():
        raise Invalid("驳回或退回时请填写意见", code="comment_required")
    if kind == ActionKind.APPROVE and actor.user_id in approvers(session, instance):
        raise Conflict("您已同意，正在等待其他办理人", code="already_approved")
    from_status = instance.status
    if kind == ActionKind.APPROVE:
        done = step.mode == Mode.ANY or actor.user_id is None
        if not done:
            done = eligible_user_ids(session, instance, step) <= approvers(session, instance) | {
                actor.user_id
            }
        index = definition.steps.index(step)
        closes = done and index + 1 == len(definition.steps)
        if closes:
            close(session, actor, instance, Status.APPROVED)
        elif done:
            enter_step(session, instance, definition, index + 1, today)
        _log(session, actor, instance, kind, from_status, comment, files, step=step.key)
        if closes:
            run_hook(session, actor, instance)
        return
    ends = kind == ActionKind.REJECT and step.on_reject == OnReject.END
    if ends:
        close(session, actor, instance, Status.REJECTED)
    else:
        leave_approvers(session, instance, Status.RETURNED)
    _log(session, actor, instance, kind, from_status, comment, files, step=step.key)
    if ends:
        run_hook(session, actor, instance)


def _resubmit(
    session: Session,
    actor: Actor,
    instance: WorkflowInstance,
    data: WorkflowActionCreate,
    files: list[StoredFile],
    today: date | None,
) -> None:
    """The applicant sends a returned request again (optionally corrected); approvals start over."""
    _require_applicant(actor, instance, "重新提交")
    if instance.status != Status.RETURNED.value:
        raise Conflict("只有被退回的申请可以重新提交", code="workflow_not_returned")
    changed: dict[str, Any] = {}
    if data.payload is not None:
        try:
            instance.payload = get_kind(instance.kind).validate_payload({**instance.payload, **data.payload})
        except ValidationError as exc:
            raise _validation(exc, "payload") from exc
        changed = {"payload": instance.payload}
    instance.round += 1
    enter_step(session, instance, definition_of(instance), 0, today)
    _log(session, actor, instance, ActionKind.SUBMIT, Status.RETURNED.value, data.comment, files, changed)


def _require_applicant(actor: Actor, instance: WorkflowInstance, what: str) -> None:
    if actor.user_id is None or actor.user_id != instance.applicant_user_id:
        raise Forbidden(f"只有申请人可以{what}", code="not_applicant")


def _log(
    session: Session,
    actor: Actor,
    instance: WorkflowInstance,
    kind: ActionKind,
    from_status: str | None,
    comment: str,
    files: Sequence[StoredFile],
    extra: dict[str, Any] | None = None,
    *,
    step: str | None = None,
) -> WorkflowAction:
    """Record the action, its attachments and its evidence entry."""
    org_name = None
    if actor.organisation_id is not None:
        org = session.get(Organisation, actor.organisation_id)
        org_name = org.name if org else None
    action = WorkflowAction(
        instance_id=instance.id,
        action=kind.value,
        round=instance.round,
        step_key=step if step is not None else instance.step_key,
        from_status=from_status,
        to_status=instance.status,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_name=actor.display_name,
        comment=comment.strip(),
        created_at=utcnow(),
    )
    session.add(action)
    touch(instance)
    session.flush()
    for f in files:
        session.add(WorkflowAttachment(instance_id=instance.id, action_id=action.id, file_id=f.id))
    session.flush()
    evidence.record(
        session,
        actor,
        f"workflow.{kind.value}",
        "workflow_instance",
        instance.id,
        {
            "kind": instance.kind,
            "subject": {"type": instance.subject_type, "id": instance.subject_id},
            "action_id": action.id,
            "round": instance.round,
            "step": action.step_key,
            "from": from_status,
            "to": instance.status,
            "comment": action.comment,
            "attachments": [f.sha256 for f in files],
            "actor_organisation": org_name,
            **(extra or {}),
        },
    )
    return action
