"""Discovery (盘点/清查) in a real Chromium: 湘能's data administrator uploads a GBK-encoded CSV with
Chinese headers, scans it in the background and watches the scan page until it succeeds, opens the
table and sees 身份证号 detected with its explanation, adjusts a column's grade with a reason, and finds
the new grade on the asset card. An empty file is refused with a Chinese message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.discovery.sample_data import customer_rows, write_csv
from tests.e2e.test_console import control, login

pytestmark = pytest.mark.e2e
COLUMNS = ("姓名", "身份证号", "手机号", "住址", "用电量")
INDUSTRY = "电力、热力、燃气及水生产和供应业"
SCAN_TIMEOUT_MS = 90_000


def _customers(path: Path, n: int = 200) -> Path:
    rows = [{k: row[k] for k in COLUMNS} for row in customer_rows(n, seed=11)]
    return write_csv(path, rows, "gbk")


def choose(page: Any, hook: str, option: str) -> None:
    """Pick an option of an Element Plus select (its dropdown lives at the end of <body>)."""
    page.locator(f'[data-test="{hook}"]').click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def upload(page: Any, path: Path, name: str) -> Any:
    """Fill and send the 上传文件 dialog; returns the dialog."""
    page.locator('[data-test="upload-source"]').click()
    dialog = page.locator('[data-test="upload-dialog"]')
    dialog.locator('[data-test="source-file"]').set_input_files(str(path))
    control(dialog, "source-name").fill(name)
    choose(page, "source-industry", INDUSTRY)
    dialog.locator('[data-test="upload-submit"]').click()
    return dialog


def column_row(page: Any, name: str) -> Any:
    return page.locator('[data-test="column-row"]').filter(
        has=page.locator('[data-test="column-name"]', has_text=re.compile(f"^{name}$"))
    )


def test_upload_scan_review_and_override(page: Any, tmp_path: Path) -> None:
    login(page, "xn_admin")
    page.locator('[data-test="menu-/discovery"]').click()
    page.wait_for_url(re.compile(r"/discovery$"))
    page.locator('[data-test="source-row"]').first.wait_for()  # the demo's two sources

    name = "浏览器测试客户档案"
    dialog = upload(page, _customers(tmp_path / "客户档案.csv"), name)
    dialog.wait_for(state="hidden")
    row = page.locator('[data-test="source-row"]', has_text=name)
    row.wait_for()
    assert "CSV" in row.locator('[data-test="source-kind"]').inner_text()
    assert "客户档案.csv" in row.locator('[data-test="source-location"]').inner_text()
    page.screenshot(path=str(tmp_path / "sources.png"), full_page=True)

    # 立即扫描 opens the scan page, which polls until the background job is done
    row.locator('[data-test="source-scan"]').click()
    page.wait_for_url(re.compile(r"/discovery/scans/\d+"))
    page.locator('[data-test="scan-status"][data-status="succeeded"]').wait_for(timeout=SCAN_TIMEOUT_MS)
    assert page.locator('[data-test="scan-rows"]').inner_text() == "200"
    result = page.locator('[data-test="scan-table-row"]').first
    assert result.locator('[data-test="table-rows"]').inner_text() == "200"
    assert result.locator('[data-test="table-sensitive"]').inner_text() == "4 / 5"
    assert result.locator('[data-test="card-link"]').count() == 1
    page.screenshot(path=str(tmp_path / "scan.png"), full_page=True)

    # the table: 身份证号 detected as a resident ID, with the detector's explanation
    result.locator('[data-test="table-link"]').click()
    page.wait_for_url(re.compile(r"/discovery/tables/\d+"))
    id_row = column_row(page, "身份证号")
    sensitive = id_row.locator('[data-test="column-sensitive"]')
    assert sensitive.get_attribute("data-type") == "cn_resident_id"
    assert "身份证" in sensitive.inner_text()
    id_row.locator('[data-test="column-name"]').click()  # a row opens its detail
    detail = page.locator('[data-test="column-detail"][data-column="身份证号"]')
    explanation = detail.locator('[data-test="column-explanation"]').inner_text()
    assert "GB 11643" in explanation and "校验" in explanation, explanation
    assert column_row(page, "用电量").locator('[data-test="column-sensitive"]').count() == 0
    page.screenshot(path=str(tmp_path / "table.png"), full_page=True)

    # 调整分级: the reason is required; then the column is marked with it
    id_row.locator('[data-test="column-override"]').click()
    dialog = page.locator('[data-test="override-dialog"]')
    choose(page, "override-grade", "重要数据")
    level = control(dialog, "override-level")
    level.fill("5")
    level.press("Tab")
    dialog.locator('[data-test="override-submit"]').click()
    dialog.locator(".el-form-item__error", has_text="请填写调整理由").wait_for()
    reason = "客户超过十万户，经数据安全工作组认定为重要数据"
    control(dialog, "override-reason").fill(reason)
    dialog.locator('[data-test="override-submit"]').click()
    dialog.wait_for(state="hidden")
    id_row.locator('[data-test="column-overridden"]').wait_for()
    assert reason in id_row.locator('[data-test="column-override-reason"]').inner_text()
    page.locator('[data-test="table-grade"][data-grade="important"]').wait_for()

    # the asset card follows the decision and shows the discovery result
    page.locator('[data-test="open-card"]').click()
    page.wait_for_url(re.compile(r"/catalog/\d+"))
    assert page.locator('[data-test="value-management.security_grade"]').inner_text() == "重要数据"
    page.locator('[data-test="discovery-tab"]').click()
    sensitive_columns = page.locator('[data-test="card-sensitive-columns"]')
    sensitive_columns.wait_for()
    assert "身份证号" in sensitive_columns.inner_text() and reason in sensitive_columns.inner_text()
    page.screenshot(path=str(tmp_path / "card.png"), full_page=True)


def test_an_empty_file_is_refused_in_chinese(page: Any, tmp_path: Path) -> None:
    login(page, "xn_admin")
    page.goto("/discovery")
    empty = tmp_path / "空文件.csv"
    empty.write_bytes(b"")
    dialog = upload(page, empty, "空文件测试")
    error = dialog.locator('[data-test="upload-error"]')
    error.wait_for()
    assert error.get_attribute("data-code") == "empty_file"
    assert re.search(r"[\u4e00-\u9fff]", error.inner_text()) and "空" in error.inner_text()
    page.keyboard.press("Escape")
    assert page.locator('[data-test="source-row"]', has_text="空文件测试").count() == 0
