"""Reactions of the automation domain: rules run on conversation, message, SLA and customer events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kefu.automation import service
from kefu.automation.enums import Trigger
from kefu.conversations import service as conversations
from kefu.conversations.events import (
    ConversationAssigned,
    ConversationComplaintMarked,
    ConversationFieldsChanged,
    ConversationOpened,
    ConversationPriorityChanged,
    ConversationResolved,
    ConversationStatusChanged,
    ConversationTagged,
    ConversationUntagged,
    MessageAnalysed,
    MessageReceived,
)
from kefu.conversations.schemas import ConversationFilter
from kefu.core.events import DomainEvent, EventEnvelope
from kefu.customers.events import CustomerUpdated
from kefu.sla.events import SlaBreached, SlaWarning

UPDATED = frozenset({Trigger.CONVERSATION_UPDATED})
TRIGGERS: Mapping[type[DomainEvent], frozenset[Trigger]] = {
    ConversationOpened: frozenset({Trigger.CONVERSATION_OPENED}),
    ConversationAssigned: UPDATED,
    ConversationPriorityChanged: UPDATED,
    ConversationStatusChanged: UPDATED,
    ConversationTagged: UPDATED,
    ConversationUntagged: UPDATED,
    ConversationFieldsChanged: UPDATED,
    ConversationComplaintMarked: frozenset({Trigger.CONVERSATION_UPDATED, Trigger.COMPLAINT_MARKED}),
    ConversationResolved: frozenset({Trigger.CONVERSATION_RESOLVED}),
    MessageReceived: frozenset({Trigger.MESSAGE_RECEIVED}),
    MessageAnalysed: frozenset({Trigger.MESSAGE_ANALYSED}),
    SlaWarning: frozenset({Trigger.SLA_WARNING}),
    SlaBreached: frozenset({Trigger.SLA_BREACHED}),
    CustomerUpdated: frozenset({Trigger.CUSTOMER_UPDATED}),
}
"""The events rules listen to and the triggers each stands for (subscribed in `wiring`)."""
CUSTOMER_CONVERSATIONS = 20
"""A customer update is evaluated on at most this many of the customer's active conversations."""


def on_event(session: Session, envelope: EventEnvelope) -> None:
    """Run the workspace's rules on the conversation(s) an event is about (a rerun fires nothing twice)."""
    event = envelope.event
    triggers = TRIGGERS.get(type(event))
    if triggers is None:
        return
    payload = event.model_dump(mode="json")
    caused_by = service.caused_by_rule(payload.get("actor_kind"), getattr(event, "actor_id", None))
    message: dict[str, Any] | None = None
    extra: dict[str, Any] = {}
    if isinstance(event, MessageReceived):
        message = {"text": event.text, "language": event.language, "direction": "inbound"}
    elif isinstance(event, MessageAnalysed):
        message = payload
    elif isinstance(event, (SlaWarning, SlaBreached)):
        extra["sla.metric"] = event.metric.value
    occurrence = service.Occurrence(triggers, envelope.id, caused_by, message, extra)
    if isinstance(event, CustomerUpdated):
        page = conversations.list_conversations(
            session,
            workspace_id=event.workspace_id,
            filters=ConversationFilter(customer_id=event.customer_id, status=list(service.ACTIVE_STATUSES)),
            limit=CUSTOMER_CONVERSATIONS,
        )
        targets = [c.id for c in page.items]
    else:
        targets = [event.conversation_id]  # type: ignore[attr-defined]
    for conversation_id in targets:
        service.run_rules(
            session, workspace_id=event.workspace_id, conversation_id=conversation_id, occurrence=occurrence
        )
