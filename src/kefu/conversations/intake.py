"""Opening conversations and storing messages (used by the service)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, text
from sqlalchemy.orm import Session

from kefu.conversations import lifecycle
from kefu.conversations.changes import base, jsonable, record
from kefu.conversations.enums import ActorKind, Channel, ConversationStatus, Direction, Priority, TimelineKind
from kefu.conversations.events import (
    ConversationOpened,
    MessageReceived,
    MessageSent,
    NoteAdded,
)
from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.conversations.schemas import (
    Actor,
    FirstMessageIn,
    MessageBody,
)
from kefu.core import clock
from kefu.core.ids import new_id
from kefu.customers.schemas import CustomerOut
from kefu.db.outbox import publish

_SUBJECT_FROM_TEXT = 120


def subject_from(text_: str) -> str:
    """A subject from the first line of a message."""
    line = text_.strip().split("\n", 1)[0].strip()
    return line if len(line) <= _SUBJECT_FROM_TEXT else line[: _SUBJECT_FROM_TEXT - 1] + "…"


def new_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    customer: CustomerOut,
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
) -> Conversation:
    """Add an open conversation with its opening timeline entry and ConversationOpened."""
    now = clock.now()
    unique_tags = list(dict.fromkeys(tags))
    conversation = Conversation(
        id=new_id(),
        workspace_id=workspace_id,
        customer_id=customer.id,
        channel=channel,
        inbox_id=inbox_id,
        subject=subject,
        status=ConversationStatus.OPEN,
        priority=priority,
        language=language or customer.language,
        tags=unique_tags,
        custom_fields=custom_fields or {},
        assignee_id=assignee_id,
        team_id=team_id,
        is_complaint=False,
        last_message_at=now,
        inbound_count=0,
        outbound_count=0,
        note_count=0,
        reopen_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(conversation)
    session.add_all(
        ConversationTag(workspace_id=workspace_id, conversation_id=conversation.id, tag=t)
        for t in unique_tags
    )
    record(
        session,
        conversation,
        TimelineKind.OPENED,
        actor,
        {},
        jsonable(
            {
                "status": conversation.status,
                "priority": conversation.priority,
                "channel": channel,
                "assignee_id": assignee_id,
                "team_id": team_id,
                "tags": unique_tags,
            }
        ),
    )
    publish(
        session,
        ConversationOpened(
            **base(conversation, actor),
            customer_id=customer.id,
            channel=channel,
            inbox_id=inbox_id,
            priority=conversation.priority,
            language=conversation.language,
            assignee_id=assignee_id,
            team_id=team_id,
        ),
    )
    return conversation


def append_first(session: Session, conversation: Conversation, first: FirstMessageIn, actor: Actor) -> None:
    """The opening message: the customer's own, or the actor's outreach."""
    if first.direction == Direction.INBOUND:
        author = Actor(kind=ActorKind.CUSTOMER, id=conversation.customer_id)
    else:
        author = actor
    add_message(session, conversation, first.direction, author, first)


def add_message(
    session: Session, conversation: Conversation, direction: Direction, author: Actor, body: MessageBody
) -> Message:
    """Store a message, update the counters and publish the matching event."""
    now = clock.now()
    message = Message(
        id=new_id(),
        workspace_id=conversation.workspace_id,
        conversation_id=conversation.id,
        direction=direction,
        author_kind=author.kind,
        author_id=author.id,
        text=body.text,
        attachments=[a.model_dump() for a in body.attachments],
        external_id=body.external_id,
        language=body.language,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    if direction == Direction.NOTE:
        conversation.note_count += 1
        publish(session, NoteAdded(**base(conversation, author), message_id=message.id))
        return message
    conversation.last_message_at = now
    if direction == Direction.INBOUND:
        conversation.inbound_count += 1
        publish(
            session,
            MessageReceived(
                **base(conversation, author),
                message_id=message.id,
                customer_id=conversation.customer_id,
                channel=conversation.channel,
                inbox_id=conversation.inbox_id,
                text=message.text,
                language=message.language,
            ),
        )
        return message
    conversation.outbound_count += 1
    first_response = (
        author.kind == ActorKind.AGENT
        and conversation.first_response_at is None
        and conversation.inbound_count > 0
    )
    if first_response:
        conversation.first_response_at = now
    publish(
        session,
        MessageSent(
            **base(conversation, author),
            message_id=message.id,
            customer_id=conversation.customer_id,
            channel=conversation.channel,
            inbox_id=conversation.inbox_id,
            text=message.text,
            first_response=first_response,
        ),
    )
    return message


def serialise_intake(
    session: Session, customer_id: uuid.UUID, channel: Channel, inbox_id: uuid.UUID | None
) -> None:
    """On PostgreSQL, one customer's messages on one channel are taken in one at a time.

    This keeps two simultaneous first messages from opening two conversations. SQLite
    transactions are already serial (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = intake_lock_key(customer_id, channel, inbox_id)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def intake_lock_key(customer_id: uuid.UUID, channel: str, inbox_id: uuid.UUID | None) -> int:
    """The PostgreSQL advisory lock key of one customer's intake on one channel and inbox."""
    digest = hashlib.blake2b(f"{customer_id}:{channel}:{inbox_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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
