"""Use cases of quality: rule sets, runs as background jobs, and the issue loop (谁生产、谁治理).

A run goes like a discovery scan, so that a failure half-way changes nothing but the run's row:
1. ``request_run`` (the caller's transaction): a queued run, evidence, a job after commit;
2. ``execute_run`` (the job): the source is read and checked outside any transaction (progress in
   short transactions, exempt bookkeeping columns);
3. the results land in one transaction (``_store``): the run's figures, the card's score, and the
   issues opened, closed and reopened, each with its evidence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dataasset.catalog import service as catalog
from dataasset.catalog.models import AssetCard
from dataasset.catalog.queries import get_card
from dataasset.core import evidence, jobs, secrets
from dataasset.core.calendar import add_working_days, load_calendar
from dataasset.core.db import SHANGHAI, transaction, utcnow
from dataasset.core.errors import Conflict, Invalid, NotFound
from dataasset.core.identity import actor_or_system
from dataasset.core.models import Organisation, User
from dataasset.core.permissions import Actor, readable_condition, require, require_write
from dataasset.discovery import service as discovery
from dataasset.discovery.models import DataSource, Scan, ScanTable
from dataasset.discovery.types import DiscoveryError
from dataasset.quality import checks as check_registry
from dataasset.quality import rules as rule_files
from dataasset.quality import runner
from dataasset.quality.models import (
    QualityIssue,
    QualityIssueEvent,
    QualityRuleSet,
    QualityRun,
    QualitySettings,
)
from dataasset.quality.schemas import ISSUE_STATUS_LABELS, RuleSetCreate, RuleSetUpdate
from dataasset.quality.suggest import ColumnInfo, suggest
from dataasset.quality.types import DIMENSIONS, QualityError, RuleError, RuleSet
from dataasset.settings import Settings

log = logging.getLogger(__name__)

RUN_TASK = "quality.run"
SCHEDULE_TASK = "quality.schedule"
ACTIVE = ("open", "rectified", "rechecking")
_PROGRESS_EVERY_S = 0.5


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


# ---------------------------------------------------------------- settings


def get_settings_row(session: Session, organisation_id: int) -> QualitySettings:
    row = session.get(QualitySettings, organisation_id)
    return (
        row
        if row is not None
        else QualitySettings(organisation_id=organisation_id, weights={}, deadline_days=10)
    )


def read_settings(session: Session, actor: Actor, organisation_id: int | None = None) -> QualitySettings:
    require(actor, "quality.read")
    org = organisation_id if organisation_id is not None else actor.organisation_id
    if org is None:
        raise Invalid("请指定单位", code="organisation_required")
    if not actor.is_admin and not actor.is_regulator and org not in actor.readable_org_ids:
        raise NotFound("单位不存在或无权查看", code="organisation_not_found")
    return get_settings_row(session, org)


def update_settings(
    session: Session,
    actor: Actor,
    weights: dict[str, float],
    deadline_days: int,
    organisation_id: int | None = None,
) -> QualitySettings:
    org = organisation_id if organisation_id is not None else actor.organisation_id
    if org is None:
        raise Invalid("请指定单位", code="organisation_required")
    require_write(actor, "quality.manage", org)
    bad = [k for k, v in weights.items() if k not in DIMENSIONS or v < 0 or v > 100]
    if bad:
        raise Invalid(f"维度权重应为 0 到 100 之间的数：{'、'.join(bad)}", code="invalid_weights")
    if weights and sum(weights.values()) <= 0:
        raise Invalid("维度权重不能全为 0", code="invalid_weights")
    row = session.get(QualitySettings, org)
    if row is None:
        row = QualitySettings(organisation_id=org)
        session.add(row)
    row.weights = {k: float(v) for k, v in weights.items()}
    row.deadline_days = deadline_days
    row.updated_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "quality.settings.update", "quality_settings", org,
        {"weights": row.weights, "deadline_days": row.deadline_days},
    )  # fmt: skip
    return row


# ---------------------------------------------------------------- rule sets


def _rule_set_state(rs: QualityRuleSet) -> dict[str, Any]:
    return {
        "source": rs.source_id,
        "table": rs.table_name,
        "card": rs.card_id,
        "name": rs.name,
        "rules_sha256": evidence.state_digest(rs.rules),
        "version": rs.version,
        "schedule": rs.schedule,
        "run_after_scan": rs.run_after_scan,
        "deadline_days": rs.deadline_days,
        "deleted": rs.deleted,
    }


def _latest_table(session: Session, source_id: int, table: str) -> ScanTable | None:
    return session.scalars(
        select(ScanTable)
        .join(Scan, Scan.id == ScanTable.scan_id)
        .where(ScanTable.source_id == source_id, ScanTable.name == table, Scan.status == "succeeded")
        .order_by(ScanTable.id.desc())
        .limit(1)
    ).first()


def _known_columns(
    session: Session, source: DataSource, table: str
) -> tuple[list[str] | None, dict[str, list[str]] | None]:
    """The checked table's columns and the source's other tables with theirs, as the last
    successful scan saw them (None when the table was never scanned)."""
    latest = _latest_table(session, source.id, table)
    if latest is None:
        return None, None
    columns = [c.name for c in latest.columns]
    others: dict[str, list[str]] = {}
    if source.last_scan_id is not None:
        for t in session.scalars(select(ScanTable).where(ScanTable.scan_id == latest.scan_id)):
            if t.name != table:
                others[t.name] = [c.name for c in t.columns]
    return columns, others


def validate_rules(
    session: Session, actor: Actor, source_id: int, table: str, text: str
) -> tuple[RuleSet | None, list[dict[str, Any]], bool]:
    """Parse a rule file against what discovery knows of the table: ``(rules or None, problems,
    columns_known)``. For those who edit rules (a POST that writes nothing)."""
    require(actor, "quality.manage")
    source = discovery.get_source(session, actor, source_id)
    columns, others = _known_columns(session, source, table)
    try:
        return rule_files.parse_rules(text, columns, others), [], columns is not None
    except RuleError as exc:
        return None, [p.as_dict() for p in exc.problems], columns is not None


def _parse_or_raise(session: Session, source: DataSource, table: str, text: str) -> RuleSet:
    columns, others = _known_columns(session, source, table)
    return rule_files.parse_rules(text, columns, others)


def create_rule_set(session: Session, actor: Actor, data: RuleSetCreate) -> QualityRuleSet:
    source = discovery.get_source(session, actor, data.source_id)
    require_write(actor, "quality.manage", source.organisation_id)
    parsed = _parse_or_raise(session, source, data.table, data.rules)
    card_id = data.card_id
    if card_id is None:
        latest = _latest_table(session, source.id, data.table)
        card_id = latest.card_id if latest is not None else None
    if card_id is not None:
        card = get_card(session, actor, card_id)
        if card.organisation_id != source.organisation_id:
            raise Invalid("资产卡片与数据源不属于同一单位", code="card_other_organisation")
    now = utcnow()
    org_settings = get_settings_row(session, source.organisation_id)
    rs = QualityRuleSet(
        organisation_id=source.organisation_id,
        card_id=card_id,
        source_id=source.id,
        table_name=data.table,
        name=data.name,
        rules=data.rules,
        version=1,
        schedule=data.schedule,
        next_run_at=jobs.next_run(data.schedule, now),
        run_after_scan=data.run_after_scan,
        deadline_days=data.deadline_days or parsed.deadline_days or org_settings.deadline_days,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(rs)
    session.flush()
    evidence.record_state(
        session, actor, "quality.rules.create", "quality_rule_set", rs.id, _rule_set_state(rs)
    )
    return rs


def get_rule_set(session: Session, actor: Actor, rule_set_id: int) -> QualityRuleSet:
    require(actor, "quality.read")
    rs = session.scalars(
        select(QualityRuleSet).where(
            QualityRuleSet.id == rule_set_id,
            QualityRuleSet.deleted.is_(False),
            readable_condition(actor, QualityRuleSet.organisation_id),
        )
    ).first()
    if rs is None:
        raise NotFound("质量规则不存在或无权查看", code="rule_set_not_found")
    return rs


def list_rule_sets(
    session: Session, actor: Actor, card_id: int | None = None, source_id: int | None = None
) -> list[QualityRuleSet]:
    require(actor, "quality.read")
    stmt = select(QualityRuleSet).where(
        QualityRuleSet.deleted.is_(False), readable_condition(actor, QualityRuleSet.organisation_id)
    )
    if card_id is not None:
        stmt = stmt.where(QualityRuleSet.card_id == card_id)
    if source_id is not None:
        stmt = stmt.where(QualityRuleSet.source_id == source_id)
    return list(session.scalars(stmt.order_by(QualityRuleSet.updated_at.desc()).limit(500)))


def update_rule_set(session: Session, actor: Actor, rule_set_id: int, data: RuleSetUpdate) -> QualityRuleSet:
    rs = get_rule_set(session, actor, rule_set_id)
    require_write(actor, "quality.manage", rs.organisation_id)
    before = _rule_set_state(rs)
    patch = data.model_dump(exclude_unset=True)
    if patch.get("rules") is not None and patch["rules"] != rs.rules:
        _parse_or_raise(session, rs.source, rs.table_name, patch["rules"])
        rs.rules = patch["rules"]
        rs.version += 1
    for key in ("name", "schedule", "run_after_scan", "deadline_days"):
        if patch.get(key) is not None:
            setattr(rs, key, patch[key])
    if "schedule" in patch and patch["schedule"] is not None:
        rs.next_run_at = jobs.next_run(rs.schedule, utcnow())
    if _rule_set_state(rs) == before:
        return rs
    rs.updated_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "quality.rules.update", "quality_rule_set", rs.id, _rule_set_state(rs)
    )
    return rs


def delete_rule_set(session: Session, actor: Actor, rule_set_id: int) -> None:
    rs = get_rule_set(session, actor, rule_set_id)
    require_write(actor, "quality.manage", rs.organisation_id)
    if _busy(session, rs.id):
        raise Conflict("该规则有正在进行的检查，请稍后再删除", code="run_in_progress")
    rs.deleted = True
    rs.schedule = "none"
    rs.next_run_at = None
    rs.updated_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "quality.rules.delete", "quality_rule_set", rs.id, _rule_set_state(rs)
    )


def suggest_rules(
    session: Session, actor: Actor, scan_table_id: int
) -> tuple[ScanTable, str, list[dict[str, Any]]]:
    """A starting rule set for a scanned table, from its profile (not saved)."""
    require(actor, "quality.read")
    table = discovery.get_scan_table(session, actor, scan_table_id)
    infos = [
        ColumnInfo(
            name=c.name,
            type=c.type,
            rows=table.rows,
            nulls=c.nulls,
            distinct=c.distinct,
            distinct_exact=bool((c.profile or {}).get("distinct_exact")),
            sensitive_type=c.sensitive_type,
            min=(c.profile or {}).get("min"),
            max=(c.profile or {}).get("max"),
            top_values=[tuple(v) for v in (c.profile or {}).get("top_values") or []],
        )
        for c in table.columns
    ]
    proposed = suggest(infos, table.candidate_keys)
    text = rule_files.to_yaml({"table": table.name, "checks": proposed})
    return table, text, proposed


# ---------------------------------------------------------------- runs


def _busy(session: Session, rule_set_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count()).where(
                QualityRun.rule_set_id == rule_set_id, QualityRun.status.in_(("queued", "running"))
            )
        )
    )


def _run_state(run: QualityRun) -> dict[str, Any]:
    return {
        "rule_set": run.rule_set_id,
        "rule_version": run.rule_version,
        "status": run.status,
        "trigger": run.trigger,
        "rows": run.rows,
        "overall": run.overall,
        "dimensions": run.dimensions,
        "checks": [
            {
                "key": c.get("key"),
                "checked": c.get("checked"),
                "passed": c.get("passed"),
                "error": c.get("error"),
            }
            for c in run.checks or []
        ],
        "error_code": run.error_code,
    }


def request_run(session: Session, actor: Actor, rule_set_id: int, *, trigger: str = "manual") -> QualityRun:
    rs = get_rule_set(session, actor, rule_set_id)
    require_write(actor, "quality.manage" if trigger != "recheck" else "quality.rectify", rs.organisation_id)
    if _busy(session, rs.id):
        raise Conflict("该规则已有检查在进行，请等它结束后再试", code="run_in_progress")
    run = QualityRun(
        rule_set_id=rs.id,
        organisation_id=rs.organisation_id,
        card_id=rs.card_id,
        status="queued",
        trigger=trigger,
        rule_version=rs.version,
        dimensions={},
        checks=[],
        requested_by_user_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    rs.last_run_id = run.id
    evidence.record_state(session, actor, "quality.run.request", "quality_run", run.id, _run_state(run))
    jobs.enqueue_after_commit(session, RUN_TASK, run.id)
    return run


def get_run(session: Session, actor: Actor, run_id: int) -> QualityRun:
    require(actor, "quality.read")
    run = session.scalars(
        select(QualityRun).where(
            QualityRun.id == run_id, readable_condition(actor, QualityRun.organisation_id)
        )
    ).first()
    if run is None:
        raise NotFound("质量检查记录不存在或无权查看", code="run_not_found")
    return run


def list_runs(
    session: Session,
    actor: Actor,
    *,
    rule_set_id: int | None = None,
    card_id: int | None = None,
    limit: int = 100,
) -> list[QualityRun]:
    require(actor, "quality.read")
    stmt = select(QualityRun).where(readable_condition(actor, QualityRun.organisation_id))
    if rule_set_id is not None:
        stmt = stmt.where(QualityRun.rule_set_id == rule_set_id)
    if card_id is not None:
        stmt = stmt.where(QualityRun.card_id == card_id)
    return list(session.scalars(stmt.order_by(QualityRun.id.desc()).limit(limit)))


def _job_actor(session: Session, run: QualityRun) -> Actor:
    return actor_or_system(session, run.requested_by_user_id, "quality")


class _Progress:
    def __init__(self, factory: sessionmaker[Session], run_id: int) -> None:
        self.factory, self.run_id, self.last = factory, run_id, 0.0

    def write(self, force: bool = False, **values: Any) -> None:
        now = time.monotonic()
        if not force and now - self.last < _PROGRESS_EVERY_S:
            return
        self.last = now
        with transaction(self.factory) as session:
            run = session.get(QualityRun, self.run_id)
            if run is not None:
                for key, value in values.items():
                    setattr(run, key, value)
                run.heartbeat_at = utcnow()


def execute_run(factory: sessionmaker[Session], settings: Settings, run_id: int) -> str:
    """The background job: check the source, then store in one transaction; returns the status."""
    with transaction(factory) as session:
        run = session.get(QualityRun, run_id)
        if run is None or run.status != "queued":
            return run.status if run is not None else "missing"
        actor = _job_actor(session, run)
        rs = run.rule_set
        run.status = "running"
        run.started_at = utcnow()
        run.rule_version = rs.version
        evidence.record_state(session, actor, "quality.run.start", "quality_run", run.id, _run_state(run))
        target = secrets.decrypt(settings.resolved_secret_key(), rs.source.secret)
        latest = _latest_table(session, rs.source_id, rs.table_name)
        sensitive = {c.name for c in latest.columns if c.sensitive_type} if latest is not None else None
        weights = dict(get_settings_row(session, rs.organisation_id).weights or {})
        text, table = rs.rules, rs.table_name
    progress = _Progress(factory, run_id)
    try:
        document = rule_files.load_yaml(text)
        report = runner.run(
            target,
            document,
            runner.RunOptions(
                table=table,
                connector_options={"max_bytes": settings.max_scan_upload_bytes},
                sensitive=sensitive,
                weights=weights,
                memory_limit=settings.scan_memory_limit,
                engine=settings.scan_engine,
                on_check=lambda done, total: progress.write(checks_done=done, checks_total=total),
                on_rows=lambda rows: progress.write(rows_loaded=rows),
            ),
        )
    except RuleError as exc:
        return _finish_failed(factory, run_id, exc.code, exc.message)
    except (QualityError, DiscoveryError) as exc:
        return _finish_failed(factory, run_id, exc.code, exc.message)
    except Exception:
        log.exception("quality run %s failed", run_id)
        return _finish_failed(factory, run_id, "internal", "检查时发生内部错误。请联系平台管理员查看日志")
    try:
        with transaction(factory) as session:
            run = session.get(QualityRun, run_id)
            assert run is not None
            _store(session, _job_actor(session, run), run, report)
    except Exception:
        log.exception("storing quality run %s failed", run_id)
        return _finish_failed(
            factory, run_id, "store_failed", "保存检查结果时出错。请稍后重试或联系平台管理员"
        )
    return "succeeded"


def _finish_failed(factory: sessionmaker[Session], run_id: int, code: str, message: str) -> str:
    with transaction(factory) as session:
        run = session.get(QualityRun, run_id)
        if run is None:
            return "missing"
        run.status = "failed"
        run.error_code = code[:32]
        run.error_message = message
        run.finished_at = utcnow()
        issues = session.scalars(
            select(QualityIssue).where(
                QualityIssue.rule_set_id == run.rule_set_id, QualityIssue.status == "rechecking"
            )
        ).all()
        actor = _job_actor(session, run)
        for issue in issues:  # a re-check that could not run leaves the issue waiting for another
            issue.status = "rectified"
            issue.updated_at = utcnow()
            _event(session, actor, issue, "comment", f"复核未能执行：{message}", run.id)
        evidence.record_state(session, actor, "quality.run.failed", "quality_run", run.id, _run_state(run))
        return "failed"


def _store(session: Session, actor: Actor, run: QualityRun, report: Any) -> None:
    rs = run.rule_set
    run.status = "succeeded"
    run.finished_at = utcnow()
    run.rows = report.rows
    run.overall = None if report.overall is None else round(report.overall, 4)
    run.dimensions = {k: round(v, 4) for k, v in report.dimensions.items()}
    run.checks = [r.as_detail() for r in report.results]
    run.seconds = round(report.seconds, 3)
    run.checks_done = run.checks_total = len(report.results)
    session.flush()
    evidence.record_state(session, actor, "quality.run.succeeded", "quality_run", run.id, _run_state(run))
    _apply_issues(session, actor, run, rs, report.results)
    if rs.card_id is not None and run.overall is not None:
        card = session.get(AssetCard, rs.card_id)
        if card is not None and card.disposed_at is None:
            system = Actor.system("quality")
            catalog.record_figures(session, system, card.id, quality_score=_decimal(run.overall))


def _decimal(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(round(value, 2)))


def _issue_state(issue: QualityIssue) -> dict[str, Any]:
    return {
        "rule_set": issue.rule_set_id,
        "check": issue.check_key,
        "status": issue.status,
        "department": issue.department,
        "assignee": issue.assignee_user_id,
        "deadline": issue.deadline.isoformat(),
        "rectification": issue.rectification,
        "reopened": issue.reopened,
        "overdue": issue.overdue_flagged_at is not None,
    }


def _event(
    session: Session,
    actor: Actor,
    issue: QualityIssue,
    action: str,
    comment: str = "",
    run_id: int | None = None,
) -> None:
    issue.events.append(  # through the relationship: the answer to this request lists the event
        QualityIssueEvent(
            issue_id=issue.id,
            action=action,
            actor_user_id=actor.user_id,
            actor_name=(actor.display_name or actor.username)[:100],
            comment=comment,
            run_id=run_id,
            at=utcnow(),
        )
    )
    session.flush()
    evidence.record_state(
        session, actor, f"quality.issue.{action}", "quality_issue", issue.id, _issue_state(issue)
    )


def _apply_issues(
    session: Session, actor: Actor, run: QualityRun, rs: QualityRuleSet, results: Sequence[Any]
) -> None:
    """Open an issue for each newly failing check, close those that now pass, reopen re-checks that
    still fail (each an event with evidence)."""
    active = {
        i.check_key: i
        for i in session.scalars(
            select(QualityIssue).where(QualityIssue.rule_set_id == rs.id, QualityIssue.status.in_(ACTIVE))
        )
    }
    card = session.get(AssetCard, rs.card_id) if rs.card_id is not None else None
    department = card.owning_department if card is not None else ""
    today = shanghai_today()
    now = utcnow()
    seen: set[str] = set()
    for result in results:
        check = result.check
        seen.add(check.key)
        issue = active.get(check.key)
        if result.error is not None:
            continue  # a check that could not run is the rule's problem, not the data's
        if result.failed > 0:
            if issue is None:
                issue = QualityIssue(
                    organisation_id=rs.organisation_id,
                    card_id=rs.card_id,
                    rule_set_id=rs.id,
                    check_key=check.key,
                    check_title=check.title[:300],
                    check_type=check.check,
                    dimension=check.dimension,
                    column_name=check.column,
                    status="open",
                    department=department,
                    checked=result.checked,
                    failed=result.failed,
                    score=round(result.score, 6),
                    opened_run_id=run.id,
                    last_run_id=run.id,
                    deadline=add_working_days(today, rs.deadline_days, load_calendar()),
                    created_at=now,
                    updated_at=now,
                )
                session.add(issue)
                session.flush()
                _event(
                    session,
                    actor,
                    issue,
                    "open",
                    f"{check.title}：{result.failed:,} / {result.checked:,} 不合格",
                    run.id,
                )
                continue
            issue.checked, issue.failed, issue.score = result.checked, result.failed, round(result.score, 6)
            issue.last_run_id = run.id
            issue.updated_at = now
            if issue.status == "rechecking":
                issue.status = "open"
                issue.reopened += 1
                issue.deadline = add_working_days(today, rs.deadline_days, load_calendar())
                issue.overdue_flagged_at = None
                _event(
                    session, actor, issue, "reopen", f"复核未通过：仍有 {result.failed:,} 条不合格", run.id
                )
        elif issue is not None:
            issue.checked, issue.failed, issue.score = result.checked, 0, 1.0
            note = "复核通过" if issue.status == "rechecking" else "检查通过"
            _close(session, actor, issue, run.id, note)
    for key, issue in active.items():
        if key not in seen:
            _close(session, actor, issue, run.id, "该检查已从规则中删除")


def _close(session: Session, actor: Actor, issue: QualityIssue, run_id: int, note: str) -> None:
    issue.status = "closed"
    issue.closed_at = utcnow()
    issue.updated_at = issue.closed_at
    issue.last_run_id = run_id
    _event(session, actor, issue, "close", note, run_id)


# ---------------------------------------------------------------- issues


def get_issue(session: Session, actor: Actor, issue_id: int) -> QualityIssue:
    require(actor, "quality.read")
    issue = session.scalars(
        select(QualityIssue).where(
            QualityIssue.id == issue_id, readable_condition(actor, QualityIssue.organisation_id)
        )
    ).first()
    if issue is None:
        raise NotFound("质量问题不存在或无权查看", code="issue_not_found")
    return issue


def list_issues(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    card_id: int | None = None,
    overdue: bool | None = None,
    active: bool | None = None,
    limit: int = 200,
) -> list[QualityIssue]:
    require(actor, "quality.read")
    stmt = select(QualityIssue).where(readable_condition(actor, QualityIssue.organisation_id))
    if status is not None:
        stmt = stmt.where(QualityIssue.status == status)
    if active:
        stmt = stmt.where(QualityIssue.status.in_(ACTIVE))
    if card_id is not None:
        stmt = stmt.where(QualityIssue.card_id == card_id)
    if overdue is not None:
        late = QualityIssue.status.in_(("open", "rectified")) & (QualityIssue.deadline < shanghai_today())
        stmt = stmt.where(late if overdue else ~late)
    return list(session.scalars(stmt.order_by(QualityIssue.deadline, QualityIssue.id).limit(limit)))


def is_overdue(issue: QualityIssue, today: date | None = None) -> bool:
    return issue.status in ("open", "rectified") and issue.deadline < (today or shanghai_today())


def rectify(
    session: Session, actor: Actor, issue_id: int, note: str, *, recheck: bool = True
) -> QualityIssue:
    """The owner says what was fixed (整改) and, by default, asks for a re-check (复核)."""
    issue = get_issue(session, actor, issue_id)
    require_write(actor, "quality.rectify", issue.organisation_id)
    if issue.status not in ("open", "rectified"):
        raise Conflict(
            f"该问题当前为“{ISSUE_STATUS_LABELS[issue.status]}”，不能提交整改", code="issue_not_open"
        )
    issue.rectification = note
    issue.status = "rectified"
    issue.updated_at = utcnow()
    _event(session, actor, issue, "rectify", note)
    if recheck:
        request_recheck(session, actor, issue.id)
    return issue


def request_recheck(session: Session, actor: Actor, issue_id: int) -> QualityRun:
    issue = get_issue(session, actor, issue_id)
    require_write(actor, "quality.rectify", issue.organisation_id)
    if issue.status not in ("open", "rectified"):
        raise Conflict(
            f"该问题当前为“{ISSUE_STATUS_LABELS[issue.status]}”，不能申请复核", code="issue_not_open"
        )
    run = request_run(session, actor, issue.rule_set_id, trigger="recheck")
    issue.status = "rechecking"
    issue.updated_at = utcnow()
    _event(session, actor, issue, "recheck", "申请复核", run.id)
    return run


def assign(
    session: Session,
    actor: Actor,
    issue_id: int,
    department: str | None,
    assignee_user_id: int | None,
    comment: str = "",
) -> QualityIssue:
    issue = get_issue(session, actor, issue_id)
    require_write(actor, "quality.manage", issue.organisation_id)
    if issue.status == "closed":
        raise Conflict("问题已关闭", code="issue_closed")
    if assignee_user_id is not None:
        user = session.get(User, assignee_user_id)
        if user is None or user.organisation_id != issue.organisation_id:
            raise Invalid("责任人应是本单位的用户", code="assignee_other_organisation")
        issue.assignee_user_id = assignee_user_id
    if department is not None:
        issue.department = department.strip()[:100]
    issue.updated_at = utcnow()
    who = f"责任部门：{issue.department or '未指定'}" + (
        f"；责任人 #{issue.assignee_user_id}" if issue.assignee_user_id else ""
    )
    _event(session, actor, issue, "assign", f"{who}{('；' + comment) if comment else ''}")
    return issue


def comment(session: Session, actor: Actor, issue_id: int, text: str) -> QualityIssue:
    issue = get_issue(session, actor, issue_id)
    require_write(actor, "quality.rectify", issue.organisation_id)
    issue.updated_at = utcnow()
    _event(session, actor, issue, "comment", text)
    return issue


def flag_overdue(session: Session, today: date | None = None) -> list[int]:
    """Flag issues past their deadline (once): the 首席数据官's inbox and the regulators' statistics
    count them. Returns the issue ids flagged."""
    today = today or shanghai_today()
    late = session.scalars(
        select(QualityIssue).where(
            QualityIssue.status.in_(("open", "rectified")),
            QualityIssue.deadline < today,
            QualityIssue.overdue_flagged_at.is_(None),
        )
    ).all()
    actor = Actor.system("quality.overdue")
    for issue in late:
        issue.overdue_flagged_at = utcnow()
        _event(session, actor, issue, "overdue", f"已超过整改期限 {issue.deadline.isoformat()}")
    return [i.id for i in late]


def inbox(session: Session, actor: Actor) -> dict[str, int]:
    require(actor, "quality.read")
    visible = readable_condition(actor, QualityIssue.organisation_id)
    rows = session.execute(
        select(QualityIssue.status, func.count())
        .where(visible, QualityIssue.status.in_(ACTIVE))
        .group_by(QualityIssue.status)
    ).all()
    counts = {"open": 0, "rectified": 0, "rechecking": 0}
    counts.update({str(s): int(n) for s, n in rows})
    counts["closed"] = int(
        session.scalar(select(func.count()).where(visible, QualityIssue.status == "closed")) or 0
    )
    overdue = session.scalar(
        select(func.count()).where(
            visible, QualityIssue.status.in_(("open", "rectified")), QualityIssue.deadline < shanghai_today()
        )
    )
    return counts | {"overdue": int(overdue or 0)}


# ---------------------------------------------------------------- per card, per organisation


def card_quality(session: Session, actor: Actor, card_id: int) -> dict[str, Any]:
    require(actor, "quality.read")
    card = get_card(session, actor, card_id)
    visible = readable_condition(actor, QualityRun.organisation_id)
    runs = list(
        session.scalars(
            select(QualityRun)
            .where(QualityRun.card_id == card.id, QualityRun.status == "succeeded", visible)
            .order_by(QualityRun.finished_at.desc(), QualityRun.id.desc())
            .limit(100)
        )
    )
    trend = [
        {
            "run_id": r.id,
            "finished_at": r.finished_at,
            "overall": r.overall,
            "dimensions": r.dimensions,
            "rule_set_id": r.rule_set_id,
        }
        for r in reversed(runs)
    ]
    return {
        "card": card,
        "latest": runs[0] if runs else None,
        "trend": trend,
        "rule_sets": list_rule_sets(session, actor, card_id=card.id),
        "issues": list_issues(session, actor, card_id=card.id, limit=500),
    }


def organisation_stats(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Per organisation the actor may read (regulators: their region): rule sets, assets checked,
    the mean of each asset's latest score, and issues open, overdue and closed."""
    require(actor, "quality.read")
    orgs = {
        o.id: o
        for o in session.scalars(
            select(Organisation).where(
                readable_condition(actor, Organisation.id, region_column=Organisation.region_code)
            )
        )
    }
    latest_ids = (
        select(func.max(QualityRun.id).label("id"))
        .where(QualityRun.status == "succeeded", QualityRun.card_id.is_not(None))
        .group_by(QualityRun.card_id)
        .subquery()
    )
    latest = session.scalars(
        select(QualityRun).where(
            QualityRun.id.in_(select(latest_ids.c.id)), QualityRun.organisation_id.in_(list(orgs))
        )
    ).all()
    today = shanghai_today()
    out: dict[int, dict[str, Any]] = {}
    for org_id, org in orgs.items():
        out[org_id] = {
            "organisation_id": org_id,
            "organisation_name": org.name,
            "region_code": org.region_code,
            "rule_sets": 0,
            "assets_checked": 0,
            "average_score": None,
            "dimensions": {},
            "open_issues": 0,
            "overdue_issues": 0,
            "closed_issues": 0,
        }
    for org_id, n in session.execute(
        select(QualityRuleSet.organisation_id, func.count())
        .where(QualityRuleSet.deleted.is_(False), QualityRuleSet.organisation_id.in_(list(orgs)))
        .group_by(QualityRuleSet.organisation_id)
    ).all():
        out[org_id]["rule_sets"] = int(n)
    by_org: dict[int, list[QualityRun]] = {}
    for run in latest:
        by_org.setdefault(run.organisation_id, []).append(run)
    for org_id, runs in by_org.items():
        scored = [r.overall for r in runs if r.overall is not None]
        out[org_id]["assets_checked"] = len(runs)
        out[org_id]["average_score"] = round(sum(scored) / len(scored), 2) if scored else None
        dims: dict[str, list[float]] = {}
        for r in runs:
            for d, v in (r.dimensions or {}).items():
                dims.setdefault(d, []).append(v)
        out[org_id]["dimensions"] = {d: round(sum(v) / len(v), 2) for d, v in dims.items()}
    for org_id, status, deadline, n in session.execute(
        select(QualityIssue.organisation_id, QualityIssue.status, QualityIssue.deadline, func.count())
        .where(QualityIssue.organisation_id.in_(list(orgs)))
        .group_by(QualityIssue.organisation_id, QualityIssue.status, QualityIssue.deadline)
    ).all():
        row = out[org_id]
        if status == "closed":
            row["closed_issues"] += int(n)
        else:
            row["open_issues"] += int(n)
            if deadline < today and status in ("open", "rectified"):
                row["overdue_issues"] += int(n)
    return sorted(out.values(), key=lambda r: (r["region_code"], r["organisation_name"]))


def report_data(session: Session, actor: Actor, card_id: int) -> dict[str, Any]:
    """What the .xlsx and PDF quality report of an asset show (its latest run)."""
    summary = card_quality(session, actor, card_id)
    card: AssetCard = summary["card"]
    run: QualityRun | None = summary["latest"]
    if run is None:
        raise NotFound("该资产还没有完成的质量检查", code="no_quality_run")
    rs = run.rule_set
    org = card.organisation

    def local(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(SHANGHAI).isoformat(timespec="seconds")

    return {
        "generated_at": local(utcnow()),
        "organisation": {"name": org.name, "uscc": org.uscc},
        "card": {
            "id": card.id,
            "code": card.code,
            "name": card.name,
            "owning_department": card.owning_department,
            "responsible_person": card.responsible_person,
        },
        "rule_set": {"id": rs.id, "name": rs.name, "table": rs.table_name, "version": run.rule_version},
        "run": {
            "id": run.id,
            "finished_at": local(run.finished_at),
            "rows": run.rows,
            "overall": run.overall,
            "dimensions": run.dimensions,
            "trigger": run.trigger,
            "seconds": run.seconds,
        },
        "checks": run.checks,
        "issues": [
            {
                "id": i.id,
                "check_title": i.check_title,
                "dimension": i.dimension,
                "status": i.status,
                "status_label": ISSUE_STATUS_LABELS[i.status],
                "department": i.department,
                "deadline": i.deadline.isoformat(),
                "overdue": is_overdue(i),
                "failed": i.failed,
            }
            for i in summary["issues"]
            if i.status != "closed"
        ],
        "trend": [
            {"run_id": t["run_id"], "finished_at": local(t["finished_at"]), "overall": t["overall"]}
            for t in summary["trend"]
        ],
    }


def check_types() -> list[dict[str, Any]]:
    examples = {
        "not_null": "{check: not_null, column: 身份证号}",
        "not_blank": "{check: not_blank, column: 姓名}",
        "row_count": "{check: row_count, min: 1000}",
        "pattern": "{check: pattern, column: 手机号, regex: '1[3-9][0-9]{9}'}",
        "valid_type": "{check: valid_type, column: 身份证号, type: cn_resident_id}",
        "allowed_values": "{check: allowed_values, column: 性别, values: [男, 女]}",
        "length": "{check: length, column: 客户编号, min: 10, max: 10}",
        "date_format": "{check: date_format, column: 开户日期, format: '%Y-%m-%d'}",
        "between": "{check: between, column: 年龄, min: 0, max: 120}",
        "unique": "{check: unique, columns: [客户编号]}",
        "expression": "{check: expression, sql: 结束日期 >= 开始日期}",
        "foreign_key": "{check: foreign_key, column: 地区编码, table: 地区, ref_column: 编码}",
        "matches": "{check: matches, column: 手机号, key: 客户编号, table: 账户, other_column: 联系电话}",
        "cross_total": "{check: cross_total, column: 金额, table: 汇总, other_column: 合计, tolerance: 0.01}",
        "fresh_within": "{check: fresh_within, column: 更新时间, days: 30}",
        "lag": "{check: lag, column: 发生时间, to: 入库时间, hours: 24}",
        "ordered": "{check: ordered, column: 创建时间, not_after: 更新时间}",
        "reachable": "{check: reachable, seconds: 10}",
    }
    return [
        {
            "name": k.name,
            "label": k.label,
            "dimension": k.dimension.value,
            "level": k.level,
            "example": examples.get(k.name, ""),
        }
        for k in check_registry.REGISTRY.values()
    ]


# ---------------------------------------------------------------- schedules, scans and jobs


def schedule_due(session: Session, now: datetime | None = None) -> list[int]:
    """Queue a run for every rule set whose periodic check is due; flag overdue issues."""
    now = now or utcnow()
    due = session.scalars(
        select(QualityRuleSet).where(
            QualityRuleSet.deleted.is_(False),
            QualityRuleSet.schedule != "none",
            QualityRuleSet.next_run_at <= now,
        )
    ).all()
    started = []
    actor = Actor.system("quality.schedule")
    for rs in due:
        rs.next_run_at = jobs.next_run(rs.schedule, now)
        try:
            with session.begin_nested():
                started.append(request_run(session, actor, rs.id, trigger="schedule").id)
        except Conflict:
            continue
    flag_overdue(session)
    return started


def after_scan(session: Session, actor: Actor, scan: Scan) -> None:
    """A discovery re-scan succeeded: check again every table of it that has rule sets."""
    names = {r.get("table") for r in (scan.summary or {}).get("results", [])}
    for rs in session.scalars(
        select(QualityRuleSet).where(
            QualityRuleSet.source_id == scan.source_id,
            QualityRuleSet.deleted.is_(False),
            QualityRuleSet.run_after_scan.is_(True),
        )
    ):
        if rs.table_name not in names or _busy(session, rs.id):
            continue
        request_run(session, Actor.system("quality.scan"), rs.id, trigger="scan")


discovery.AFTER_SCAN.append(after_scan)


@jobs.task(RUN_TASK)
def run_job(run_id: int) -> str:
    ctx = jobs.context()
    return execute_run(ctx.factory, ctx.settings, run_id)


@jobs.periodic(SCHEDULE_TASK, minutes=1)
def schedule_job() -> None:
    ctx = jobs.context()
    with transaction(ctx.factory) as session:
        schedule_due(session)


from dataasset.quality import evidence_hooks as _evidence_hooks  # noqa: E402

_evidence_hooks.register()
