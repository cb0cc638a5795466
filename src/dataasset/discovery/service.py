"""Use cases of discovery: data sources, scans as background jobs, results into the catalog.

A scan runs in three steps so that a failure half-way leaves the catalog as it was:
1. ``request_scan`` (the caller's transaction): a queued scan row, evidence, a job after commit;
2. ``run_scan`` (the job): the source is read and analysed outside any transaction; progress goes
   to the scan row in short transactions (exempt bookkeeping columns);
3. the results reach the catalog in one transaction with their evidence (``_store_results``); an
   error or a cancellation instead ends the scan row as failed or cancelled, and nothing else.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dataasset.catalog import service as catalog
from dataasset.catalog.enums import DataFormat, SecurityGrade
from dataasset.catalog.models import AssetCard
from dataasset.catalog.queries import get_card
from dataasset.catalog.schemas import AssetCardCreate, BasicInfo, ManagementIn
from dataasset.core import evidence, jobs, secrets
from dataasset.core.db import transaction, utcnow
from dataasset.core.errors import Conflict, Invalid, NotFound, TooLarge
from dataasset.core.identity import actor_or_system
from dataasset.core.permissions import Actor, readable_condition, require, require_write
from dataasset.discovery import detectors, grading, scanner
from dataasset.discovery.connectors import mask_url, open_source
from dataasset.discovery.models import DataSource, Scan, ScanColumn, ScanTable
from dataasset.discovery.schemas import DataSourceCreate, DataSourceUpdate, GradeOverride, ScanRequest
from dataasset.discovery.types import CANCELLED, DiscoveryError
from dataasset.settings import Settings

log = logging.getLogger(__name__)

SCAN_TASK = "discovery.scan"
SCHEDULE_TASK = "discovery.schedule"
_GRADE_ORDER = {g.value: i for i, g in enumerate(SecurityGrade)}  # unrated < general < important < core
_DB_SCHEMES = re.compile(r"^(postgresql|postgres|mysql)(\+\w+)?://", re.I)
_FILE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".parquet", ".jsonl", ".ndjson", ".db", ".sqlite"}
_PROGRESS_EVERY_S = 0.5
# called in the transaction that stores a succeeded scan (a domain above discovery, e.g. quality,
# registers here what follows a re-scan; discovery imports none of them)
AFTER_SCAN: list[Callable[[Session, Actor, Scan], None]] = []


# ---------------------------------------------------------------- data sources


def _source_state(source: DataSource) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "location": source.location,
        "industry": source.industry,
        "template": source.template,
        "sample_rows": source.sample_rows,
        "tables": source.tables,
        "schedule": source.schedule,
        "description": source.description,
        "deleted": source.deleted,
    }


def get_source(session: Session, actor: Actor, source_id: int) -> DataSource:
    require(actor, "discovery.read")
    source = session.scalars(
        select(DataSource).where(
            DataSource.id == source_id,
            DataSource.deleted.is_(False),
            readable_condition(actor, DataSource.organisation_id),
        )
    ).first()
    if source is None:
        raise NotFound("数据源不存在或无权查看", code="data_source_not_found")
    return source


def list_sources(session: Session, actor: Actor) -> list[DataSource]:
    require(actor, "discovery.read")
    stmt = (
        select(DataSource)
        .where(DataSource.deleted.is_(False), readable_condition(actor, DataSource.organisation_id))
        .order_by(DataSource.updated_at.desc())
        .limit(500)
    )
    return list(session.scalars(stmt))


def _check_db_url(url: str) -> str:
    if not _DB_SCHEMES.match(url.strip()):
        raise Invalid(
            "只能在此添加 PostgreSQL 或 MySQL 数据库（postgresql://… 或 mysql://…）；"
            "CSV、Excel、Parquet、JSON Lines 和 SQLite 文件请通过“上传文件”添加",
            code="unsupported_source",
        )
    return url.strip()


def _db_kind(url: str) -> str:
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return "postgresql" if scheme in {"postgres", "postgresql"} else scheme


def create_source(session: Session, actor: Actor, data: DataSourceCreate, settings: Settings) -> DataSource:
    """Add a database source; the URL (with its password) is stored encrypted only."""
    org = data.organisation_id if data.organisation_id is not None else actor.organisation_id
    if org is None:
        raise Invalid("请指定数据持有单位", code="organisation_required")
    require_write(actor, "discovery.manage", org)
    url = _check_db_url(data.url)
    now = utcnow()
    source = DataSource(
        organisation_id=org,
        name=data.name,
        kind=_db_kind(url),
        location=mask_url(url),
        secret=secrets.encrypt(settings.resolved_secret_key(), url),
        industry=data.industry.value,
        template=data.template,
        sample_rows=data.sample_rows,
        tables=list(data.tables),
        schedule=data.schedule,
        next_scan_at=jobs.next_run(data.schedule, now),
        description=data.description,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(source)
    session.flush()
    evidence.record_state(
        session, actor, "discovery.source.create", "discovery_source", source.id, _source_state(source)
    )
    return source


def upload_source(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    name: str,
    filename: str,
    content: BinaryIO,
    industry: str,
    template: str = "general",
    sample_rows: int | None = None,
    schedule: str = "none",
) -> DataSource:
    """Add a file source from an upload, streamed to ``var_dir/sources`` under a size limit. The file
    is sniffed before anything is recorded: an empty, binary or undecodable file is refused."""
    require(actor, "discovery.manage")
    if actor.organisation_id is None:
        raise Invalid("请以数据持有单位的用户上传", code="organisation_required")
    require_write(actor, "discovery.manage", actor.organisation_id)
    safe = Path(filename).name.replace("\x00", "")[:200] or "data"
    if Path(safe).suffix.lower() not in _FILE_SUFFIXES:
        raise Invalid(
            f"不支持的文件类型“{Path(safe).suffix or safe}”："
            "请上传 CSV、Excel（.xlsx）、Parquet、JSON Lines 或 SQLite 文件",
            code="unsupported_source",
        )
    folder = settings.var_dir / "sources" / str(actor.organisation_id) / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    try:
        size = _copy_limited(content, path, settings.max_scan_upload_bytes)
        connector = open_source(str(path), {"max_bytes": settings.max_scan_upload_bytes})
        try:
            kind = connector.name
            connector.tables()
        finally:
            connector.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    now = utcnow()
    source = DataSource(
        organisation_id=actor.organisation_id,
        name=name,
        kind=kind,
        location=safe,
        secret=secrets.encrypt(settings.resolved_secret_key(), str(path.resolve())),
        file_size=size,
        industry=industry,
        template=template,
        sample_rows=sample_rows,
        tables=[],
        schedule=schedule,
        next_scan_at=jobs.next_run(schedule, now),
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(source)
    session.flush()
    state = _source_state(source) | {"file_sha256": _sha256(path), "size": size}
    evidence.record_state(session, actor, "discovery.source.upload", "discovery_source", source.id, state)
    return source


def _copy_limited(content: BinaryIO, path: Path, limit: int) -> int:
    size = 0
    with path.open("wb") as out:
        while chunk := content.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge(
                    f"文件超过 {_size_text(limit)} 的上限：请拆分后上传，或导入数据库后以数据库方式添加",
                    code="too_large",
                )
            out.write(chunk)
    return size


def _size_text(size: int) -> str:
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def update_source(
    session: Session, actor: Actor, source_id: int, data: DataSourceUpdate, settings: Settings
) -> DataSource:
    source = get_source(session, actor, source_id)
    require_write(actor, "discovery.manage", source.organisation_id)
    before = _source_state(source)
    patch = data.model_dump(exclude_unset=True)
    if "url" in patch and patch["url"] is not None:
        if source.kind not in {"postgresql", "mysql"}:
            raise Invalid("文件数据源没有连接地址；请重新上传文件", code="not_a_database")
        url = _check_db_url(patch.pop("url"))
        source.location = mask_url(url)
        source.secret = secrets.encrypt(settings.resolved_secret_key(), url)
        changed_secret = True
    else:
        patch.pop("url", None)
        changed_secret = False
    for key, value in patch.items():
        if value is not None or key == "sample_rows":
            setattr(source, key, value.value if hasattr(value, "value") else value)
    if "schedule" in patch:
        source.next_scan_at = jobs.next_run(source.schedule, utcnow())
    if _source_state(source) == before and not changed_secret:
        return source
    source.updated_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "discovery.source.update", "discovery_source", source.id, _source_state(source)
    )
    return source


def delete_source(session: Session, actor: Actor, source_id: int) -> None:
    """Remove a source (its scans and the cards they filled stay; an uploaded file is deleted)."""
    source = get_source(session, actor, source_id)
    require_write(actor, "discovery.manage", source.organisation_id)
    running = session.scalar(
        select(func.count()).where(Scan.source_id == source.id, Scan.status.in_(("queued", "running")))
    )
    if running:
        raise Conflict("该数据源有正在进行的扫描，请先取消", code="scan_in_progress")
    source.deleted = True
    source.schedule = "none"
    source.next_scan_at = None
    source.updated_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "discovery.source.delete", "discovery_source", source.id, _source_state(source)
    )


def check_source(
    session: Session, actor: Actor, source_id: int, settings: Settings
) -> tuple[bool, list[str], str, str]:
    """Connect and list the tables: ``(ok, tables, code, message)``."""
    source = get_source(session, actor, source_id)
    require_write(actor, "discovery.manage", source.organisation_id)
    target = secrets.decrypt(settings.resolved_secret_key(), source.secret)
    try:
        connector = open_source(target, {"max_bytes": settings.max_scan_upload_bytes})
        try:
            connector.test()
            names = [t.name for t in connector.tables()]
        finally:
            connector.close()
    except DiscoveryError as exc:
        return False, [], exc.code, exc.message
    return True, names, "", ""


# ---------------------------------------------------------------- scans


def request_scan(
    session: Session, actor: Actor, source_id: int, req: ScanRequest | None = None, *, trigger: str = "manual"
) -> Scan:
    source = get_source(session, actor, source_id)
    require_write(actor, "discovery.manage", source.organisation_id)
    busy = session.scalar(
        select(func.count()).where(Scan.source_id == source.id, Scan.status.in_(("queued", "running")))
    )
    if busy:
        raise Conflict("该数据源已有扫描在进行，请等它结束或取消后再试", code="scan_in_progress")
    req = req or ScanRequest()
    template = req.template or source.template
    grading.load_template(template)  # a broken override fails here, not in the job
    scan = Scan(
        source_id=source.id,
        organisation_id=source.organisation_id,
        status="queued",
        trigger=trigger,
        template=template,
        sample_rows=req.sample_rows if req.sample_rows is not None else source.sample_rows,
        summary={"tables": list(req.tables) if req.tables is not None else list(source.tables)},
        requested_by_user_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(scan)
    session.flush()
    source.last_scan_id = scan.id
    evidence.record_state(
        session, actor, "discovery.scan.request", "discovery_scan", scan.id, _scan_state(scan)
    )
    jobs.enqueue_after_commit(session, SCAN_TASK, scan.id)
    return scan


def _scan_state(scan: Scan) -> dict[str, Any]:
    return {
        "source": scan.source_id,
        "status": scan.status,
        "template": scan.template,
        "sample_rows": scan.sample_rows,
        "error_code": scan.error_code,
        "summary": scan.summary,
    }


def _scan_visible(actor: Actor) -> Any:
    return readable_condition(actor, Scan.organisation_id)


def get_scan(session: Session, actor: Actor, scan_id: int) -> Scan:
    require(actor, "discovery.read")
    scan = session.scalars(select(Scan).where(Scan.id == scan_id, _scan_visible(actor))).first()
    if scan is None:
        raise NotFound("扫描记录不存在或无权查看", code="scan_not_found")
    return scan


def list_scans(session: Session, actor: Actor, source_id: int | None = None, limit: int = 100) -> list[Scan]:
    require(actor, "discovery.read")
    stmt = select(Scan).where(_scan_visible(actor))
    if source_id is not None:
        stmt = stmt.where(Scan.source_id == source_id)
    return list(session.scalars(stmt.order_by(Scan.id.desc()).limit(limit)))


def scan_tables(session: Session, scan: Scan) -> list[ScanTable]:
    return list(session.scalars(select(ScanTable).where(ScanTable.scan_id == scan.id).order_by(ScanTable.id)))


def get_scan_table(session: Session, actor: Actor, table_id: int) -> ScanTable:
    require(actor, "discovery.read")
    table = session.scalars(
        select(ScanTable).where(
            ScanTable.id == table_id, readable_condition(actor, ScanTable.organisation_id)
        )
    ).first()
    if table is None:
        raise NotFound("扫描结果不存在或无权查看", code="scan_table_not_found")
    return table


def latest_table_for_card(session: Session, actor: Actor, card_id: int) -> ScanTable | None:
    """What the last scan found in the table behind an asset card (None: not from discovery)."""
    require(actor, "discovery.read")
    get_card(session, actor, card_id)  # another organisation's card is missing, not empty
    return session.scalars(
        select(ScanTable)
        .where(ScanTable.card_id == card_id, readable_condition(actor, ScanTable.organisation_id))
        .order_by(ScanTable.id.desc())
        .limit(1)
    ).first()


def cancel_scan(session: Session, actor: Actor, scan_id: int) -> Scan:
    scan = get_scan(session, actor, scan_id)
    require_write(actor, "discovery.manage", scan.organisation_id)
    if scan.status not in ("queued", "running"):
        raise Conflict("扫描已结束，无法取消", code="scan_finished")
    scan.cancel_requested = True
    if scan.status == "queued":
        scan.status = "cancelled"
        scan.error_code = CANCELLED
        scan.error_message = "扫描在开始前被取消"
        scan.finished_at = utcnow()
    session.flush()
    evidence.record_state(
        session, actor, "discovery.scan.cancel", "discovery_scan", scan.id, _scan_state(scan)
    )
    return scan


class _Progress:
    """Writes a running scan's progress and reads its cancel flag, at most every half second."""

    def __init__(self, factory: sessionmaker[Session], scan_id: int) -> None:
        self.factory, self.scan_id = factory, scan_id
        self.rows_done = 0  # rows of finished tables
        self.rows = 0
        self.tables_done = 0
        self.table = ""
        self.last_write = 0.0
        self.last_check = 0.0
        self.cancel = False

    def write(self, force: bool = False, **extra: Any) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < _PROGRESS_EVERY_S:
            return
        self.last_write = now
        with transaction(self.factory) as session:
            scan = session.get(Scan, self.scan_id)
            if scan is None:
                return
            scan.rows_scanned = self.rows_done + self.rows
            scan.tables_done = self.tables_done
            scan.current_table = self.table[:200]
            scan.heartbeat_at = utcnow()
            for key, value in extra.items():
                setattr(scan, key, value)

    def cancelled(self) -> bool:
        now = time.monotonic()
        if now - self.last_check >= _PROGRESS_EVERY_S:
            self.last_check = now
            with transaction(self.factory) as session:
                self.cancel = bool(
                    session.scalar(select(Scan.cancel_requested).where(Scan.id == self.scan_id))
                )
        return self.cancel

    def callbacks(self) -> scanner.ScanProgress:
        def on_tables(refs: list[Any]) -> None:
            known = [r.rows_estimate for r in refs]
            total = sum(r for r in known if r is not None) if all(r is not None for r in known) else None
            self.write(True, tables_total=len(refs), rows_total=total)

        def on_table_start(name: str, _estimate: int | None) -> None:
            self.table, self.rows = name, 0
            self.write(True)

        def on_rows(rows: int) -> None:
            self.rows = rows
            self.write()

        def on_table_done(result: scanner.TableResult) -> None:
            self.rows_done += result.profile.rows
            self.rows = 0
            self.tables_done += 1
            self.write(True)

        return scanner.ScanProgress(on_tables, on_table_start, on_rows, on_table_done, self.cancelled)


def _job_actor(session: Session, scan: Scan) -> Actor:
    return actor_or_system(session, scan.requested_by_user_id, "discovery")


def run_scan(factory: sessionmaker[Session], settings: Settings, scan_id: int) -> str:
    """The background job: scan, then store in one transaction; returns the final status."""
    with transaction(factory) as session:
        scan = session.get(Scan, scan_id)
        if scan is None or scan.status != "queued":
            return scan.status if scan is not None else "missing"
        actor = _job_actor(session, scan)
        scan.status = "running"
        scan.started_at = utcnow()
        scan.heartbeat_at = scan.started_at
        evidence.record_state(
            session, actor, "discovery.scan.start", "discovery_scan", scan.id, _scan_state(scan)
        )
        source = scan.source
        target = secrets.decrypt(settings.resolved_secret_key(), source.secret)
        wanted = list(scan.summary.get("tables") or [])
        template, sample = scan.template, scan.sample_rows
    progress = _Progress(factory, scan_id)
    started = time.monotonic()
    try:
        results = scanner.scan(
            target,
            tables=wanted,
            template=template,
            sample=sample,
            options={
                "max_bytes": settings.max_scan_upload_bytes,
                "memory_limit": settings.scan_memory_limit,
                "engine": settings.scan_engine,
            },
            progress=progress.callbacks(),
        )
        if progress.cancelled():
            raise DiscoveryError("扫描已按要求取消，数据目录未作改动", code=CANCELLED)
    except DiscoveryError as exc:
        return _finish_failed(factory, scan_id, exc.code, exc.message)
    except Exception:
        log.exception("scan %s failed", scan_id)
        return _finish_failed(
            factory, scan_id, "internal", "扫描时发生内部错误，数据目录未作改动。请联系平台管理员查看日志"
        )
    try:
        with transaction(factory) as session:
            scan = session.get(Scan, scan_id)
            assert scan is not None
            actor = _job_actor(session, scan)
            _store_results(session, actor, scan, results, time.monotonic() - started)
    except Exception:
        log.exception("storing scan %s failed", scan_id)
        return _finish_failed(
            factory,
            scan_id,
            "store_failed",
            "保存扫描结果时出错，数据目录未作改动。请稍后重试或联系平台管理员",
        )
    return "succeeded"


def _finish_failed(factory: sessionmaker[Session], scan_id: int, code: str, message: str) -> str:
    with transaction(factory) as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            return "missing"
        actor = _job_actor(session, scan)
        scan.status = "cancelled" if code == CANCELLED else "failed"
        scan.error_code = code
        scan.error_message = message
        scan.finished_at = utcnow()
        evidence.record_state(
            session, actor, f"discovery.scan.{scan.status}", "discovery_scan", scan.id, _scan_state(scan)
        )
        return scan.status


def _effective(column: ScanColumn) -> tuple[str, int]:
    if column.override_grade is not None and column.override_level is not None:
        return column.override_grade, column.override_level
    return column.grade, column.level


def _max_grade(pairs: Sequence[tuple[str, int]]) -> tuple[str, int]:
    return max(pairs, key=lambda p: (_GRADE_ORDER.get(p[0], 0), p[1]))


def _previous_table(session: Session, source_id: int, name: str, before_scan: int) -> ScanTable | None:
    return session.scalars(
        select(ScanTable)
        .join(Scan, Scan.id == ScanTable.scan_id)
        .where(
            ScanTable.source_id == source_id,
            ScanTable.name == name,
            Scan.status == "succeeded",
            Scan.id < before_scan,
        )
        .order_by(ScanTable.id.desc())
        .limit(1)
    ).first()


def drift(previous: ScanTable | None, result: scanner.TableResult) -> list[dict[str, Any]]:
    """What changed since the previous scan of the same table (清查 对比)."""
    if previous is None:
        return []
    flags: list[dict[str, Any]] = []
    before = {c.name: c for c in previous.columns}
    after = {c.profile.name: c for c in result.columns}
    added = [n for n in after if n not in before]
    removed = [n for n in before if n not in after]
    retyped = [
        f"{n}（{before[n].type}→{after[n].profile.type}）"
        for n in after
        if n in before and before[n].type != after[n].profile.type
    ]
    if added or removed or retyped:
        parts = []
        if added:
            parts.append("新增列 " + "、".join(added))
        if removed:
            parts.append("删除列 " + "、".join(removed))
        if retyped:
            parts.append("类型变化 " + "、".join(retyped))
        flags.append(
            {
                "code": "schema_drift",
                "message": "表结构变化：" + "；".join(parts),
                "added": added,
                "removed": removed,
                "retyped": retyped,
            }
        )
    rows_before, rows_after = previous.rows, result.profile.rows
    if rows_before != rows_after:
        change = (rows_after - rows_before) / rows_before * 100 if rows_before else 100.0
        flags.append(
            {
                "code": "row_drop" if rows_after < rows_before else "row_growth",
                "message": f"行数 {rows_before:,} → {rows_after:,}（{change:+.1f}%）",
                "before": rows_before,
                "after": rows_after,
            }
        )
    new_sensitive = [
        f"{n}（{detectors.label(c.detection.type_code)}）"
        for n, c in after.items()
        if c.detection.type_code and (n not in before or before[n].sensitive_type != c.detection.type_code)
    ]
    vanished = [
        f"{n}（{detectors.label(c.sensitive_type)}）"
        for n, c in before.items()
        if c.sensitive_type and (n not in after or after[n].detection.type_code != c.sensitive_type)
    ]
    if new_sensitive:
        flags.append({"code": "new_sensitive", "message": "新出现敏感列：" + "、".join(new_sensitive)})
    if vanished:
        flags.append(
            {"code": "vanished_sensitive", "message": "敏感列消失或类型改变：" + "、".join(vanished)}
        )
    return flags


_ALERT_CODES = {"schema_drift", "row_drop", "new_sensitive", "vanished_sensitive"}


def _store_results(
    session: Session, actor: Actor, scan: Scan, results: Sequence[scanner.TableResult], seconds: float
) -> None:
    source = scan.source
    now = utcnow()
    summary: dict[str, Any] = {"tables": scan.summary.get("tables", []), "results": []}
    for result in results:
        previous = _previous_table(session, source.id, result.name, scan.id)
        flags = drift(previous, result)
        table = ScanTable(
            scan_id=scan.id,
            source_id=source.id,
            organisation_id=source.organisation_id,
            name=result.name[:200],
            rows=result.profile.rows,
            bytes=result.profile.bytes,
            sampled=result.profile.sampled,
            duplicate_rows=result.profile.duplicate_rows,
            candidate_keys=list(result.profile.candidate_keys),
            grade=result.grade.grade,
            level=result.grade.level,
            level_label=result.grade.level_label,
            rule=result.grade.rule,
            reason=result.grade.reason,
            drift=flags,
            warnings=list(result.warnings),
        )
        session.add(table)
        session.flush()
        overrides = {c.name: c for c in previous.columns if c.override_grade} if previous else {}
        for position, col in enumerate(result.columns):
            column = ScanColumn(
                table_id=table.id,
                position=position,
                name=col.profile.name[:200],
                type=col.profile.type,
                source_type=col.profile.source_type[:64],
                nulls=col.profile.nulls,
                distinct=col.profile.distinct,
                sensitive_type=col.detection.type_code,
                confidence=col.detection.confidence,
                explanation=col.detection.explanation,
                grade=col.grade.grade,
                level=col.grade.level,
                level_label=col.grade.level_label,
                rule=col.grade.rule,
                reason=col.grade.reason,
                profile=_profile_json(col.profile),
            )
            kept = overrides.get(column.name)
            if kept is not None:  # a person decided this column's grade: a re-scan keeps the decision
                column.override_grade, column.override_level = kept.override_grade, kept.override_level
                column.override_reason = kept.override_reason
                column.overridden_by_user_id, column.overridden_at = (
                    kept.overridden_by_user_id,
                    kept.overridden_at,
                )
            session.add(column)
        session.flush()
        session.refresh(table, ["columns"])
        grade, level = _table_grade(table)
        card_id = previous.card_id if previous is not None else None
        card = session.get(AssetCard, card_id) if card_id is not None else None
        alerts = [
            {
                "code": f["code"],
                "message": f["message"],
                "since": now.isoformat(),
                "source": f"discovery.scan:{scan.id}",
            }
            for f in flags
            if f["code"] in _ALERT_CODES
        ]
        if card is None or card.disposed_at is not None:
            card = catalog.create_card(
                session,
                actor,
                AssetCardCreate(
                    organisation_id=source.organisation_id,
                    basic=BasicInfo(
                        name=_card_name(source.name, result.name),
                        description=f"由数据源“{source.name}”（{source.location}）清查发现的表 {result.name}",
                        industry=source.industry,
                        source_systems=[source.name[:100]],
                        data_format=DataFormat.STRUCTURED,
                        volume_rows=result.profile.rows,
                        volume_bytes=result.profile.bytes,
                    ),
                    management=ManagementIn(security_grade=SecurityGrade(grade), security_level=level),
                ),
                action="discover",
            )
        else:
            catalog.record_figures(
                session,
                actor,
                card.id,
                security_grade=SecurityGrade(grade),
                security_level=level,
                volume_rows=result.profile.rows,
                volume_bytes=result.profile.bytes,
                alerts=[
                    a for a in (card.alerts or []) if not str(a.get("source", "")).startswith("discovery")
                ]
                + alerts,
            )
        table.card_id = card.id
        summary["results"].append(
            {
                "table": result.name,
                "rows": result.profile.rows,
                "grade": grade,
                "level": level,
                "card": card.id,
                "sensitive": sum(1 for c in result.columns if c.detection.type_code),
                "drift": [f["code"] for f in flags],
            }
        )
    scan.status = "succeeded"
    scan.finished_at = now
    scan.tables_done = len(results)
    scan.rows_scanned = sum(r.profile.rows for r in results)
    scan.current_table = ""
    summary["seconds"] = round(seconds, 3)
    scan.summary = summary
    session.flush()
    evidence.record_state(
        session, actor, "discovery.scan.succeeded", "discovery_scan", scan.id, _scan_state(scan)
    )
    for hook in AFTER_SCAN:
        hook(session, actor, scan)


def _card_name(source: str, table: str) -> str:
    name = table if table.strip() and source in {table} else f"{source}·{table}"
    return (name if len(name) >= 2 else f"{name}表")[:200]


def _table_grade(table: ScanTable) -> tuple[str, int]:
    return _max_grade([(table.grade, table.level), *(_effective(c) for c in table.columns)])


def _profile_json(profile: Any) -> dict[str, Any]:
    keep = (
        "min",
        "max",
        "mean",
        "stddev",
        "quantiles",
        "length_min",
        "length_max",
        "length_mean",
        "top_values",
        "patterns",
        "distinct_exact",
        "rows",
    )
    out: dict[str, Any] = {}
    for key in keep:
        value = getattr(profile, key, None)
        if isinstance(value, list):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[key] = value
    return out


def override_column(session: Session, actor: Actor, column_id: int, data: GradeOverride) -> ScanColumn:
    """A person sets a column's grade with a reason (人工调整); the card's grade follows."""
    column = session.get(ScanColumn, column_id)
    table = get_scan_table(session, actor, column.table_id) if column is not None else None
    if column is None or table is None:
        raise NotFound("列不存在或无权查看", code="scan_column_not_found")
    require_write(actor, "discovery.manage", table.organisation_id)
    column.override_grade = data.grade.value
    column.override_level = data.level
    column.override_reason = data.reason
    column.overridden_by_user_id = actor.user_id
    column.overridden_at = utcnow()
    session.flush()
    evidence.record_state(
        session,
        actor,
        "discovery.column.override",
        "discovery_column",
        column.id,
        {
            "table": table.id,
            "column": column.name,
            "detected": [column.grade, column.level],
            "override": [column.override_grade, column.override_level],
            "reason": column.override_reason,
        },
    )
    latest = session.scalar(select(func.max(ScanTable.id)).where(ScanTable.card_id == table.card_id))
    if table.card_id is not None and latest == table.id:
        grade, level = _table_grade(table)
        catalog.record_figures(
            session, actor, table.card_id, security_grade=SecurityGrade(grade), security_level=level
        )
    return column


# ---------------------------------------------------------------- schedules and jobs


def schedule_due(session: Session, now: datetime | None = None) -> list[int]:
    """Queue a scan for every source whose periodic re-scan (定期清查) is due; returns the scan ids."""
    now = now or utcnow()
    due = session.scalars(
        select(DataSource).where(
            DataSource.deleted.is_(False), DataSource.schedule != "none", DataSource.next_scan_at <= now
        )
    ).all()
    started = []
    actor = Actor.system("discovery.schedule")
    for source in due:
        source.next_scan_at = jobs.next_run(source.schedule, now)
        try:
            with session.begin_nested():
                started.append(request_scan(session, actor, source.id, trigger="schedule").id)
        except Conflict:
            continue
    return started


@contextmanager
def _job_session() -> Iterator[tuple[sessionmaker[Session], Settings]]:
    ctx = jobs.context()
    yield ctx.factory, ctx.settings


@jobs.task(SCAN_TASK)
def scan_job(scan_id: int) -> str:
    with _job_session() as (factory, settings):
        return run_scan(factory, settings, scan_id)


@jobs.periodic(SCHEDULE_TASK, minutes=1)
def schedule_job() -> None:
    with _job_session() as (factory, _settings), transaction(factory) as session:
        schedule_due(session)


def remaining_seconds(scan: Scan) -> float | None:
    """A rough estimate of the time left, from the rows per second so far."""
    if scan.status != "running" or not scan.started_at or not scan.rows_total or not scan.rows_scanned:
        return None
    elapsed = (utcnow() - scan.started_at).total_seconds()
    rate = scan.rows_scanned / elapsed if elapsed > 0 else 0
    return max(0.0, (scan.rows_total - scan.rows_scanned) / rate) if rate else None
