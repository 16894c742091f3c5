"""channels: inboxes, inbound ledger, outbound deliveries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:20:20.536020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kefu.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "inboxes",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("sealed_secrets", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("market", sa.String(length=8), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inboxes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inboxes")),
    )
    with op.batch_alter_table("inboxes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inboxes_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "inbound_requests",
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inboxes.id"],
            name=op.f("fk_inbound_requests_inbox_id_inboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inbound_requests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_requests")),
    )
    with op.batch_alter_table("inbound_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_requests_inbox", ["workspace_id", "inbox_id", "received_at"], unique=False
        )

    op.create_table(
        "outbound_deliveries",
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_token", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("sent_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inboxes.id"],
            name=op.f("fk_outbound_deliveries_inbox_id_inboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_outbound_deliveries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbound_deliveries_message_id")),
    )
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_outbound_deliveries_provider", ["inbox_id", "provider_message_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_deliveries_workspace", ["workspace_id", "conversation_id"], unique=False
        )

    op.create_table(
        "inbound_entries",
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column(
            "item",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("processed_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("parked_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"], ["inboxes.id"], name=op.f("fk_inbound_entries_inbox_id_inboxes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["inbound_requests.id"],
            name=op.f("fk_inbound_entries_request_id_inbound_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inbound_entries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_entries")),
        sa.UniqueConstraint("inbox_id", "dedupe_key", name=op.f("uq_inbound_entries_inbox_id_dedupe_key")),
    )
    with op.batch_alter_table("inbound_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_entries_conversation", ["conversation_id", "received_at"], unique=False
        )
        batch_op.create_index("ix_inbound_entries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_entries_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("inbound_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_entries_workspace_id"))
        batch_op.drop_index("ix_inbound_entries_due")
        batch_op.drop_index("ix_inbound_entries_conversation")

    op.drop_table("inbound_entries")
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_deliveries_workspace")
        batch_op.drop_index("ix_outbound_deliveries_provider")
        batch_op.drop_index("ix_outbound_deliveries_due")

    op.drop_table("outbound_deliveries")
    with op.batch_alter_table("inbound_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_requests_inbox")

    op.drop_table("inbound_requests")
    with op.batch_alter_table("inboxes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inboxes_workspace_id"))

    op.drop_table("inboxes")
