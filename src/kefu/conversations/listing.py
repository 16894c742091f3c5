"""Filters of the conversation list read (used by the service)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_

from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.conversations.schemas import (
    ConversationFilter,
)


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
