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
