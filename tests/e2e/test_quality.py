"""Data quality (数据质量, GB/T 36344) in a real Chromium, the issue loop end to end: 湘能's data
administrator uploads a GBK-encoded CSV whose 用电量 is 5000 on three rows and scans it, writes quality
rules for the table from the suggested ones plus a range check (a typo first: the editor names the line
in Chinese), saves and runs them and watches the run to its scores (radar, dimension scores, the checks
with the three failing rows as examples), opens the issue the failing check raised, fixes the file and
submits the rectification with a re-check, and sees the issue closed. Another organisation's
administrator finds neither the rule set nor the issue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.discovery.sample_data import customer_rows, write_csv
from tests.e2e.test_console import control, login
from tests.e2e.test_discovery import open_discovery, scan_tables, scan_to_success, upload, uploaded_row

pytestmark = pytest.mark.e2e
COLUMNS = ("客户编号", "姓名", "身份证号", "手机号", "住址", "用电量")
ROWS = 200
BAD = (4, 57, 131)  # 0-based rows whose 用电量 is out of range; the examples number rows from 1
SOURCE = "质量评价测试客户档案"
FILENAME = "质量评价测试客户档案.csv"
RANGE_CHECK = "  - {check: between, column: 用电量, min: 0, max: 1000}"
RANGE_TITLE = "用电量 在 0 到 1000 之间"
RUN_TIMEOUT_MS = 90_000


def _customers(path: Path, *, fixed: bool) -> Path:
    rows = [{k: row[k] for k in COLUMNS} for row in customer_rows(ROWS, seed=23)]
    for i in BAD:
        rows[i]["用电量"] = "500.00" if fixed else "5000"
    return write_csv(path, rows, "gbk")


def _uploaded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's copy of the upload: the live server's var directory is a `var*` folder of this
    session's base temporary directory; uploads go to ``var/sources/<organisation>/<uuid>/<name>``."""
    # (pytest also links `varcurrent` to the newest `varN`)
    base = tmp_path_factory.getbasetemp()
    found = sorted({p.resolve() for p in base.glob(f"var*/sources/*/*/{FILENAME}")})
    assert len(found) == 1, f"上传的文件应有且只有一份：{found}"
    return found[0]


def _logout(page: Any) -> None:
    page.locator('[data-test="logout-button"]').click()
    page.wait_for_url(re.compile(r"/login"))


def _check_row(page: Any, title: str) -> Any:
    return page.locator('[data-test="check-row"]').filter(
        has=page.locator('[data-test="check-title"]', has_text=re.compile(f"^{re.escape(title)}$"))
    )


def test_rules_run_issue_rectify_and_recheck(
    page: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect

    # upload the CSV (GBK, Chinese headers) and scan it
    open_discovery(page)
    data = _customers(tmp_path / FILENAME, fixed=False)
    row = uploaded_row(page, upload(page, data, SOURCE), SOURCE)
    scan_to_success(page, row, SOURCE)
    tables = scan_tables(page)
    assert list(tables) == ["质量评价测试客户档案"], list(tables)

    # the scanned table → 新建质量规则, with the source and the table filled in
    tables["质量评价测试客户档案"].locator('[data-test="table-link"]').click()
    page.wait_for_url(re.compile(r"/discovery/tables/\d+"))
    page.locator('[data-test="table-quality-rules"]').click()
    page.wait_for_url(re.compile(r"/quality/rules/new\?table_id=\d+"))
    expect(page.locator('[data-test="rule-source"]')).to_contain_text(SOURCE)
    expect(page.locator('[data-test="rule-table"]')).to_contain_text("质量评价测试客户档案")

    # 生成建议规则 fills the editor from the scan's profile; the rules are checked as they change
    editor = page.locator('[data-test="rules-editor"]')
    page.locator('[data-test="suggest-rules"]').click()
    expect(editor).to_have_value(re.compile(r"checks:\n\s+- \{check: "))
    page.locator('[data-test="rules-valid"]').wait_for()
    suggested = editor.input_value().rstrip("\n")

    # a typo: the problem is named with its line, in Chinese
    typo_line = suggested.count("\n") + 2
    editor.fill(f"{suggested}\n  - {{check: betwen, column: 用电量, min: 0, max: 1000}}\n")
    problem = page.locator('[data-test="rule-problem"]').first
    problem.wait_for()
    assert problem.get_attribute("data-line") == str(typo_line)
    text = problem.inner_text()
    assert f"第 {typo_line} 行" in text and "betwen" in text and "不认识的检查" in text, text
    page.locator('[data-test="rules-invalid"]').wait_for()

    # fixed: valid again, the new check parsed with its dimension
    editor.fill(f"{suggested}\n{RANGE_CHECK}\n")
    page.locator('[data-test="rules-valid"]').wait_for()
    parsed = page.locator('[data-test="parsed-checks"] tr', has_text=RANGE_TITLE)
    expect(parsed).to_have_count(1)
    expect(parsed.locator('[data-test="dimension-tag"]')).to_have_text("准确性")
    page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)

    page.locator('[data-test="rule-save"]').click()
    page.wait_for_url(re.compile(r"/quality/cards/\d+"))
    card_id = int(re.search(r"/quality/cards/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.locator('[data-test="quality-no-run"]').wait_for()

    # 立即检查: the run is followed until it has scores
    page.locator('[data-test="quality-run"]').click()
    range_row = _check_row(page, RANGE_TITLE)
    range_row.wait_for(timeout=RUN_TIMEOUT_MS)
    error = page.locator('[data-test="quality-run-error"]')
    assert error.count() == 0, error.inner_text() if error.count() else ""
    overall = page.locator('[data-test="quality-overall"]').inner_text()
    assert re.fullmatch(r"\d{1,3}(\.\d)?", overall), overall
    assert 0 < float(overall) < 100, overall
    page.locator('[data-test="quality-radar"] canvas').first.wait_for()
    dims = page.locator('[data-test="quality-radar"]').get_attribute("data-dimensions") or ""
    assert "accuracy" in dims.split(","), dims
    accuracy = page.locator('[data-test="dimension-score"][data-dimension="accuracy"]').inner_text()
    assert "准确性" in accuracy
    page.locator('[data-test="quality-trend"] canvas').first.wait_for()

    # the range check: 3 of 200 failed, the three rows as examples (行号 from 1)
    assert range_row.locator('[data-test="check-checked"]').inner_text() == f"{ROWS:,}"
    assert range_row.locator('[data-test="check-failed"]').inner_text() == "3"
    assert range_row.locator('[data-test="check-score"]').inner_text() == "98.5%"
    range_row.locator('[data-test="check-title"]').click()
    examples = page.locator('[data-test="check-examples"]')
    examples.wait_for()
    numbers = [int(x) for x in examples.locator('[data-test="example-row"]').all_inner_texts()]
    assert sorted(numbers) == [i + 1 for i in BAD], numbers
    assert "5000" in examples.inner_text()
    page.screenshot(path=str(tmp_path / "scores.png"), full_page=True)

    # the report downloads
    page.locator('[data-test="quality-report"]').click()
    with page.expect_download() as download:
        page.locator('[data-test="quality-report-xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # the asset card shows the score in 管理信息 and the same dashboard under 质量
    page.locator('[data-test="quality-open-asset"]').click()
    page.wait_for_url(re.compile(rf"/catalog/{card_id}$"))
    score = page.locator('[data-test="value-management.quality_score"]').inner_text()
    assert score.endswith("分") and abs(float(score.removesuffix("分").strip()) - float(overall)) <= 0.1
    page.locator('[data-test="quality-tab"]').click()
    _check_row(page, RANGE_TITLE).wait_for()

    # the issue the failing check raised
    issue_link = page.locator('[data-test="issue-row"]', has_text=RANGE_TITLE).locator(
        '[data-test="issue-link"]'
    )
    issue_link.click()
    page.wait_for_url(re.compile(r"/quality/issues/\d+"))
    issue_url = page.url
    assert page.locator('[data-test="issue-title"]').inner_text() == RANGE_TITLE
    status = page.locator('h2 [data-test="issue-status"]')
    expect(status).to_have_attribute("data-status", "open")
    assert status.inner_text() == "待整改"
    assert page.locator('[data-test="issue-failed"]').inner_text() == f"3 / {ROWS}"
    expect(page.locator('[data-test="issue-event"][data-action="open"]')).to_have_count(1)

    # the owner fixes the data (here: the uploaded file itself) and submits 整改 with 申请复核
    fixed = _customers(tmp_path / "fixed.csv", fixed=True)
    _uploaded_file(tmp_path_factory).write_bytes(fixed.read_bytes())
    control(page, "rectify-note").fill("营销系统中三户的用电量录入多了一位，已按抄表记录更正")
    assert control(page, "rectify-recheck").is_checked()
    page.locator('[data-test="rectify-submit"]').click()
    page.locator('[data-test="issue-rechecking"]').wait_for()
    expect(page.locator('[data-test="rectify-submit"]')).to_have_count(0)  # no actions while re-checking

    # the re-check passes: closed, with the steps in the timeline
    expect(status).to_have_attribute("data-status", "closed", timeout=RUN_TIMEOUT_MS)
    assert status.inner_text() == "已关闭"
    actions = page.locator('[data-test="issue-event"]').evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["open", "rectify", "recheck", "close"], actions
    assert "复核通过" in page.locator('[data-test="issue-event"][data-action="close"]').inner_text()
    assert "已按抄表记录更正" in page.locator('[data-test="issue-rectification"]').inner_text()
    page.screenshot(path=str(tmp_path / "issue.png"), full_page=True)

    # the inbox lists it under 已关闭
    page.locator('[data-test="menu-/quality/issues"]').click()
    page.wait_for_url(re.compile(r"/quality/issues"))
    page.locator('[data-test="issues-tab-closed"]').click()
    expect(page.locator('[data-test="issue-row"]', has_text=RANGE_TITLE)).to_have_count(1)

    # another organisation sees neither the rule set nor the issue
    _logout(page)
    login(page, "xy_admin")
    page.goto(issue_url)
    not_found = page.locator('[data-test="issue-not-found"]')
    not_found.wait_for()
    assert "不存在或您无权查看" in not_found.inner_text()
    page.goto("/quality/rules")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".el-table__empty-text, [data-test='rule-set-row']").first).to_be_visible()
    expect(page.locator('[data-test="rule-set-name"]', has_text=SOURCE)).to_have_count(0)
    page.goto("/quality/issues?tab=closed")
    page.wait_for_load_state("networkidle")
    expect(page.locator('[data-test="issue-row"]', has_text=RANGE_TITLE)).to_have_count(0)
