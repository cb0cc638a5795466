"""Test fixtures: every database test runs on SQLite and on PostgreSQL, each test in a transaction
rolled back at its end, on top of the demo world loaded once per backend through the services.

PostgreSQL comes from DATAASSET_TEST_DATABASE_URL (default: the local role/database that .ci/run
creates). Without CI it is skipped with a message when unreachable; with CI=true it must run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from dataasset import demo
from dataasset.api.app import create_app
from dataasset.api.deps import get_session
from dataasset.core import evidence_guard, identity
from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine
from dataasset.core.models import User
from dataasset.core.permissions import Actor
from dataasset.settings import Settings

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get(
    "DATAASSET_TEST_DATABASE_URL", "postgresql+psycopg://dataasset:dataasset@127.0.0.1:5432/dataasset_test"
)
SECRET = "test-secret-key-not-for-production-0123456789"


def pg_available(url: str = PG_URL) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any driver or network failure means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"


def require_pg() -> None:
    reason = pg_available()
    if reason is None:
        return
    message = f"PostgreSQL 不可用（{PG_URL}）：{reason}"
    if CI:
        pytest.fail(message + " — CI=true 时 PostgreSQL 测试为必跑项", pytrace=False)
    pytest.skip(message)


@contextmanager
def scratch_pg_database(suffix: str) -> Iterator[str]:
    """A database of this test run's own (``<test db>_<suffix>_<pid>``), dropped afterwards, so that
    concurrent runs on one server never share a schema."""
    base = make_url(PG_URL)
    name = f"{base.database}_{suffix}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    _drop(admin, name)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Any, name: str) -> None:
    """DROP DATABASE … WITH (FORCE), retried: an autovacuum worker on the database (a superuser's
    process, which a test role may not terminate) makes it fail for a moment."""
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError:
            if attempt == 9:
                raise
            time.sleep(1)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    require_pg()
    with scratch_pg_database("run") as url:
        yield url


@pytest.fixture(scope="session")
def engine(backend_url: str) -> Iterator[Engine]:
    """A migrated database holding the demo world (committed once per backend)."""
    migrations.upgrade(backend_url)
    eng = make_engine(backend_url)
    with Session(eng) as session:
        demo.load(session)
        session.commit()
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (services only flush)."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    evidence_guard.install(session)  # as core.db.session_factory does: no change without evidence
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


def actor_for(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return identity.load_actor(session, user.id)


@pytest.fixture
def actor(db: Session) -> Any:
    """``actor("xn_admin")`` → the Actor of that demo user."""
    return lambda username: actor_for(db, username)


def test_settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path, secret_key=SECRET, max_upload_bytes=2 * 1024 * 1024)


@pytest.fixture
def app(db: Session, backend_url: str, tmp_path: Path) -> Any:
    application = create_app(test_settings(tmp_path), database_url=backend_url)

    def _session() -> Iterator[Session]:
        try:
            yield db
            db.commit()  # releases the per-request savepoint only
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def token_for(db: Session, username: str) -> str:
    user = db.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return identity.issue_token(user, SECRET, 60)[0]


@pytest.fixture
def auth(db: Session) -> Any:
    """``auth("xn_admin")`` → headers with that demo user's bearer token."""
    return lambda username: {"Authorization": f"Bearer {token_for(db, username)}"}


def pytest_report_header(config: pytest.Config) -> list[str]:
    reason = pg_available()
    state = "available" if reason is None else f"unavailable ({reason})"
    return [f"PostgreSQL at {PG_URL}: {state}; CI={CI}"]
