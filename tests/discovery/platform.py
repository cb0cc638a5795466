"""Fixtures of the discovery service tests: a committed database of their own (scans run in
background transactions, which the rolled-back ``db`` fixture of the other tests cannot see)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from dataasset import demo
from dataasset.core import jobs
from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine, session_factory, transaction
from dataasset.core.identity import load_actor
from dataasset.core.models import User
from dataasset.core.permissions import Actor
from dataasset.settings import Settings
from tests.conftest import SECRET, require_pg, scratch_pg_database


@dataclass
class Platform:
    """A migrated database with the demo, committed, plus settings under a temporary var_dir."""

    url: str
    engine: Engine
    factory: sessionmaker[Session]
    settings: Settings

    def actor(self, username: str) -> Actor:
        with transaction(self.factory) as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None, username
            return load_actor(session, user.id)


@pytest.fixture(name="platform", scope="module", params=["sqlite", "postgresql"])
def platform_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    var_dir = tmp_path_factory.mktemp("discovery_var")
    context: AbstractContextManager[Any]
    if request.param == "sqlite":
        context = nullcontext(f"sqlite:///{var_dir / 'platform.db'}")
    else:
        require_pg()
        context = scratch_pg_database("discovery")
    with context as url:
        migrations.upgrade(url)
        engine = make_engine(url)
        factory = session_factory(engine)
        with transaction(factory) as session:
            demo.load(session)
        settings = Settings(var_dir=var_dir, secret_key=SECRET, max_scan_upload_bytes=8 * 1024 * 1024)
        jobs.configure(settings, factory, immediate=False)
        try:
            yield Platform(url, engine, factory, settings)
        finally:
            engine.dispose()


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path
