"""Tables of discovery: data sources, scans (清查 runs), and what each scan found per table and column."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.catalog.models import AssetCard
from dataasset.core.db import Base, UTCDateTime, utcnow
from dataasset.core.models import Organisation


class DataSource(Base):
    """A source the holder scans: an uploaded file (CSV, Excel, Parquet, JSON Lines, SQLite) or a
    database reached by URL. The URL with its password is kept only encrypted (Fernet with the
    platform secret); ``location`` is what may be shown (the URL with the password masked, or the
    file name)."""

    __tablename__ = "discovery_data_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # connector name: csv, excel, parquet, ... postgresql
    location: Mapped[str] = mapped_column(Text)  # shown: masked URL or file name
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the real path or URL
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    industry: Mapped[str] = mapped_column(String(1))
    template: Mapped[str] = mapped_column(String(32), default="general")
    sample_rows: Mapped[int | None] = mapped_column(Integer)
    tables: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every table
    schedule: Mapped[str] = mapped_column(String(16), default="none")  # none/daily/weekly/monthly
    next_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_scan_id: Mapped[int | None] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Scan(Base):
    """One run over a source (盘点/清查). Results reach the catalog only when the whole run
    succeeds, in one transaction; a failed or cancelled run changes nothing but its own row."""

    __tablename__ = "discovery_scan"
    __table_args__ = (Index("ix_discovery_scan_source_created", "source_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("discovery_data_source.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual / schedule / cli
    template: Mapped[str] = mapped_column(String(32), default="general")
    sample_rows: Mapped[int | None] = mapped_column(Integer)
    tables_total: Mapped[int] = mapped_column(Integer, default=0)
    tables_done: Mapped[int] = mapped_column(Integer, default=0)
    current_table: Mapped[str] = mapped_column(String(200), default="")
    rows_total: Mapped[int | None] = mapped_column(BigInteger)  # estimate before the scan
    rows_scanned: Mapped[int] = mapped_column(BigInteger, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error_code: Mapped[str] = mapped_column(String(32), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    source: Mapped[DataSource] = relationship(lazy="joined")


class ScanTable(Base):
    """What one scan found in one table: volume, keys, grade, drift against the previous scan."""

    __tablename__ = "discovery_scan_table"
    __table_args__ = (UniqueConstraint("scan_id", "name", name="uq_discovery_scan_table_scan_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("discovery_scan.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("discovery_data_source.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(BigInteger)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    candidate_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    grade: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    level_label: Mapped[str] = mapped_column(String(100), default="")
    rule: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    drift: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)

    card: Mapped[AssetCard | None] = relationship(lazy="select")
    columns: Mapped[list[ScanColumn]] = relationship(
        lazy="selectin", order_by="ScanColumn.position", back_populates="table"
    )


class ScanColumn(Base):
    """One column of a scanned table: profile, what the detectors found, and its grade (with an
    optional manual override, which is evidence)."""

    __tablename__ = "discovery_scan_column"
    __table_args__ = (
        UniqueConstraint("table_id", "position", name="uq_discovery_scan_column_table_position"),
        Index("ix_discovery_scan_column_sensitive", "sensitive_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("discovery_scan_table.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    source_type: Mapped[str] = mapped_column(String(64), default="")
    nulls: Mapped[int] = mapped_column(BigInteger, default=0)
    distinct: Mapped[int] = mapped_column(BigInteger, default=0)
    sensitive_type: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    level_label: Mapped[str] = mapped_column(String(100), default="")
    rule: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the rest of the profile (masked)
    override_grade: Mapped[str | None] = mapped_column(String(16))
    override_level: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    table: Mapped[ScanTable] = relationship(back_populates="columns")
