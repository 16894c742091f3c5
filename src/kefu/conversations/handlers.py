"""Reactions of the conversations domain to other domains' events (idempotent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.conversations import service
from kefu.conversations.enums import ActorKind, Direction, Sentiment
from kefu.conversations.events import MessageAnalysed, MessageReceived
from kefu.conversations.schemas import SYSTEM, Actor
from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomersMerged
from kefu.jobs.subscriptions import StagedHandler


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


def _read_received(session: Session, envelope: EventEnvelope) -> service.MessageToAnalyse | None:
    event = envelope.event
    if not isinstance(event, MessageReceived):
        return None
    return service.read_message_for_analysis(
        session, workspace_id=event.workspace_id, message_id=event.message_id
    )


def _save_analysis(session: Session, envelope: EventEnvelope, analysis: dict[str, Any]) -> None:
    event = envelope.event
    assert isinstance(event, MessageReceived)  # _read_received read nothing for any other event
    service.save_message_analysis(
        session, workspace_id=event.workspace_id, message_id=event.message_id, analysis=analysis
    )


on_message_received = StagedHandler(
    name=f"{__name__}.on_message_received",
    read=_read_received,
    compute=service.infer_message_analysis,
    write=_save_analysis,
)
"""Analyse a stored customer message (language, intent, sentiment, anger, abuse): read the message,
run the models with no transaction open, record the result with the event marked handled."""


def on_message_analysed(session: Session, envelope: EventEnvelope) -> None:
    """Default automation: negative + angry customer messages raise the conversation's priority."""
    event = envelope.event
    if (
        isinstance(event, MessageAnalysed)
        and event.direction == Direction.INBOUND
        and event.sentiment == Sentiment.NEGATIVE
        and event.angry
    ):
        service.escalate_angry_message(
            session, workspace_id=event.workspace_id, conversation_id=event.conversation_id
        )
