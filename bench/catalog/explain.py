"""Why search is slow at 100k cards: the plans of ``list_cards``' statements, what each costs, and a
prototype of a fix measured on the same data (a copy of the query; nothing under src/ changes).

Prototypes (both keep the tenancy condition and the search expression of ``list_cards``):

- ``capped count``: ``total`` counts at most ``CAP`` + 1 matches (the API would say "1000+"); the page
  query is unchanged (rank over every match).
- ``capped + window``: capped count; when more than ``CAP`` cards match, the rank is computed over
  the ``WINDOW`` newest matches (highest ids) instead of over every match. A query matching at most
  ``CAP`` cards gets exactly the current page (all its matches ranked).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from measure import Budget, inproc_latency, summary_columns
from sqlalchemy import Engine, column, event, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from dataasset.catalog import queries, search
from dataasset.catalog.models import AssetCard
from dataasset.core.db import make_engine, session_factory
from dataasset.core.identity import load_actor
from dataasset.core.models import User
from dataasset.core.permissions import Actor, readable_condition

CAP = 1000
WINDOW = 200
USERS = ("admin", "xn_admin", "sjj")
QUERIES = {"common": "数据", "mid 维修信息": "维修信息", "mid 客流": "客流", "two words": "公交 客流"}
EXPLAINED = (("admin", "数据"), ("xn_admin", "维修信息"), ("sjj", ""))  # "" is the list (no q)
_FTS = table("catalog_asset_card_fts", column("rowid"), column("rank"))


def server_version(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


def _actors(session: Session) -> dict[str, Actor]:
    ids = {u: i for u, i in session.execute(select(User.username, User.id).where(User.username.in_(USERS)))}
    return {u: load_actor(session, ids[u]) for u in USERS}


def capture(engine: Engine, session: Session, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL statements (with parameters) that ``call`` sends, BEGIN excluded."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def _plan(session: Session, statement: str, params: Any) -> list[str]:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params).all()
        return [r[0] for r in rows]
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
    return [f"{r[0]}:{r[1]} {r[3]}" for r in rows]


def _time_statement(session: Session, statement: str, params: Any, runs: int = 5) -> float:
    conn = session.connection()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.exec_driver_sql(statement, params).all()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)[len(samples) // 2]


def explain_list_cards(engine: Engine, session: Session, actor: Actor, q: str) -> list[dict[str, Any]]:
    """Each statement of ``list_cards(q=...)``: which it is, its median time and its plan."""
    statements = capture(engine, session, lambda: queries.list_cards(session, actor, q=q))
    out = []
    for statement, params in statements:
        kind = "count" if "count(*)" in statement else "page"
        out.append(
            {
                "statement": kind,
                "sql": " ".join(statement.split()),
                "median_ms": _time_statement(session, statement, params),
                "plan": _plan(session, statement, params),
            }
        )
    return out


def prototype(session: Session, actor: Actor, q: str, *, window: int | None) -> tuple[int, list[int]]:
    """A copy of ``list_cards``' full-text branch with a capped count and (optionally) a rank window."""
    where: list[Any] = [
        readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)
    ]
    page = summary_columns()
    score: Any
    newest: Any
    if session.get_bind().dialect.name == "sqlite":
        match = search.fts5_match(q)
        if match is None:
            return 0, []
        where.append(literal_column("catalog_asset_card_fts").op("MATCH")(match))
        matches = select(AssetCard.id).join(_FTS, _FTS.c.rowid == AssetCard.id).where(*where)
        page = page.join(_FTS, _FTS.c.rowid == AssetCard.id)
        score, best_first, newest = _FTS.c.rank, True, _FTS.c.rowid.desc()
    else:
        query = search.tsquery(q)
        if query is None:
            return 0, []
        tsq = func.to_tsquery("simple", query)
        vector: Any = literal_column("catalog_asset_card.search_vector")
        where.append(vector.op("@@")(tsq))
        matches = select(AssetCard.id).where(*where)
        score, best_first, newest = func.ts_rank(vector, tsq), False, AssetCard.id.desc()
    total = session.scalar(select(func.count()).select_from(matches.limit(CAP + 1).subquery())) or 0
    if window is None or total <= CAP:  # the page query of list_cards, unchanged
        page = page.where(*where).order_by(score.asc() if best_first else score.desc(), AssetCard.id.desc())
    else:
        cand = matches.add_columns(score.label("score")).order_by(newest).limit(window).subquery("cand")
        order = cand.c.score.asc() if best_first else cand.c.score.desc()
        page = summary_columns().join(cand, cand.c.id == AssetCard.id).order_by(order, AssetCard.id.desc())
    return total, [r.id for r in session.execute(page.limit(20)).all()]


def sizes(session: Session) -> dict[str, str]:
    """How big the card table and its search index are."""
    conn = session.connection()
    cards = conn.scalar(text("SELECT count(*) FROM catalog_asset_card")) or 1
    if conn.dialect.name == "postgresql":
        heap, index, buffers = conn.execute(
            text(
                "SELECT pg_relation_size('catalog_asset_card'), "
                "pg_relation_size('ix_catalog_asset_card_search'), current_setting('shared_buffers')"
            )
        ).one()
        return {
            "card heap": f"{heap / 2**20:.0f} MB ({heap / cards:.0f} B/card)",
            "GIN index": f"{index / 2**20:.0f} MB",
            "shared_buffers": str(buffers),
        }
    pages = conn.scalar(text("PRAGMA page_count")) or 0
    size = conn.scalar(text("PRAGMA page_size")) or 0
    fts = conn.scalar(text("SELECT sum(length(block)) FROM catalog_asset_card_fts_data")) or 0
    return {
        "database file": f"{pages * size / 2**20:.0f} MB ({pages * size / cards:.0f} B/card)",
        "FTS5 index data": f"{fts / 2**20:.0f} MB",
    }


def investigate(url: str, budget: Budget, ours: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plans and statement timings for the slow cases, then the prototypes per user × query."""
    engine = make_engine(url)
    factory = session_factory(engine)
    out: dict[str, Any] = {"cap": CAP, "window": WINDOW, "plans": {}, "prototypes": {}}
    try:
        with factory() as session:
            by_user = _actors(session)
            for user, q in EXPLAINED:
                out["plans"][f"{user} {q or 'list'}"] = explain_list_cards(engine, session, by_user[user], q)
            out["sizes"] = sizes(session)
            session.rollback()
        for user, actor in by_user.items():
            out["prototypes"][user] = {}
            for key, q in QUERIES.items():
                row: dict[str, Any] = {"q": q}
                with factory() as session:
                    reference = queries.list_cards(session, actor, q=q)
                ref_ids = [i.id for i in reference.items]
                for name, window in (("capped count", None), ("capped + window", WINDOW)):
                    stats = inproc_latency(
                        factory, partial(prototype, actor=actor, q=q, window=window), budget
                    )
                    with factory() as session:
                        _total, ids = prototype(session, actor, q, window=window)
                    row[name] = {**stats.to_dict(), "same_page_as_ours": ids == ref_ids}
                row["matches"] = reference.total
                if ours is not None:
                    row["ours"] = ours[user][key]["ours"]
                out["prototypes"][user][key] = row
    finally:
        engine.dispose()
    return out
