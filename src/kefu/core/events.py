"""Domain event base: past-tense facts, serialisable, registered by type name."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_registry: dict[str, type[DomainEvent]] = {}


class DomainEvent(BaseModel):
    """A fact that happened inside one workspace; subclasses set `event_type` (e.g. conversation.opened)."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str] = ""
    workspace_id: uuid.UUID

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.event_type:
            if cls.event_type in _registry and _registry[cls.event_type] is not cls:
                raise TypeError(f"duplicate event type {cls.event_type}")
            _registry[cls.event_type] = cls


def event_class(event_type: str) -> type[DomainEvent]:
    """Look up the class registered for an event type name."""
    return _registry[event_type]


def event_types() -> list[str]:
    """All registered event type names, sorted."""
    return sorted(_registry)


class EventEnvelope(BaseModel):
    """A delivered event with its outbox id and time, as handlers and webhooks see it."""

    id: int
    event_type: str
    occurred_at: datetime
    event: DomainEvent
    bulk: bool = False
    """True for events of bulk-loaded history (imports, demo data), relayed after live ones."""
