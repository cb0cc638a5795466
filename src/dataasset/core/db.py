"""Engine, sessions and the declarative base.

SQLite is the embedded default (WAL with ``synchronous=NORMAL``, foreign keys on; the trade-off is in
docs/architecture.md, "Transactions"); PostgreSQL is the second backend.
The schema is created only by Alembic migrations (``dataasset migrate``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from dataasset.core import evidence_guard

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # On the DBAPI cursor: through exec_driver_sql, BEGIN cost every SQLite transaction ~45 µs.
    cursor = connection.connection.cursor()
    try:
        driver_execute(connection, cursor, "BEGIN", ())
    finally:
        cursor.close()


def driver_execute(connection: Connection, cursor: DBAPICursor, statement: str, parameters: Any) -> None:
    """Run a statement on a DBAPI cursor of ``connection`` (in its transaction), raising what
    SQLAlchemy would raise (``IntegrityError``, ``OperationalError`` …, the connection invalidated
    on a disconnect). For the few hot statements where SQLAlchemy's per-statement machinery costs
    ten times the statement itself (``core.evidence.record``); everything else uses the session."""
    try:
        cursor.execute(statement, parameters)
    except connection.dialect.loaded_dbapi.Error as exc:
        dialect = connection.dialect
        invalidated = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
        if invalidated:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            statement,
            parameters,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=invalidated,
            dialect=dialect,
        ) from exc


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas and pool settings each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for use cases; each refuses to commit domain changes without evidence
    (:mod:`dataasset.core.evidence_guard`)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    evidence_guard.install(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction per use case: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's planner table statistics (PostgreSQL's autovacuum keeps its own).

    Without them SQLite sorts every visible card instead of walking the ``updated_at`` index
    (bench/catalog: 150 ms → 1 ms for a page at 100k cards). ``analysis_limit`` keeps it quick.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
