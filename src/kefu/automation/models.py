"""Tables of the automation domain (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped


class AutomationRule(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A rule: triggers, conditions (`{"all": [...], "any": [...]}`) and ordered actions."""

    __tablename__ = "automation_rules"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    workspace_index = False

    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class RuleFiring(IdMixin, WorkspaceScoped, Base):
    """One match of a rule on a conversation for one event (event 0: a time rule), fired or suppressed."""

    __tablename__ = "automation_firings"
    __table_args__ = (
        UniqueConstraint("rule_id", "conversation_id", "event_id"),
        Index("ix_automation_firings_conversation", "conversation_id", "fired_at"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("automation_rules.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fired_at: Mapped[datetime]


class Macro(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A canned response with one text per language and tags it adds."""

    __tablename__ = "macros"

    name: Mapped[str] = mapped_column(String(120))
    variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    default_language: Mapped[str] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class FollowUpTask(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A follow-up task on a conversation for an agent, due at a time."""

    __tablename__ = "follow_up_tasks"
    __table_args__ = (Index("ix_follow_up_tasks_assignee", "assignee_id", "status", "due_at"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")
    source: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[datetime | None]


class Notification(IdMixin, WorkspaceScoped, Base):
    """Something an agent should know about (a rule's notice, a hand-off answered or overdue)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_agent", "agent_id", "id"),)

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DepartmentSla(TimestampMixin, WorkspaceScoped, Base):
    """A department team's response promise for hand-offs."""

    __tablename__ = "department_slas"

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    response_seconds: Mapped[int]
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sla_calendars.id", ondelete="SET NULL"))
    pause_customer_sla: Mapped[bool] = mapped_column(default=True)


class Handoff(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A conversation or sub-task handed to a department team, with its deadline and answer."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_conversation", "conversation_id"),
        Index("ix_handoffs_due", "status", "due_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    details: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime]
    paused_customer_sla: Mapped[bool] = mapped_column(default=False)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[uuid.UUID | None]
    answered_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
