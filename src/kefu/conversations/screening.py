"""Malicious-complaint screening over stored complaints: repeat claims and copy-paste texts.

Each process keeps one near-duplicate index per workspace and catches up from the database
before every screening (complaint conversations newer than its watermark), so several web
and worker processes see the same complaints without sharing memory.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.conversations.enums import Direction
from kefu.conversations.models import Conversation, Message
from kefu.core import clock
from kefu.nlp.malicious import ComplaintRecord, MaliciousSignals, NearDuplicateIndex, assess_complaint

WINDOW = timedelta(days=30)
TEXT_CHARS = 2000
CATCH_UP_LIMIT = 5000


@dataclass
class _WorkspaceIndex:
    index: NearDuplicateIndex = field(default_factory=lambda: NearDuplicateIndex(window=WINDOW))
    watermark: uuid.UUID | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_indexes: dict[uuid.UUID, _WorkspaceIndex] = {}
_registry_lock = threading.Lock()


def complaint_text(session: Session, conversation_id: uuid.UUID) -> str:
    """The customer's words in a conversation (inbound messages, oldest first, bounded)."""
    texts = session.scalars(
        select(Message.text)
        .where(Message.conversation_id == conversation_id, Message.direction == Direction.INBOUND)
        .order_by(Message.id)
        .limit(20)
    )
    return "\n".join(texts)[:TEXT_CHARS]


def screen(session: Session, conversation: Conversation) -> MaliciousSignals:
    """Signals for one complaint conversation, against the customer's history and other customers."""
    now = clock.now()
    text = complaint_text(session, conversation.id)
    history = [
        ComplaintRecord(at=created_at, amount=float(amount or 0))
        for created_at, amount in session.execute(
            select(Conversation.created_at, Conversation.complaint_amount).where(
                Conversation.workspace_id == conversation.workspace_id,
                Conversation.customer_id == conversation.customer_id,
                Conversation.is_complaint.is_(True),
                Conversation.id != conversation.id,
                Conversation.created_at >= now - WINDOW,
            )
        ).tuples()
    ]
    entry = _workspace_index(conversation.workspace_id)
    with entry.lock:
        _catch_up(session, conversation.workspace_id, entry)
        signals = assess_complaint(
            text,
            conversation.language or "en",
            customer_id=str(conversation.customer_id),
            now=now,
            history=history,
            amount=float(conversation.complaint_amount or 0),
            index=entry.index,
        )
        entry.index.add(
            str(conversation.id), text, customer_id=str(conversation.customer_id), at=now
        )
    return signals


def _workspace_index(workspace_id: uuid.UUID) -> _WorkspaceIndex:
    with _registry_lock:
        return _indexes.setdefault(workspace_id, _WorkspaceIndex())


def _catch_up(session: Session, workspace_id: uuid.UUID, entry: _WorkspaceIndex) -> None:
    """Index complaint conversations created since the watermark (within the window)."""
    query = select(Conversation.id, Conversation.customer_id, Conversation.created_at).where(
        Conversation.workspace_id == workspace_id,
        Conversation.is_complaint.is_(True),
        Conversation.created_at >= clock.now() - WINDOW,
    )
    if entry.watermark is not None:
        query = query.where(Conversation.id > entry.watermark)
    rows = session.execute(query.order_by(Conversation.id).limit(CATCH_UP_LIMIT)).tuples().all()
    for conversation_id, customer_id, created_at in rows:
        entry.index.add(
            str(conversation_id),
            complaint_text(session, conversation_id),
            customer_id=str(customer_id),
            at=created_at,
        )
        entry.watermark = conversation_id
