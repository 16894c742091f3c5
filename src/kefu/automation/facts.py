"""The facts rules are evaluated on, read through the public services of lower domains."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations import service as conversations
from kefu.conversations.schemas import ConversationOut
from kefu.core import clock
from kefu.customers import service as customers

COMPLAINT_WINDOW = timedelta(days=30)


def conversation_facts(conversation: ConversationOut, now: datetime) -> dict[str, Any]:
    """The conversation's own facts (`conversation.*`, custom fields flattened)."""
    amount = conversation.complaint_amount
    facts: dict[str, Any] = {
        "conversation.id": str(conversation.id),
        "conversation.status": conversation.status.value,
        "conversation.priority": conversation.priority.value,
        "conversation.channel": conversation.channel.value,
        "conversation.inbox_id": _text(conversation.inbox_id),
        "conversation.assignee_id": _text(conversation.assignee_id),
        "conversation.team_id": _text(conversation.team_id),
        "conversation.tags": list(conversation.tags),
        "conversation.language": conversation.language,
        "conversation.subject": conversation.subject,
        "conversation.is_complaint": conversation.is_complaint,
        "conversation.complaint_amount": None if amount is None else float(amount),
        "conversation.complaint_currency": conversation.complaint_currency,
        "conversation.inbound_count": conversation.inbound_count,
        "conversation.outbound_count": conversation.outbound_count,
        "conversation.reopen_count": conversation.reopen_count,
        "conversation.age_seconds": (now - conversation.created_at).total_seconds(),
        "conversation.idle_seconds": (now - conversation.last_message_at).total_seconds(),
        "conversation.escalated": "escalated" in conversation.tags,
    }
    for key, value in conversation.custom_fields.items():
        facts[f"conversation.custom_fields.{key}"] = value
    return facts


def message_facts(message: Mapping[str, Any]) -> dict[str, Any]:
    """`message.*` facts from a message (or a message event's payload)."""
    return {
        f"message.{name}": _plain(message.get(name))
        for name in (
            "text",
            "direction",
            "language",
            "intent",
            "intent_confidence",
            "sentiment",
            "sentiment_score",
            "anger",
            "angry",
            "abusive",
        )
    }


def needs(fields: Iterable[str], prefix: str) -> bool:
    """Whether any referenced field starts with `prefix` (facts are read only when a rule asks)."""
    return any(name.startswith(prefix) for name in fields)


def gather(
    session: Session,
    *,
    conversation: ConversationOut,
    fields: frozenset[str],
    message: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every fact the rules reference for one conversation: its own, the message's, the customer's, time."""
    now = clock.now()
    facts = conversation_facts(conversation, now)
    if message is not None:
        facts.update(message_facts(message))
    workspace_id = conversation.workspace_id
    if needs(fields, "customer."):
        customer = customers.get_customer(
            session, workspace_id=workspace_id, customer_id=conversation.customer_id
        )
        facts.update(
            {
                "customer.name": customer.name,
                "customer.language": customer.language,
                "customer.market": customer.market,
                "customer.vip_tier": customer.vip_tier.value,
                "customer.tags": list(customer.tags),
            }
        )
        for key, value in customer.custom_fields.items():
            facts[f"customer.custom_fields.{key}"] = value
        if "customer.complaints_30d" in fields:
            facts["customer.complaints_30d"] = conversations.count_customer_complaints(
                session,
                workspace_id=workspace_id,
                customer_id=conversation.customer_id,
                since=now - COMPLAINT_WINDOW,
            )
    if needs(fields, "time."):
        zone = ZoneInfo(accounts.get_workspace(session, workspace_id=workspace_id).timezone)
        local = now.astimezone(zone)
        facts["time.hour"] = local.hour
        facts["time.weekday"] = local.weekday()
    if extra:
        facts.update(extra)
    return facts


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return getattr(value, "value", value)
