"""security: audit log, two-factor authentication, message display form

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:04:12.009953
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kefu.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""

    op.create_table(
        "audit_events",
        sa.Column("occurred_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("target_kind", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_audit_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_workspace_id_action_id", ["workspace_id", "action", "id"], unique=False
        )
        batch_op.create_index("ix_audit_events_workspace_id_id", ["workspace_id", "id"], unique=False)

    op.create_table(
        "agent_recovery_codes",
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_recovery_codes_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_agent_recovery_codes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_recovery_codes")),
    )
    with op.batch_alter_table("agent_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_recovery_codes_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agent_recovery_codes_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "agent_two_factor",
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("enabled_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_two_factor_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_agent_two_factor_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_two_factor")),
    )
    with op.batch_alter_table("agent_two_factor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_two_factor_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_text", sa.Text(), nullable=True))

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("two_factor_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    """Revert."""

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("two_factor_required")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("display_text")

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("restricted")

    with op.batch_alter_table("agent_two_factor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_two_factor_workspace_id"))

    op.drop_table("agent_two_factor")
    with op.batch_alter_table("agent_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_recovery_codes_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_agent_recovery_codes_agent_id"))

    op.drop_table("agent_recovery_codes")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_workspace_id_id")
        batch_op.drop_index("ix_audit_events_workspace_id_action_id")

    op.drop_table("audit_events")
