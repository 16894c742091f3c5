"""qa: calibration sessions and scores, coaching notes, weekly digests, call transcripts

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 23:08:13.214411
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kefu.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "qa_digests",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("compiled_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_qa_digests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_digests")),
        sa.UniqueConstraint(
            "workspace_id",
            "scope",
            "scope_id",
            "week",
            name=op.f("uq_qa_digests_workspace_id_scope_scope_id_week"),
        ),
    )
    op.create_table(
        "qa_calibration_sessions",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "conversation_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "check_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "rater_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["agents.id"],
            name=op.f("fk_qa_calibration_sessions_author_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_qa_calibration_sessions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_calibration_sessions")),
    )
    with op.batch_alter_table("qa_calibration_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_calibration_sessions_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "qa_calibration_scores",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("rater_id", sa.Uuid(), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("scored_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_qa_calibration_scores_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["agents.id"],
            name=op.f("fk_qa_calibration_scores_rater_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["qa_calibration_sessions.id"],
            name=op.f("fk_qa_calibration_scores_session_id_qa_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_qa_calibration_scores_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_calibration_scores")),
        sa.UniqueConstraint(
            "session_id",
            "conversation_id",
            "rater_id",
            "check_id",
            name=op.f("uq_qa_calibration_scores_session_id_conversation_id_rater_id_check_id"),
        ),
    )
    op.create_table(
        "qa_call_transcripts",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("started_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "segments",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_qa_call_transcripts_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_qa_call_transcripts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_call_transcripts")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_qa_call_transcripts_conversation_id")),
    )
    with op.batch_alter_table("qa_call_transcripts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_call_transcripts_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "qa_coaching_notes",
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=True),
        sa.Column("check_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", kefu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", kefu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_qa_coaching_notes_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["agents.id"],
            name=op.f("fk_qa_coaching_notes_author_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["qa_evaluations.id"],
            name=op.f("fk_qa_coaching_notes_evaluation_id_qa_evaluations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_qa_coaching_notes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_coaching_notes")),
    )
    with op.batch_alter_table("qa_coaching_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_coaching_notes_agent", ["workspace_id", "agent_id", "created_at"], unique=False
        )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("qa_coaching_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_coaching_notes_agent")

    op.drop_table("qa_coaching_notes")
    with op.batch_alter_table("qa_call_transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_call_transcripts_workspace_id"))

    op.drop_table("qa_call_transcripts")
    op.drop_table("qa_calibration_scores")
    with op.batch_alter_table("qa_calibration_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_calibration_sessions_workspace_id"))

    op.drop_table("qa_calibration_sessions")
    op.drop_table("qa_digests")
