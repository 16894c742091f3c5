"""routing: queues, profiles, entries, transfers; SLA escalations

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-07 23:26:24.402054
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kefu.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "routing_queues",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("strategy", sa.String(length=24), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("require_language", sa.Boolean(), nullable=False),
        sa.Column("min_proficiency", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.String(length=20), nullable=False),
        sa.Column("vip_min_level", sa.String(length=20), nullable=False),
        sa.Column("overflow_queue_id", sa.Uuid(), nullable=True),
        sa.Column("overflow_after_seconds", sa.Integer(), nullable=True),
        sa.Column("accept_timeout_seconds", sa.Integer(), nullable=True),
        sa.Column("last_agent_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["overflow_queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_queues_overflow_queue_id_routing_queues"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_queues_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queues")),
    )
    with op.batch_alter_table("routing_queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_queues_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "routing_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("auto_away_seconds", sa.Integer(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_routing_settings_workspace_id")),
    )
    op.create_table(
        "routing_profiles",
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("auto_away", sa.Boolean(), nullable=False),
        sa.Column("presence_changed_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_assigned_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("product_lines", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("complaints", sa.Boolean(), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_routing_profiles_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_profiles_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_routing_profiles")),
    )
    with op.batch_alter_table("routing_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_profiles_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "routing_queue_members",
        sa.Column("queue_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_routing_queue_members_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_queue_members_queue_id_routing_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_queue_members_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_id", "agent_id", name=op.f("pk_routing_queue_members")),
    )
    with op.batch_alter_table("routing_queue_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_queue_members_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "routing_entries",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("queue_id", sa.Uuid(), nullable=True),
        sa.Column("rule", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("product_line", sa.String(length=64), nullable=True),
        sa.Column("is_complaint", sa.Boolean(), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("vip_rank", sa.Integer(), nullable=False),
        sa.Column("waiting_since", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("first_assignee_id", sa.Uuid(), nullable=True),
        sa.Column("first_queue_id", sa.Uuid(), nullable=True),
        sa.Column("first_strategy", sa.String(length=24), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("reroutes", sa.Integer(), nullable=False),
        sa.Column("overflows", sa.Integer(), nullable=False),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["agents.id"],
            name=op.f("fk_routing_entries_assignee_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_routing_entries_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_entries_queue_id_routing_queues"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_entries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_entries")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_routing_entries_conversation_id")),
    )
    with op.batch_alter_table("routing_entries", schema=None) as batch_op:
        batch_op.create_index("ix_routing_entries_assignee", ["assignee_id", "state"], unique=False)
        batch_op.create_index(
            "ix_routing_entries_line",
            ["queue_id", "state", "priority_rank", "vip_rank", "waiting_since"],
            unique=False,
        )

    op.create_table(
        "routing_transfers",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("from_agent_id", sa.Uuid(), nullable=True),
        sa.Column("to_agent_id", sa.Uuid(), nullable=True),
        sa.Column("from_queue_id", sa.Uuid(), nullable=True),
        sa.Column("to_queue_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_routing_transfers_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_routing_transfers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_transfers")),
    )
    with op.batch_alter_table("routing_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_routing_transfers_conversation", ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_transfers_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("conversation_slas", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_slas_conversation_id", ["conversation_id"], unique=False)

    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalations", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_column("escalations")

    with op.batch_alter_table("conversation_slas", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_slas_conversation_id")

    with op.batch_alter_table("routing_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_transfers_workspace_id"))
        batch_op.drop_index("ix_routing_transfers_conversation")

    op.drop_table("routing_transfers")
    with op.batch_alter_table("routing_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_entries_line")
        batch_op.drop_index("ix_routing_entries_assignee")

    op.drop_table("routing_entries")
    with op.batch_alter_table("routing_queue_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_queue_members_agent_id"))

    op.drop_table("routing_queue_members")
    with op.batch_alter_table("routing_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_profiles_workspace_id"))

    op.drop_table("routing_profiles")
    op.drop_table("routing_settings")
    with op.batch_alter_table("routing_queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_queues_workspace_id"))

    op.drop_table("routing_queues")
