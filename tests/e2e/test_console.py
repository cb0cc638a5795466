"""The console in a real Chromium: log in, dashboard, search a Chinese term, open a card, edit it and
see the history, import a bad Excel and see the row errors, and a regulator's read-only view."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dataasset.catalog import excel
from dataasset.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def control(page: Any, name: str) -> Any:
    """The input or textarea behind a data-test hook (Element Plus puts the hook on a wrapper)."""
    return (
        page.locator(f'[data-test="{name}"]')
        .locator("xpath=descendant-or-self::*[self::input or self::textarea]")
        .first
    )


def login(page: Any, username: str) -> None:
    page.goto("/login")
    control(page, "login-username").fill(username)
    control(page, "login-password").fill(DEMO_PASSWORD)
    page.locator('[data-test="login-submit"]').click()
    page.locator('[data-test="current-user"]').wait_for()


def test_login_rejects_a_wrong_password_in_chinese(page: Any) -> None:
    page.goto("/login")
    control(page, "login-username").fill("xn_admin")
    control(page, "login-password").fill("wrong-password")
    page.locator('[data-test="login-submit"]').click()
    assert "用户名或密码错误" in page.locator('[data-test="login-error"]').inner_text()


def test_dashboard_draws_the_charts(page: Any) -> None:
    login(page, "xn_admin")
    page.goto("/")
    for chart in ("chart-stage", "chart-industry", "chart-grade"):
        page.locator(f'[data-test="{chart}"] canvas').first.wait_for()
    assert re.search(r"\d", page.locator('[data-test="stat-total"]').inner_text())


def test_search_open_edit_and_see_history(page: Any, tmp_path: Path) -> None:
    login(page, "xn_admin")
    page.goto("/catalog")
    control(page, "catalog-search").fill("维修信息")
    page.locator('[data-test="catalog-search-button"]').click()
    row = page.locator('[data-test="asset-row"]', has_text="输变电设备维修信息")
    row.wait_for()
    assert "q=" in page.url
    row.click()
    page.wait_for_url(re.compile(r"/catalog/\d+"))
    assert page.locator('[data-test="asset-name"]').inner_text() == "输变电设备维修信息"
    page.locator('[data-test="edit-button"]').click()
    description = control(page, "field-basic.description")
    description.fill("浏览器测试修改的描述：变电站设备维修工单")
    page.locator('[data-test="save-button"]').click()
    page.locator('[data-test="edit-button"]').wait_for()
    page.locator('[data-test="history-tab"]').click()
    newest = page.locator('[data-test="history-entry"]').first
    newest.wait_for()
    assert "浏览器测试修改的描述" in newest.inner_text()
    assert page.locator('[data-test="history-entry"]').count() >= 2
    page.screenshot(path=str(tmp_path / "history.png"))


def _bad_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = excel.SHEET
    ws.append(["数据资产名称", "行业分类", "数据量（条）"])
    ws.append(["正常的一行数据", "制造业", 100])
    ws.append(["", "制造业", 100])
    ws.append(["行业写错的数据", "航天业", "很多"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_bad_import_shows_row_errors(page: Any, tmp_path: Path) -> None:
    login(page, "xn_admin")
    page.goto("/catalog/import")
    upload = page.locator('[data-test="import-upload"]')
    upload.set_input_files(str(_bad_workbook(tmp_path / "坏数据.xlsx")))
    table = page.locator('[data-test="import-errors"]')
    table.wait_for()
    text = table.inner_text()
    for expected in ("数据资产名称", "必填项不能为空", "行业分类", "航天业", "数据量（条）"):
        assert expected in text, expected
    assert re.search(r"\b3\b", text) and re.search(r"\b4\b", text)


def test_a_regulator_reads_but_cannot_edit(page: Any) -> None:
    login(page, "cssjj")
    page.goto("/catalog")
    page.locator('[data-test="asset-row"]').first.wait_for()
    assert page.locator('[data-test="catalog-import"]').count() == 0
    assert page.locator('[data-test="catalog-create"]').count() == 0
    page.locator('[data-test="asset-row"]').first.click()
    page.wait_for_url(re.compile(r"/catalog/\d+"))
    page.locator('[data-test="asset-name"]').wait_for()
    assert page.locator('[data-test="edit-button"]').count() == 0
