"""Migrations go up and down on both backends, leaving nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from dataasset.core import migrate as migrations
from tests.conftest import PG_URL, require_pg


def _scratch_pg() -> str:
    """A second PostgreSQL database for this test, so the shared test database stays migrated."""
    require_pg()
    url = make_url(PG_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(backend: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else _scratch_pg()
    if backend == "postgresql":
        from tests.conftest import reset_pg_schema

        reset_pg_schema(url)
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
