"""Migrations go up and down on both backends, leaving nothing behind."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from dataasset.core import migrate as migrations
from tests.conftest import require_pg, scratch_pg_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(backend: str, tmp_path: Path) -> None:
    context: Any
    if backend == "sqlite":
        context = nullcontext(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        require_pg()
        context = scratch_pg_database("migrations")
    with context as url:
        migrations.upgrade(url)
        engine = create_engine(url)
        tables = set(inspect(engine).get_table_names())
        assert {"core_organisation", "core_user", "core_evidence_entry", "catalog_asset_card"} <= tables
        engine.dispose()
        migrations.downgrade(url, "base")
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        migrations.upgrade(url)
        engine = create_engine(url)
        engine.dispose()
