"""Discovery (盘点/清查) in a real Chromium: 湘能's data administrator uploads a GBK-encoded CSV with
Chinese headers, scans it in the background and watches the scan page until it succeeds, opens the
table and sees 身份证号 detected with its explanation, adjusts a column's grade with a reason, and finds
the new grade on the asset card. An empty file is refused with a Chinese message.

The other kinds of source, each scanned end to end through the console only: a UTF-8 CSV, an .xlsx
workbook with two sheets (two tables), and a PostgreSQL database added with 添加数据库 (its password
never shown back, 测试连接 listing its table)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Numeric, String, Table, create_engine, insert
from sqlalchemy.engine import make_url

from tests.conftest import require_pg, scratch_pg_database
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx
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


def source_row(page: Any, name: str) -> Any:
    return page.locator('[data-test="source-row"]').filter(
        has=page.locator('[data-test="source-name-cell"]', has_text=re.compile(f"^{name}$"))
    )


def open_discovery(page: Any) -> None:
    login(page, "xn_admin")
    page.locator('[data-test="menu-/discovery"]').click()
    page.wait_for_url(re.compile(r"/discovery$"))
    page.locator('[data-test="source-row"]').first.wait_for()  # the demo's two sources


def uploaded_row(page: Any, dialog: Any, name: str) -> Any:
    """The new source's row, once the upload dialog has closed (its error, if any, is reported)."""
    error = dialog.locator('[data-test="upload-error"]')
    for _ in range(150):
        if error.count():
            pytest.fail("上传被拒绝：" + error.inner_text())
        if not dialog.is_visible():
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("上传对话框未关闭")
    row = source_row(page, name)
    row.wait_for()
    return row


def scan_to_success(page: Any, row: Any, name: str) -> None:
    """立即扫描 on a source row; the scan page polls until the background job ends, which must be a
    success (a failure's Chinese message is reported)."""
    row.locator('[data-test="source-scan"]').click()
    page.wait_for_url(re.compile(r"/discovery/scans/\d+"))
    heading = page.locator("h2", has=page.locator('[data-test="scan-source"]'))
    heading.wait_for()
    assert heading.locator('[data-test="scan-source"]').inner_text() == name
    done = heading.locator(
        '[data-test="scan-status"]:not([data-status="queued"]):not([data-status="running"])'
    )
    done.wait_for(timeout=SCAN_TIMEOUT_MS)
    status = done.get_attribute("data-status")
    if status == "failed":
        pytest.fail("扫描失败：" + page.locator('[data-test="scan-error"]').inner_text())
    assert status == "succeeded", status
    page.locator('[data-test="scan-stats"]').wait_for()


def scan_tables(page: Any) -> dict[str, Any]:
    """The scan page's result rows by table name."""
    rows = page.locator('[data-test="scan-table-row"]')
    rows.first.wait_for()
    return {
        rows.nth(i).locator('[data-test="table-link"]').inner_text().strip(): rows.nth(i)
        for i in range(rows.count())
    }


def sensitive_columns(page: Any) -> dict[str, str]:
    """On a table page: column name → detected sensitive type, for the columns that have one."""
    page.locator('[data-test="column-row"]').first.wait_for()
    found: dict[str, str] = {}
    rows = page.locator('[data-test="column-row"]')
    for i in range(rows.count()):
        tag = rows.nth(i).locator('[data-test="column-sensitive"]')
        if tag.count():
            found[rows.nth(i).locator('[data-test="column-name"]').inner_text().strip()] = str(
                tag.get_attribute("data-type")
            )
    return found


def test_upload_scan_review_and_override(page: Any, tmp_path: Path) -> None:
    open_discovery(page)
    name = "浏览器测试客户档案"
    row = uploaded_row(page, upload(page, _customers(tmp_path / "客户档案.csv"), name), name)
    assert "CSV" in row.locator('[data-test="source-kind"]').inner_text()
    assert "客户档案.csv" in row.locator('[data-test="source-location"]').inner_text()
    page.screenshot(path=str(tmp_path / "sources.png"), full_page=True)

    # 立即扫描 opens the scan page, which polls until the background job is done
    scan_to_success(page, row, name)
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


def test_utf8_csv_upload_and_scan(page: Any, tmp_path: Path) -> None:
    open_discovery(page)
    columns = ("客户编号", "姓名", "手机号", "订单号", "用电量")  # 订单号: 18 digits failing the ID check
    rows = [{k: row[k] for k in columns} for row in customer_rows(150, seed=23)]
    path = write_csv(tmp_path / "用电客户名单.csv", rows, "utf-8")
    name = "浏览器测试UTF8客户名单"
    row = uploaded_row(page, upload(page, path, name), name)
    assert row.locator('[data-test="source-kind"]').get_attribute("data-kind") == "csv"
    assert "用电客户名单.csv" in row.locator('[data-test="source-location"]').inner_text()

    scan_to_success(page, row, name)
    assert page.locator('[data-test="scan-rows"]').inner_text() == "150"
    tables = scan_tables(page)
    assert len(tables) == 1, list(tables)
    (result,) = tables.values()
    assert result.locator('[data-test="table-rows"]').inner_text() == "150"
    assert result.locator('[data-test="table-sensitive"]').inner_text() == "2 / 5"

    result.locator('[data-test="table-link"]').click()
    page.wait_for_url(re.compile(r"/discovery/tables/\d+"))
    assert sensitive_columns(page) == {"姓名": "cn_person_name", "手机号": "cn_mobile"}
    page.screenshot(path=str(tmp_path / "utf8-table.png"), full_page=True)


def test_xlsx_with_two_sheets_gives_two_tables(page: Any, tmp_path: Path) -> None:
    open_discovery(page)
    customers = [{k: row[k] for k in COLUMNS} for row in customer_rows(120, seed=31)]
    devices = [
        {
            "设备编号": f"SB{i + 1:05d}",
            "设备型号": ("S11-M-400/10", "SCB13-630/10", "S13-M-200/10")[i % 3],
            "额定容量": ("400", "630", "200")[i % 3],
            "投运年份": str(2008 + i % 15),
        }
        for i in range(80)
    ]
    path = write_xlsx(tmp_path / "客户与设备台账.xlsx", {"客户": customers, "设备": devices})
    name = "浏览器测试Excel台账"
    row = uploaded_row(page, upload(page, path, name), name)
    assert row.locator('[data-test="source-kind"]').get_attribute("data-kind") == "excel"
    assert "客户与设备台账.xlsx" in row.locator('[data-test="source-location"]').inner_text()

    scan_to_success(page, row, name)
    assert page.locator('[data-test="scan-rows"]').inner_text() == "200"
    tables = scan_tables(page)
    assert sorted(tables) == ["客户", "设备"], list(tables)
    assert tables["客户"].locator('[data-test="table-rows"]').inner_text() == "120"
    assert tables["客户"].locator('[data-test="table-sensitive"]').inner_text() == "4 / 5"
    assert tables["设备"].locator('[data-test="table-rows"]').inner_text() == "80"
    assert tables["设备"].locator('[data-test="table-sensitive"]').inner_text() == "0 / 4"
    page.screenshot(path=str(tmp_path / "xlsx-scan.png"), full_page=True)

    tables["客户"].locator('[data-test="table-link"]').click()
    page.wait_for_url(re.compile(r"/discovery/tables/\d+"))
    assert sensitive_columns(page).get("身份证号") == "cn_resident_id"


def _customer_database(url: str, n: int = 300) -> str:
    """A table 客户档案 with Chinese column names holding personal data; returns its name."""
    metadata = MetaData()
    table = Table(
        "客户档案",
        metadata,
        Column("客户编号", String(16), primary_key=True),
        Column("姓名", String(32)),
        Column("身份证号", String(18)),
        Column("手机号", String(11)),
        Column("用电量", Numeric(10, 2)),
    )
    fields = [c.name for c in table.columns]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
            conn.execute(insert(table), [{k: row[k] for k in fields} for row in customer_rows(n, seed=47)])
    finally:
        engine.dispose()
    return table.name


def test_postgresql_database_added_tested_and_scanned(page: Any, tmp_path: Path) -> None:
    require_pg()
    with scratch_pg_database("e2e_source") as scratch:
        table_name = _customer_database(scratch)
        parts = make_url(scratch)
        url = parts.set(drivername="postgresql").render_as_string(hide_password=False)
        assert url.startswith("postgresql://") and parts.password

        open_discovery(page)
        page.locator('[data-test="add-database"]').click()
        dialog = page.locator('[data-test="database-dialog"]')
        name = "浏览器测试PostgreSQL客户库"
        control(dialog, "source-name").fill(name)
        url_input = control(dialog, "source-url")
        assert url_input.get_attribute("type") == "password"  # the URL carries the password
        url_input.fill(url)
        choose(page, "source-industry", INDUSTRY)
        dialog.locator('[data-test="database-submit"]').click()
        error = dialog.locator('[data-test="database-error"]')
        row = source_row(page, name)
        row.or_(error).first.wait_for()
        assert not error.count(), error.inner_text()
        dialog.wait_for(state="hidden")

        # the address is shown back without its password
        assert row.locator('[data-test="source-kind"]').get_attribute("data-kind") == "postgresql"
        location = row.locator('[data-test="source-location"]').inner_text()
        assert ":***@" in location and str(parts.database) in location, location
        assert f":{parts.password}@" not in location
        assert f":{parts.password}@" not in page.content()

        # 测试连接 lists the table
        row.locator('[data-test="source-test"]').click()
        test_dialog = page.locator('[data-test="test-dialog"]')
        result = test_dialog.locator('[data-test="test-result"]')
        result.wait_for()
        assert result.get_attribute("data-ok") == "true", result.inner_text()
        assert table_name in test_dialog.locator('[data-test="test-table"]').all_inner_texts()
        page.screenshot(path=str(tmp_path / "pg-test.png"), full_page=True, animations="disabled")
        page.keyboard.press("Escape")
        test_dialog.wait_for(state="hidden")

        scan_to_success(page, row, name)
        tables = scan_tables(page)
        assert list(tables) == [table_name], list(tables)
        assert tables[table_name].locator('[data-test="table-rows"]').inner_text() == "300"
        page.screenshot(path=str(tmp_path / "pg-scan.png"), full_page=True)

        tables[table_name].locator('[data-test="table-link"]').click()
        page.wait_for_url(re.compile(r"/discovery/tables/\d+"))
        found = sensitive_columns(page)
        assert found.get("身份证号") == "cn_resident_id", found
        assert found.get("手机号") == "cn_mobile", found
        assert "用电量" not in found, found
        page.screenshot(path=str(tmp_path / "pg-table.png"), full_page=True)
