"""Reactions of the conversations domain to other domains' events (idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu.conversations import service
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import SYSTEM, Actor
from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomersMerged


def on_customers_merged(session: Session, envelope: EventEnvelope) -> None:
    """Move the merged-away customer's conversations to the surviving customer (a rerun moves none)."""
    event = envelope.event
    if not isinstance(event, CustomersMerged):
        return
    actor = SYSTEM if event.actor_agent_id is None else Actor(kind=ActorKind.AGENT, id=event.actor_agent_id)
    service.move_customer_conversations(
        session,
        workspace_id=event.workspace_id,
        source_customer_id=event.source_customer_id,
        target_customer_id=event.target_customer_id,
        actor=actor,
    )
