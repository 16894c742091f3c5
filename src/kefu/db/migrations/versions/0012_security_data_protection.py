"""security: outbox lanes, sealed webhook secrets, privacy settings and erasures

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kefu.db.base

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("lane", sa.SmallInteger(), server_default="0", nullable=False))
    op.create_index(
        "ix_outbox_events_lane", "outbox_events", ["dispatched_at", "lane", "workspace_id", "id"]
    )
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", type_=sa.Text(), existing_type=sa.String(100), existing_nullable=False)
        batch.alter_column(
            "previous_secret", type_=sa.Text(), existing_type=sa.String(100), existing_nullable=True
        )


    op.create_table(
        "privacy_settings",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("retention_action", sa.String(length=10), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_privacy_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_privacy_settings")),
    )
    op.create_table(
        "customer_erasures",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("actor_agent_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("identities_removed", sa.Integer(), nullable=False),
        sa.Column("conversations_redacted", sa.Integer(), nullable=False),
        sa.Column("messages_redacted", sa.Integer(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_agent_id"], ["agents.id"], name=op.f("fk_customer_erasures_actor_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_customer_erasures_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_erasures")),
    )
    op.create_index(op.f("ix_customer_erasures_customer_id"), "customer_erasures", ["customer_id"])
    op.create_index(op.f("ix_customer_erasures_workspace_id"), "customer_erasures", ["workspace_id"])


def downgrade() -> None:
    """Revert."""
    op.drop_table("customer_erasures")
    op.drop_table("privacy_settings")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", type_=sa.String(100), existing_type=sa.Text(), existing_nullable=False)
        batch.alter_column(
            "previous_secret", type_=sa.String(100), existing_type=sa.Text(), existing_nullable=True
        )
    op.drop_index("ix_outbox_events_lane", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("lane")
