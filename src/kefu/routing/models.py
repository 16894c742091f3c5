"""Tables of the routing domain (private to it): queues, members, agent profiles, routed conversations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped
from kefu.routing.enums import EntryState, Presence, Strategy

DEFAULT_CAPACITY = {"chat": 5, "phone": 1, "email": 20}


class RoutingQueue(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A queue: the ordered rules that send conversations to it, its strategy, requirements and overflow."""

    __tablename__ = "routing_queues"

    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    strategy: Mapped[Strategy] = mapped_column(String(24), default=Strategy.SKILLS_BEST_MATCH)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    require_language: Mapped[bool] = mapped_column(default=True)
    min_proficiency: Mapped[int] = mapped_column(default=1)
    min_level: Mapped[str] = mapped_column(String(20), default="junior")
    vip_min_level: Mapped[str] = mapped_column(String(20), default="senior")
    overflow_queue_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routing_queues.id", ondelete="SET NULL")
    )
    overflow_after_seconds: Mapped[int | None]
    accept_timeout_seconds: Mapped[int | None]
    last_agent_id: Mapped[uuid.UUID | None]


class QueueMember(WorkspaceScoped, Base):
    """An agent serving a queue."""

    __tablename__ = "routing_queue_members"
    workspace_index = False

    queue_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("routing_queues.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RoutingProfile(WorkspaceScoped, Base):
    """An agent's routing side: presence, skills, capacity per channel (and a copy of their level)."""

    __tablename__ = "routing_profiles"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), default="junior")
    presence: Mapped[Presence] = mapped_column(String(16), default=Presence.OFFLINE)
    auto_away: Mapped[bool] = mapped_column(default=False)
    presence_changed_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_assigned_at: Mapped[datetime | None]
    languages: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    complaints: Mapped[bool] = mapped_column(default=False)
    vip: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[dict[str, int]] = mapped_column(JSON, default=lambda: dict(DEFAULT_CAPACITY))


class RoutingSettings(WorkspaceScoped, Base):
    """Workspace-wide routing policy: when a quiet session turns an agent away."""

    __tablename__ = "routing_settings"
    workspace_index = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    auto_away_seconds: Mapped[int | None]
    __table_args__ = (UniqueConstraint("workspace_id"),)


class RoutingEntry(IdMixin, WorkspaceScoped, Base):
    """A routed conversation: its queue, place in line, agent, and the counters of the accuracy report."""

    __tablename__ = "routing_entries"
    __table_args__ = (
        UniqueConstraint("conversation_id"),
        Index("ix_routing_entries_line", "queue_id", "state", "priority_rank", "vip_rank", "waiting_since"),
        Index("ix_routing_entries_assignee", "assignee_id", "state"),
    )
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("routing_queues.id", ondelete="SET NULL"))
    rule: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[EntryState] = mapped_column(String(16), default=EntryState.WAITING)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(16))
    product_line: Mapped[str | None] = mapped_column(String(64))
    is_complaint: Mapped[bool] = mapped_column(default=False)
    priority_rank: Mapped[int] = mapped_column(default=1)
    vip_rank: Mapped[int] = mapped_column(default=0)
    waiting_since: Mapped[datetime]
    queued_at: Mapped[datetime]
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_assignee_id: Mapped[uuid.UUID | None]
    first_queue_id: Mapped[uuid.UUID | None]
    first_strategy: Mapped[str | None] = mapped_column(String(24))
    transfers: Mapped[int] = mapped_column(default=0)
    reroutes: Mapped[int] = mapped_column(default=0)
    overflows: Mapped[int] = mapped_column(default=0)
    resolved_by_id: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]


class RoutingTransfer(IdMixin, WorkspaceScoped, Base):
    """One transfer of a conversation to another agent or queue, with its reason."""

    __tablename__ = "routing_transfers"
    __table_args__ = (Index("ix_routing_transfers_conversation", "conversation_id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    from_agent_id: Mapped[uuid.UUID | None]
    to_agent_id: Mapped[uuid.UUID | None]
    from_queue_id: Mapped[uuid.UUID | None]
    to_queue_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
