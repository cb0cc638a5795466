"""Evidence log benchmark: appends, full verification at 1,000,000 entries, proofs at 1,000,000.

    .venv/bin/python bench/evidence/run.py [--entries 1000000] [--appends 3000] [--writers 4]
        [--backends sqlite,postgresql]

For each backend, on a fresh database (SQLite: a temporary file; PostgreSQL: ``dataasset_bench_evidence``):

1. appends through the service path: ``core.db.transaction`` (a guarded session) around
   ``evidence.record``, one transaction per change, against the same loop with an empty transaction
   (the platform's own cost per transaction) and with all appends in one transaction; where the time
   of one such append goes (session, BEGIN, ``record``, commit, close); ``--writers`` threads appending
   at once, each change in its own transaction; on PostgreSQL also one transaction per change with
   ``synchronous_commit=off`` (an operator's setting, which the platform does not make);
2. a valid log of N entries and their subtree hashes bulk-inserted, one signed checkpoint made
   through the service, then ``verify_database`` over all of it (and export + offline verify);
3. inclusion and consistency proofs at N from the stored nodes: time, size, rows and statements.

Then the kernel alone (leaf hashing and tree building in memory). Writes ``bench/evidence/results.json``
and the section "Evidence log (bench/evidence)" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import generate
import report
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dataasset.core import evidence, evidence_audit, merkle
from dataasset.core import migrate as migrations
from dataasset.core.db import make_engine, session_factory, transaction
from dataasset.core.permissions import Actor
from dataasset.core.signed_note import load_or_create_signer

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgresql+psycopg://dataasset:dataasset@127.0.0.1:5432/dataasset_bench_evidence"
ACTOR = Actor.system("bench")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


@contextmanager
def fresh_database(backend: str, workdir: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    yield PG_URL


def appends(url: str, count: int, threads: int) -> dict[str, Any]:
    migrations.upgrade(url)
    engine = make_engine(url, pool_size=threads)
    factory = session_factory(engine)
    out: dict[str, Any] = {"count": count}
    base = iter(range(0, 10**9, count))  # distinct subject ids per loop

    def empty() -> None:
        for _ in range(count):
            with transaction(factory) as session:
                session.execute(text("SELECT 1"))

    def per_change() -> None:
        start = next(base)
        for i in range(count):
            with transaction(factory) as session:
                evidence.record(session, ACTOR, "bench.append", "bench", start + i, {"i": i})

    def one_transaction() -> None:
        start = next(base)
        with transaction(factory) as session:
            for i in range(count):
                evidence.record(session, ACTOR, "bench.append", "bench", start + i, {"i": i})

    empty()  # warm up: connections, statement caches
    for name, fn in (("empty", empty), ("per_change", per_change), ("one_transaction", one_transaction)):
        wall, cpu, _ = timed(fn)
        out[name] = {"wall_s": wall, "cpu_s": cpu, "per_s": count / wall, "per_cpu_s": count / cpu}
        log(f"  {name}: {count / wall:,.0f}/s (CPU-bound {count / cpu:,.0f}/s)")
    out["breakdown"] = breakdown(factory, count, next(base))
    out["breakdown"]["driver_only"] = driver_only(engine, count, next(base))
    log("  breakdown (µs): " + ", ".join(f"{k} {v:.0f}" for k, v in out["breakdown"].items()))
    out["concurrent"] = concurrent(factory, count, threads, next(base))
    log(f"  {threads} writers: {out['concurrent']['per_s']:,.0f}/s, {out['concurrent']['failed']} failed")
    if engine.dialect.name == "postgresql":
        # An operator's setting, not the platform's: a crash may lose the last commits (log and
        # changes together, so the log stays consistent, but acknowledged changes can vanish).
        relaxed = make_engine(url, connect_args={"options": "-c synchronous_commit=off"})
        relaxed_factory = session_factory(relaxed)
        start = next(base)

        def per_change_async() -> None:
            for i in range(count):
                with transaction(relaxed_factory) as session:
                    evidence.record(session, ACTOR, "bench.append", "bench", start + i, {"i": i})

        wall, cpu, _ = timed(per_change_async)
        out["per_change_async_commit"] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "per_s": count / wall,
            "per_cpu_s": count / cpu,
        }
        log(f"  per_change with synchronous_commit=off (operator setting): {count / wall:,.0f}/s")
        relaxed.dispose()
    with transaction(factory) as session:
        check = evidence_audit.verify_database(session)
        assert check.ok, check.problems[:3]
        out["log_size"] = check.size
    engine.dispose()
    return out


def breakdown(factory: sessionmaker[Session], count: int, start: int) -> dict[str, float]:
    """Where one service-path append's time goes (µs per append): ``transaction()`` unrolled."""
    clock = time.perf_counter
    phases = {"session": 0.0, "begin": 0.0, "record": 0.0, "commit": 0.0, "close": 0.0}
    commits: list[float] = []
    wall, cpu = clock(), time.process_time()
    for i in range(count):
        t0 = clock()
        session = factory()
        t1 = clock()
        session.connection()  # checkout + BEGIN, which record() would otherwise do first
        t2 = clock()
        evidence.record(session, ACTOR, "bench.append", "bench", start + i, {"i": i})
        t3 = clock()
        session.commit()
        t4 = clock()
        session.close()
        t5 = clock()
        for key, a, b in (
            ("session", t0, t1),
            ("begin", t1, t2),
            ("record", t2, t3),
            ("commit", t3, t4),
            ("close", t4, t5),
        ):
            phases[key] += b - a
        commits.append(t4 - t3)
    wall, cpu = clock() - wall, time.process_time() - cpu
    commits.sort()
    out = {key: value / count * 1e6 for key, value in phases.items()}
    out["commit_p50"] = commits[len(commits) // 2] * 1e6
    out["total"] = wall / count * 1e6
    out["cpu"] = cpu / count * 1e6
    return out


def driver_only(engine: Engine, count: int, start: int) -> float:
    """µs per append with the DBAPI connection alone, no Python layer around it: ``BEGIN``,
    ``max(index)``, an entry ``INSERT`` (no nodes), ``COMMIT``. The database's and driver's floor."""
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    insert = (
        'INSERT INTO core_evidence_entry ("index", recorded_at, action, subject_type, subject_id,'
        f" payload_sha256, entry, leaf_hash) VALUES ({', '.join([mark] * 8)})"
    )
    raw = engine.raw_connection()

    def commit() -> None:
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()

    try:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("BEGIN")
        cursor.execute('SELECT max("index") FROM core_evidence_entry')
        first = cursor.fetchone()[0] + 1
        commit()
        wall = time.perf_counter()
        for i in range(count):
            if sqlite:
                cursor.execute("BEGIN")
            cursor.execute('SELECT max("index") FROM core_evidence_entry')
            index = cursor.fetchone()[0] + 1
            entry = json.dumps({"index": index, "subject": {"type": "bench", "id": str(start + i)}})
            now = datetime.now(UTC)
            cursor.execute(
                insert,
                (
                    index,
                    now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now,
                    "bench.append",
                    "bench",
                    str(start + i),
                    "0" * 64,
                    entry,
                    merkle.leaf_hash(entry.encode()).hex(),
                ),
            )
            commit()
        wall = time.perf_counter() - wall
        # entries without their nodes: remove them again, the log stays valid
        if sqlite:
            cursor.execute("BEGIN")
        cursor.execute(f'DELETE FROM core_evidence_entry WHERE "index" >= {mark}', (first,))
        commit()
    finally:
        raw.close()
    return wall / count * 1e6


def concurrent(factory: sessionmaker[Session], count: int, threads: int, start: int) -> dict[str, Any]:
    """``threads`` writers, each appending in a transaction per change (``count`` appends in all).
    On SQLite a writer whose snapshot is older than the last commit cannot take the write lock and
    fails with ``database is locked`` (counted, not retried)."""
    per_thread = count // threads
    failed: list[str] = []

    def writer(t: int) -> None:
        for i in range(per_thread):
            try:
                with transaction(factory) as session:
                    evidence.record(session, ACTOR, "bench.append", "bench", start + t * per_thread + i, {})
            except OperationalError as exc:
                failed.append(str(exc.orig))

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    wall, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done = per_thread * threads - len(failed)
    return {
        "threads": threads,
        "attempted": per_thread * threads,
        "failed": len(failed),
        "errors": sorted(set(failed)),
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s": done / wall,
    }


class Statements:
    """Counts the statements an engine runs while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.count, self.active = engine, 0, False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.active and not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1


def proofs(engine: Engine, size: int, samples: int) -> dict[str, Any]:
    factory = session_factory(engine)
    rng = random.Random(9162)
    statements = Statements(engine)
    out: dict[str, Any] = {}
    with transaction(factory) as session:
        root = evidence.root_hash(session, size)
        for kind in ("inclusion", "consistency"):
            times, lengths, rows = [], [], []
            for _ in range(samples):
                if kind == "inclusion":
                    index = rng.randrange(size)
                    ranges = merkle.inclusion_ranges(index, size)
                    t = time.perf_counter()
                    path = evidence.inclusion_proof(session, index, size)
                    times.append(time.perf_counter() - t)
                    leaf = evidence.read_nodes(session, [(0, index)])[(0, index)]
                    merkle.verify_inclusion(index, size, leaf, path, root)
                else:
                    first = rng.randrange(1, size)
                    ranges = merkle.consistency_ranges(first, size)
                    t = time.perf_counter()
                    path = evidence.consistency_proof(session, first, size)
                    times.append(time.perf_counter() - t)
                    merkle.verify_consistency(first, size, evidence.root_hash(session, first), root, path)
                lengths.append(len(path))
                rows.append(sum(len(merkle.perfect_subtrees(b, e)) for b, e in ranges))
            times.sort()
            out[kind] = {
                "samples": samples,
                "p50_ms": times[len(times) // 2] * 1000,
                "p95_ms": times[int(len(times) * 0.95)] * 1000,
                "hashes_max": max(lengths),
                "bytes_max": max(lengths) * 32,
                "rows_read_max": max(rows),
            }
        t = time.perf_counter()
        evidence.root_hash(session, size)
        out["root_ms"] = (time.perf_counter() - t) * 1000
    # statements of one proof, counted alone (the checks above read more)
    with transaction(factory) as session:
        for kind in ("inclusion", "consistency"):
            statements.count, statements.active = 0, True
            if kind == "inclusion":
                evidence.inclusion_proof(session, size // 3, size)
            else:
                evidence.consistency_proof(session, size // 3, size)
            statements.active = False
            out[kind]["statements_per_proof"] = statements.count
    return out


def million(url: str, entries: int, samples: int, workdir: Path, export: bool) -> dict[str, Any]:
    migrations.upgrade(url)
    engine = make_engine(url)
    log(f"  bulk load of {entries:,} entries")
    out: dict[str, Any] = {"entries": entries, "load": generate.load(engine, entries, log)}
    signer = load_or_create_signer(workdir / "evidence.key", "dataasset.local/evidence")
    with transaction(session_factory(engine)) as session:
        evidence.checkpoint(session, signer)
    for name, workers in (("verify", 1), ("verify_parallel", os.cpu_count() or 1)):
        with transaction(session_factory(engine)) as session:
            wall, cpu, result = timed(
                lambda w=workers: evidence_audit.verify_database(
                    session, trusted_keys={signer.public_key}, workers=w
                )
            )
        assert result.ok and result.size == entries, result.problems[:3]
        out[name] = {
            "workers": workers,
            "wall_s": wall,
            "cpu_s": cpu,
            "nodes": result.nodes_checked,
            "checkpoints": result.checkpoints_checked,
        }
        log(f"  {name} ({workers} process(es)): {wall:.1f} s (CPU of this process {cpu:.1f} s)")
    if export:
        path = workdir / "evidence.jsonl"
        with transaction(session_factory(engine)) as session, path.open("w", encoding="utf-8") as handle:
            wall, cpu, _ = timed(
                lambda: evidence_audit.export(session, handle, signer.public_key, signer.name)
            )
        out["export"] = {"wall_s": wall, "cpu_s": cpu, "bytes": path.stat().st_size}
        wall, cpu, result = timed(lambda: evidence_audit.verify_file(path))
        assert result.ok and result.size == entries
        out["verify_file"] = {"wall_s": wall, "cpu_s": cpu}
        log(f"  export {out['export']['wall_s']:.1f} s, offline verify {wall:.1f} s (CPU {cpu:.1f} s)")
        path.unlink()
    log("  proofs")
    out["proofs"] = proofs(engine, entries, samples)
    engine.dispose()
    return out


def kernel(entries: int) -> dict[str, Any]:
    data = [t.encode() for _, _, _, t, _ in generate.entries(0, min(entries, 200_000))]

    def hash_and_append() -> None:
        tree = merkle.MemoryTree()
        for i in range(entries):
            tree.append(merkle.leaf_hash(data[i % len(data)]))

    wall, cpu, _ = timed(hash_and_append)
    return {"entries": entries, "wall_s": wall, "cpu_s": cpu, "per_s": entries / wall}


def machine() -> dict[str, Any]:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    pg = None
    try:
        with create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres").connect() as conn:
            pg = conn.execute(text("SHOW server_version")).scalar()
    except Exception:  # reported as absent
        pg = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(mem.split()[1]) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--writers", type=int, default=4, help="threads for the concurrent appends")
    parser.add_argument("--proofs", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-export", action="store_true", help="skip export and offline verify")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/evidence/results.json")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs/benchmarks.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": os.getloadavg(),
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        workdir = Path(tmp)
        for backend in args.backends.split(","):
            log(f"{backend}: appends")
            r: dict[str, Any] = {}
            with fresh_database(backend, workdir, "appends") as url:
                r["appends"] = appends(url, args.appends, args.writers)
            log(f"{backend}: {args.entries:,} entries")
            with fresh_database(backend, workdir, "million") as url:
                r["million"] = million(url, args.entries, args.proofs, workdir, not args.no_export)
            results["backends"][backend] = r
    log("kernel")
    results["kernel"] = kernel(args.entries)
    results["load_after"] = os.getloadavg()
    results["minutes"] = (time.perf_counter() - started) / 60
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report.write(args.docs, results)
    log(f"done in {results['minutes']:.1f} min: {args.results}, {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
