"""External data sharing in a real Chromium (湖南方案第3条): 数智科技 (another organisation) asks to use a
public card of 湘能电力 with an attachment, 湘能's 数据管理员 approves from the inbox, its 首席数据官
approves, and the card shows the grant in its 使用信息 and its history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_console import control, login

pytestmark = pytest.mark.e2e
CARD = "光伏发电站运行数据"
MERCHANT = "衢州数智科技有限公司"


def logout(page: Any) -> None:
    page.locator('[data-test="logout-button"]').click()
    page.wait_for_url(re.compile(r"/login"))


def approve_from_inbox(page: Any, username: str, comment: str) -> None:
    login(page, username)
    page.goto("/workflow")
    row = page.locator('[data-test="inbox-row"]', has_text=MERCHANT)
    row.wait_for()
    assert page.locator('[data-test="inbox-kind"]', has_text="对外提供数据服务审批").count() == 1
    row.click()
    page.wait_for_url(re.compile(r"/workflow/\d+"))
    control(page, "action-comment").fill(comment)
    page.locator('[data-test="action-approve"]').click()
    page.locator('[data-test="timeline-comment"]', has_text=comment).wait_for()


def test_a_sharing_request_goes_through_two_approvals(page: Any, tmp_path: Path) -> None:
    login(page, "ss_merchant")
    page.goto("/catalog")
    control(page, "catalog-search").fill("光伏")
    page.locator('[data-test="catalog-search-button"]').click()
    page.locator('[data-test="asset-row"]', has_text=CARD).click()
    page.wait_for_url(re.compile(r"/catalog/\d+"))
    assert page.locator('[data-test="edit-button"]').count() == 0  # not their card
    page.locator('[data-test="request-sharing"]').click()

    dialog = page.locator('[data-test="sharing-dialog"]')
    control(dialog, "sharing-purpose").fill("新能源发电量分析与负荷预测")
    fields = control(dialog, "sharing-fields")
    for name in ("电站编号", "发电量"):
        fields.fill(name)
        fields.press("Enter")
    control(dialog, "sharing-scope").fill("仅用于内部分析模型，不向第三方提供")
    start, end = (
        dialog.locator('input[placeholder="开始日期"]'),
        dialog.locator('input[placeholder="结束日期"]'),
    )
    start.fill("2027-01-01")
    end.fill("2027-12-31")
    end.press("Enter")
    letter = tmp_path / "共享申请函.txt"
    letter.write_text("衢州数智科技有限公司关于申请使用光伏发电站运行数据的函\n", encoding="utf-8")
    dialog.locator('[data-test="sharing-upload"]').set_input_files(str(letter))
    dialog.locator('[data-test="uploaded-file"]', has_text="共享申请函.txt").wait_for()
    dialog.locator('[data-test="sharing-submit"]').click()

    page.wait_for_url(re.compile(r"/workflow/\d+"))
    assert page.locator('[data-test="workflow-status"]').get_attribute("data-status") == "in_progress"
    assert "数据管理员审核" in page.locator('[data-test="workflow-step"]').inner_text()
    assert "共享申请函.txt" in page.locator('[data-test="workflow-request"]').inner_text()
    assert page.locator('[data-test="action-withdraw"]').count() == 1
    assert page.locator('[data-test="action-approve"]').count() == 0
    logout(page)

    approve_from_inbox(page, "xn_admin", "字段范围合理，同意提交首席数据官审批")
    assert "首席数据官审批" in page.locator('[data-test="workflow-step"]').inner_text()
    logout(page)

    approve_from_inbox(page, "xn_cdo", "同意对外提供")
    status = page.locator('[data-test="workflow-status"]')
    page.wait_for_function(
        "() => document.querySelector('[data-test=workflow-status]').dataset.status === 'approved'"
    )
    assert status.inner_text() == "已通过"
    page.screenshot(path=str(tmp_path / "approved.png"), full_page=True)

    page.locator('[data-test="open-subject"]').click()
    page.wait_for_url(re.compile(r"/catalog/\d+"))
    grant = page.locator('[data-test="section-usage"] [data-test="sharing-grant"]', has_text=MERCHANT)
    grant.wait_for()
    page.locator('[data-test="history-tab"]').click()
    newest = page.locator('[data-test="history-entry"]').first
    newest.wait_for()
    assert "共享授权" in newest.inner_text() and MERCHANT in newest.inner_text()
