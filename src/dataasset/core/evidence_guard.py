"""No change without evidence (湖南方案第3条 全程可追溯): a session hook that refuses to commit a
transaction which changed domain rows but appended no evidence entry.

:func:`install` hooks a ``Session`` or a ``sessionmaker`` (``core.db.session_factory`` does it; so
does the tests' session fixture). Per top-level transaction it notes

- every mapped row inserted, deleted, or updated in a column (``before_flush``), and every
  INSERT/UPDATE/DELETE statement run through ``Session.execute`` (``do_orm_execute``, including
  ``text()`` statements), by table;
- whether an entry was added to ``core_evidence_entry`` (``core.evidence.record`` says so through
  :func:`note_evidence`; an ORM insert of an entry counts too);

and ``before_commit`` of the outermost transaction raises :class:`EvidenceMissing` when domain tables
changed without evidence. Savepoint commits are not checked; the enclosing commit is.

The evidence tables themselves, and the bookkeeping declared in :data:`EXEMPT_TABLES` and
:data:`EXEMPT_COLUMNS`, do not count as changes. Statements run on a raw ``Connection`` bypass the
hook: services use the session.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.orm.session import SessionTransaction
from sqlalchemy.sql import TextClause
from sqlalchemy.sql.dml import UpdateBase

EVIDENCE_TABLE: Final = "core_evidence_entry"
LOG_TABLES: Final = frozenset({EVIDENCE_TABLE, "core_evidence_node", "core_evidence_checkpoint"})

#: Tables whose rows change without evidence of their own.
EXEMPT_TABLES: Final[dict[str, str]] = {
    "catalog_code_sequence": "asset-code counter; the card it numbers is evidenced when created",
}
#: Columns that may change without evidence (other columns of the same row still count).
EXEMPT_COLUMNS: Final[dict[str, frozenset[str]]] = {
    # login bookkeeping; a lockout is recorded as evidence (user.lock) by core.identity
    "core_user": frozenset({"failed_logins", "locked_until", "last_login_at"}),
    # a running scan's progress counters; its start, end and results are evidenced by discovery
    "discovery_scan": frozenset(
        {"rows_scanned", "rows_total", "tables_done", "tables_total", "current_table", "heartbeat_at"}
    ),
    # a running quality check's progress counters; its start, end and results are evidenced by quality
    "quality_run": frozenset({"checks_done", "checks_total", "rows_loaded", "heartbeat_at"}),
}

_KEY = "evidence_guard"
_TEXT_DML = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)


class EvidenceMissing(RuntimeError):
    """A transaction changed domain rows without ``core.evidence.record``: a programming error."""


def install(target: Session | sessionmaker[Session]) -> None:
    """Hook the guard into a session or every session of a factory (idempotent)."""
    for name, fn in (
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


def _state(session: Session) -> dict[str, Any]:
    state: dict[str, Any] | None = session.info.get(_KEY)
    if state is None:
        state = {"changed": set(), "evidence": False}
        session.info[_KEY] = state
    return state


def _note(session: Session, table: str, columns: set[str] | None = None) -> None:
    state = _state(session)
    if table == EVIDENCE_TABLE:
        state["evidence"] = True
        return
    if table in LOG_TABLES or table in EXEMPT_TABLES:
        return
    if columns is not None and columns <= EXEMPT_COLUMNS.get(table, frozenset()):
        return
    state["changed"].add(table)


def _tables(obj: Any) -> list[str]:
    return [t.name for t in inspect(obj).mapper.tables if isinstance(t, Table)]


def _changed_columns(obj: Any) -> set[str] | None:
    """Column names changed on a dirty object; ``None`` when a relationship changed (its foreign key
    columns are set only during the flush)."""
    insp = inspect(obj)
    columns: set[str] = set()
    for attr in insp.mapper.attrs:
        history = insp.attrs[attr.key].history
        if not history.has_changes():
            continue
        cols = getattr(attr, "columns", None)
        if cols is None:
            return None
        columns.update(c.name for c in cols)
    return columns


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.new, *session.deleted]:
        for table in _tables(obj):
            _note(session, table)
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        columns = _changed_columns(obj)
        for table in _tables(obj):
            _note(session, table, columns)


def _on_execute(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            _note(state.session, name)
    elif isinstance(statement, TextClause):
        match = _TEXT_DML.match(statement.text)
        if match:
            _note(state.session, match.group(1).lower())


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.new or session.deleted or session.dirty:
        session.flush()
    state = _state(session)
    if state["changed"] and not state["evidence"]:
        tables = ", ".join(sorted(state["changed"]))
        raise EvidenceMissing(
            f"事务修改了 {tables} 却没有写入存证：状态变更必须在同一事务中调用 core.evidence.record"
            f" (transaction changed {tables} without an evidence entry)"
        )


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)


def note_evidence(session: Session) -> None:
    """Mark the current transaction as having appended evidence (``core.evidence.record`` writes
    with statements on the session's connection, which the ORM hooks do not see)."""
    _state(session)["evidence"] = True
