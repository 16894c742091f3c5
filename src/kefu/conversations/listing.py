"""Filters, ordering and cursors of the list reads (used by the service)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, exists, or_
from sqlalchemy.orm import Session

from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.conversations.schemas import (
    ConversationFilter,
)
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.paging import Page, checked_limit, decode_cursor, decode_id_cursor, encode_cursor

_M = TypeVar("_M", bound=BaseModel)


def conversation_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Decode a conversation-list cursor: (last_message_at, id) of the last row seen."""
    at, ident = decode_cursor(cursor, size=2)
    try:
        return clock.as_utc(datetime.fromisoformat(str(at))), uuid.UUID(str(ident))
    except ValueError as exc:
        raise ValidationFailed("malformed cursor", code="invalid_cursor") from exc


def id_page(
    session: Session, query: Select[Any], id_column: Any, limit: int, cursor: str | None, out: type[_M]
) -> Page[_M]:
    """Ascending id order (ids are time-ordered) with an id cursor."""
    limit = checked_limit(limit)
    if cursor:
        query = query.where(id_column > decode_id_cursor(cursor))
    rows = session.scalars(query.order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([str(rows[-1].id)]) if more else None
    return Page(items=[out.model_validate(r) for r in rows], next_cursor=next_cursor)


def filtered(query: Select[Any], filters: ConversationFilter) -> Select[Any]:
    """Apply list filters; text search matches the subject or any message (portable LIKE)."""
    if filters.status:
        query = query.where(Conversation.status.in_(filters.status))
    if filters.priority:
        query = query.where(Conversation.priority.in_(filters.priority))
    if filters.assignee == "unassigned":
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee is not None:
        query = query.where(Conversation.assignee_id == filters.assignee)
    if filters.team_id is not None:
        query = query.where(Conversation.team_id == filters.team_id)
    if filters.customer_id is not None:
        query = query.where(Conversation.customer_id == filters.customer_id)
    if filters.channel is not None:
        query = query.where(Conversation.channel == filters.channel)
    if filters.inbox_id is not None:
        query = query.where(Conversation.inbox_id == filters.inbox_id)
    if filters.is_complaint is not None:
        query = query.where(Conversation.is_complaint == filters.is_complaint)
    if filters.tag:
        query = query.where(
            exists().where(
                ConversationTag.conversation_id == Conversation.id, ConversationTag.tag == filters.tag
            )
        )
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Conversation.subject.ilike(pattern, escape="\\"),
                exists().where(
                    Message.conversation_id == Conversation.id, Message.text.ilike(pattern, escape="\\")
                ),
            )
        )
    return query
