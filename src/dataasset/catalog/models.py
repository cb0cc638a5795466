"""Tables of the catalog: the asset card, its versions and the code sequence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.catalog.enums import AccountingStatus, RegistrationStatus
from dataasset.core.db import Base, UTCDateTime, utcnow
from dataasset.core.models import Organisation
from dataasset.core.workflow.models import WorkflowInstance


class AssetCard(Base):
    """数据资产卡片 (湖南省加强数据资产管理工作方案 第2条): one data resource, asset or product
    with its four sections (基本信息、权利信息、使用信息、管理信息).

    The management figures (quality score, value, accounting and registration status) are set by
    the later domains; ``version`` increases with every change and guards concurrent edits.
    """

    __tablename__ = "catalog_asset_card"
    __table_args__ = (
        Index("ix_catalog_asset_card_org_updated", "organisation_id", "updated_at"),
        Index("ix_catalog_asset_card_public", "is_public"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(16), default="resource", index=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)

    # 基本信息
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(1), index=True)
    source_systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_format: Mapped[str] = mapped_column(String(32), default="structured")
    volume_rows: Mapped[int | None] = mapped_column(BigInteger)
    volume_bytes: Mapped[int | None] = mapped_column(BigInteger)
    update_frequency: Mapped[str] = mapped_column(String(16), default="irregular")
    time_span_start: Mapped[date | None] = mapped_column(Date)
    time_span_end: Mapped[date | None] = mapped_column(Date)
    owning_department: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")

    # 权利信息
    holding_right_holder: Mapped[str] = mapped_column(String(200), default="")
    use_right_holder: Mapped[str] = mapped_column(String(200), default="")
    operation_right_holder: Mapped[str] = mapped_column(String(200), default="")
    acquisition_method: Mapped[str] = mapped_column(String(32), default="self_collected")
    legal_basis: Mapped[str] = mapped_column(Text, default="")

    # 使用信息
    scenarios: Mapped[list[str]] = mapped_column(JSON, default=list)
    sharing_type: Mapped[str] = mapped_column(String(16), default="conditional")
    services_provided: Mapped[str] = mapped_column(Text, default="")

    # 管理信息
    security_grade: Mapped[str] = mapped_column(String(16), default="unrated", index=True)
    security_level: Mapped[int | None] = mapped_column(Integer)
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    accounting_status: Mapped[str] = mapped_column(String(32), default=AccountingStatus.NOT_RECOGNISED.value)
    registration_status: Mapped[str] = mapped_column(
        String(16), default=RegistrationStatus.UNREGISTERED.value, index=True
    )
    responsible_person: Mapped[str] = mapped_column(String(50), default="")
    alerts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AssetCardVersion(Base):
    """One change of an asset card: who, when, which fields from what to what, and the whole card after."""

    __tablename__ = "catalog_asset_card_version"
    __table_args__ = (
        UniqueConstraint("card_id", "version", name="uq_catalog_asset_card_version_card_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class CodeSequence(Base):
    """Next sequence number of asset codes per region and year."""

    __tablename__ = "catalog_code_sequence"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SharingGrant(Base):
    """A sharing grant (共享授权) on an asset card's 使用信息: another organisation may use the data
    for the stated purpose, scope and term, as approved by the holder (湖南省加强数据资产管理工作方案
    第3条, 对外提供数据服务审批). Written by the catalog's completion hook of the ``sharing`` approval."""

    __tablename__ = "catalog_sharing_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    recipient_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    workflow_instance_id: Mapped[int] = mapped_column(ForeignKey(WorkflowInstance.id), unique=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))

    recipient: Mapped[Organisation] = relationship(lazy="joined")
