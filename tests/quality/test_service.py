"""The quality service on both backends: rules from a scan's suggestions, runs as jobs, the card's
score, and the issue loop (open → rectify → re-check → close or reopen), with tenancy and evidence."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dataasset.catalog.models import AssetCard
from dataasset.core import secrets
from dataasset.core.db import transaction
from dataasset.core.errors import Conflict, Forbidden, NotFound
from dataasset.core.models import EvidenceEntry
from dataasset.discovery import service as discovery
from dataasset.discovery.models import DataSource, ScanTable
from dataasset.quality import rules as rule_files
from dataasset.quality import service
from dataasset.quality.models import QualityIssue, QualityRun
from dataasset.quality.schemas import RuleSetCreate, RuleSetUpdate
from dataasset.quality.types import RuleError
from tests.discovery.platform import Platform, platform_fixture  # noqa: F401
from tests.discovery.sample_data import customer_rows, write_csv

RULES = """table: {table}
checks:
  - {{check: not_null, column: 备注}}
  - {{check: valid_type, column: 身份证号, type: cn_resident_id}}
  - {{check: unique, columns: [客户编号]}}
  - {{check: between, column: 用电量, min: 100, max: 900}}
"""


def _source_with_scan(p: Platform, tmp_path: Path, rows: list[dict[str, str]]) -> tuple[int, ScanTable]:
    path = write_csv(tmp_path / "客户.csv", rows, "gbk")
    actor = p.actor("xn_admin")
    with transaction(p.factory) as session, path.open("rb") as handle:
        source_id = discovery.upload_source(
            session, actor, p.settings, name="客户档案", filename=path.name, content=handle, industry="D"
        ).id
    with transaction(p.factory) as session:
        scan_id = discovery.request_scan(session, actor, source_id).id
    assert discovery.run_scan(p.factory, p.settings, scan_id) == "succeeded"
    with transaction(p.factory) as session:
        table = session.scalars(select(ScanTable).where(ScanTable.scan_id == scan_id)).one()
        session.expunge(table)
    return source_id, table


def _run(p: Platform, username: str, rule_set_id: int) -> QualityRun:
    with transaction(p.factory) as session:
        run_id = service.request_run(session, p.actor(username), rule_set_id).id
    service.execute_run(p.factory, p.settings, run_id)
    with transaction(p.factory) as session:
        run = session.get(QualityRun, run_id)
        assert run is not None
        session.expunge(run)
        return run


def _rewrite_source(p: Platform, source_id: int, rows: list[dict[str, str]]) -> None:
    """The owner fixes the data where it is produced: the uploaded file is replaced in place."""
    with transaction(p.factory) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        path = Path(secrets.decrypt(p.settings.resolved_secret_key(), source.secret))
    write_csv(path, rows, "gbk")


def _issues(p: Platform, rule_set_id: int) -> dict[str, QualityIssue]:
    with transaction(p.factory) as session:
        found = session.scalars(select(QualityIssue).where(QualityIssue.rule_set_id == rule_set_id)).all()
        for issue in found:
            _ = issue.events
            session.expunge(issue)
        return {i.check_type: i for i in found}


def test_suggested_rules_run_score_the_card_and_open_issues(platform: Platform, tmp_path: Path) -> None:
    p = platform
    rows = customer_rows(400)
    source_id, table = _source_with_scan(p, tmp_path, rows)
    actor = p.actor("xn_admin")
    with transaction(p.factory) as session:
        _scanned, text, proposed = service.suggest_rules(session, actor, table.id)
    kinds = {(c["check"], c.get("column") or tuple(c.get("columns", []))) for c in proposed}
    assert ("valid_type", "身份证号") in kinds and ("valid_type", "手机号") in kinds
    assert ("unique", ("客户编号",)) in kinds
    assert ("not_null", "姓名") in kinds and ("not_null", "备注") not in kinds  # 备注 is mostly empty
    with transaction(p.factory) as session:
        rs = service.create_rule_set(
            session,
            actor,
            RuleSetCreate(source_id=source_id, table=table.name, name="客户档案质量规则", rules=text),
        )
        rs_id, card_id = rs.id, rs.card_id
    assert card_id == table.card_id
    run = _run(p, "xn_admin", rs_id)
    assert run.status == "succeeded", run.error_message
    assert run.rows == 400 and run.overall == pytest.approx(100.0)
    assert _issues(p, rs_id) == {}
    # the steward adds a stricter rule set: failing checks open issues for the card's department
    with transaction(p.factory) as session:
        strict = service.create_rule_set(
            session,
            actor,
            RuleSetCreate(
                source_id=source_id, table=table.name, name="严格规则", rules=RULES.format(table=table.name)
            ),
        ).id
    run = _run(p, "xn_admin", strict)
    remarks = sum(1 for r in rows if r["备注"])
    usage_ok = sum(1 for r in rows if 100 <= float(r["用电量"]) <= 900)
    by = {c["check"]: c for c in run.checks}
    assert (by["not_null"]["checked"], by["not_null"]["passed"]) == (400, remarks)
    assert (by["between"]["checked"], by["between"]["passed"]) == (400, usage_ok)
    assert by["not_null"]["examples"] and "*" in by["not_null"]["examples"][0]["身份证号"]  # masked
    assert set(run.dimensions) == {"completeness", "conformity", "accuracy"}
    issues = _issues(p, strict)
    assert set(issues) == {"not_null", "between"}
    assert issues["not_null"].status == "open" and issues["not_null"].failed == 400 - remarks
    assert issues["not_null"].deadline > date.today()
    with transaction(p.factory) as session:
        card = session.get(AssetCard, card_id)
        assert card is not None and float(card.quality_score or 0) == pytest.approx(
            run.overall or 0, abs=0.01
        )
        entries = session.scalars(
            select(EvidenceEntry.action).where(EvidenceEntry.subject_type == "quality_issue")
        ).all()
        assert entries.count("quality.issue.open") >= 2


def test_the_loop_rectify_recheck_reopen_and_close(platform: Platform, tmp_path: Path) -> None:
    p = platform
    rows = customer_rows(200, seed=11)
    for i in range(5):
        rows[i]["用电量"] = "5000"
    source_id, table = _source_with_scan(p, tmp_path, rows)
    admin = p.actor("xn_admin")
    rules = (
        "table: {t}\ndeadline_days: 5\nchecks:\n  - {{check: between, column: 用电量, min: 0, max: 1000}}\n"
    )
    with transaction(p.factory) as session:
        rs_id = service.create_rule_set(
            session,
            admin,
            RuleSetCreate(
                source_id=source_id, table=table.name, name="用电量", rules=rules.format(t=table.name)
            ),
        ).id
    _run(p, "xn_admin", rs_id)
    issue = _issues(p, rs_id)["between"]
    assert issue.failed == 5
    # another organisation sees nothing and may do nothing
    other = p.actor("xy_admin")
    with transaction(p.factory) as session, pytest.raises(NotFound):
        service.get_issue(session, other, issue.id)
    with transaction(p.factory) as session, pytest.raises(NotFound):
        service.rectify(session, other, issue.id, "改好了")
    # the regulator of the region reads it, but cannot rectify
    regulator = p.actor("sjj")
    with transaction(p.factory) as session:
        assert service.get_issue(session, regulator, issue.id).id == issue.id
    with transaction(p.factory) as session, pytest.raises(Forbidden):
        service.rectify(session, regulator, issue.id, "改好了")
    # half a fix: the re-check still fails and reopens the issue
    rows[0]["用电量"] = "500"
    _rewrite_source(p, source_id, rows)
    with transaction(p.factory) as session:
        service.rectify(session, admin, issue.id, "修正了第 1 行的抄表错误")
        run_id = session.scalars(
            select(QualityRun.id).where(QualityRun.trigger == "recheck", QualityRun.rule_set_id == rs_id)
        ).one()
    with transaction(p.factory) as session, pytest.raises(Conflict):
        service.rectify(session, admin, issue.id, "再次提交")  # while re-checking
    service.execute_run(p.factory, p.settings, run_id)
    issue = _issues(p, rs_id)["between"]
    assert issue.status == "open" and issue.reopened == 1 and issue.failed == 4
    # the full fix: the re-check closes it
    for i in range(5):
        rows[i]["用电量"] = "500"
    _rewrite_source(p, source_id, rows)
    with transaction(p.factory) as session:
        run_id = service.rectify(session, admin, issue.id, "已全部更正").id
        run_id = session.scalars(
            select(func.max(QualityRun.id)).where(
                QualityRun.rule_set_id == rs_id, QualityRun.trigger == "recheck"
            )
        ).one()
    service.execute_run(p.factory, p.settings, run_id)
    issue = _issues(p, rs_id)["between"]
    assert issue.status == "closed" and issue.failed == 0
    assert [e.action for e in issue.events] == [
        "open",
        "rectify",
        "recheck",
        "reopen",
        "rectify",
        "recheck",
        "close",
    ]
    with transaction(p.factory) as session:
        actions = session.scalars(
            select(EvidenceEntry.action).where(
                EvidenceEntry.subject_type == "quality_issue", EvidenceEntry.subject_id == str(issue.id)
            )
        ).all()
    assert list(actions) == [
        f"quality.issue.{a}" for a in ("open", "rectify", "recheck", "reopen", "rectify", "recheck", "close")
    ]


def test_a_failed_run_changes_nothing_but_its_own_row(platform: Platform, tmp_path: Path) -> None:
    p = platform
    source_id, table = _source_with_scan(p, tmp_path, customer_rows(50, seed=3))
    admin = p.actor("xn_admin")
    with transaction(p.factory) as session:
        rs_id = service.create_rule_set(
            session,
            admin,
            RuleSetCreate(
                source_id=source_id, table=table.name, name="规则", rules=RULES.format(table=table.name)
            ),
        ).id
    first = _run(p, "xn_admin", rs_id)
    before = {k: (i.status, i.failed) for k, i in _issues(p, rs_id).items()}
    _rewrite_source(p, source_id, [{"别的列": "1"}])  # the table lost its columns
    run = _run(p, "xn_admin", rs_id)
    assert run.status == "failed" and run.error_code == "invalid_rules"
    assert "表中没有列" in (run.error_message or "")
    assert {k: (i.status, i.failed) for k, i in _issues(p, rs_id).items()} == before
    with transaction(p.factory) as session:
        card = session.get(AssetCard, table.card_id)
        assert card is not None and float(card.quality_score or 0) == pytest.approx(
            first.overall or 0, abs=0.01
        )


def test_rules_are_checked_against_the_scanned_columns(platform: Platform, tmp_path: Path) -> None:
    p = platform
    source_id, table = _source_with_scan(p, tmp_path, customer_rows(30, seed=5))
    admin = p.actor("xn_admin")
    bad = "checks:\n  - {check: not_null, column: 邮箱}\n  - {check: nonsense}\n"
    with transaction(p.factory) as session:
        parsed, problems, known = service.validate_rules(session, admin, source_id, table.name, bad)
    assert parsed is None and known and [x["line"] for x in problems] == [2, 3]
    with transaction(p.factory) as session, pytest.raises(RuleError):
        service.create_rule_set(
            session, admin, RuleSetCreate(source_id=source_id, table=table.name, name="坏规则", rules=bad)
        )
    good = "checks:\n  - {check: not_null, column: 姓名}\n"
    with transaction(p.factory) as session:
        rs = service.create_rule_set(
            session, admin, RuleSetCreate(source_id=source_id, table=table.name, name="好规则", rules=good)
        )
        rs_id = rs.id
    with transaction(p.factory) as session:
        rs = service.update_rule_set(
            session, admin, rs_id, RuleSetUpdate(rules=good + "  - {check: not_null, column: 住址}\n")
        )
        assert rs.version == 2
        with pytest.raises(RuleError):
            service.update_rule_set(session, admin, rs_id, RuleSetUpdate(rules=bad))
    with transaction(p.factory) as session, pytest.raises(NotFound):
        service.get_rule_set(session, p.actor("xy_admin"), rs_id)


def test_overdue_issues_are_flagged_once_and_counted(platform: Platform, tmp_path: Path) -> None:
    p = platform
    rows = customer_rows(60, seed=8)
    rows[0]["用电量"] = "-1"
    source_id, table = _source_with_scan(p, tmp_path, rows)
    admin = p.actor("xn_admin")
    with transaction(p.factory) as session:
        rules = f"table: {table.name}\nchecks:\n  - {{check: between, column: 用电量, min: 0}}\n"
        rs_id = service.create_rule_set(
            session, admin, RuleSetCreate(source_id=source_id, table=table.name, name="逾期", rules=rules)
        ).id
    _run(p, "xn_admin", rs_id)
    issue = _issues(p, rs_id)["between"]
    with transaction(p.factory) as session:
        flagged = service.flag_overdue(session, today=issue.deadline + timedelta(days=1))
        assert issue.id in flagged
        assert issue.id not in service.flag_overdue(session, today=issue.deadline + timedelta(days=2))
    with transaction(p.factory) as session:
        row = session.get(QualityIssue, issue.id)
        assert row is not None
        row.deadline = date.today() - timedelta(days=1)
        session.flush()
        service.comment(session, admin, issue.id, "期限调整（测试）")
    with transaction(p.factory) as session:
        counts = service.inbox(session, p.actor("xn_cdo"))
        assert counts["overdue"] >= 1
        stats = {r["organisation_name"]: r for r in service.organisation_stats(session, p.actor("sjj"))}
        mine = next(r for name, r in stats.items() if name.startswith("湖南湘能") or r["overdue_issues"])
        assert mine["overdue_issues"] >= 1 and mine["assets_checked"] >= 1
        assert all(r["region_code"].startswith("43") for r in stats.values())


def test_a_rescan_runs_the_rule_sets_of_its_tables(platform: Platform, tmp_path: Path) -> None:
    p = platform
    source_id, table = _source_with_scan(p, tmp_path, customer_rows(40, seed=9))
    admin = p.actor("xn_admin")
    with transaction(p.factory) as session:
        rs_id = service.create_rule_set(
            session,
            admin,
            RuleSetCreate(
                source_id=source_id,
                table=table.name,
                name="随清查",
                rules=f"table: {table.name}\nchecks:\n  - {{check: row_count, min: 1}}\n",
            ),
        ).id
    with transaction(p.factory) as session:
        scan_id = discovery.request_scan(session, admin, source_id).id
    assert discovery.run_scan(p.factory, p.settings, scan_id) == "succeeded"
    with transaction(p.factory) as session:
        runs = session.scalars(select(QualityRun).where(QualityRun.rule_set_id == rs_id)).all()
        assert [(r.trigger, r.status) for r in runs] == [("scan", "queued")]
        due = service.schedule_due(session)
        assert due == []


def test_report_data_has_the_latest_run(platform: Platform, tmp_path: Path) -> None:
    p = platform
    source_id, table = _source_with_scan(p, tmp_path, customer_rows(30, seed=12))
    admin = p.actor("xn_admin")
    with transaction(p.factory) as session:
        rs_id = service.create_rule_set(
            session,
            admin,
            RuleSetCreate(
                source_id=source_id, table=table.name, name="报告", rules=RULES.format(table=table.name)
            ),
        ).id
    run = _run(p, "xn_admin", rs_id)
    with transaction(p.factory) as session:
        data = service.report_data(session, admin, table.card_id or 0)
    assert data["run"]["id"] == run.id and data["card"]["id"] == table.card_id
    assert data["organisation"]["uscc"] and len(data["checks"]) == 4
    assert [c["check"] for c in data["checks"]] == [
        c.check for c in rule_files.parse_rules(RULES.format(table="x")).checks
    ]
