"""Tables of quality: rule sets (质量规则), runs (质量检查), quality issues (质量问题) with their
timeline, and each organisation's dimension weights."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.catalog.models import AssetCard
from dataasset.core.db import Base, UTCDateTime, utcnow
from dataasset.discovery.models import DataSource


class QualityRuleSet(Base):
    """The checks of one table of one data source, kept as the YAML a steward edits; ``version``
    goes up with every edit and each run records the version it ran."""

    __tablename__ = "quality_rule_set"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("discovery_data_source.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    rules: Mapped[str] = mapped_column(Text)  # the YAML
    version: Mapped[int] = mapped_column(Integer, default=1)
    schedule: Mapped[str] = mapped_column(String(16), default="none")  # none/daily/weekly/monthly
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    run_after_scan: Mapped[bool] = mapped_column(Boolean, default=True)
    deadline_days: Mapped[int] = mapped_column(Integer, default=10)  # working days to fix an issue
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    source: Mapped[DataSource] = relationship(lazy="joined")
    card: Mapped[AssetCard | None] = relationship(lazy="joined")


class QualityRun(Base):
    """One evaluation of a rule set. Results land in one transaction at the end (with the issues
    they open, close or reopen); a failed run changes only its own row."""

    __tablename__ = "quality_run"
    __table_args__ = (Index("ix_quality_run_card_finished", "card_id", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("quality_rule_set.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_asset_card.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual/schedule/scan/recheck
    rule_version: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(BigInteger)
    overall: Mapped[float | None] = mapped_column(Float)
    dimensions: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    seconds: Mapped[float | None] = mapped_column(Float)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    checks_done: Mapped[int] = mapped_column(Integer, default=0)
    checks_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(BigInteger, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rule_set: Mapped[QualityRuleSet] = relationship(lazy="joined")


class QualityIssue(Base):
    """A failing check made someone's job (谁生产、谁治理): assigned to the organisation and
    department responsible for the asset, with a deadline in working days. Statuses: ``open``
    (待整改), ``rectified`` (已整改，待复核), ``rechecking`` (复核中), ``closed`` (已关闭)."""

    __tablename__ = "quality_issue"
    __table_args__ = (Index("ix_quality_issue_rule_check", "rule_set_id", "check_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("quality_rule_set.id"))
    check_key: Mapped[str] = mapped_column(String(32))
    check_title: Mapped[str] = mapped_column(String(300))
    check_type: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(16))
    column_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    department: Mapped[str] = mapped_column(String(100), default="")
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    checked: Mapped[int] = mapped_column(BigInteger, default=0)
    failed: Mapped[int] = mapped_column(BigInteger, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    opened_run_id: Mapped[int] = mapped_column(ForeignKey("quality_run.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("quality_run.id"))
    deadline: Mapped[date] = mapped_column(Date, index=True)
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rectification: Mapped[str] = mapped_column(Text, default="")
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    card: Mapped[AssetCard | None] = relationship(lazy="joined")
    events: Mapped[list[QualityIssueEvent]] = relationship(
        back_populates="issue", order_by="QualityIssueEvent.id", lazy="selectin"
    )


class QualityIssueEvent(Base):
    """One step of an issue's timeline: opened, assigned, rectified, recheck, closed, reopened,
    overdue, comment. Each is also an evidence entry."""

    __tablename__ = "quality_issue_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("quality_issue.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issue: Mapped[QualityIssue] = relationship(back_populates="events")


class QualitySettings(Base):
    """An organisation's dimension weights for the overall score and its default deadline."""

    __tablename__ = "quality_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), primary_key=True)
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    deadline_days: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
