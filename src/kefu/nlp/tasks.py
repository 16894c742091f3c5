"""Background jobs of the nlp domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kefu.jobs.unit_of_work import unit_of_work
from kefu.nlp import service
from kefu.nlp.events import IntentTrainingRequested


def train_intent_model(session_factory: sessionmaker[Session], payload: dict[str, Any]) -> None:
    """Train the intent model version an `IntentTrainingRequested` event names."""
    event = IntentTrainingRequested.model_validate(payload)
    with unit_of_work(session_factory) as session:
        service.run_intent_training(
            session, workspace_id=event.workspace_id, version_id=event.version_id,
            activate=event.activate,
        )
