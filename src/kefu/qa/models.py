"""Tables of quality inspection (private to it): scorecards, evaluations, reviews, calibration, coaching."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, JSONType, TimestampMixin, WorkspaceScoped


class Scorecard(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A workspace's scorecard: its current version and whether automatic inspection uses it."""

    __tablename__ = "qa_scorecards"

    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)


class ScorecardVersion(WorkspaceScoped, Base):
    """One version of a scorecard's definition (versions are kept; evaluations name theirs)."""

    __tablename__ = "qa_scorecard_versions"
    workspace_index = False

    scorecard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("qa_scorecards.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    author_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]


class Evaluation(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """The inspection of one conversation with one scorecard version: scores and every check's result."""

    __tablename__ = "qa_evaluations"
    __table_args__ = (
        UniqueConstraint("conversation_id", "scorecard_id", "scorecard_version"),
        Index("ix_qa_evaluations_agent", "workspace_id", "agent_id", "evaluated_at"),
    )
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    scorecard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("qa_scorecards.id", ondelete="CASCADE"))
    scorecard_version: Mapped[int]
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(16))
    automatic_score: Mapped[float | None]
    score: Mapped[float | None]
    auto_failed: Mapped[bool] = mapped_column(default=False)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    review_state: Mapped[str] = mapped_column(String(16), default="automatic")
    is_current: Mapped[bool] = mapped_column(default=True)
    evaluated_at: Mapped[datetime]


class Review(IdMixin, WorkspaceScoped, Base):
    """A person's word on one check of an evaluation: an inspector's override or an agent's dispute."""

    __tablename__ = "qa_reviews"
    __table_args__ = (Index("ix_qa_reviews_evaluation", "evaluation_id", "id"),)
    workspace_index = False

    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("qa_evaluations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    check_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class CalibrationSession(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """Several inspectors score the same conversations on the same checks, to measure their agreement."""

    __tablename__ = "qa_calibration_sessions"

    name: Mapped[str] = mapped_column(String(120))
    conversation_ids: Mapped[list[str]] = mapped_column(JSONType)
    check_ids: Mapped[list[str]] = mapped_column(JSONType)
    rater_ids: Mapped[list[str]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="open")
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class CalibrationScore(IdMixin, WorkspaceScoped, Base):
    """A rater's outcome for one check of one conversation in a calibration session (rescored in place)."""

    __tablename__ = "qa_calibration_scores"
    __table_args__ = (UniqueConstraint("session_id", "conversation_id", "rater_id", "check_id"),)
    workspace_index = False

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("qa_calibration_sessions.id", ondelete="CASCADE")
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    rater_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    scored_at: Mapped[datetime]


class CoachingNote(IdMixin, WorkspaceScoped, Base):
    """Advice to an agent from a lead or inspector, optionally about one evaluation and check."""

    __tablename__ = "qa_coaching_notes"
    __table_args__ = (Index("ix_qa_coaching_notes_agent", "workspace_id", "agent_id", "created_at"),)
    workspace_index = False

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    evaluation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("qa_evaluations.id", ondelete="SET NULL")
    )
    check_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(4000))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]


class Digest(IdMixin, WorkspaceScoped, Base):
    """The weekly QA digest of one agent or team (compiled once per ISO week; recompiling replaces it)."""

    __tablename__ = "qa_digests"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "scope_id", "week"),)
    workspace_index = False

    scope: Mapped[str] = mapped_column(String(8))
    scope_id: Mapped[uuid.UUID]
    week: Mapped[str] = mapped_column(String(8))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    compiled_at: Mapped[datetime]


class CallTranscript(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """The speech-to-text transcript of a phone conversation: speaker-labelled, timed segments."""

    __tablename__ = "qa_call_transcripts"
    __table_args__ = (UniqueConstraint("conversation_id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime]
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
