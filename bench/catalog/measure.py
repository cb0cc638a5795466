"""Timing: the server as a subprocess, sequential latency, concurrent throughput, in-process queries."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from dataasset.catalog import queries
from dataasset.catalog.models import AssetCard
from dataasset.catalog.schemas import AssetCardSummary
from dataasset.core.models import Organisation
from dataasset.core.permissions import Actor, readable_condition

VENV_BIN = Path(sys.executable).parent
PASSWORD = "Demo@2026"


@dataclass
class Budget:
    """How much to measure per user × operation (counts and seconds both bound every loop)."""

    requests: int = 60
    warmup: int = 2
    seconds: float = 4.0
    threads: int = 4
    rps_seconds: float = 6.0
    rps_requests: int = 150
    inproc_requests: int = 15
    inproc_seconds: float = 2.5
    inproc_min: int = 5


@dataclass
class Stats:
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float
    rps: float | None = None
    rps_n: int | None = None
    total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(ms: list[float]) -> Stats:
    return Stats(
        n=len(ms),
        p50=percentile(ms, 50),
        p95=percentile(ms, 95),
        p99=percentile(ms, 99),
        mean=sum(ms) / len(ms),
        max=max(ms),
    )


def timed_loop(
    call: Callable[[], Any], count: int, seconds: float, warmup: int, least: int = 10
) -> tuple[list[float], Any]:
    """``warmup`` calls, then up to ``count`` timed calls or ``seconds`` (at least ``least``)."""
    result: Any = None
    for _ in range(warmup):
        result = call()
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(samples) < count and (len(samples) < least or time.perf_counter() < deadline):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAASSET_")}
    env.update(
        DATAASSET_DATABASE_URL=url,
        DATAASSET_SECRET_KEY="bench-secret",
        DATAASSET_VAR_DIR=str(workdir),
        DATAASSET_LOG_LEVEL="warning",
    )
    return env


def run_demo(url: str, workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "dataasset"), "demo"],
        env=cli_env(url, workdir),
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


@contextmanager
def server(url: str, workdir: Path) -> Iterator[str]:
    """``dataasset serve`` on a free port (one uvicorn process, access log off); yields the base URL."""
    port = free_port()
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(VENV_BIN / "dataasset"), "serve", "--port", str(port)],
        env=cli_env(url, workdir),
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; see {workdir / 'server.log'}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def login(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


# --- HTTP measurements -------------------------------------------------------------------------


def http_latency(base: str, token: str, params: Mapping[str, str | int], budget: Budget) -> Stats:
    """Sequential requests on one keep-alive connection after a warm-up."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:

        def call() -> int:
            response = client.get("/api/catalog/assets", params=dict(params))
            response.raise_for_status()
            total: int = response.json()["total"]
            return total

        samples, total = timed_loop(call, budget.requests, budget.seconds, budget.warmup)
    stats = summarise(samples)
    stats.total = total
    return stats


def http_throughput(
    base: str, token: str, params: Mapping[str, str | int], budget: Budget
) -> tuple[float, int]:
    """Requests per second with ``threads`` clients, bounded by ``rps_requests`` and ``rps_seconds``."""
    headers = {"Authorization": f"Bearer {token}"}
    lock = threading.Lock()
    issued = 0
    done = 0
    errors: list[BaseException] = []
    started = time.perf_counter()
    deadline = started + budget.rps_seconds

    def worker() -> None:
        nonlocal issued, done
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if issued >= budget.rps_requests:
                        return
                    issued += 1
                try:
                    client.get("/api/catalog/assets", params=dict(params)).raise_for_status()
                except httpx.HTTPError as exc:
                    errors.append(exc)
                    return
                with lock:
                    done += 1

    threads = [threading.Thread(target=worker) for _ in range(budget.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"throughput run failed: {errors[0]!r}")
    return done / elapsed, done


# --- in-process: ours and the naive anchor -----------------------------------------------------


def summary_columns() -> Select[*tuple[Any, ...]]:
    """The same columns and join as ``service.list_cards``."""
    return select(
        AssetCard.id,
        AssetCard.code,
        AssetCard.name,
        AssetCard.organisation_id,
        Organisation.name.label("organisation_name"),
        AssetCard.industry,
        AssetCard.stage,
        AssetCard.security_grade,
        AssetCard.sharing_type,
        AssetCard.registration_status,
        AssetCard.is_public,
        AssetCard.updated_at,
    ).join(Organisation, Organisation.id == AssetCard.organisation_id)


def anchor_where(actor: Actor, q: str, extra: list[Any] | None = None) -> list[Any]:
    """Substring search: every word in name or description, plus the same tenancy condition."""
    where = [readable_condition(actor, AssetCard.organisation_id, public_column=AssetCard.is_public)]
    for word in q.split():
        pattern = f"%{word}%"
        where.append(or_(AssetCard.name.like(pattern), AssetCard.description.like(pattern)))
    return where + (extra or [])


def anchor_search(
    session: Session, actor: Actor, q: str, extra: list[Any] | None = None
) -> tuple[int, list[int]]:
    """The naive query: count, then the newest 20 matches (ORDER BY updated_at)."""
    where = anchor_where(actor, q, extra)
    total = session.scalar(select(func.count()).select_from(AssetCard).where(*where)) or 0
    rows = session.execute(
        summary_columns().where(*where).order_by(AssetCard.updated_at.desc(), AssetCard.id.desc()).limit(20)
    ).all()
    items = [AssetCardSummary.model_validate(r._asdict()) for r in rows]
    return total, [i.id for i in items]


def ours_search(session: Session, actor: Actor, q: str) -> tuple[int, list[int]]:
    page = queries.list_cards(session, actor, q=q, page=1, page_size=20)
    return page.total, [i.id for i in page.items]


def inproc_latency(
    factory: sessionmaker[Session], fn: Callable[[Session], tuple[int, list[int]]], budget: Budget
) -> Stats:
    """One session (one transaction) per call, as a request has."""

    def call() -> int:
        with factory() as session:
            total, _ids = fn(session)
            session.rollback()
        return total

    samples, total = timed_loop(
        call, budget.inproc_requests, budget.inproc_seconds, budget.warmup, budget.inproc_min
    )
    stats = summarise(samples)
    stats.total = total
    return stats
