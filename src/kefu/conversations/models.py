"""Tables of the conversations domain (private to it), with the templates of their new rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.conversations.enums import (
    ActorKind,
    Channel,
    ConversationStatus,
    Direction,
    Priority,
    Sentiment,
    TimelineKind,
)
from kefu.db.base import Base, IdMixin, JSONType, TimestampMixin, WorkspaceScoped
from kefu.db.rows import RowTemplate


def _enum(cls: type[StrEnum], length: int = 16) -> Enum:
    """A string column that stores an enum's values and reads them back as members (no CHECK)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Conversation(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A ticket: one customer's matter on one channel, with its lifecycle, owner and counters."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_recent", "workspace_id", "last_message_at", "id"),
        Index("ix_conversations_customer_channel", "customer_id", "channel", "status"),
        Index("ix_conversations_snoozed", "status", "snoozed_until"),
    )
    workspace_index = False

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    inbox_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[ConversationStatus] = mapped_column(
        _enum(ConversationStatus), default=ConversationStatus.OPEN
    )
    snoozed_until: Mapped[datetime | None]
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str | None] = mapped_column(String(16))
    is_complaint: Mapped[bool] = mapped_column(default=False)
    complaint_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    complaint_currency: Mapped[str | None] = mapped_column(String(3))
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime]
    inbound_count: Mapped[int] = mapped_column(default=0)
    outbound_count: Mapped[int] = mapped_column(default=0)
    note_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)


class ConversationTag(WorkspaceScoped, Base):
    """One tag on one conversation: the index behind tag filters (the list lives on the row too)."""

    __tablename__ = "conversation_tags"
    __table_args__ = (Index("ix_conversation_tags_tag", "tag", "workspace_id"),)  # tag first: ARCHITECTURE.md
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class Message(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A message of a conversation: inbound, outbound or an internal note, with its language analysis."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "external_id"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_external", "workspace_id", "external_id"),
    )
    workspace_index = False

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    author_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind))
    author_id: Mapped[uuid.UUID | None]
    text: Mapped[str] = mapped_column(Text, default="")
    display_text: Mapped[str | None] = mapped_column(Text)
    """`text` with control, ANSI-escape and bidi-override characters neutralised; null when the same."""
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    external_id: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None]
    sentiment: Mapped[Sentiment | None] = mapped_column(_enum(Sentiment))
    sentiment_score: Mapped[float | None]
    anger: Mapped[float | None]
    angry: Mapped[bool | None]
    abusive: Mapped[bool | None]
    abuse_categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    analysed_at: Mapped[datetime | None]


class TimelineEntry(IdMixin, WorkspaceScoped, Base):
    """One change to a conversation: who did what (kind, before, after) and when."""

    __tablename__ = "conversation_timeline"
    __table_args__ = (Index("ix_conversation_timeline_conversation", "conversation_id", "id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[TimelineKind] = mapped_column(_enum(TimelineKind, 32))
    actor_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind))
    actor_id: Mapped[uuid.UUID | None]
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]



CONVERSATION_ROW = RowTemplate.of(Conversation).row
"""Every column of a new conversation row, for the paths that insert without the unit of work."""
MESSAGE_ROW = RowTemplate.of(Message).row
"""Every column of a new message row (not analysed yet: the analysis columns start empty)."""
TIMELINE_ROW = RowTemplate.of(TimelineEntry).row
"""Every column of a new timeline entry."""
TAG_ROW = RowTemplate.of(ConversationTag).row
"""Every column of a tag index row."""
