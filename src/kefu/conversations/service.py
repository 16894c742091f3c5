"""Write path and reads of conversations, messages and their timeline."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from kefu.conversations import changes, intake, lifecycle, listing
from kefu.conversations.enums import ActorKind, Channel, ConversationStatus, Direction, Priority, TimelineKind
from kefu.conversations.events import (
    ConversationComplaintMarked,
    ConversationCustomerChanged,
    ConversationFlaggedForReview,
    MessageAnalysed,
)
from kefu.conversations.exceptions import (
    ConversationClosed,
    ConversationNotFound,
    CustomerReferenceMissing,
    DuplicateExternalId,
    ReplyFromCustomer,
)
from kefu.conversations.imports import import_conversations as import_conversations
from kefu.conversations.models import Conversation, Message, TimelineEntry
from kefu.conversations.schemas import (
    SYSTEM,
    Actor,
    AssignIn,
    Attachment,
    ComplaintIn,
    ConversationFilter,
    ConversationIn,
    ConversationOut,
    ConversationUpdate,
    MessageAnalysisIn,
    MessageBody,
    MessageOut,
    ReceivedMessage,
    TimelineEntryOut,
    validated,
)
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.paging import Page
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerOut, ResolveIn
from kefu.db.outbox import publish
from kefu.db.paging import keyset_page
from kefu.db.scoped import get_scoped
from kefu.nlp import service as nlp

ANGER_THRESHOLD = 0.5
"""Anger score from which a message counts as angry."""
ANGRY_CUSTOMER_REASON = "angry_customer"
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(Priority)}
REVIEW_TAG = "review-possible-malicious"
AUDIT_KINDS = frozenset({TimelineKind.RULE_FIRED, TimelineKind.HANDOFF})
"""Timeline entries other domains may add about a conversation (`record_audit`)."""
CUSTOMER_TEXT_MESSAGES = 20
CUSTOMER_TEXT_CHARS = 2000
UNDETERMINED_LANGUAGE = "und"
"""ISO 639-2 code stored when a message's language is none of the supported ones."""


def open_conversation(
    session: Session, *, workspace_id: uuid.UUID, data: ConversationIn, actor: Actor = SYSTEM
) -> ConversationOut:
    """Open a conversation for an existing or new customer, optionally with its first message."""
    customer = resolve_customer_reference(
        session, workspace_id=workspace_id, customer_id=data.customer_id, customer=data.customer
    )
    if data.assignee_id is not None:
        changes.check_agent(session, workspace_id, data.assignee_id)
    if data.team_id is not None:
        changes.check_team(session, workspace_id, data.team_id)
    first = data.message
    row, _ = intake.open_new(
        session,
        workspace_id=workspace_id,
        customer_id=customer.id,
        channel=data.channel,
        inbox_id=data.inbox_id,
        subject=data.subject or intake.subject_from(first.text if first else ""),
        language=data.language or (first.language if first else None) or customer.language,
        actor=actor,
        priority=data.priority,
        tags=data.tags,
        custom_fields={k: v for k, v in data.custom_fields.items() if v is not None},
        assignee_id=data.assignee_id,
        team_id=data.team_id,
        first=first,
        first_direction=first.direction if first else Direction.INBOUND,
    )
    return ConversationOut.model_validate(row)


def resolve_customer_reference(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    customer: ResolveIn | None,
) -> CustomerOut:
    """The customer named by id (404 if unknown), or found/created by identities."""
    if customer_id is not None:
        return customers.get_customer(session, workspace_id=workspace_id, customer_id=customer_id)
    if customer is None:
        raise CustomerReferenceMissing("give customer_id or customer")
    return customers.resolve_customer(
        session,
        workspace_id=workspace_id,
        identities=customer.identities,
        name=customer.name,
        language=customer.language,
        market=customer.market,
    )


def receive_message(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    channel: Channel,
    text: str,
    external_id: str | None = None,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
    inbox_id: uuid.UUID | None = None,
    reopen_window: timedelta = lifecycle.REOPEN_WINDOW,
    conversation_id: uuid.UUID | None = None,
    new_thread: bool = False,
) -> ReceivedMessage:
    """Store a customer message in the customer's open conversation on the channel, or open one.

    A pending or snoozed conversation goes back to open; a resolved one reopens within
    `reopen_window` after resolution, otherwise (and after closing) a new conversation starts.
    A repeated `external_id` returns the stored message instead of storing it twice.
    Threaded channels (email) name the conversation a message answers (`conversation_id`: used
    when it is this customer's on this channel and inbox and still takes a reply) and say that a
    message answering nothing starts its own conversation (`new_thread`).
    """
    body = validated(
        MessageBody,
        text=text,
        attachments=list(attachments),
        language=language,
        external_id=external_id,
    )
    customer = customers.get_customer(session, workspace_id=workspace_id, customer_id=customer_id)
    intake.serialise_intake(session, customer.id, channel, inbox_id)
    if body.external_id is not None:
        known = intake.find_delivered(session, workspace_id, customer.id, channel, inbox_id, body.external_id)
        if known is not None:
            return ReceivedMessage(
                conversation=ConversationOut.model_validate(known[1]),
                message=MessageOut.model_validate(known[0]),
                duplicate=True,
            )
    now = clock.now()
    actor = Actor(kind=ActorKind.CUSTOMER, id=customer.id)
    conversation = None
    if conversation_id is not None:
        conversation = _thread_conversation(
            session, workspace_id, customer.id, channel, inbox_id, conversation_id, now, reopen_window
        )
    if conversation is None and not new_thread:
        conversation = intake.continuable(
            session, workspace_id, customer.id, channel, inbox_id, now, reopen_window
        )
    if conversation is None:
        row, message_row = intake.open_new(
            session,
            workspace_id=workspace_id,
            customer_id=customer.id,
            channel=channel,
            inbox_id=inbox_id,
            subject=intake.subject_from(body.text),
            language=body.language or customer.language,
            actor=actor,
            first=body,
        )
        return ReceivedMessage(
            conversation=ConversationOut.model_validate(row),
            message=MessageOut.model_validate(message_row),
            opened=True,
        )
    reopened = False
    if conversation.status != ConversationStatus.OPEN:
        reopened = lifecycle.is_reopen(conversation.status, ConversationStatus.OPEN)
        changes.transition(session, conversation, ConversationStatus.OPEN, actor, reason="customer_reply")
    message = intake.add_message(session, conversation, Direction.INBOUND, actor, body)
    session.flush()
    return ReceivedMessage(
        conversation=ConversationOut.model_validate(conversation),
        message=MessageOut.model_validate(message),
        reopened=reopened,
    )


def _thread_conversation(
    session: Session,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    channel: Channel,
    inbox_id: uuid.UUID | None,
    conversation_id: uuid.UUID,
    now: datetime,
    window: timedelta,
) -> Conversation | None:
    """The named conversation when it is the customer's on this channel and inbox and takes a reply."""
    row = session.scalar(
        select(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.workspace_id == workspace_id,
            Conversation.customer_id == customer_id,
            Conversation.channel == channel,
            intake.same_inbox(inbox_id),
        )
        .with_for_update()
    )
    if row is None or not lifecycle.accepts_customer_reply(row.status, row.resolved_at, now, window):
        return None
    return row


def send_reply(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    text: str,
    actor: Actor,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
    external_id: str | None = None,
) -> MessageOut:
    """Store an outbound reply by an agent, bot or the system; an agent's first one sets first_response_at."""
    if actor.kind == ActorKind.CUSTOMER:
        raise ReplyFromCustomer("customers do not send replies; use receive_message")
    body = validated(
        MessageBody, text=text, attachments=list(attachments), language=language, external_id=external_id
    )
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    if conversation.status == ConversationStatus.CLOSED:
        raise ConversationClosed("the conversation is closed")
    if body.external_id is not None and session.scalar(
        select(Message.id).where(
            Message.conversation_id == conversation.id, Message.external_id == body.external_id
        )
    ):
        raise DuplicateExternalId("a message with this external_id exists")
    message = intake.add_message(session, conversation, Direction.OUTBOUND, actor, body)
    session.flush()
    return MessageOut.model_validate(message)


def add_note(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    text: str,
    actor: Actor,
    attachments: Sequence[Attachment] = (),
) -> MessageOut:
    """Add an internal note, visible to agents only."""
    body = validated(MessageBody, text=text, attachments=list(attachments))
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    message = intake.add_message(session, conversation, Direction.NOTE, actor, body)
    session.flush()
    return MessageOut.model_validate(message)


def record_message_analysis(
    session: Session, *, workspace_id: uuid.UUID, message_id: uuid.UUID, analysis: dict[str, Any]
) -> MessageOut:
    """Store language analysis of a message (language, intent, sentiment, anger, abuse).

    Keys left out stay as they are. A detected language of a customer message also becomes the
    conversation's language when it has none yet.
    """
    data = validated(MessageAnalysisIn, **analysis)
    message = get_scoped(session, Message, message_id, workspace_id=workspace_id, what="message")
    for name in data.model_fields_set:
        setattr(message, name, getattr(data, name))
    message.analysed_at = clock.now()
    if data.language and message.direction == Direction.INBOUND:
        conversation = _load(session, workspace_id, message.conversation_id)
        if conversation.language is None:
            conversation.language = data.language
    publish(
        session,
        MessageAnalysed(
            workspace_id=workspace_id,
            conversation_id=message.conversation_id,
            message_id=message.id,
            direction=message.direction,
            language=message.language,
            intent=message.intent,
            intent_confidence=message.intent_confidence,
            sentiment=message.sentiment,
            sentiment_score=message.sentiment_score,
            anger=message.anger,
            angry=message.angry,
            abusive=message.abusive,
        ),
    )
    session.flush()
    return MessageOut.model_validate(message)


def change_status(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    status: ConversationStatus,
    actor: Actor,
    snoozed_until: datetime | None = None,
    reason: str | None = None,
) -> ConversationOut:
    """Move a conversation to a status; illegal moves are a 409 `invalid_transition`."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    changes.transition(session, conversation, status, actor, snoozed_until=snoozed_until, reason=reason)
    session.flush()
    return ConversationOut.model_validate(conversation)


def snooze_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    until: datetime,
    actor: Actor,
) -> ConversationOut:
    """Snooze until a future moment; it wakes to open then, or earlier on a customer reply."""
    return change_status(
        session,
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        status=ConversationStatus.SNOOZED,
        snoozed_until=until,
        actor=actor,
    )


def assign_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    data: AssignIn,
    actor: Actor,
) -> ConversationOut:
    """Assign to an agent and/or a team of the workspace (fields not set in `data` stay)."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    changes.assign(session, conversation, data, actor)
    session.flush()
    return ConversationOut.model_validate(conversation)


def record_decision(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    kind: TimelineKind,
    details: dict[str, Any],
    reason: str,
    actor: Actor = SYSTEM,
) -> None:
    """Put another domain's decision on a conversation's timeline (routing's why, an SLA escalation)."""
    if kind not in (TimelineKind.ROUTED, TimelineKind.ESCALATED):
        raise ValueError(f"{kind} entries are written by the conversations domain itself")
    conversation = _load(session, workspace_id, conversation_id)
    changes.record(session, conversation, kind, actor, {}, details, reason)
    session.flush()


def set_priority(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    priority: Priority,
    actor: Actor,
) -> ConversationOut:
    """Change the priority."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    changes.set_priority(session, conversation, priority, actor)
    session.flush()
    return ConversationOut.model_validate(conversation)




def change_tags(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    add: Iterable[str],
    remove: Iterable[str],
    actor: Actor,
) -> ConversationOut:
    """Add and remove tags in one change."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    changes.change_tags(session, conversation, add=list(add), remove=list(remove), actor=actor)
    session.flush()
    return ConversationOut.model_validate(conversation)



def mark_complaint(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    data: ComplaintIn,
    actor: Actor,
) -> ConversationOut:
    """Set or clear the complaint flag with the amount at stake and its currency."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    before = changes.complaint_state(conversation)
    conversation.is_complaint = data.is_complaint
    conversation.complaint_amount = data.amount
    conversation.complaint_currency = data.currency
    after = changes.complaint_state(conversation)
    if before != after:
        changes.record(session, conversation, TimelineKind.COMPLAINT_CHANGED, actor, before, after)
        publish(
            session,
            ConversationComplaintMarked(
                **changes.base(conversation, actor),
                is_complaint=data.is_complaint,
                amount=data.amount,
                currency=data.currency,
            ),
        )
    session.flush()
    return ConversationOut.model_validate(conversation)


def update_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    data: ConversationUpdate,
    actor: Actor,
) -> ConversationOut:
    """Apply a partial update; only the fields present in `data` change, all or nothing."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    given = data.model_fields_set
    if data.subject is not None and data.subject != conversation.subject:
        changes.record(
            session,
            conversation,
            TimelineKind.SUBJECT_CHANGED,
            actor,
            {"subject": conversation.subject},
            {"subject": data.subject},
        )
        conversation.subject = data.subject
    if "language" in given and data.language != conversation.language:
        changes.record(
            session,
            conversation,
            TimelineKind.LANGUAGE_CHANGED,
            actor,
            {"language": conversation.language},
            {"language": data.language},
        )
        conversation.language = data.language
    if data.priority is not None:
        changes.set_priority(session, conversation, data.priority, actor)
    if given & {"assignee_id", "team_id"}:
        changes.assign(
            session,
            conversation,
            AssignIn(**data.model_dump(include={"assignee_id", "team_id"} & given)),
            actor,
        )
    if data.custom_fields is not None:
        changes.merge_fields(session, conversation, data.custom_fields, actor)
    if data.status is not None:
        changes.transition(session, conversation, data.status, actor, snoozed_until=data.snoozed_until)
    elif "snoozed_until" in given:
        raise ValidationFailed(
            "snoozed_until goes with status=snoozed",
            details=[{"loc": ["body", "snoozed_until"], "msg": "needs status=snoozed"}],
        )
    session.flush()
    return ConversationOut.model_validate(conversation)


def move_customer_conversations(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    source_customer_id: uuid.UUID,
    target_customer_id: uuid.UUID,
    actor: Actor = SYSTEM,
) -> int:
    """Move every conversation of a merged-away customer to the surviving one; returns how many moved."""
    moved = session.scalars(
        select(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.customer_id == source_customer_id)
        .order_by(Conversation.id)
        .with_for_update()
    ).all()
    for conversation in moved:
        conversation.customer_id = target_customer_id
        changes.record(
            session,
            conversation,
            TimelineKind.CUSTOMER_CHANGED,
            actor,
            {"customer_id": str(source_customer_id)},
            {"customer_id": str(target_customer_id)},
            reason="customers_merged",
        )
        publish(
            session,
            ConversationCustomerChanged(
                **changes.base(conversation, actor),
                from_customer_id=source_customer_id,
                to_customer_id=target_customer_id,
            ),
        )
    session.flush()
    return len(moved)


def due_snoozed(session: Session, *, limit: int = 500) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(workspace id, conversation id) of snoozed conversations whose wake-up time has come, any workspace."""
    rows = session.execute(
        select(Conversation.workspace_id, Conversation.id)
        .where(Conversation.status == ConversationStatus.SNOOZED, Conversation.snoozed_until <= clock.now())
        .order_by(Conversation.snoozed_until, Conversation.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def wake_conversation(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    """Wake a snoozed conversation whose time has come; False when it is not (or no longer) due."""
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    due = conversation.snoozed_until
    if conversation.status != ConversationStatus.SNOOZED or due is None or due > clock.now():
        return False
    changes.transition(session, conversation, ConversationStatus.OPEN, SYSTEM, reason="snooze_expired")
    session.flush()
    return True


def get_conversation(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationOut:
    """Fetch a conversation of the workspace or raise NotFound."""
    return ConversationOut.model_validate(_load(session, workspace_id, conversation_id))


def access_conversation(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationOut:
    """A conversation the agent may see, else `ConversationNotFound` (404 whether missing or forbidden).

    Every agent of a workspace sees all its conversations today; team visibility narrows this one
    check, and endpoints that read a conversation for an agent go through it.
    """
    del agent_id  # the viewer's teams will narrow the query here
    return ConversationOut.model_validate(_load(session, workspace_id, conversation_id))



def list_conversations(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    filters: ConversationFilter,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ConversationOut]:
    """Conversations matching the filters, most recent message first (then id), cursor-paginated."""
    query = listing.filtered(select(Conversation).where(Conversation.workspace_id == workspace_id), filters)
    return keyset_page(
        session, query, [Conversation.last_message_at, Conversation.id], limit=limit, cursor=cursor,
        out=ConversationOut.model_validate,
    )


def count_conversations(session: Session, *, workspace_id: uuid.UUID, filters: ConversationFilter) -> int:
    """How many conversations match the filters (the counts beside the console's views)."""
    query = select(func.count()).select_from(Conversation).where(Conversation.workspace_id == workspace_id)
    return int(session.scalar(listing.filtered(query, filters)) or 0)


def list_last_customer_messages(
    session: Session, *, workspace_id: uuid.UUID, conversation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MessageOut]:
    """The latest customer message of each given conversation, with its analysis (for list rows)."""
    if not conversation_ids:
        return {}
    latest: dict[uuid.UUID, uuid.UUID] = {}
    for conversation_id, message_id in session.execute(
        select(Message.conversation_id, Message.id).where(  # by conversation: the workspace is checked below
            Message.conversation_id.in_(list(conversation_ids)), Message.direction == Direction.INBOUND
        )
    ):
        if conversation_id not in latest or message_id > latest[conversation_id]:
            latest[conversation_id] = message_id  # ids are time-ordered (UUIDv7)
    if not latest:
        return {}
    rows = session.scalars(
        select(Message).where(Message.id.in_(list(latest.values())), Message.workspace_id == workspace_id)
    )
    return {row.conversation_id: MessageOut.model_validate(row) for row in rows}


def list_messages(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[MessageOut]:
    """Messages and notes of a conversation, oldest first, cursor-paginated."""
    _load(session, workspace_id, conversation_id)
    query = select(Message).where(
        Message.workspace_id == workspace_id, Message.conversation_id == conversation_id
    )
    return keyset_page(
        session, query, [Message.id], limit=limit, cursor=cursor, out=MessageOut.model_validate,
        newest_first=False,
    )


def list_timeline(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[TimelineEntryOut]:
    """The changes of a conversation in the order they happened, cursor-paginated."""
    _load(session, workspace_id, conversation_id)
    query = select(TimelineEntry).where(
        TimelineEntry.workspace_id == workspace_id, TimelineEntry.conversation_id == conversation_id
    )
    return keyset_page(
        session, query, [TimelineEntry.id], limit=limit, cursor=cursor,
        out=TimelineEntryOut.model_validate, newest_first=False,
    )


def list_customer_conversation_ids(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID
) -> list[uuid.UUID]:
    """Ids of every conversation of a customer, oldest first."""
    return list(session.scalars(
        select(Conversation.id)
        .where(Conversation.workspace_id == workspace_id, Conversation.customer_id == customer_id)
        .order_by(Conversation.id)
    ))


def export_conversations(
    session: Session, *, workspace_id: uuid.UUID, conversation_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Conversations with all their messages, notes and timeline, as JSON-ready dicts (data export)."""
    exported = []
    for conversation_id in conversation_ids:
        conversation = _load(session, workspace_id, conversation_id)
        messages = session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        entries = session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.conversation_id == conversation_id)
            .order_by(TimelineEntry.id)
        )
        exported.append({
            **ConversationOut.model_validate(conversation).model_dump(mode="json"),
            "messages": [MessageOut.model_validate(m).model_dump(mode="json") for m in messages],
            "timeline": [TimelineEntryOut.model_validate(e).model_dump(mode="json") for e in entries],
        })
    return exported


REDACTED_KINDS = (TimelineKind.FIELDS_CHANGED, TimelineKind.SUBJECT_CHANGED, TimelineKind.COMPLAINT_CHANGED)
"""Timeline entries whose before/after can hold what a person wrote; redaction empties them."""


def redact_conversations(
    session: Session, *, workspace_id: uuid.UUID, conversation_ids: list[uuid.UUID]
) -> int:
    """Remove what people wrote from conversations, keeping their counts and analysis; idempotent.

    Message texts and attachments, subjects, custom fields and the before/after of field,
    subject and complaint changes are emptied. Status, times, counters, language, intent and
    sentiment stay, so reports keep their numbers. Returns the number of messages that held text.
    """
    if not conversation_ids:
        return 0
    touched = session.scalar(
        select(func.count()).select_from(Message).where(
            Message.workspace_id == workspace_id, Message.conversation_id.in_(conversation_ids),
            Message.text != "",
        )
    ) or 0
    session.execute(
        update(Message)
        .where(Message.workspace_id == workspace_id, Message.conversation_id.in_(conversation_ids))
        .values(text="", attachments=[])
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(conversation_ids))
        .values(subject="", custom_fields={})
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(TimelineEntry)
        .where(
            TimelineEntry.workspace_id == workspace_id, TimelineEntry.conversation_id.in_(conversation_ids),
            TimelineEntry.kind.in_(REDACTED_KINDS),
        )
        .values(before={}, after={})
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return touched


def list_conversations_idle_since(
    session: Session, *, workspace_id: uuid.UUID, before: datetime, unredacted: bool, limit: int
) -> list[uuid.UUID]:
    """Conversations whose last message is older than `before` (with text left, if `unredacted`)."""
    query = select(Conversation.id).where(
        Conversation.workspace_id == workspace_id, Conversation.last_message_at < before
    )
    if unredacted:
        query = query.where(
            select(Message.id).where(Message.conversation_id == Conversation.id, Message.text != "").exists()
        )
    return list(session.scalars(query.order_by(Conversation.last_message_at, Conversation.id).limit(limit)))


def delete_conversations(
    session: Session, *, workspace_id: uuid.UUID, conversation_ids: list[uuid.UUID]
) -> int:
    """Delete conversations with their messages, notes, timeline and tags; the number deleted."""
    if not conversation_ids:
        return 0
    result = session.execute(
        delete(Conversation)
        .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(conversation_ids))
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class MessageToAnalyse:
    """A stored customer message and what its analysis needs, read before the models run."""

    text: str
    intent_model: nlp.IntentModel
    language_hint: str | None
    market: str | None
    previous_languages: tuple[str, ...]


def read_message_for_analysis(
    session: Session, *, workspace_id: uuid.UUID, message_id: uuid.UUID
) -> MessageToAnalyse | None:
    """What analysing a stored customer message needs; None when it is not one or is analysed already.

    Context for language identification: the customer's known language and market and the
    languages of the conversation's earlier messages. The intent model is the workspace's own.
    """
    message = session.get(Message, message_id)
    if (
        message is None
        or message.workspace_id != workspace_id
        or message.direction != Direction.INBOUND
        or message.analysed_at is not None
    ):
        return None
    conversation = _load(session, workspace_id, message.conversation_id)
    customer = customers.get_customer(
        session, workspace_id=workspace_id, customer_id=conversation.customer_id
    )
    previous = session.scalars(
        select(Message.language)
        .where(
            Message.conversation_id == conversation.id,
            Message.id < message.id,
            Message.language.is_not(None),
        )
        .order_by(Message.id.desc())
        .limit(5)
    )
    return MessageToAnalyse(
        text=message.text,
        intent_model=nlp.intent_model_for(session, workspace_id=workspace_id),
        language_hint=customer.language,
        market=customer.market,
        previous_languages=tuple(lang for lang in previous if lang),
    )


def infer_message_analysis(message: MessageToAnalyse) -> dict[str, Any]:
    """Run the models on a message read by `read_message_for_analysis`: no database work."""
    result = nlp.analyse(
        message.text,
        intent_model=message.intent_model,
        language_hint=message.language_hint,
        market=message.market,
        previous_languages=message.previous_languages,
    )
    anger = result.anger
    return {
        "language": result.language if result.language != "other" else UNDETERMINED_LANGUAGE,
        "intent": result.intent,
        "intent_confidence": result.intent_confidence,
        "sentiment": result.sentiment,
        "sentiment_score": result.sentiment_score,
        "anger": anger,
        "angry": None if anger is None else anger >= ANGER_THRESHOLD,
        "abusive": result.abuse_flagged,
        "abuse_categories": list(result.abuse_categories),
    }


def save_message_analysis(
    session: Session, *, workspace_id: uuid.UUID, message_id: uuid.UUID, analysis: dict[str, Any]
) -> MessageOut | None:
    """Record an inferred analysis unless the message was analysed meanwhile; once per message."""
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.workspace_id != workspace_id or message.analysed_at is not None:
        return None
    return record_message_analysis(
        session, workspace_id=workspace_id, message_id=message_id, analysis=analysis
    )


def escalate_angry_message(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> bool:
    """Default automation: a negative, angry customer message raises the conversation to high.

    Never lowers a priority; returns whether it changed anything.
    """
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    if PRIORITY_RANK[conversation.priority] >= PRIORITY_RANK[Priority.HIGH]:
        return False
    changes.set_priority(session, conversation, Priority.HIGH, SYSTEM, ANGRY_CUSTOMER_REASON)
    session.flush()
    return True


def flag_for_review(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    score: float,
    reasons: Sequence[str],
) -> bool:
    """Tag a conversation for human review with the screening's score and reasons; once.

    The flag only asks a person to look: nothing is refused or punished automatically.
    Returns whether it flagged (False when the conversation already carries the review tag).
    """
    conversation = _load(session, workspace_id, conversation_id, lock=True)
    if REVIEW_TAG in conversation.tags:
        return False
    changes.change_tags(session, conversation, add=[REVIEW_TAG], remove=[], actor=SYSTEM)
    details = {"score": score, "reasons": list(reasons)}
    changes.record(session, conversation, TimelineKind.REVIEW_FLAGGED, SYSTEM, {}, details)
    publish(
        session,
        ConversationFlaggedForReview(
            **changes.base(conversation, SYSTEM), score=score, reasons=list(reasons)
        ),
    )
    session.flush()
    return True


def record_audit(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    kind: TimelineKind,
    actor: Actor,
    details: dict[str, Any],
    reason: str | None = None,
) -> None:
    """Add another domain's audit entry (a rule firing, a hand-off) to a conversation's timeline."""
    if kind not in AUDIT_KINDS:
        raise ValueError(f"{kind} entries are written by the conversations domain itself")
    conversation = _load(session, workspace_id, conversation_id)
    changes.record(session, conversation, kind, actor, {}, changes.jsonable(details), reason)
    session.flush()


def customer_text(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """The customer's words in a conversation: its first inbound messages, oldest first, bounded."""
    texts = session.scalars(
        select(Message.text)
        .where(
            Message.workspace_id == workspace_id,
            Message.conversation_id == conversation_id,
            Message.direction == Direction.INBOUND,
        )
        .order_by(Message.id)
        .limit(CUSTOMER_TEXT_MESSAGES)
    )
    return "\n".join(texts)[:CUSTOMER_TEXT_CHARS]


def count_customer_complaints(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, since: datetime
) -> int:
    """How many of the customer's conversations opened since `since` are complaints."""
    return int(
        session.scalar(
            select(func.count()).where(
                Conversation.workspace_id == workspace_id,
                Conversation.customer_id == customer_id,
                Conversation.is_complaint.is_(True),
                Conversation.created_at >= since,
            )
        )
        or 0
    )


def list_idle_conversations(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    statuses: Sequence[ConversationStatus],
    last_message_before: datetime,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> list[ConversationOut]:
    """Conversations in these statuses with no message since `last_message_before`, oldest first.

    `after` is the (last_message_at, id) of the previous page's last row.
    """
    query = select(Conversation).where(
        Conversation.workspace_id == workspace_id,
        Conversation.status.in_(list(statuses)),
        Conversation.last_message_at < last_message_before,
    )
    if after is not None:
        query = query.where(or_(
            Conversation.last_message_at > after[0],
            and_(Conversation.last_message_at == after[0], Conversation.id > after[1]),
        ))
    rows = session.scalars(
        query
        .order_by(Conversation.last_message_at, Conversation.id)
        .limit(limit)
    )
    return [ConversationOut.model_validate(row) for row in rows]


def _load(
    session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID, *, lock: bool = False
) -> Conversation:
    """A conversation of the workspace (row-locked for writes on PostgreSQL) or NotFound."""
    query = select(Conversation).where(
        Conversation.id == conversation_id, Conversation.workspace_id == workspace_id
    )
    if lock:
        query = query.with_for_update()
    conversation = session.scalar(query)
    if conversation is None:
        raise ConversationNotFound("conversation not found")
    return conversation


def list_inspection_candidates(
    session: Session,
    *,
    resolved_since: datetime | None,
    active_since: datetime,
    after_id: uuid.UUID | None,
    limit: int,
) -> list[tuple[uuid.UUID, uuid.UUID, bool]]:
    """(workspace, conversation, resolved) of conversations quality inspection should look at, by id.

    Resolved or closed ones (resolved since `resolved_since`, or all when None), and open ones
    with a message since `active_since`.
    """
    done = [ConversationStatus.RESOLVED, ConversationStatus.CLOSED]
    finished: ColumnElement[bool] = Conversation.status.in_(done)
    if resolved_since is not None:
        finished = and_(finished, Conversation.resolved_at >= resolved_since)
    active = and_(
        ~Conversation.status.in_(done), Conversation.last_message_at >= active_since
    )
    query = select(Conversation.workspace_id, Conversation.id, Conversation.status)
    query = query.where(or_(finished, active))
    if after_id is not None:
        query = query.where(Conversation.id > after_id)
    rows = session.execute(query.order_by(Conversation.id).limit(limit)).all()
    return [(ws, cid, status in done) for ws, cid, status in rows]
