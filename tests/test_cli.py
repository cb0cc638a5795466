"""The command line: migrate, demo (reset and --if-empty), openapi, and a clear database error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataasset.cli import app
from dataasset.settings import get_settings

runner = CliRunner()


@pytest.fixture
def var_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATAASSET_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATAASSET_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_migrate_then_demo_then_demo_if_empty(var_env: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "演示数据已加载" in first.output and "xn_admin" in first.output
    assert "3 次数据质量检查" in first.output.replace("\n", "")
    again = runner.invoke(app, ["demo", "--if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output
    reset = runner.invoke(app, ["demo"])
    assert reset.exit_code == 0 and "演示数据已加载" in reset.output
    assert (var_env / "dataasset.db").is_file()


def test_openapi_document(var_env: Path) -> None:
    out = var_env / "openapi.json"
    assert runner.invoke(app, ["openapi", "--output", str(out)]).exit_code == 0
    assert "/api/catalog/assets" in json.loads(out.read_text(encoding="utf-8"))["paths"]


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATAASSET_VAR_DIR": str(tmp_path),
        "DATAASSET_DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:9/none",
    }
    done = subprocess.run(
        [sys.executable, "-m", "dataasset", "migrate"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "无法连接或操作数据库" in done.stdout and "Traceback" not in done.stderr


def test_evidence_checkpoint_verify_export_and_offline_verify(var_env: Path) -> None:
    import base64
    import sqlite3

    assert runner.invoke(app, ["demo"]).exit_code == 0
    made = runner.invoke(app, ["evidence", "checkpoint"])
    assert made.exit_code == 0, made.output
    origin, size = made.output.split("\n")[:2]
    assert origin == "dataasset.local/evidence" and (var_env / "evidence.key").is_file()
    ok = runner.invoke(app, ["evidence", "verify"])
    assert ok.exit_code == 0 and ok.output.strip().splitlines()[-1] == f"ok {size}", ok.output

    exported = var_env / "evidence.jsonl"
    done = runner.invoke(app, ["evidence", "export", "--output", str(exported)])
    assert done.exit_code == 0 and exported.is_file()
    offline = runner.invoke(app, ["evidence", "verify", "--file", str(exported)])
    assert offline.exit_code == 0 and offline.output.strip().splitlines()[-1] == f"ok {size}"
    stranger = base64.b64encode(bytes(32)).decode()
    refused = runner.invoke(app, ["evidence", "verify", "--file", str(exported), "--public-key", stranger])
    assert refused.exit_code == 1 and "不受信任" in refused.output

    with sqlite3.connect(var_env / "dataasset.db") as conn:
        conn.execute("""UPDATE core_evidence_entry SET entry = replace(entry, '"index":7,', '"index":8,')
                        WHERE "index" = 7""")
    bad = runner.invoke(app, ["evidence", "verify"])
    assert bad.exit_code == 1 and bad.output.startswith("bad 7: "), bad.output
