"""The approval engine on a real database (SQLite and PostgreSQL): any/all, relations, deadlines and
overdue, who may act, completion hooks, and one evidence entry per action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataasset.core import identity
from dataasset.core.enums import Role
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound
from dataasset.core.models import EvidenceEntry, Organisation
from dataasset.core.permissions import Actor
from dataasset.core.schemas import UserCreate
from dataasset.core.workflow import engine, queries
from dataasset.core.workflow.definitions import DefinitionRegistry, Resolved, parse_definition
from dataasset.core.workflow.kinds import KINDS, WorkflowKind, register_kind
from dataasset.core.workflow.models import ActionKind, Status, WorkflowInstance
from dataasset.core.workflow.schemas import WorkflowActionCreate

XN, ZZSW, SS = "湖南湘能电力集团有限公司", "株洲水务投资集团有限公司", "衢州数智科技有限公司"


def registry(kind: str, *steps: dict[str, Any]) -> DefinitionRegistry:
    raw = {"kind": kind, "name": f"测试流程 {kind}", "subject_type": "test_subject", "steps": list(steps)}
    return DefinitionRegistry(base={kind: Resolved(parse_definition(raw, "test.yaml"), "test.yaml")})


def step(key: str, *actors: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key, "actors": [{"role": r, "relation": rel} for r, rel in actors], **extra}


def org_id(db: Session, name: str) -> int:
    found = db.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None
    return found


def begin(
    db: Session, who: Actor, holder: str, reg: DefinitionRegistry, *, today: date | None = None
) -> WorkflowInstance:
    kind = next(iter(reg.base))
    return engine.start(
        db,
        who,
        kind=kind,
        subject_type="test_subject",
        subject_id=1,
        title="测试申请",
        holder_organisation_id=org_id(db, holder),
        payload={"purpose": "测试"},
        today=today,
        registry=reg,
    )


def do(db: Session, who: Actor, instance: WorkflowInstance, action: str, comment: str = "意见") -> Any:
    return engine.act(db, who, instance.id, WorkflowActionCreate(action=ActionKind(action), comment=comment))


def evidence_of(db: Session, instance: WorkflowInstance) -> list[str]:
    return list(
        db.scalars(
            select(EvidenceEntry.action)
            .where(
                EvidenceEntry.subject_type == "workflow_instance",
                EvidenceEntry.subject_id == str(instance.id),
            )
            .order_by(EvidenceEntry.index)
        )
    )


@pytest.fixture
def hook_calls() -> Iterator[list[tuple[int, Status]]]:
    calls: list[tuple[int, Status]] = []
    register_kind(WorkflowKind("hooked", on_complete=lambda s, a, i, status: calls.append((i.id, status))))
    yield calls
    KINDS.pop("hooked", None)


def test_two_steps_any_then_hook_and_one_evidence_entry_per_action(
    db: Session, actor: Any, hook_calls: list[tuple[int, Status]]
) -> None:
    reg = registry(
        "hooked",
        step("review", ("data_admin", "holder")),
        step("approve", ("chief_data_officer", "holder"), on_reject="end"),
    )
    inst = begin(db, actor("ss_merchant"), XN, reg)
    assert (inst.status, inst.step_key, inst.round) == ("in_progress", "review", 1)
    do(db, actor("xn_admin"), inst, "comment", "请补充用途说明")
    do(db, actor("ss_merchant"), inst, "comment", "已在附件中说明")
    do(db, actor("xn_admin"), inst, "approve")
    assert inst.step_key == "approve" and hook_calls == []
    do(db, actor("xn_cdo"), inst, "approve")
    assert inst.status == "approved" and inst.step_key is None and inst.completed_at is not None
    assert hook_calls == [(inst.id, Status.APPROVED)]
    assert evidence_of(db, inst) == [
        "workflow.submit",
        "workflow.comment",
        "workflow.comment",
        "workflow.approve",
        "workflow.approve",
    ]
    detail = queries.to_read(db, actor("ss_merchant"), inst)
    assert [s.state for s in detail.steps] == ["done", "done"]
    assert [a.action for a in detail.timeline][-1] == ActionKind.APPROVE
    assert detail.timeline[-1].to_status == Status.APPROVED
    assert detail.timeline[-1].actor.organisation_name == XN


def test_all_needs_every_eligible_person_and_any_needs_one(db: Session, actor: Any) -> None:
    identity.create_user(
        db,
        Actor.system(),
        UserCreate(
            username="xn_admin2",
            display_name="湘能 第二数据管理员",
            password="Passw0rd!x",
            organisation_id=org_id(db, XN),
            roles=[Role.DATA_ADMIN],
        ),
    )
    reg = registry("joint", step("joint", ("data_admin", "holder"), mode="all"))
    inst = begin(db, actor("ss_merchant"), XN, reg)
    first, second = actor("xn_admin"), actor("xn_admin2")
    assert {i.id for i in queries.inbox(db, first).items} >= {inst.id}
    do(db, first, inst, "approve")
    assert inst.status == "in_progress"  # waiting for the second data administrator
    assert inst.id not in {i.id for i in queries.inbox(db, first).items}
    assert inst.id in {i.id for i in queries.inbox(db, second).items}
    assert ActionKind.APPROVE not in queries.allowed_actions(db, first, inst)
    with pytest.raises(Conflict):
        do(db, first, inst, "approve")
    do(db, second, inst, "approve")
    assert inst.status == "approved"


def test_a_return_starts_the_approvals_over(db: Session, actor: Any) -> None:
    reg = registry("loop", step("a", ("data_admin", "holder")), step("b", ("chief_data_officer", "holder")))
    applicant = actor("ss_merchant")
    inst = begin(db, applicant, XN, reg)
    do(db, actor("xn_admin"), inst, "approve")
    do(db, actor("xn_cdo"), inst, "return", "请补充字段清单")
    assert (inst.status, inst.step_key) == ("returned", None)
    assert inst.id in {i.id for i in queries.inbox(db, applicant).items}
    assert queries.to_read(db, applicant, inst).steps[1].state == "returned"
    engine.act(
        db, applicant, inst.id, WorkflowActionCreate(action=ActionKind.SUBMIT, payload={"purpose": "补充后"})
    )
    assert (inst.status, inst.step_key, inst.round, inst.payload["purpose"]) == (
        "in_progress",
        "a",
        2,
        "补充后",
    )
    with pytest.raises(Forbidden):
        do(db, actor("xn_cdo"), inst, "approve")  # round 2 starts at the first step again


def test_reject_ends_or_goes_back_as_the_step_says(
    db: Session, actor: Any, hook_calls: list[tuple[int, Status]]
) -> None:
    reg = registry(
        "hooked",
        step("a", ("data_admin", "holder"), on_reject="back_to_applicant"),
        step("b", ("chief_data_officer", "holder"), on_reject="end"),
    )
    inst = begin(db, actor("ss_merchant"), XN, reg)
    with pytest.raises(Invalid):
        do(db, actor("xn_admin"), inst, "reject", "  ")  # a reason is required
    do(db, actor("xn_admin"), inst, "reject", "用途不明确")
    assert inst.status == "returned" and hook_calls == []
    do(db, actor("ss_merchant"), inst, "submit")
    do(db, actor("xn_admin"), inst, "approve")
    do(db, actor("xn_cdo"), inst, "reject", "不同意对外提供")
    assert inst.status == "rejected" and hook_calls == [(inst.id, Status.REJECTED)]
    with pytest.raises(Conflict):
        do(db, actor("xn_cdo"), inst, "approve")
    with pytest.raises(Conflict):
        do(db, actor("ss_merchant"), inst, "withdraw")


def test_only_the_applicant_withdraws_and_the_hook_hears_it(
    db: Session, actor: Any, hook_calls: list[tuple[int, Status]]
) -> None:
    inst = begin(db, actor("ss_merchant"), XN, registry("hooked", step("a", ("data_admin", "holder"))))
    with pytest.raises(Forbidden):
        do(db, actor("xn_admin"), inst, "withdraw")
    do(db, actor("ss_merchant"), inst, "withdraw", "不再需要")
    assert inst.status == "withdrawn" and hook_calls == [(inst.id, Status.WITHDRAWN)]
    assert queries.to_read(db, actor("ss_merchant"), inst).steps[0].state == "withdrawn"


def test_wrong_people_cannot_act(db: Session, actor: Any) -> None:
    reg = registry("guard", step("a", ("data_admin", "holder")), step("b", ("chief_data_officer", "holder")))
    inst = begin(db, actor("ss_merchant"), XN, reg)
    for who in ("ss_merchant", "xn_cdo", "xn_finance", "admin"):
        with pytest.raises(Forbidden):
            do(db, actor(who), inst, "approve")
    with pytest.raises(Forbidden):
        do(db, actor("cssjj"), inst, "comment")  # a regulator reads but does not take part
    with pytest.raises(NotFound):
        do(db, actor("zzsw_admin"), inst, "approve")  # cannot even see it
    with pytest.raises(Forbidden):
        do(db, actor("xn_admin"), inst, "submit")
    assert queries.to_read(db, actor("cssjj"), inst).allowed_actions == []
    assert queries.get_instance(db, actor("cssjj"), inst.id).id == inst.id
    with pytest.raises(NotFound):
        queries.get_instance(db, actor("zzsw_admin"), inst.id)


def test_regulator_and_platform_relations(db: Session, actor: Any) -> None:
    reg = registry(
        "filing",
        step("filing", ("regulator", "regulator_of_holder")),
        step("platform", ("platform_admin", "platform")),
    )
    near = begin(db, actor("ss_merchant"), XN, reg)  # 长沙 430100
    far = begin(db, actor("ss_merchant"), ZZSW, reg)  # 株洲 430200
    assert near.id in {i.id for i in queries.inbox(db, actor("cssjj")).items}
    assert far.id not in {i.id for i in queries.inbox(db, actor("cssjj")).items}
    assert {near.id, far.id} <= {i.id for i in queries.inbox(db, actor("sjj")).items}  # 省数据局 430000
    with pytest.raises(NotFound):
        do(db, actor("cssjj"), far, "approve")
    do(db, actor("cssjj"), near, "approve", "已备案")
    assert near.step_key == "platform"
    with pytest.raises(Forbidden):
        do(db, actor("xn_admin"), near, "approve")
    do(db, actor("admin"), near, "approve")
    assert near.status == "approved"


def test_applicant_relation(db: Session, actor: Any) -> None:
    reg = registry("confirm", step("confirm", ("finance", "applicant")))
    inst = begin(db, actor("xn_admin"), ZZSW, reg)
    for who in ("zzsw_admin", "xn_admin"):  # the holder's staff, and the applicant without the role
        with pytest.raises(Forbidden):
            do(db, actor(who), inst, "approve")
    do(db, actor("xn_finance"), inst, "approve")
    assert inst.status == "approved"


def test_deadlines_in_working_days_and_overdue_lists(db: Session, actor: Any) -> None:
    reg = registry(
        "timed",
        step("a", ("data_admin", "holder"), deadline_working_days=5),
        step("b", ("chief_data_officer", "holder")),
    )
    inst = begin(db, actor("ss_merchant"), XN, reg, today=date(2026, 2, 13))
    assert inst.due_on == date(2026, 2, 27)  # 2/14 make-up workday, 2/15–23 Spring Festival
    xn_admin = actor("xn_admin")

    def overdue_ids(today: date) -> set[int]:
        page = queries.list_instances(db, xn_admin, overdue=True, today=today, page_size=200)
        return {i.id for i in page.items}

    assert inst.id not in overdue_ids(date(2026, 2, 27))
    assert inst.id in overdue_ids(date(2026, 2, 28))
    box = queries.inbox(db, xn_admin, today=date(2026, 3, 2), page_size=200)
    assert next(i for i in box.items if i.id == inst.id).overdue
    assert box.overdue >= 1 and next(c for c in box.by_kind if c.kind == "timed").overdue == 1
    engine.act(db, xn_admin, inst.id, WorkflowActionCreate(action=ActionKind.APPROVE), today=date(2026, 3, 2))
    assert inst.due_on is None and inst.id not in overdue_ids(date(2026, 12, 31))  # step b has no deadline


def test_scopes_of_the_list(db: Session, actor: Any) -> None:
    inst = begin(db, actor("ss_merchant"), XN, registry("scoped", step("a", ("data_admin", "holder"))))

    def ids(who: str, scope: queries.Scope) -> set[int]:
        return {i.id for i in queries.list_instances(db, actor(who), scope=scope, page_size=200).items}

    assert inst.id in ids("ss_merchant", queries.Scope.STARTED) & ids("ss_merchant", queries.Scope.APPLIED)
    assert inst.id not in ids("ss_merchant", queries.Scope.RECEIVED)
    assert inst.id in ids("xn_cdo", queries.Scope.RECEIVED) and inst.id not in ids(
        "xn_cdo", queries.Scope.STARTED
    )
    assert inst.id in ids("admin", queries.Scope.ALL) and inst.id in ids("cssjj", queries.Scope.ALL)
    assert inst.id not in ids("zzsw_admin", queries.Scope.ALL)


def test_unknown_kind_or_subject_is_refused(db: Session, actor: Any) -> None:
    with pytest.raises(Invalid):
        engine.start(
            db,
            actor("ss_merchant"),
            kind="nope",
            subject_type="x",
            subject_id=1,
            title="t",
            holder_organisation_id=org_id(db, XN),
            payload={},
        )
    with pytest.raises(Invalid):
        engine.start(
            db,
            actor("ss_merchant"),
            kind="sharing",
            subject_type="not_a_card",
            subject_id=1,
            title="t",
            holder_organisation_id=org_id(db, XN),
            payload={},
        )
    assert (
        db.scalar(select(func.count()).select_from(WorkflowInstance).where(WorkflowInstance.kind == "nope"))
        == 0
    )
