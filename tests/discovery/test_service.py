"""Discovery service on a real database (SQLite and PostgreSQL): sources, scans as jobs, results in
the catalog, re-scan drift, overrides, failures and cancellation that leave the catalog as it was."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from dataasset.catalog.models import AssetCard
from dataasset.core import evidence, secrets
from dataasset.core.db import transaction, utcnow
from dataasset.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from dataasset.core.models import EvidenceEntry
from dataasset.discovery import service
from dataasset.discovery.models import DataSource, Scan, ScanColumn, ScanTable
from dataasset.discovery.schemas import DataSourceCreate, DataSourceUpdate, GradeOverride
from dataasset.discovery.types import DiscoveryError
from tests.conftest import require_pg, scratch_pg_database
from tests.discovery.platform import Platform, platform_fixture  # noqa: F401
from tests.discovery.sample_data import customer_rows, write_csv, write_xlsx

EXPECTED = {
    "姓名": "cn_person_name",
    "身份证号": "cn_resident_id",
    "手机号": "cn_mobile",
    "住址": "cn_address",
    "订单号": None,
    "手机型号": None,
    "用电量": None,
    "客户编号": None,
}


def _upload(p: Platform, username: str, path: Path, name: str = "客户档案") -> int:
    actor = p.actor(username)
    with transaction(p.factory) as session, path.open("rb") as handle:
        source = service.upload_source(
            session, actor, p.settings, name=name, filename=path.name, content=handle, industry="D"
        )
        return source.id


def _scan(p: Platform, username: str, source_id: int) -> tuple[int, str]:
    actor = p.actor(username)
    with transaction(p.factory) as session:
        scan_id = service.request_scan(session, actor, source_id).id
    return scan_id, service.run_scan(p.factory, p.settings, scan_id)


def _cards(p: Platform) -> int:
    with transaction(p.factory) as session:
        return int(session.scalar(select(func.count()).select_from(AssetCard)) or 0)


def _columns(p: Platform, scan_id: int) -> dict[str, ScanColumn]:
    with transaction(p.factory) as session:
        tables = session.scalars(select(ScanTable).where(ScanTable.scan_id == scan_id)).all()
        assert len(tables) == 1
        return {c.name: c for c in tables[0].columns}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_scan_fills_the_catalog(platform: Platform, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / f"客户_{encoding}.csv", customer_rows(400), encoding)
    before = _cards(platform)
    source_id = _upload(platform, "xn_admin", path)
    scan_id, status = _scan(platform, "xn_admin", source_id)
    assert status == "succeeded"
    columns = _columns(platform, scan_id)
    assert {n: c.sensitive_type for n, c in columns.items() if n in EXPECTED} == EXPECTED
    assert "校验" in columns["身份证号"].explanation or "%" in columns["身份证号"].explanation
    top = columns["手机号"].profile["top_values"]
    assert all("*" in str(v[0]) for v in top), "top values of a sensitive column are masked"
    assert _cards(platform) == before + 1
    with transaction(platform.factory) as session:
        table = session.scalars(select(ScanTable).where(ScanTable.scan_id == scan_id)).one()
        card = session.get(AssetCard, table.card_id)
        assert card is not None and card.volume_rows == 400
        assert card.security_grade in ("general", "important") and card.security_level is not None
        assert table.rows == 400 and "客户编号" in table.candidate_keys
        scan = session.get(Scan, scan_id)
        assert scan is not None and scan.rows_scanned == 400 and scan.finished_at is not None
        actions = session.scalars(
            select(EvidenceEntry.action).where(
                EvidenceEntry.subject_type == "discovery_scan", EvidenceEntry.subject_id == str(scan_id)
            )
        ).all()
        assert list(actions) == ["discovery.scan.request", "discovery.scan.start", "discovery.scan.succeeded"]


def test_excel_every_sheet_is_a_table(platform: Platform, tmp_path: Path) -> None:
    rows = customer_rows(50)
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        {"客户": rows, "设备": [{"设备编号": f"SB{i}", "型号": "X1"} for i in range(30)]},
    )
    source_id = _upload(platform, "xn_admin", path, "台账")
    scan_id, status = _scan(platform, "xn_admin", source_id)
    assert status == "succeeded"
    with transaction(platform.factory) as session:
        names = set(session.scalars(select(ScanTable.name).where(ScanTable.scan_id == scan_id)))
    assert names == {"客户", "设备"}


def test_rescan_flags_drift_on_the_card(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "drift.csv", customer_rows(200))
    source_id = _upload(platform, "xn_admin", path, "漂移测试")
    first, status = _scan(platform, "xn_admin", source_id)
    assert status == "succeeded"
    # the file at the source changes: a column goes, an e-mail column comes, rows drop
    with transaction(platform.factory) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        stored = Path(secrets.decrypt(platform.settings.resolved_secret_key(), source.secret))
    rows = [
        {**{k: v for k, v in r.items() if k != "手机号"}, "邮箱": f"user{i}@example.com"}
        for i, r in enumerate(customer_rows(150))
    ]
    write_csv(stored, rows)
    second, status = _scan(platform, "xn_admin", source_id)
    assert status == "succeeded"
    with transaction(platform.factory) as session:
        t1 = session.scalars(select(ScanTable).where(ScanTable.scan_id == first)).one()
        t2 = session.scalars(select(ScanTable).where(ScanTable.scan_id == second)).one()
        assert t1.card_id == t2.card_id, "a re-scan updates the same card"
        codes = {f["code"] for f in t2.drift}
        assert {"schema_drift", "row_drop", "new_sensitive", "vanished_sensitive"} <= codes
        card = session.get(AssetCard, t2.card_id)
        assert card is not None and card.volume_rows == 150
        assert {a["code"] for a in card.alerts} >= {"schema_drift", "new_sensitive"}


def test_override_is_evidence_and_survives_a_rescan(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "override.csv", customer_rows(100))
    source_id = _upload(platform, "xn_admin", path, "人工调整")
    scan_id, _ = _scan(platform, "xn_admin", source_id)
    column_id = _columns(platform, scan_id)["用电量"].id
    actor = platform.actor("xn_admin")
    with transaction(platform.factory) as session:
        with pytest.raises(Exception):  # noqa: B017  (pydantic: a reason is required)
            GradeOverride(grade="important", level=4, reason="")  # type: ignore[arg-type]
        service.override_column(
            session,
            actor,
            column_id,
            GradeOverride(grade="important", level=4, reason="用电量可推断生产经营状况"),  # type: ignore[arg-type]
        )
    with transaction(platform.factory) as session:
        table = session.scalars(select(ScanTable).where(ScanTable.scan_id == scan_id)).one()
        card = session.get(AssetCard, table.card_id)
        assert card is not None and card.security_grade == "important"
        entry = session.scalars(
            select(EvidenceEntry).where(
                EvidenceEntry.action == "discovery.column.override",
                EvidenceEntry.subject_id == str(column_id),
            )
        ).one()
        assert entry.actor_user_id == actor.user_id
    rescan, _ = _scan(platform, "xn_admin", source_id)
    kept = _columns(platform, rescan)["用电量"]
    assert (kept.override_grade, kept.override_level) == ("important", 4)


def test_other_organisations_cannot_touch_a_source(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tenant.csv", customer_rows(20))
    source_id = _upload(platform, "xn_admin", path, "租户隔离")
    outsider = platform.actor("xy_admin")  # another group's data administrator
    with transaction(platform.factory) as session:
        with pytest.raises(NotFound):
            service.request_scan(session, outsider, source_id)
        assert source_id not in {s.id for s in service.list_sources(session, outsider)}
    with transaction(platform.factory) as session, pytest.raises(Forbidden):
        service.request_scan(session, platform.actor("sjj"), source_id)  # a regulator reads only
    with transaction(platform.factory) as session:
        assert source_id in {s.id for s in service.list_sources(session, platform.actor("sjj"))}


def test_a_failed_scan_changes_nothing(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "broken.csv", customer_rows(50))
    source_id = _upload(platform, "xn_admin", path, "损坏文件")
    with transaction(platform.factory) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        stored = Path(secrets.decrypt(platform.settings.resolved_secret_key(), source.secret))
    stored.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)  # now a binary file posing as CSV
    before = _cards(platform)
    scan_id, status = _scan(platform, "xn_admin", source_id)
    assert status == "failed"
    with transaction(platform.factory) as session:
        scan = session.get(Scan, scan_id)
        assert scan is not None and scan.error_code and scan.error_message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in scan.error_message), "a Chinese message"
        assert session.scalar(select(func.count()).where(ScanTable.scan_id == scan_id)) == 0
    assert _cards(platform) == before


def test_cancel_before_and_during_a_scan(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cancel.csv", customer_rows(300))
    source_id = _upload(platform, "xn_admin", path, "取消测试")
    actor = platform.actor("xn_admin")
    with transaction(platform.factory) as session:
        scan_id = service.request_scan(session, actor, source_id).id
    with transaction(platform.factory) as session:
        with pytest.raises(Conflict):
            service.request_scan(session, actor, source_id)  # one scan at a time per source
        service.cancel_scan(session, actor, scan_id)
    assert service.run_scan(platform.factory, platform.settings, scan_id) == "cancelled"
    # during: the flag is set while the scan is queued but not through cancel_scan, so the job
    # starts and finds it at its first check
    before = _cards(platform)
    with transaction(platform.factory) as session:
        scan_id = service.request_scan(session, actor, source_id).id
    with platform.engine.begin() as conn:
        conn.execute(update(Scan).where(Scan.id == scan_id).values(cancel_requested=True))
    assert service.run_scan(platform.factory, platform.settings, scan_id) == "cancelled"
    assert _cards(platform) == before


def test_upload_limits_and_bad_files(platform: Platform, tmp_path: Path) -> None:
    actor = platform.actor("xn_admin")
    with transaction(platform.factory) as session:
        count = session.scalar(select(func.count()).select_from(DataSource))
    big = io.BytesIO(b"a,b\n" + b"1,2\n" * (3 * 1024 * 1024))  # 12 MB against an 8 MB limit
    with transaction(platform.factory) as session, pytest.raises(TooLarge):
        service.upload_source(
            session, actor, platform.settings, name="太大", filename="big.csv", content=big, industry="D"
        )
    for name, content, code in (
        ("empty.csv", b"", "empty_file"),
        ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "not_text"),
    ):
        with transaction(platform.factory) as session, pytest.raises(DiscoveryError) as info:
            service.upload_source(
                session,
                actor,
                platform.settings,
                name="坏文件",
                filename=name,
                content=io.BytesIO(content),
                industry="D",
            )
        assert info.value.code == code, (name, info.value.code)
    with transaction(platform.factory) as session, pytest.raises(Invalid):
        service.upload_source(
            session,
            actor,
            platform.settings,
            name="程序",
            filename="x.exe",
            content=io.BytesIO(b"MZ"),
            industry="D",
        )
    with transaction(platform.factory) as session:
        assert session.scalar(select(func.count()).select_from(DataSource)) == count
    leftovers = [p for p in (platform.settings.var_dir / "sources").rglob("*") if p.is_file()]
    assert all(p.stat().st_size < 8 * 1024 * 1024 for p in leftovers), "refused uploads leave no file"


def test_database_source_keeps_its_password_secret(platform: Platform) -> None:
    actor = platform.actor("xn_admin")
    url = "postgresql://reader:S3cret-pw@127.0.0.1:1/nowhere"
    with transaction(platform.factory) as session:
        source = service.create_source(
            session,
            actor,
            DataSourceCreate(name="营销库", url=url, industry="D"),
            platform.settings,  # type: ignore[arg-type]
        )
        assert "S3cret-pw" not in source.location and "S3cret-pw" not in source.secret
        ok, _tables, code, message = service.check_source(session, actor, source.id, platform.settings)
        assert not ok and code == "unreachable" and "S3cret-pw" not in message
        with pytest.raises(Invalid):
            service.create_source(
                session,
                actor,
                DataSourceCreate(name="本地文件", url="sqlite:////etc/passwd", industry="D"),  # type: ignore[arg-type]
                platform.settings,
            )
        rows = session.execute(text("SELECT location, secret FROM discovery_data_source")).all()
        assert all("S3cret-pw" not in (a + b) for a, b in rows)


def test_schedule_queues_due_rescans(platform: Platform, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "schedule.csv", customer_rows(10))
    source_id = _upload(platform, "xn_admin", path, "定期清查")
    with transaction(platform.factory) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        source.schedule, source.next_scan_at = "daily", utcnow()
        evidence.record_state(
            session, platform.actor("xn_admin"), "discovery.source.update", "discovery_source", source_id, {}
        )
    with transaction(platform.factory) as session:
        started = service.schedule_due(session)
    with transaction(platform.factory) as session:
        scans = session.scalars(select(Scan).where(Scan.id.in_(started), Scan.source_id == source_id)).all()
        assert len(scans) == 1 and scans[0].trigger == "schedule"
        nxt = session.get(DataSource, source_id).next_scan_at  # type: ignore[union-attr]
        assert nxt is not None and nxt > utcnow()
    assert service.run_scan(platform.factory, platform.settings, scans[0].id) == "succeeded"


def test_postgresql_database_source_end_to_end(platform: Platform) -> None:
    require_pg()
    rows = customer_rows(120)
    with scratch_pg_database("source") as url:
        from sqlalchemy import create_engine

        eng = create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if url.startswith("postgresql://")
            else url
        )
        with eng.begin() as conn:
            conn.execute(
                text('CREATE TABLE customer ("姓名" text, "身份证号" text, "手机号" text, "用电量" numeric)')
            )
            conn.execute(text("COMMENT ON COLUMN customer.\"手机号\" IS '客户手机'"))
            conn.execute(
                text("INSERT INTO customer VALUES (:a, :b, :c, :d)"),
                [{"a": r["姓名"], "b": r["身份证号"], "c": r["手机号"], "d": r["用电量"]} for r in rows],
            )
        eng.dispose()
        actor = platform.actor("xn_admin")
        with transaction(platform.factory) as session:
            source = service.create_source(
                session,
                actor,
                DataSourceCreate(name="营销系统库", url=url, industry="D"),
                platform.settings,  # type: ignore[arg-type]
            )
            ok, tables, _code, _message = service.check_source(session, actor, source.id, platform.settings)
            assert ok and "customer" in " ".join(tables)
            source_id = source.id
        scan_id, status = _scan(platform, "xn_admin", source_id)
        assert status == "succeeded"
        columns = _columns(platform, scan_id)
        assert columns["身份证号"].sensitive_type == "cn_resident_id"
        assert columns["手机号"].sensitive_type == "cn_mobile"
        assert columns["姓名"].sensitive_type == "cn_person_name"


def test_every_source_edit_is_evidence(platform: Platform, tmp_path: Path) -> None:
    source_id = _upload(platform, "xn_admin", write_csv(tmp_path / "edit.csv", customer_rows(5)), "编辑")
    actor = platform.actor("xn_admin")
    for patch in ({"description": "营销部导出"}, {"schedule": "weekly"}, {"template": "finance"}):
        with transaction(platform.factory) as session:  # the guard refuses a commit without evidence
            service.update_source(session, actor, source_id, DataSourceUpdate(**patch), platform.settings)  # type: ignore[arg-type]
    with transaction(platform.factory) as session:
        updates = session.scalar(
            select(func.count()).where(
                EvidenceEntry.action == "discovery.source.update", EvidenceEntry.subject_id == str(source_id)
            )
        )
        assert updates == 3
