"""security: outbox lanes, sealed webhook secrets

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", type_=sa.String(100), existing_type=sa.Text(), existing_nullable=False)
        batch.alter_column(
            "previous_secret", type_=sa.String(100), existing_type=sa.Text(), existing_nullable=True
        )
    op.drop_index("ix_outbox_events_lane", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("lane")
