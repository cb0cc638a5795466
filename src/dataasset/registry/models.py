"""Tables of the registry: rights (确权) and their grants, transfers of all of an organisation's
rights (merger, split, dissolution, bankruptcy), and disputes (争议)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataasset.catalog.models import AssetCard
from dataasset.core.db import Base, UTCDateTime, utcnow


class RightRecord(Base):
    """One right (持有权, 加工使用权 or 经营权) an organisation holds over the data of an asset card,
    with its scope. A grant (授权) is the grantee's right with ``parent_id`` naming the grantor's."""

    __tablename__ = "registry_right"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    right: Mapped[str] = mapped_column(String(16))
    acquisition: Mapped[str] = mapped_column(String(16))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str] | None] = mapped_column(JSON)  # None: every field
    purposes: Mapped[list[str] | None] = mapped_column(JSON)  # None: any purpose
    territory: Mapped[list[str] | None] = mapped_column(JSON)  # None: anywhere
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    may_sublicense: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("registry_right.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active/revoked
    files: Mapped[list[str]] = mapped_column(JSON, default=list)  # sha256 of supporting files
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    card: Mapped[AssetCard] = relationship(lazy="joined")


class RightsTransfer(Base):
    """All rights of one organisation moved to another in one act (企业合并、分立、解散或破产)."""

    __tablename__ = "registry_transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # merger/split/dissolution/bankruptcy
    basis: Mapped[str] = mapped_column(Text, default="")
    rights: Mapped[list[int]] = mapped_column(JSON, default=list)
    disputes: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Dispute(Base):
    """A dispute (争议) an organisation opens against a right over an asset card; while it is open
    the card cannot be registered."""

    __tablename__ = "registry_dispute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimant_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    respondent_organisation_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("catalog_asset_card.id"), index=True)
    right_id: Mapped[int | None] = mapped_column(ForeignKey("registry_right.id"))
    claims: Mapped[str] = mapped_column(Text)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
