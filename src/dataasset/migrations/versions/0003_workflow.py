"""Approvals (workflow instances, assignments, actions, attachments), files, sharing grants

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-30 12:00:00

Hangs off 0001 beside the evidence log's 0002; ``dataasset migrate`` upgrades to all heads.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _indexes(table: str, columns: Sequence[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "core_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("core_file", "organisation_id", "core_organisation.id"),
        _fk("core_file", "uploaded_by_user_id", "core_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_file")),
        sa.UniqueConstraint("sha256", "organisation_id", name="uq_core_file_sha256_organisation"),
    )
    _indexes("core_file", ["organisation_id", "sha256"])

    t = "core_workflow_instance"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("holder_organisation_id", sa.Integer(), nullable=False),
        sa.Column("applicant_organisation_id", sa.Integer(), nullable=False),
        sa.Column("applicant_user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step_key", sa.String(length=32), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("definition_source", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        _fk(t, "applicant_organisation_id", "core_organisation.id"),
        _fk(t, "applicant_user_id", "core_user.id"),
        _fk(t, "holder_organisation_id", "core_organisation.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_workflow_instance")),
    )
    _indexes(t, ["applicant_organisation_id", "applicant_user_id", "holder_organisation_id", "kind"])
    with op.batch_alter_table(t, schema=None) as batch_op:
        batch_op.create_index("ix_core_workflow_instance_status_due", ["status", "due_on"], unique=False)
        batch_op.create_index(
            "ix_core_workflow_instance_subject", ["subject_type", "subject_id"], unique=False
        )

    t = "core_workflow_assignment"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        _fk(t, "instance_id", "core_workflow_instance.id"),
        _fk(t, "organisation_id", "core_organisation.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_workflow_assignment")),
    )
    _indexes(t, ["instance_id", "organisation_id"])

    t = "core_workflow_action"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=32), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk(t, "actor_organisation_id", "core_organisation.id"),
        _fk(t, "actor_user_id", "core_user.id"),
        _fk(t, "instance_id", "core_workflow_instance.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_workflow_action")),
    )
    _indexes(t, ["actor_user_id", "instance_id"])

    t = "core_workflow_attachment"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        _fk(t, "action_id", "core_workflow_action.id"),
        _fk(t, "file_id", "core_file.id"),
        _fk(t, "instance_id", "core_workflow_instance.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_workflow_attachment")),
        sa.UniqueConstraint("action_id", "file_id", name="uq_core_workflow_attachment_action_file"),
    )
    _indexes(t, ["action_id", "file_id", "instance_id"])

    t = "catalog_sharing_grant"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("recipient_organisation_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("workflow_instance_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        _fk(t, "card_id", "catalog_asset_card.id"),
        _fk(t, "granted_by_user_id", "core_user.id"),
        _fk(t, "recipient_organisation_id", "core_organisation.id"),
        _fk(t, "workflow_instance_id", "core_workflow_instance.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_sharing_grant")),
        sa.UniqueConstraint(
            "workflow_instance_id", name=op.f("uq_catalog_sharing_grant_workflow_instance_id")
        ),
    )
    _indexes(t, ["card_id", "recipient_organisation_id"])


def downgrade() -> None:
    for table in (
        "catalog_sharing_grant",
        "core_workflow_attachment",
        "core_workflow_action",
        "core_workflow_assignment",
        "core_workflow_instance",
        "core_file",
    ):
        op.drop_table(table)
