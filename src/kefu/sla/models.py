"""Tables of the sla domain (private to it): calendars, policies, applied SLAs and their targets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.conversations.enums import Channel, Priority
from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped
from kefu.sla.enums import Metric, TargetState


class SlaCalendar(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A business calendar: weekly working intervals, a time zone and its own (editable) holidays."""

    __tablename__ = "sla_calendars"

    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    market: Mapped[str | None] = mapped_column(String(2))
    hours: Mapped[dict[str, Any]]
    holidays: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class SlaPolicy(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """An SLA policy: the conditions that select it (lowest position first) and its targets."""

    __tablename__ = "sla_policies"

    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sla_calendars.id"))
    warning_percent: Mapped[int] = mapped_column(default=80)
    pause_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    escalations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ConversationSla(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """The SLA applied to one conversation: its policy, the priority and channel it was computed for."""

    __tablename__ = "conversation_slas"
    __table_args__ = (
        UniqueConstraint("workspace_id", "conversation_id"),
        Index("ix_conversation_slas_conversation_id", "conversation_id"),  # the FK's cascade looks it up
    )
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sla_policies.id", ondelete="SET NULL"))
    priority: Mapped[Priority] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(String(20))
    paused_since: Mapped[datetime | None]
    last_reply_at: Mapped[datetime | None]
    applied_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class SlaTarget(IdMixin, WorkspaceScoped, Base):
    """One applied target (a metric, and for repeating metrics one cycle) with its deadline and outcome.

    `check_at` is when the sweep must look next (the warning, else the deadline); null once both
    have been raised or the target is paused, met or cancelled: the sweep reads one index.
    """

    __tablename__ = "sla_targets"
    __table_args__ = (
        UniqueConstraint("conversation_sla_id", "metric", "cycle"),
        Index("ix_sla_targets_check_at", "check_at"),
    )
    workspace_index = False

    conversation_sla_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_slas.id", ondelete="CASCADE")
    )
    conversation_id: Mapped[uuid.UUID]
    metric: Mapped[Metric] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(default=1)
    target_seconds: Mapped[int]
    business_hours: Mapped[bool]
    state: Mapped[TargetState] = mapped_column(String(20), default=TargetState.ACTIVE)
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    warn_at: Mapped[datetime]
    paused_seconds: Mapped[float] = mapped_column(default=0.0)
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    met_at: Mapped[datetime | None]
    check_at: Mapped[datetime | None]
