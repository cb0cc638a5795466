"""Catalog search benchmark: 100k realistic Chinese asset cards on SQLite and PostgreSQL.

    .venv/bin/python bench/catalog/run.py [--cards 100000] [--backends sqlite,postgresql] [--requests N]

For each backend: a fresh database, ``dataasset demo``, a bulk load of N cards, then the API server
as a subprocess: search and list latency (p50/p95/p99) and throughput per user, and in-process the
same search as a naive LIKE query (the anchor) against ``service.list_cards``. Writes
``bench/catalog/results.json`` and the section "Catalog search (bench/catalog)" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import cards
import explain
import measure
import report
from measure import Budget
from sqlalchemy import Engine, func, select, text

from dataasset.catalog import queries
from dataasset.catalog.models import AssetCard
from dataasset.core.db import make_engine, session_factory
from dataasset.core.identity import load_actor
from dataasset.core.models import User
from dataasset.core.permissions import Actor

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgresql+psycopg://dataasset:dataasset@127.0.0.1:5432/dataasset_bench"
USERS = ("admin", "xn_admin", "sjj")
SEARCHES: dict[str, str] = {
    "common": "数据",
    "mid 维修信息": "维修信息",
    "mid 客流": "客流",
    "rare": cards.RARE_TERM,
    "two words": "公交 客流",
    "no hits": cards.NO_HIT_TERM,
}
LISTS: dict[str, dict[str, str]] = {
    "list": {},
    "list industry=D": {"industry": "D"},
}
TARGET_MS = 50.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    engine = make_engine(PG_URL)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


def load(backend: str, url: str, workdir: Path, n: int, cache: cards.SearchTextCache) -> dict[str, Any]:
    log(f"{backend}: dataasset demo")
    timings: dict[str, Any] = {"demo_s": measure.run_demo(url, workdir)}
    engine = make_engine(url)
    try:
        orgs = cards.demo_orgs(engine)
        started = time.perf_counter()
        generated = cards.generate(n, orgs)
        sequences = cards.assign_codes(engine, generated, orgs)
        timings["generate_s"] = time.perf_counter() - started
        log(f"{backend}: segmenting {n} cards with jieba")
        timings["index_s"] = cache.fill(generated, orgs, workers=2)
        log(f"{backend}: inserting")
        timings["insert_s"] = cards.insert(engine, generated, sequences)
        timings["analyze_s"] = cards.analyze(engine)
        timings["load_s"] = (
            timings["generate_s"] + timings["index_s"] + timings["insert_s"] + timings["analyze_s"]
        )
        with engine.connect() as conn:
            timings["cards_total"] = conn.scalar(select(func.count()).select_from(AssetCard))
        timings["cards_per_s_insert"] = n / timings["insert_s"] if timings["insert_s"] else None
    finally:
        engine.dispose()
    log(f"{backend}: loaded {timings['cards_total']} cards, insert {timings['insert_s']:.1f} s")
    return timings


def http_suite(url: str, workdir: Path, budget: Budget) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    ops: dict[str, dict[str, str]] = {f"search {k}": {"q": q} for k, q in SEARCHES.items()} | LISTS
    with measure.server(url, workdir) as base:
        for user in USERS:
            token = measure.login(base, user)
            out[user] = {}
            for op, params in ops.items():
                query = {**params, "page": "1", "page_size": "20"}
                stats = measure.http_latency(base, token, query, budget)
                stats.rps, stats.rps_n = measure.http_throughput(base, token, query, budget)
                out[user][op] = stats.to_dict()
                log(
                    f"  {user:9} {op:30} total={stats.total:>6} p50={stats.p50:7.1f} "
                    f"p95={stats.p95:7.1f} p99={stats.p99:7.1f} ms  {stats.rps:6.1f} rps"
                )
    return out


def actors(engine: Engine) -> dict[str, Actor]:
    with session_factory(engine)() as session:
        ids = {
            u: i for u, i in session.execute(select(User.username, User.id).where(User.username.in_(USERS)))
        }
        return {u: load_actor(session, ids[u]) for u in USERS}


def inproc_suite(url: str, budget: Budget) -> tuple[dict[str, Any], dict[str, Any]]:
    """Anchor vs ours per user and query, and the 维修信息 probe."""
    engine = make_engine(url)
    factory = session_factory(engine)
    out: dict[str, Any] = {}
    try:
        by_user = actors(engine)
        for user, actor in by_user.items():
            out[user] = {}
            for key, q in SEARCHES.items():
                anchor = measure.inproc_latency(
                    factory, partial(measure.anchor_search, actor=actor, q=q), budget
                )
                ours = measure.inproc_latency(factory, partial(measure.ours_search, actor=actor, q=q), budget)
                out[user][key] = {
                    "q": q,
                    "anchor": anchor.to_dict(),
                    "ours": ours.to_dict(),
                    "ratio_p50": anchor.p50 / ours.p50,
                    "ratio_p95": anchor.p95 / ours.p95,
                }
                log(
                    f"  {user:9} {key:14} anchor p50={anchor.p50:7.1f} p95={anchor.p95:7.1f} "
                    f"(hits {anchor.total}) | ours p50={ours.p50:7.1f} p95={ours.p95:7.1f} "
                    f"(hits {ours.total})"
                )
        probe = _probe(factory, by_user["admin"])
    finally:
        engine.dispose()
    return out, probe


def _probe(factory: Any, admin: Actor) -> dict[str, Any]:
    """Cards saying 维修工单与相关信息 (isolated by their security grade): does 维修信息 find them?"""
    with factory() as session:
        grade = [AssetCard.security_grade == cards.PROBE_GRADE]
        probes = session.scalar(select(func.count()).select_from(AssetCard).where(*grade)) or 0
        anchor_hits, _ = measure.anchor_search(session, admin, "维修信息", grade)
        ours = queries.list_cards(session, admin, q="维修信息", security_grade=cards.PROBE_GRADE)
    return {
        "text": "维修工单与相关信息",
        "query": "维修信息",
        "probe_cards": probes,
        "anchor_hits": anchor_hits,
        "ours_hits": ours.total,
        "anchor_found": anchor_hits > 0,
        "ours_found": ours.total == probes > 0,
    }


def verdict(http: dict[str, dict[str, Any]]) -> dict[str, Any]:
    worst = max(
        (
            (user, op, s["p95"])
            for user, ops in http.items()
            for op, s in ops.items()
            if op.startswith("search")
        ),
        key=lambda t: t[2],
    )
    return {
        "worst_search_p95_ms": worst[2],
        "worst_user": worst[0],
        "worst_op": worst[1],
        "met": worst[2] < TARGET_MS,
    }


def machine() -> dict[str, Any]:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024**2, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--requests", type=int, default=Budget.requests, help="sequential requests per measurement"
    )
    parser.add_argument("--rps-seconds", type=float, default=Budget.rps_seconds)
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN and the prototype queries")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/catalog/results.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    parser.add_argument(
        "--report-only", action="store_true", help="only rewrite the doc from --results; measure nothing"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        report.write(args.doc, json.loads(args.results.read_text(encoding="utf-8")))
        return 0
    budget = Budget(requests=args.requests, rps_seconds=args.rps_seconds)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(backends) - {"sqlite", "postgresql"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "cards": args.cards,
        "budget": budget.__dict__,
        "target_ms": TARGET_MS,
        "searches": SEARCHES,
        "lists": LISTS,
        "backends": {},
    }
    cache = cards.SearchTextCache()
    with tempfile.TemporaryDirectory(prefix="dataasset-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            url = fresh_database(backend, workdir)
            result: dict[str, Any] = {"load": load(backend, url, workdir, args.cards, cache)}
            if backend == "postgresql":
                result["server_version"] = explain.server_version(url)
            log(f"{backend}: HTTP latency and throughput")
            result["http"] = http_suite(url, workdir, budget)
            log(f"{backend}: in-process anchor vs ours")
            result["inproc"], result["probe"] = inproc_suite(url, budget)
            result["target"] = verdict(result["http"])
            if not args.no_explain:
                log(f"{backend}: EXPLAIN and prototypes")
                result["explain"] = explain.investigate(url, budget, result["inproc"])
            results["backends"][backend] = result
    results["elapsed_s"] = time.perf_counter() - started
    args.results.write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    report.write(args.doc, results)
    log(f"done in {results['elapsed_s']:.0f} s: {args.results} and {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
