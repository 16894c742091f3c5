"""Opening conversations and storing messages (used by the service)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import Table, case, select
from sqlalchemy.orm import Session

from kefu.conversations import lifecycle
from kefu.conversations.changes import ConversationRef, base, opened_row
from kefu.conversations.counters import Counters, counted
from kefu.conversations.enums import ActorKind, Channel, ConversationStatus, Direction, Priority
from kefu.conversations.events import (
    ConversationOpened,
    MessageReceived,
    MessageSent,
    NoteAdded,
)
from kefu.conversations.models import (
    CONVERSATION_ROW,
    MESSAGE_ROW,
    TAG_ROW,
    Conversation,
    ConversationTag,
    Message,
    TimelineEntry,
)
from kefu.conversations.schemas import (
    Actor,
    MessageBody,
)
from kefu.core import clock
from kefu.core.events import DomainEvent
from kefu.core.text import display_form, displayed
from kefu.db.backend import serialise
from kefu.db.outbox import publish, publish_many
from kefu.db.rows import insert_rows

_SUBJECT_FROM_TEXT = 120
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_TIMELINE: Table = TimelineEntry.__table__  # type: ignore[assignment]
_TAGS: Table = ConversationTag.__table__  # type: ignore[assignment]


def subject_from(text_: str) -> str:
    """A subject from the first line of a message."""
    line = displayed(text_).strip().split("\n", 1)[0].strip()
    return line if len(line) <= _SUBJECT_FROM_TEXT else line[: _SUBJECT_FROM_TEXT - 1] + "…"


class ConversationState(ConversationRef, Protocol):
    """What a new message reads and changes on its conversation (a row or a mapped object)."""

    @property
    def customer_id(self) -> uuid.UUID:
        """The customer."""

    @property
    def channel(self) -> Channel:
        """The channel of origin."""

    @property
    def inbox_id(self) -> uuid.UUID | None:
        """The inbox, if any."""

    last_message_at: datetime
    inbound_count: int
    outbound_count: int
    note_count: int
    first_response_at: datetime | None


def open_new(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    channel: Channel,
    inbox_id: uuid.UUID | None,
    subject: str,
    language: str | None,
    actor: Actor,
    priority: Priority = Priority.NORMAL,
    tags: Sequence[str] = (),
    custom_fields: dict[str, Any] | None = None,
    assignee_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    first: MessageBody | None = None,
    first_direction: Direction = Direction.INBOUND,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Insert an open conversation with its opening timeline entry, tag index and first message.

    The first message is the customer's (inbound) or the actor's outreach (outbound).

    Publishes ConversationOpened and the first message's event. Returns the conversation and
    message rows (all columns), written with one insert per table instead of a unit of work.
    """
    now = clock.now()
    unique_tags = list(dict.fromkeys(tags))
    conversation = SimpleNamespace(**CONVERSATION_ROW(
        workspace_id=workspace_id, customer_id=customer_id, channel=channel, inbox_id=inbox_id,
        subject=subject, status=ConversationStatus.OPEN, priority=priority, assignee_id=assignee_id,
        team_id=team_id, tags=unique_tags, custom_fields=custom_fields or {}, language=language,
        last_message_at=now, created_at=now, updated_at=now,
    ))
    timeline = opened_row(
        conversation, actor, priority=priority, channel=channel, tags=unique_tags, assignee_id=assignee_id,
        team_id=team_id, at=now,
    )
    events: list[DomainEvent] = [ConversationOpened(
        **base(conversation, actor), customer_id=customer_id, channel=channel, inbox_id=inbox_id,
        priority=priority, language=conversation.language, assignee_id=assignee_id, team_id=team_id,
    )]
    message = None
    if first is not None:
        inbound = first_direction == Direction.INBOUND
        author = Actor(kind=ActorKind.CUSTOMER, id=customer_id) if inbound else actor
        message = message_row(conversation, first_direction, author.kind, author.id, first, now, now)
        events.append(count_message(conversation, message, author, now))
    row = vars(conversation)
    insert_rows(session, _CONVERSATIONS, [row])
    insert_rows(session, _TAGS, [
        TAG_ROW(workspace_id=workspace_id, conversation_id=conversation.id, tag=tag) for tag in unique_tags
    ])
    insert_rows(session, _TIMELINE, [timeline])
    if message is not None:
        insert_rows(session, _MESSAGES, [message])
    publish_many(session, events)
    return row, message


def add_message(
    session: Session, conversation: Conversation, direction: Direction, author: Actor, body: MessageBody
) -> Message:
    """Store a message, update the counters and publish the matching event."""
    now = clock.now()
    row = message_row(conversation, direction, author.kind, author.id, body, now, now)
    message = Message(**row)
    session.add(message)
    publish(session, count_message(conversation, row, author, now))
    return message


def message_row(
    conversation: ConversationRef,
    direction: Direction,
    author_kind: ActorKind,
    author_id: uuid.UUID | None,
    body: MessageBody,
    created_at: datetime,
    updated_at: datetime,
) -> dict[str, Any]:
    """Every column of a new message (not analysed yet)."""
    return MESSAGE_ROW(
        workspace_id=conversation.workspace_id, conversation_id=conversation.id, direction=direction,
        author_kind=author_kind, author_id=author_id, text=body.text, display_text=display_form(body.text),
        attachments=[a.model_dump() for a in body.attachments], external_id=body.external_id,
        language=body.language, created_at=created_at, updated_at=updated_at,
    )


def count_message(
    conversation: ConversationState, message: dict[str, Any], author: Actor, now: datetime
) -> DomainEvent:
    """Apply a new message to its conversation's counters and times (`counters.counted`); the event."""
    direction = message["direction"]
    before = Counters(
        conversation.inbound_count, conversation.outbound_count, conversation.note_count,
        conversation.last_message_at, conversation.first_response_at,
    )
    after = counted(before, direction, author.kind, now)
    for name, value in zip(Counters._fields, after, strict=True):
        if value is not getattr(conversation, name):
            setattr(conversation, name, value)
    if direction == Direction.NOTE:
        return NoteAdded(**base(conversation, author), message_id=message["id"])
    common = {
        **base(conversation, author), "message_id": message["id"], "customer_id": conversation.customer_id,
        "channel": conversation.channel, "inbox_id": conversation.inbox_id, "text": message["text"],
    }
    if direction == Direction.INBOUND:
        return MessageReceived(**common, language=message["language"])
    first_response = before.first_response_at is None and after.first_response_at is not None
    return MessageSent(**common, first_response=first_response)


def serialise_intake(
    session: Session, customer_id: uuid.UUID, channel: Channel, inbox_id: uuid.UUID | None
) -> None:
    """One customer's messages on one channel and inbox are taken in one at a time.

    This keeps two simultaneous first messages from opening two conversations.
    """
    serialise(session, intake_key(customer_id, channel, inbox_id))


def intake_key(customer_id: uuid.UUID, channel: str, inbox_id: uuid.UUID | None) -> tuple[object, ...]:
    """The lock key (`db.backend.serialise`) of one customer's intake on one channel and inbox."""
    return (customer_id, channel, inbox_id)


def same_inbox(inbox_id: uuid.UUID | None) -> Any:
    """Condition: the conversation belongs to this inbox (or to none when None)."""
    return Conversation.inbox_id.is_(None) if inbox_id is None else Conversation.inbox_id == inbox_id


def find_delivered(
    session: Session,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    channel: Channel,
    inbox_id: uuid.UUID | None,
    external_id: str,
) -> tuple[Message, Conversation] | None:
    """A message already stored with this external id for this customer, channel and inbox."""
    row = session.execute(
        select(Message, Conversation)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.workspace_id == workspace_id,
            Message.external_id == external_id,
            Conversation.customer_id == customer_id,
            Conversation.channel == channel,
            same_inbox(inbox_id),
        )
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def continuable(
    session: Session,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    channel: Channel,
    inbox_id: uuid.UUID | None,
    now: datetime,
    window: timedelta,
) -> Conversation | None:
    """The conversation a customer reply continues: an active one, else one resolved recently."""
    active = Conversation.status.in_(lifecycle.ACTIVE)
    query = (
        select(Conversation)
        .where(
            Conversation.workspace_id == workspace_id,
            Conversation.customer_id == customer_id,
            Conversation.channel == channel,
            same_inbox(inbox_id),
            Conversation.status.in_([*lifecycle.ACTIVE, ConversationStatus.RESOLVED]),
        )
        .order_by(case((active, 0), else_=1), Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(1)
        .with_for_update()
    )
    latest = session.scalar(query)
    if latest is None or not lifecycle.accepts_customer_reply(latest.status, latest.resolved_at, now, window):
        return None
    return latest
