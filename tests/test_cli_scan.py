"""``dataasset scan`` without a server: CSV (UTF-8 and GBK), Excel and a PostgreSQL database, the
three output formats, and bad input ending in one Chinese line and exit code 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from tests.conftest import require_pg, scratch_pg_database
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx

EXPECTED = {
    "姓名": "cn_person_name",
    "身份证号": "cn_resident_id",
    "手机号": "cn_mobile",
    "住址": "cn_address",
    "订单号": None,
    "手机型号": None,
}


def scan(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process (stdout must be exactly the document)."""
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "dataasset", "scan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _document(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)  # exactly one JSON document on stdout
    return doc


def _types(table: dict[str, Any]) -> dict[str, str | None]:
    return {c["name"]: c["sensitive_type"] for c in table["columns"] if c["name"] in EXPECTED}


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_json(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / f"客户_{encoding}.csv", customer_rows(300), encoding)
    doc = _document(scan(str(path), "--format", "json"))
    (table,) = doc["tables"]
    assert table["rows"] == 300 and table["grade"] in ("general", "important")
    assert _types(table) == EXPECTED
    for column in table["columns"]:
        assert set(column) >= {
            "name",
            "type",
            "nulls",
            "distinct",
            "sensitive_type",
            "confidence",
            "grade",
            "explanation",
        }
        assert isinstance(column["confidence"], float) and 0 <= column["confidence"] <= 1
    ids = next(c for c in table["columns"] if c["name"] == "身份证号")
    assert ids["distinct"] == 300 and ids["nulls"] == 0 and "GB 11643" in ids["explanation"]


def test_sample_reads_only_n_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", customer_rows(500))
    (table,) = _document(scan(str(path), "--format", "json", "--sample", "120"))["tables"]
    assert table["rows"] == 120


def test_excel_every_sheet_and_xlsx_output(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        {"客户": customer_rows(80), "设备": [{"设备编号": f"SB{i:04d}", "型号": "S13"} for i in range(40)]},
    )
    doc = _document(scan(str(path), "--format", "json", "--template", "industry"))
    assert [t["name"] for t in doc["tables"]] == ["客户", "设备"]
    assert _types(doc["tables"][0]) == EXPECTED
    out = tmp_path / "结果.xlsx"
    done = scan(str(path), "--format", "xlsx", "--output", str(out), "--table", "客户")
    assert done.returncode == 0, done.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "列"]
    rows = list(wb["列"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} >= set(EXPECTED) and all(r[0] == "客户" for r in rows)


def test_table_output_is_readable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", customer_rows(50), "gbk")
    done = scan(str(path))
    assert done.returncode == 0, done.stderr
    assert "身份证号" in done.stdout and "GB 11643" in done.stdout and "50 行" in done.stdout


def test_postgresql_database(tmp_path: Path) -> None:
    require_pg()
    with scratch_pg_database("cli_scan") as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text('CREATE TABLE 客户 ("姓名" text, "身份证号" text, "手机号" text, "金额" numeric)')
            )
            conn.execute(
                text("INSERT INTO 客户 VALUES (:a, :b, :c, :d)"),
                [
                    {"a": r["姓名"], "b": r["身份证号"], "c": r["手机号"], "d": r["用电量"]}
                    for r in customer_rows(150)
                ],
            )
            conn.execute(text("CREATE TABLE other (x int)"))
        engine.dispose()
        doc = _document(scan(url, "--format", "json", "--table", "客户"))
        (table,) = doc["tables"]
        assert table["rows"] == 150
        types = {c["name"]: c["sensitive_type"] for c in table["columns"]}
        assert types == {
            "姓名": "cn_person_name",
            "身份证号": "cn_resident_id",
            "手机号": "cn_mobile",
            "金额": None,
        }


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty_file"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not_text")],
)
def test_bad_input_is_one_chinese_line(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    done = scan(str(path), "--format", "json")
    assert done.returncode == 1 and done.stdout == ""
    assert code in done.stderr and "扫描失败" in done.stderr and "Traceback" not in done.stderr


def test_unknown_table_and_unreachable_database(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", customer_rows(5))
    done = scan(str(path), "--table", "没有这张表")
    assert done.returncode == 1 and "no_such_table" in done.stderr
    done = scan("postgresql://u:SECRETPW@127.0.0.1:1/x")
    assert done.returncode == 1 and "unreachable" in done.stderr and "SECRETPW" not in done.stderr
