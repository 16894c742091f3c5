"""Importing conversation history in bulk (helpdesk migrations, CRM loads): a few statements per batch.

The rows are the ones the live path would have left (counters, first response, timeline, tag
index), written with executemany instead of the unit of work. History does not replay live
reactions: one `conversation.imported` per conversation instead of an event per message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations.changes import timeline_row
from kefu.conversations.enums import ActorKind, ConversationStatus, Direction, TimelineKind
from kefu.conversations.events import ConversationImported
from kefu.conversations.intake import intake_lock_key, subject_from
from kefu.conversations.models import Conversation, ConversationTag, Message, TimelineEntry
from kefu.conversations.schemas import (
    Actor,
    ImportedConversation,
    ImportedConversationIn,
    ImportResult,
    SkippedImport,
)
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.core.events import DomainEvent
from kefu.core.ids import new_id
from kefu.core.text import display_form
from kefu.customers import service as customers
from kefu.db.outbox import publish_many
from kefu.db.plans import custom_plans, in_chunks
from kefu.db.rows import insert_rows

IMPORTED = "imported"
"""The reason on the timeline entries an import writes."""
_BODY = ("body", "conversations")
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_TIMELINE: Table = TimelineEntry.__table__  # type: ignore[assignment]
_TAGS: Table = ConversationTag.__table__  # type: ignore[assignment]

_DedupeKey = tuple[uuid.UUID, str, uuid.UUID | None, str]
"""(customer id, channel, inbox id, external id of the first message)."""


@dataclass(frozen=True, slots=True)
class _Planned:
    """A conversation of the batch, with what its message and timeline rows are built from."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    item: ImportedConversationIn
    customer_id: uuid.UUID
    tags: list[str]
    created_at: datetime
    resolved_at: datetime | None
    last_activity: datetime


@dataclass
class _Rows:
    """Everything one batch inserts: conversation and tag rows and events now; message and timeline
    rows are built from `planned` as they are sent, so they die young (no full garbage collections)."""

    conversations: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    events: list[DomainEvent]
    planned: list[_Planned]


def import_conversations(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    items: Sequence[ImportedConversationIn],
    actor: Actor,
) -> ImportResult:
    """Import conversations with their messages, customers resolved (or created) in bulk.

    Counters, `last_message_at`, `first_response_at`, the timeline (opened, then the status
    changes to the imported status, at their historical times, reason "imported") and the tag
    index are what the live path would have produced. An item whose first message's
    `external_id` is already stored for the same customer, channel and inbox (or repeats an
    earlier item) is skipped and reported. Problems are a 422 listing every field path
    (`body.conversations.<index>...`). Flushes, never commits.
    """
    now = clock.now()
    _check_history(items, now)
    _check_authors(session, workspace_id, items)
    session.flush()
    contacts = [_contact(item) for item in items]
    resolved = customers.resolve_customers(
        session,
        workspace_id=workspace_id,
        contacts=contacts,
        locate=lambda index: [*_BODY, index, "customer"],
    )
    unknown = [index for index, found in enumerate(resolved) if found is None]
    if unknown:
        raise ValidationFailed(
            "unknown customer_id",
            details=[
                {"loc": [*_BODY, i, "customer_id"], "msg": "no such customer", "type": "customer_not_found"}
                for i in unknown
            ],
        )
    customer_ids = [found.id for found in resolved if found is not None]
    languages = [found.language for found in resolved if found is not None]
    _serialise_intake(
        session,
        {(cid, str(item.channel), item.inbox_id) for cid, item in zip(customer_ids, items, strict=True)},
    )
    stored = _stored_external_ids(session, workspace_id, items, customer_ids)
    rows = _Rows([], [], [], [])
    created: list[ImportedConversation] = []
    duplicates: list[SkippedImport] = []
    message_count = 0
    for index, item in enumerate(items):
        external_id = item.messages[0].external_id
        key = (
            None
            if external_id is None
            else (customer_ids[index], str(item.channel), item.inbox_id, external_id)
        )
        if key is not None and key in stored:
            duplicates.append(
                SkippedImport(index=index, external_id=external_id or "", conversation_id=stored[key])
            )
            continue
        conversation_id = _add_conversation(
            rows, workspace_id, item, customer_ids[index], languages[index], actor, now
        )
        if key is not None:
            stored[key] = conversation_id
        created.append(
            ImportedConversation.model_construct(
                index=index, conversation_id=conversation_id, customer_id=customer_ids[index]
            )
        )
        message_count += len(item.messages)
    _insert(session, rows, workspace_id, actor, now)
    return ImportResult(
        imported=len(created),
        skipped=len(duplicates),
        messages=message_count,
        customers_created=sum(1 for found in resolved if found is not None and found.created),
        created=created,
        duplicates=duplicates,
    )


def _contact(item: ImportedConversationIn) -> Any:
    """The customer reference of an item: an id, or identities to resolve."""
    if item.customer_id is not None:
        return item.customer_id
    return item.customer


def _add_conversation(
    rows: _Rows,
    workspace_id: uuid.UUID,
    item: ImportedConversationIn,
    customer_id: uuid.UUID,
    customer_language: str | None,
    actor: Actor,
    now: datetime,
) -> uuid.UUID:
    """Plan one conversation: its row, tag rows and event now, its messages and timeline for `_insert`."""
    conversation_id = new_id()
    first = item.messages[0]
    created_at = item.created_at or first.created_at
    counts = {Direction.INBOUND: 0, Direction.OUTBOUND: 0, Direction.NOTE: 0}
    last_message_at: datetime | None = None
    first_response_at: datetime | None = None
    for message in item.messages:
        counts[message.direction] += 1
        if message.direction == Direction.NOTE:
            continue
        last_message_at = message.created_at
        if (
            message.direction == Direction.OUTBOUND
            and message.author == ActorKind.AGENT
            and first_response_at is None
            and counts[Direction.INBOUND] > 0
        ):
            first_response_at = message.created_at
    last_message_at = last_message_at or created_at
    last_activity = item.messages[-1].created_at
    resolved_at = item.resolved_at
    if resolved_at is None and item.status == ConversationStatus.RESOLVED:
        resolved_at = last_activity
    tags = list(dict.fromkeys(item.tags))
    rows.conversations.append({
        "id": conversation_id, "workspace_id": workspace_id, "customer_id": customer_id,
        "channel": item.channel, "inbox_id": item.inbox_id,
        "subject": item.subject or subject_from(first.text), "status": item.status,
        "priority": item.priority, "tags": tags,
        "custom_fields": {k: v for k, v in item.custom_fields.items() if v is not None},
        "language": item.language or first.language or customer_language, "is_complaint": False,
        "first_response_at": first_response_at,
        "resolved_at": resolved_at, "last_message_at": last_message_at,
        "inbound_count": counts[Direction.INBOUND], "outbound_count": counts[Direction.OUTBOUND],
        "note_count": counts[Direction.NOTE], "reopen_count": 0, "created_at": created_at, "updated_at": now,
    })  # fmt: skip
    rows.tags.extend(
        {"workspace_id": workspace_id, "conversation_id": conversation_id, "tag": t} for t in tags
    )
    rows.planned.append(
        _Planned(
            conversation_id, workspace_id, item, customer_id, tags, created_at, resolved_at, last_activity
        )
    )
    rows.events.append(
        ConversationImported(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            customer_id=customer_id,
            channel=item.channel,
            inbox_id=item.inbox_id,
            status=item.status,
            priority=item.priority,
            message_count=len(item.messages),
            external_id=first.external_id,
            created_at=created_at,
            last_message_at=last_message_at,
        )
    )
    return conversation_id


def _message_rows(
    workspace_id: uuid.UUID, planned: list[_Planned], now: datetime
) -> Iterator[dict[str, Any]]:
    """The message rows of the planned conversations, in order."""
    for conversation in planned:
        customer_id = conversation.customer_id
        for message in conversation.item.messages:
            author = message.author
            yield {
                "id": new_id(), "workspace_id": workspace_id, "conversation_id": conversation.id,
                "direction": message.direction, "author_kind": author,
                "author_id": customer_id if author == ActorKind.CUSTOMER else message.author_id,
                "text": message.text, "display_text": display_form(message.text),
                "attachments": [a.model_dump() for a in message.attachments],
                "external_id": message.external_id, "language": message.language, "abuse_categories": [],
                "created_at": message.created_at, "updated_at": now,
            }  # fmt: skip


def _timeline_rows(planned: list[_Planned], actor: Actor) -> Iterator[dict[str, Any]]:
    """The timeline of each planned conversation: opened, then the changes to the imported status."""
    for conversation in planned:
        item = conversation.item
        opened = {"status": ConversationStatus.OPEN, "priority": item.priority, "channel": item.channel,
                  "assignee_id": None, "team_id": None, "tags": conversation.tags}  # fmt: skip
        created_at = conversation.created_at
        yield timeline_row(conversation, TimelineKind.OPENED, actor, {}, opened, IMPORTED, created_at)
        for before, after, at in _status_path(item, conversation.resolved_at, conversation.last_activity):
            yield timeline_row(conversation, TimelineKind.STATUS_CHANGED, actor, before, after, IMPORTED, at)


def _status_path(
    item: ImportedConversationIn, resolved_at: datetime | None, last_activity: datetime
) -> list[tuple[dict[str, Any], dict[str, Any], datetime]]:
    """The status changes from open to the imported status: (before, after, when)."""

    def change(
        source: ConversationStatus, target: ConversationStatus, at: datetime
    ) -> tuple[dict[str, Any], dict[str, Any], datetime]:
        return {"status": source, "snoozed_until": None}, {"status": target, "snoozed_until": None}, at

    status = item.status
    if status == ConversationStatus.OPEN:
        return []
    if status == ConversationStatus.PENDING:
        return [change(ConversationStatus.OPEN, status, last_activity)]
    path = []
    current = ConversationStatus.OPEN
    if resolved_at is not None:
        path.append(change(current, ConversationStatus.RESOLVED, resolved_at))
        current = ConversationStatus.RESOLVED
    if status == ConversationStatus.CLOSED:
        path.append(
            change(current, status, item.closed_at or max(resolved_at or last_activity, last_activity))
        )
    return path


def _insert(session: Session, rows: _Rows, workspace_id: uuid.UUID, actor: Actor, now: datetime) -> None:
    """One COPY (PostgreSQL) or executemany per table, parents first (foreign keys are checked per
    statement on SQLite); message and timeline rows are built while they are sent.

    Columns that start empty and have no default (analysis of messages, snooze, assignment,
    complaint) are left out of the rows, so the database fills them with NULL.
    """
    insert_rows(session, _CONVERSATIONS, rows.conversations)
    insert_rows(session, _MESSAGES, _message_rows(workspace_id, rows.planned, now))
    insert_rows(session, _TIMELINE, _timeline_rows(rows.planned, actor))
    insert_rows(session, _TAGS, rows.tags)
    publish_many(session, rows.events)


def _check_history(items: Sequence[ImportedConversationIn], now: datetime) -> None:
    """Times in order and not in the future, status times with their status; all problems at once."""
    problems: list[dict[str, Any]] = []

    def problem(loc: tuple[str | int, ...], msg: str) -> None:
        problems.append({"loc": [*_BODY, *loc], "msg": msg, "type": "invalid_history"})

    for index, item in enumerate(items):
        seen: set[str] = set()
        for position, message in enumerate(item.messages):
            if position and message.created_at < item.messages[position - 1].created_at:
                problem((index, "messages", position, "created_at"), "messages go oldest first")
            if message.created_at > now:
                problem((index, "messages", position, "created_at"), "in the future")
            if message.external_id is not None:
                if message.external_id in seen:
                    problem((index, "messages", position, "external_id"), "repeats an earlier message's")
                seen.add(message.external_id)
        first = item.messages[0].created_at
        opened = item.created_at or first
        if item.created_at is not None and item.created_at > first:
            problem((index, "created_at"), "after the first message")
        finished = item.status in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)
        for name, moment, allowed, earliest in (
            ("resolved_at", item.resolved_at, finished, opened),
            (
                "closed_at",
                item.closed_at,
                item.status == ConversationStatus.CLOSED,
                item.resolved_at or opened,
            ),
        ):
            if moment is None:
                continue
            if not allowed:
                problem((index, name), f"not with status {item.status}")
            elif moment < earliest:
                problem((index, name), "before the conversation was created or resolved")
            elif moment > now:
                problem((index, name), "in the future")
    if problems:
        raise ValidationFailed("invalid conversation history", details=problems)


def _check_authors(
    session: Session, workspace_id: uuid.UUID, items: Sequence[ImportedConversationIn]
) -> None:
    """Every `author_id` is an agent of the workspace (deactivated ones included: it is history)."""
    first_use: dict[uuid.UUID, tuple[int, int]] = {}
    for index, item in enumerate(items):
        for position, message in enumerate(item.messages):
            if message.author_id is not None:
                first_use.setdefault(message.author_id, (index, position))
    unknown = []
    for agent_id, (index, position) in first_use.items():
        try:
            accounts.get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
        except NotFound:
            unknown.append({"loc": [*_BODY, index, "messages", position, "author_id"],
                            "msg": "no such agent", "type": "agent_not_found"})  # fmt: skip
    if unknown:
        raise ValidationFailed("unknown author_id", details=unknown)


def _serialise_intake(session: Session, keys: set[tuple[uuid.UUID, str, uuid.UUID | None]]) -> None:
    """On PostgreSQL, take the intake locks of every (customer, channel, inbox) of the batch, in key order.

    The keys are those of `intake.serialise_intake`, so an import and a live first message (or two
    imports of the same history) do not both decide that a conversation is missing.
    """
    if not keys or session.get_bind().dialect.name != "postgresql":
        return
    lock_keys = sorted({intake_lock_key(*key) for key in keys})
    session.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"), {"keys": lock_keys}
    )


def _stored_external_ids(
    session: Session,
    workspace_id: uuid.UUID,
    items: Sequence[ImportedConversationIn],
    customer_ids: list[uuid.UUID],
) -> dict[_DedupeKey, uuid.UUID]:
    """Conversations already holding the first message's external id of an item, by dedupe key."""
    wanted = sorted({e for item in items if (e := item.messages[0].external_id) is not None})
    m, c = _MESSAGES, _CONVERSATIONS
    found: dict[_DedupeKey, uuid.UUID] = {}
    relevant = set(customer_ids)
    for chunk in in_chunks(wanted):
        with custom_plans(session):
            rows = session.execute(
                select(m.c.external_id, c.c.id, c.c.customer_id, c.c.channel, c.c.inbox_id)
                .join(c, c.c.id == m.c.conversation_id)
                .where(
                    m.c.workspace_id == workspace_id,
                    m.c.external_id.in_(chunk),
                )
                .order_by(c.c.id)
            ).all()
        for row in rows:
            if row.customer_id in relevant:
                found.setdefault((row.customer_id, str(row.channel), row.inbox_id, row.external_id), row.id)
    return found


