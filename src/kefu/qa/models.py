"""Tables of quality inspection (private to it): scorecards and versions, evaluations, reviews."""

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
