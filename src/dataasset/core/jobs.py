"""Background jobs (huey): SQLite storage under ``var_dir`` by default, Redis when
``DATAASSET_REDIS_URL`` is set. Domains declare tasks with :func:`task` (a name and a function taking
JSON-able arguments); :func:`enqueue_after_commit` queues one when the caller's transaction commits,
so a worker never looks for a row that is not there yet (and a rolled-back request queues nothing).

``dataasset serve`` runs a consumer in its own process (worker threads); ``dataasset worker`` runs one
alone. Tests use :func:`configure` with ``immediate=True``: a task then runs at once, in the caller's
thread, after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dataasset.settings import Settings

log = logging.getLogger(__name__)

Task = Callable[..., Any]
_TASKS: dict[str, Task] = {}
_PERIODIC: dict[str, tuple[Task, int]] = {}
_PENDING = "jobs_pending"


@dataclass
class JobContext:
    """What a task needs: the settings and a session factory of the platform's database."""

    settings: Settings
    factory: sessionmaker[Session]


_state: dict[str, Any] = {"huey": None, "context": None, "wrappers": None}


def task(name: str) -> Callable[[Task], Task]:
    """Declare a background task under a stable name."""

    def register(fn: Task) -> Task:
        _TASKS[name] = fn
        return fn

    return register


def periodic(name: str, minutes: int) -> Callable[[Task], Task]:
    """Declare a task that the consumer runs every ``minutes`` minutes (schedules, housekeeping)."""

    def register(fn: Task) -> Task:
        _PERIODIC[name] = (fn, minutes)
        return fn

    return register


def make_huey(settings: Settings, *, immediate: bool = False) -> Huey:
    huey: Huey
    if immediate:
        huey = MemoryHuey("dataasset", immediate=True)
    elif settings.redis_url:
        huey = RedisHuey("dataasset", url=settings.redis_url)
    else:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("dataasset", filename=str(settings.var_dir / "jobs.db"))
    _state["wrappers"] = {name: huey.task(name=name)(fn) for name, fn in _TASKS.items()}
    for name, (fn, minutes) in _PERIODIC.items():
        huey.periodic_task(crontab(minute=f"*/{minutes}" if minutes > 1 else "*"), name=name)(fn)
    return huey


def configure(settings: Settings, factory: sessionmaker[Session], *, immediate: bool = False) -> Huey:
    """Set up the jobs of this process (the server, a worker, a test)."""
    huey = make_huey(settings, immediate=immediate)
    _state["huey"] = huey
    _state["context"] = JobContext(settings, factory)
    return huey


def context() -> JobContext:
    ctx = _state["context"]
    if ctx is None:
        raise RuntimeError("jobs.configure() was not called in this process")
    return ctx  # type: ignore[no-any-return]


def enqueue_now(name: str, *args: Any) -> None:
    """Queue a task at once (in immediate mode: run it now)."""
    huey: Huey | None = _state["huey"]
    if huey is None:
        raise RuntimeError("jobs.configure() was not called in this process")
    wrappers: dict[str, Any] = _state["wrappers"]
    if name not in wrappers:  # declared after configure() (a module imported later)
        wrappers[name] = huey.task(name=name)(_TASKS[name])
    wrappers[name](*args)


def enqueue_after_commit(session: Session, name: str, *args: Any) -> None:
    """Queue a task once the session's transaction commits (nothing if it rolls back)."""
    if name not in _TASKS:
        raise KeyError(f"unknown task {name!r}")
    pending: list[tuple[str, tuple[Any, ...]]] = session.info.setdefault(_PENDING, [])
    pending.append((name, args))
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for name, args in pending:
        enqueue_now(name, *args)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


class _ThreadConsumer(Consumer):  # type: ignore[misc]
    """A consumer that runs beside the web server: no signal handlers of its own (uvicorn's
    handle the signals; the server's shutdown stops this consumer)."""

    def _set_signal_handlers(self) -> None:
        return None


def start_consumer(workers: int = 2) -> Consumer:
    huey: Huey | None = _state["huey"]
    if huey is None:
        raise RuntimeError("jobs.configure() was not called in this process")
    consumer = _ThreadConsumer(huey, workers=workers, worker_type="thread", periodic=bool(_PERIODIC))
    consumer.start()
    return consumer


def run_consumer(workers: int = 2) -> None:
    """Run a consumer in the foreground until interrupted (``dataasset worker``)."""
    huey: Huey | None = _state["huey"]
    if huey is None:
        raise RuntimeError("jobs.configure() was not called in this process")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=bool(_PERIODIC)).run()


# periodic work a user schedules (定期清查, 定期检查): the choices and when the next run is due
SCHEDULE_STEPS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=30)}


def next_run(schedule: str, now: datetime) -> datetime | None:
    """When a schedule (none/daily/weekly/monthly) runs next after ``now``; None for none."""
    step = SCHEDULE_STEPS.get(schedule)
    return None if step is None else now + step
