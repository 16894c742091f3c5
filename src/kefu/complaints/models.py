"""Tables of the complaints domain (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped


class Complaint(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """One complaint in the ledger: its conversation and customer, cause, steps, outcome and amounts.

    `recorded_at` is when the conversation was (last) marked a complaint: screening catches up by
    it, not by conversation id, because an old conversation may be marked long after newer ones.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("workspace_id", "conversation_id"),
        Index("ix_complaints_recorded", "workspace_id", "recorded_at", "id"),
        Index("ix_complaints_customer", "customer_id", "recorded_at"),
    )
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    cause: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    compensation_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(32))
    escalated_at: Mapped[datetime | None]
    escalation_reason: Mapped[str | None] = mapped_column(String(64))
    screening_score: Mapped[float | None]
    screening_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None]
    follow_up_task_id: Mapped[uuid.UUID | None]
