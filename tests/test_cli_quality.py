"""``dataasset quality check`` without a server: the JSON contract of the issue, the table view, and
bad rule files ending in Chinese lines with their line numbers and exit code 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dataasset.quality.runner import check_source
from tests.discovery.sample_data import customer_rows, write_csv

RULES = """table: customers
checks:
  - {check: not_null, column: 备注}
  - {check: valid_type, column: 身份证号, type: cn_resident_id}
  - {check: between, column: 用电量, min: 100, max: 900}
  - {check: unique, columns: [客户编号]}
  - {check: row_count, min: 10}
"""


def quality(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "dataasset", "quality", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_json_is_the_documented_shape_and_the_same_numbers_as_the_library(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "customers.csv", customer_rows(200), encoding="gbk")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    done = quality(str(data), "--rules", str(rules), "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert set(doc) == {"overall", "dimensions", "checks"}
    assert set(doc["dimensions"]) == {"completeness", "conformity", "accuracy"}  # no empty dimensions
    assert [set(c) for c in doc["checks"]] == [
        {"check", "column", "dimension", "checked", "passed", "score"}
    ] * 5
    assert doc["checks"][4]["column"] is None
    assert doc == check_source(str(data), rules).as_json()


def test_the_table_view_names_dimensions_and_examples(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "customers.csv", customer_rows(50))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    done = quality(str(data), "--rules", str(rules))
    assert done.returncode == 0, done.stderr
    assert "综合得分" in done.stdout and "完整性" in done.stdout and "不合格示例" in done.stdout


def test_a_bad_rule_file_lists_every_line_and_exits_1(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "customers.csv", customer_rows(20))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  - {check: nonnull, column: 备注}\n  - {check: between, column: 用电量}\n",
        encoding="utf-8",
    )
    done = quality(str(data), "--rules", str(rules), "--format", "json")
    assert done.returncode == 1 and done.stdout == ""
    assert "第 2 行" in done.stderr and "第 3 行" in done.stderr and "nonnull" in done.stderr


def test_a_missing_column_is_named_before_any_check_runs(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "customers.csv", customer_rows(20))
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  - {check: not_null, column: 邮箱}\n", encoding="utf-8")
    done = quality(str(data), "--rules", str(rules))
    assert done.returncode == 1
    assert "表中没有列“邮箱”" in done.stderr


def test_an_unreadable_source_is_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    done = quality(str(tmp_path / "empty.csv"), "--rules", str(rules))
    assert done.returncode == 1 and "检查失败" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    done = quality(str(tmp_path / "x.csv"), "--rules", str(rules), "--engine", "hadoop")
    assert done.returncode == 2 and "duckdb、spark" in done.stdout + done.stderr
