"""channels: attachment store, email thread keys, IMAP mailbox states

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-07 23:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kefu.db.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def _inbox_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["inbox_id"], ["inboxes.id"], name=op.f(f"fk_{table}_inbox_id_inboxes"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "stored_attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        _workspace_fk("stored_attachments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_attachments")),
        sa.UniqueConstraint("workspace_id", "sha256", name=op.f("uq_stored_attachments_workspace_id_sha256")),
    )
    op.create_table(
        "email_thread_keys",
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        _inbox_fk("email_thread_keys"),
        _workspace_fk("email_thread_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_thread_keys")),
        sa.UniqueConstraint("inbox_id", "key", name=op.f("uq_email_thread_keys_inbox_id_key")),
    )
    op.create_table(
        "mailbox_states",
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("polled_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("succeeded_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        _inbox_fk("mailbox_states"),
        _workspace_fk("mailbox_states"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_states")),
        sa.UniqueConstraint("inbox_id", "folder", name=op.f("uq_mailbox_states_inbox_id_folder")),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("mailbox_states")
    op.drop_table("email_thread_keys")
    op.drop_table("stored_attachments")
