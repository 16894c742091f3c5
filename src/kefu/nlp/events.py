"""Events published by the nlp domain."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.core.events import DomainEvent


class IntentTrainingRequested(DomainEvent):
    """A workspace asked for a new intent model version to be trained."""

    event_type: ClassVar[str] = "nlp.intent_training_requested"
    version_id: uuid.UUID
    activate: bool


class IntentModelTrained(DomainEvent):
    """An intent model version finished training (ready or failed)."""

    event_type: ClassVar[str] = "nlp.intent_model_trained"
    version_id: uuid.UUID
    status: str


class IntentModelActivated(DomainEvent):
    """A workspace switched its active intent model version."""

    event_type: ClassVar[str] = "nlp.intent_model_activated"
    version_id: uuid.UUID
