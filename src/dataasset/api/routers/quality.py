"""Quality (质量评价, GB/T 36344): rule sets with validation and suggestions, runs with progress,
scores per asset and per organisation, reports, and the issue loop (谁生产、谁治理)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dataasset.api.deps import CurrentActor, DbSession, Id
from dataasset.core.models import Organisation
from dataasset.quality import service
from dataasset.quality.models import QualityIssue, QualityRuleSet, QualityRun
from dataasset.quality.schemas import (
    ISSUE_ACTION_LABELS,
    ISSUE_STATUS_LABELS,
    Assign,
    CardQuality,
    CheckSummary,
    CheckTypeRead,
    Comment,
    Inbox,
    IssueEventRead,
    IssueRead,
    IssueStatus,
    OrganisationQuality,
    Rectify,
    RuleProblemRead,
    RuleSetCreate,
    RuleSetRead,
    RuleSetUpdate,
    RulesValidate,
    RulesValidation,
    RunBrief,
    RunRead,
    SettingsRead,
    SettingsUpdate,
    Suggestion,
)

router = APIRouter(prefix="/api/quality", tags=["quality"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_brief(run: QualityRun) -> RunBrief:
    return RunBrief(
        id=run.id,
        rule_set_id=run.rule_set_id,
        card_id=run.card_id,
        status=run.status,
        trigger=run.trigger,
        rule_version=run.rule_version,
        rows=run.rows,
        overall=run.overall,
        dimensions=run.dimensions or {},
        seconds=run.seconds,
        error_code=run.error_code,
        error_message=run.error_message,
        checks_done=run.checks_done,
        checks_total=run.checks_total,
        rows_loaded=run.rows_loaded,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def run_read(run: QualityRun) -> RunRead:
    return RunRead(**run_brief(run).model_dump(), checks=run.checks or [])


def rule_set_read(session: Session, rs: QualityRuleSet) -> RuleSetRead:
    last = session.get(QualityRun, rs.last_run_id) if rs.last_run_id else None
    org = session.get(Organisation, rs.organisation_id)
    return RuleSetRead(
        id=rs.id,
        organisation_id=rs.organisation_id,
        organisation_name=org.name if org is not None else "",
        card_id=rs.card_id,
        card_name=rs.card.name if rs.card is not None else None,
        source_id=rs.source_id,
        source_name=rs.source.name,
        table=rs.table_name,
        name=rs.name,
        rules=rs.rules,
        version=rs.version,
        schedule=rs.schedule,
        next_run_at=rs.next_run_at,
        run_after_scan=rs.run_after_scan,
        deadline_days=rs.deadline_days,
        created_at=rs.created_at,
        updated_at=rs.updated_at,
        last_run=run_brief(last) if last is not None else None,
    )


def issue_read(session: Session, issue: QualityIssue, *, events: bool = False) -> IssueRead:
    org = session.get(Organisation, issue.organisation_id)
    return IssueRead(
        id=issue.id,
        organisation_id=issue.organisation_id,
        organisation_name=org.name if org is not None else "",
        card_id=issue.card_id,
        card_name=issue.card.name if issue.card is not None else None,
        rule_set_id=issue.rule_set_id,
        check_key=issue.check_key,
        check_title=issue.check_title,
        check_type=issue.check_type,
        dimension=issue.dimension,
        column=issue.column_name,
        status=issue.status,
        status_label=ISSUE_STATUS_LABELS.get(issue.status, issue.status),
        department=issue.department,
        assignee_user_id=issue.assignee_user_id,
        checked=issue.checked,
        failed=issue.failed,
        score=issue.score,
        opened_run_id=issue.opened_run_id,
        last_run_id=issue.last_run_id,
        deadline=issue.deadline,
        overdue=service.is_overdue(issue),
        overdue_flagged_at=issue.overdue_flagged_at,
        rectification=issue.rectification,
        reopened=issue.reopened,
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        closed_at=issue.closed_at,
        events=[
            IssueEventRead(
                id=e.id,
                action=e.action,
                action_label=ISSUE_ACTION_LABELS.get(e.action, e.action),
                actor_name=e.actor_name,
                comment=e.comment,
                run_id=e.run_id,
                at=e.at,
            )
            for e in issue.events
        ]
        if events
        else [],
    )


@router.get("/check-types")
def list_check_types(actor: CurrentActor) -> list[CheckTypeRead]:
    """可用的检查类型（名称、中文名、默认维度、写法示例），供规则编辑器使用。"""
    return [CheckTypeRead(**t) for t in service.check_types()]


@router.get("/rule-sets")
def list_rule_sets(
    actor: CurrentActor,
    session: DbSession,
    card_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    source_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> list[RuleSetRead]:
    """质量规则集列表。"""
    return [
        rule_set_read(session, rs)
        for rs in service.list_rule_sets(session, actor, card_id=card_id, source_id=source_id)
    ]


@router.post("/rule-sets", status_code=201)
def create_rule_set(body: RuleSetCreate, actor: CurrentActor, session: DbSession) -> RuleSetRead:
    """保存质量规则集；规则有误时 422，errors 列出每一处（行号与中文说明）。"""
    return rule_set_read(session, service.create_rule_set(session, actor, body))


@router.post("/rule-sets/validate")
def validate_rules(body: RulesValidate, actor: CurrentActor, session: DbSession) -> RulesValidation:
    """校验规则（不保存）：按最近一次清查的列名核对。"""
    parsed, problems, known = service.validate_rules(session, actor, body.source_id, body.table, body.rules)
    return RulesValidation(
        ok=parsed is not None,
        problems=[RuleProblemRead(**p) for p in problems],
        checks=[
            CheckSummary(
                key=c.key,
                check=c.check,
                title=c.title,
                dimension=c.dimension,
                column=c.column,
                line=c.line,
                weight=c.weight,
            )
            for c in (parsed.checks if parsed is not None else ())
        ],
        columns_known=known,
    )


@router.get("/tables/{table_id}/suggestions")
def suggest_rules(table_id: Id, actor: CurrentActor, session: DbSession) -> Suggestion:
    """根据清查结果（某次扫描中的一张表）生成建议规则，供审阅后保存。"""
    table, text, checks = service.suggest_rules(session, actor, table_id)
    return Suggestion(
        source_id=table.source_id, table=table.name, card_id=table.card_id, rules=text, checks=checks
    )


@router.get("/rule-sets/{rule_set_id}")
def get_rule_set(rule_set_id: Id, actor: CurrentActor, session: DbSession) -> RuleSetRead:
    return rule_set_read(session, service.get_rule_set(session, actor, rule_set_id))


@router.patch("/rule-sets/{rule_set_id}")
def update_rule_set(
    rule_set_id: Id, body: RuleSetUpdate, actor: CurrentActor, session: DbSession
) -> RuleSetRead:
    """修改规则集；规则变化时版本号加一。"""
    return rule_set_read(session, service.update_rule_set(session, actor, rule_set_id, body))


@router.delete("/rule-sets/{rule_set_id}", status_code=204)
def delete_rule_set(rule_set_id: Id, actor: CurrentActor, session: DbSession) -> None:
    service.delete_rule_set(session, actor, rule_set_id)


@router.post("/rule-sets/{rule_set_id}/runs", status_code=202)
def run_rule_set(rule_set_id: Id, actor: CurrentActor, session: DbSession) -> RunBrief:
    """立即检查（后台任务）；进度见 GET /api/quality/runs/{id}。"""
    return run_brief(service.request_run(session, actor, rule_set_id))


@router.get("/runs")
def list_runs(
    actor: CurrentActor,
    session: DbSession,
    rule_set_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    card_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> list[RunBrief]:
    return [run_brief(r) for r in service.list_runs(session, actor, rule_set_id=rule_set_id, card_id=card_id)]


@router.get("/runs/{run_id}")
def get_run(run_id: Id, actor: CurrentActor, session: DbSession) -> RunRead:
    """一次检查：进度、六个维度的得分、每项检查的结果与不合格示例（敏感列已脱敏）。"""
    return run_read(service.get_run(session, actor, run_id))


@router.get("/cards/{card_id}")
def card_quality(card_id: Id, actor: CurrentActor, session: DbSession) -> CardQuality:
    """资产的质量：最近一次得分、趋势、规则集与质量问题。"""
    data = service.card_quality(session, actor, card_id)
    return CardQuality(
        card_id=card_id,
        latest=run_read(data["latest"]) if data["latest"] is not None else None,
        trend=data["trend"],
        rule_sets=[rule_set_read(session, rs) for rs in data["rule_sets"]],
        issues=[issue_read(session, i) for i in data["issues"]],
    )


def _download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get("/cards/{card_id}/report.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def card_report_xlsx(card_id: Id, actor: CurrentActor, session: DbSession) -> Response:
    """资产的数据质量评价报告（Excel）。"""
    from dataasset.quality import report

    data = service.report_data(session, actor, card_id)
    return _download(report.xlsx_bytes(data), f"数据质量评价报告-{data['card']['name']}.xlsx", XLSX)


@router.get(
    "/cards/{card_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def card_report_pdf(card_id: Id, actor: CurrentActor, session: DbSession) -> Response:
    """资产的数据质量评价报告（PDF）。"""
    from dataasset.quality import report

    data = service.report_data(session, actor, card_id)
    return _download(
        report.pdf_bytes(data), f"数据质量评价报告-{data['card']['name']}.pdf", "application/pdf"
    )


@router.get("/issues")
def list_issues(
    actor: CurrentActor,
    session: DbSession,
    status: IssueStatus | None = None,
    card_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    overdue: bool | None = None,
    active: bool | None = None,
) -> list[IssueRead]:
    """质量问题（整改事项）。active=true 为未关闭的；overdue=true 为逾期的。"""
    found = service.list_issues(
        session, actor, status=status, card_id=card_id, overdue=overdue, active=active
    )
    return [issue_read(session, i) for i in found]


@router.get("/inbox")
def quality_inbox(actor: CurrentActor, session: DbSession) -> Inbox:
    """待办计数：待整改、待复核、复核中、逾期。"""
    return Inbox(**service.inbox(session, actor))


@router.get("/issues/{issue_id}")
def get_issue(issue_id: Id, actor: CurrentActor, session: DbSession) -> IssueRead:
    return issue_read(session, service.get_issue(session, actor, issue_id), events=True)


@router.post("/issues/{issue_id}/rectify")
def rectify_issue(issue_id: Id, body: Rectify, actor: CurrentActor, session: DbSession) -> IssueRead:
    """责任单位提交整改说明，并（缺省）申请复核。"""
    issue = service.rectify(session, actor, issue_id, body.note, recheck=body.recheck)
    return issue_read(session, issue, events=True)


@router.post("/issues/{issue_id}/recheck", status_code=202)
def recheck_issue(issue_id: Id, actor: CurrentActor, session: DbSession) -> RunBrief:
    """申请复核：重新运行该规则集。"""
    return run_brief(service.request_recheck(session, actor, issue_id))


@router.post("/issues/{issue_id}/assign")
def assign_issue(issue_id: Id, body: Assign, actor: CurrentActor, session: DbSession) -> IssueRead:
    issue = service.assign(session, actor, issue_id, body.department, body.assignee_user_id, body.comment)
    return issue_read(session, issue, events=True)


@router.post("/issues/{issue_id}/comments")
def comment_issue(issue_id: Id, body: Comment, actor: CurrentActor, session: DbSession) -> IssueRead:
    return issue_read(session, service.comment(session, actor, issue_id, body.comment), events=True)


@router.get("/organisations")
def organisation_quality(actor: CurrentActor, session: DbSession) -> list[OrganisationQuality]:
    """各单位的质量统计（监管部门为辖区内）：平均得分、各维度、问题数与逾期数。"""
    return [OrganisationQuality(**row) for row in service.organisation_stats(session, actor)]


@router.get("/settings")
def get_quality_settings(
    actor: CurrentActor,
    session: DbSession,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> SettingsRead:
    row = service.read_settings(session, actor, organisation_id)
    return SettingsRead(
        organisation_id=row.organisation_id,
        weights=dict(row.weights or {}),
        deadline_days=row.deadline_days,
    )


@router.put("/settings")
def put_quality_settings(body: SettingsUpdate, actor: CurrentActor, session: DbSession) -> SettingsRead:
    """本单位的维度权重与默认整改期限。"""
    row = service.update_settings(
        session, actor, {str(k): v for k, v in body.weights.items()}, body.deadline_days
    )
    return SettingsRead(
        organisation_id=row.organisation_id,
        weights=dict(row.weights or {}),
        deadline_days=row.deadline_days,
    )
