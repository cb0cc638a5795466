"""Core (organisations, users, evidence) and catalog (asset cards, versions, full-text index)

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:54:54.877185
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_code_sequence",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_catalog_code_sequence")),
    )
    op.create_table(
        "core_evidence_entry",
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_core_evidence_entry")),
    )
    with op.batch_alter_table("core_evidence_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_evidence_entry_actor_organisation_id"),
            ["actor_organisation_id"],
            unique=False,
        )

    op.create_table(
        "core_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("share_with_parent", sa.Boolean(), nullable=False),
        sa.Column("regulator_type", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["core_organisation.id"],
            name=op.f("fk_core_organisation_parent_id_core_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_core_organisation_name")),
        sa.UniqueConstraint("uscc", name=op.f("uq_core_organisation_uscc")),
    )
    with op.batch_alter_table("core_organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_organisation_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_organisation_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_organisation_region_code"), ["region_code"], unique=False)

    op.create_table(
        "catalog_asset_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("industry", sa.String(length=1), nullable=False),
        sa.Column("source_systems", sa.JSON(), nullable=False),
        sa.Column("data_format", sa.String(length=32), nullable=False),
        sa.Column("volume_rows", sa.BigInteger(), nullable=True),
        sa.Column("volume_bytes", sa.BigInteger(), nullable=True),
        sa.Column("update_frequency", sa.String(length=16), nullable=False),
        sa.Column("time_span_start", sa.Date(), nullable=True),
        sa.Column("time_span_end", sa.Date(), nullable=True),
        sa.Column("owning_department", sa.String(length=100), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("holding_right_holder", sa.String(length=200), nullable=False),
        sa.Column("use_right_holder", sa.String(length=200), nullable=False),
        sa.Column("operation_right_holder", sa.String(length=200), nullable=False),
        sa.Column("acquisition_method", sa.String(length=32), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.Column("sharing_type", sa.String(length=16), nullable=False),
        sa.Column("services_provided", sa.Text(), nullable=False),
        sa.Column("security_grade", sa.String(length=16), nullable=False),
        sa.Column("security_level", sa.Integer(), nullable=True),
        sa.Column("quality_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("value_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("accounting_status", sa.String(length=32), nullable=False),
        sa.Column("registration_status", sa.String(length=16), nullable=False),
        sa.Column("responsible_person", sa.String(length=50), nullable=False),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_catalog_asset_card_organisation_id_core_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_asset_card")),
        sa.UniqueConstraint("code", name=op.f("uq_catalog_asset_card_code")),
    )
    with op.batch_alter_table("catalog_asset_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_asset_card_industry"), ["industry"], unique=False)
        batch_op.create_index(
            "ix_catalog_asset_card_org_updated", ["organisation_id", "updated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_asset_card_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index("ix_catalog_asset_card_public", ["is_public"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_asset_card_registration_status"), ["registration_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_asset_card_security_grade"), ["security_grade"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_asset_card_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_asset_card_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "core_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_core_user_organisation_id_core_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user")),
        sa.UniqueConstraint("username", name=op.f("uq_core_user_username")),
    )
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_user_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "catalog_asset_card_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["core_user.id"],
            name=op.f("fk_catalog_asset_card_version_actor_user_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["catalog_asset_card.id"],
            name=op.f("fk_catalog_asset_card_version_card_id_catalog_asset_card"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_asset_card_version")),
        sa.UniqueConstraint("card_id", "version", name="uq_catalog_asset_card_version_card_version"),
    )
    with op.batch_alter_table("catalog_asset_card_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_asset_card_version_card_id"), ["card_id"], unique=False)

    _create_search_index()


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table("catalog_asset_card_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_version_card_id"))

    op.drop_table("catalog_asset_card_version")
    with op.batch_alter_table("core_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_user_organisation_id"))

    op.drop_table("core_user")
    with op.batch_alter_table("catalog_asset_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_updated_at"))
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_stage"))
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_security_grade"))
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_registration_status"))
        batch_op.drop_index("ix_catalog_asset_card_public")
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_organisation_id"))
        batch_op.drop_index("ix_catalog_asset_card_org_updated")
        batch_op.drop_index(batch_op.f("ix_catalog_asset_card_industry"))

    op.drop_table("catalog_asset_card")
    with op.batch_alter_table("core_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_organisation_region_code"))
        batch_op.drop_index(batch_op.f("ix_core_organisation_parent_id"))
        batch_op.drop_index(batch_op.f("ix_core_organisation_kind"))

    op.drop_table("core_organisation")
    with op.batch_alter_table("core_evidence_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_evidence_entry_actor_organisation_id"))

    op.drop_table("core_evidence_entry")
    op.drop_table("catalog_code_sequence")


_SQLITE_FTS = [
    """CREATE VIRTUAL TABLE catalog_asset_card_fts USING fts5(
        search_text, content='catalog_asset_card', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER catalog_asset_card_fts_ai AFTER INSERT ON catalog_asset_card BEGIN
        INSERT INTO catalog_asset_card_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    """CREATE TRIGGER catalog_asset_card_fts_ad AFTER DELETE ON catalog_asset_card BEGIN
        INSERT INTO catalog_asset_card_fts(catalog_asset_card_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text); END""",
    """CREATE TRIGGER catalog_asset_card_fts_au AFTER UPDATE OF search_text ON catalog_asset_card BEGIN
        INSERT INTO catalog_asset_card_fts(catalog_asset_card_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO catalog_asset_card_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
]


def _create_search_index() -> None:
    """SQLite: an FTS5 table over the jieba-segmented ``search_text``; PostgreSQL: a generated
    tsvector column ('simple' configuration, the text is already segmented) with a GIN index."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE catalog_asset_card ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_catalog_asset_card_search ON catalog_asset_card USING gin (search_vector)"
        )


def _drop_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS catalog_asset_card_fts_{name}")
        op.execute("DROP TABLE IF EXISTS catalog_asset_card_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_catalog_asset_card_search")
        op.execute("ALTER TABLE catalog_asset_card DROP COLUMN IF EXISTS search_vector")
