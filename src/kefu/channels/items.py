"""Normalised inbound items to and from the JSON stored in the ledger."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from kefu.channels.adapters.base import (
    Contact,
    DeliveryState,
    InboundItem,
    InboundMessage,
    Media,
    StatusUpdate,
)
from kefu.channels.enums import EntryKind


def kind_of(item: InboundItem) -> EntryKind:
    """Whether an item is a customer message or a status report."""
    return EntryKind.MESSAGE if isinstance(item, InboundMessage) else EntryKind.STATUS


def dedupe_key(item: InboundItem) -> str:
    """The key an item is unique under within its inbox: the provider's message id (and status)."""
    if isinstance(item, InboundMessage):
        return f"m:{item.provider_message_id}"[:300]
    return f"s:{item.provider_message_id}:{item.state}"[:300]


def to_json(item: InboundItem) -> dict[str, Any]:
    """A JSON object of the item (times as ISO 8601)."""
    data = dataclasses.asdict(item)
    for key in ("sent_at", "at"):
        if isinstance(data.get(key), datetime):
            data[key] = data[key].isoformat()
    data["media"] = [{k: v for k, v in m.items() if k != "content"} for m in data.get("media", [])]
    if isinstance(item, StatusUpdate):
        data["state"] = str(item.state)
    return data


def message_from_json(data: dict[str, Any]) -> InboundMessage:
    """The message stored by `to_json`."""
    sent_at = data.get("sent_at")
    return InboundMessage(
        provider_message_id=data["provider_message_id"],
        sender=Contact(**data["sender"]),
        text=data.get("text", ""),
        media=tuple(Media(**m) for m in data.get("media", [])),
        sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        reply_token=data.get("reply_token"),
        extra=data.get("extra") or {},
    )


def status_from_json(data: dict[str, Any]) -> StatusUpdate:
    """The status report stored by `to_json`."""
    at = data.get("at")
    return StatusUpdate(
        provider_message_id=data["provider_message_id"],
        state=DeliveryState(data["state"]),
        reason=data.get("reason"),
        at=datetime.fromisoformat(at) if at else None,
    )
