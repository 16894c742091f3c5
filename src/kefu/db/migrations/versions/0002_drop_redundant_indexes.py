"""drop indexes that a composite index starting with the same columns already serves; tag indexes tag first

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REDUNDANT = (
    ("agents", "ix_agents_workspace_id", ["workspace_id"]),
    ("teams", "ix_teams_workspace_id", ["workspace_id"]),
    ("customers", "ix_customers_workspace_id", ["workspace_id"]),
    ("customer_identities", "ix_customer_identities_workspace_id", ["workspace_id"]),
    ("customer_tags", "ix_customer_tags_workspace_id", ["workspace_id"]),
    ("customer_tags", "ix_customer_tags_workspace_tag", ["workspace_id", "tag"]),
    ("conversations", "ix_conversations_workspace_id", ["workspace_id"]),
    ("conversation_tags", "ix_conversation_tags_workspace_id", ["workspace_id"]),
    ("conversation_tags", "ix_conversation_tags_tag", ["workspace_id", "tag"]),
    ("messages", "ix_messages_workspace_id", ["workspace_id"]),
    ("intent_examples", "ix_intent_examples_workspace_id", ["workspace_id"]),
    ("intent_examples", "ix_intent_examples_ws_label", ["workspace_id", "label"]),
    ("intent_model_versions", "ix_intent_model_versions_workspace_id", ["workspace_id"]),
    ("webhook_deliveries", "ix_webhook_deliveries_endpoint_id", ["endpoint_id"]),
)
"""(table, index, columns): each a left prefix of another key of its table, or workspace-first tag indexes."""
TAG_FIRST = (
    ("customer_tags", "ix_customer_tags_tag", ["tag", "workspace_id"]),
    ("conversation_tags", "ix_conversation_tags_tag", ["tag", "workspace_id"]),
)
"""Tag lookups keep their index; led by the tag, it no longer outbids the primary key of one owner's tags."""


def upgrade() -> None:
    """Apply."""
    for table, index, _columns in REDUNDANT:
        op.drop_index(index, table_name=table)
    for table, index, columns in TAG_FIRST:
        op.create_index(index, table, columns)


def downgrade() -> None:
    """Revert."""
    for table, index, _columns in TAG_FIRST:
        op.drop_index(index, table_name=table)
    for table, index, columns in REDUNDANT:
        op.create_index(index, table, columns)
