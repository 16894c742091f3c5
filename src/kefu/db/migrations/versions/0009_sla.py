"""sla calendars, policies, applied SLAs and targets

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 17:05:52.208869
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kefu.db.base

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "sla_calendars",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=True),
        sa.Column(
            "hours",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sla_calendars_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_calendars")),
    )
    with op.batch_alter_table("sla_calendars", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_calendars_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "sla_policies",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=True),
        sa.Column("warning_percent", sa.Integer(), nullable=False),
        sa.Column("pause_statuses", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["sla_calendars.id"], name=op.f("fk_sla_policies_calendar_id_sla_calendars")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sla_policies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_policies_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "conversation_slas",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("paused_since", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_reply_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_slas_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["sla_policies.id"],
            name=op.f("fk_conversation_slas_policy_id_sla_policies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_conversation_slas_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_slas")),
        sa.UniqueConstraint(
            "workspace_id", "conversation_id", name=op.f("uq_conversation_slas_workspace_id_conversation_id")
        ),
    )
    op.create_table(
        "sla_targets",
        sa.Column("conversation_sla_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("target_seconds", sa.Integer(), nullable=False),
        sa.Column("business_hours", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("warn_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("warned_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("breached_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("met_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("check_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_sla_id"],
            ["conversation_slas.id"],
            name=op.f("fk_sla_targets_conversation_sla_id_conversation_slas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_sla_targets_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_targets")),
        sa.UniqueConstraint(
            "conversation_sla_id",
            "metric",
            "cycle",
            name=op.f("uq_sla_targets_conversation_sla_id_metric_cycle"),
        ),
    )
    with op.batch_alter_table("sla_targets", schema=None) as batch_op:
        batch_op.create_index("ix_sla_targets_check_at", ["check_at"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("sla_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_targets_check_at")

    op.drop_table("sla_targets")
    op.drop_table("conversation_slas")
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_policies_workspace_id"))

    op.drop_table("sla_policies")
    with op.batch_alter_table("sla_calendars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_calendars_workspace_id"))

    op.drop_table("sla_calendars")
