"""Which handler reacts to which event type (filled in by wiring.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kefu.core.events import DomainEvent, EventEnvelope

ANY_EVENT = "*"
Handler = Callable[[Session, EventEnvelope], None]


@dataclass(frozen=True)
class StagedHandler:
    """A handler whose middle step must not hold a transaction (model inference, a slow computation).

    The relay runs `read` for its events in a short transaction of its own, closes it, runs
    `compute` on each input with no transaction open, and then `write` with each result in the
    transaction that marks the event handled. `read` returning None means nothing to do; `write`
    must check again that the work is still due (another process may have done it meanwhile).
    """

    name: str
    read: Callable[[Session, EventEnvelope], Any]
    compute: Callable[[Any], Any]
    write: Callable[[Session, EventEnvelope, Any], None]


Subscriber = Handler | StagedHandler


def _default_name(handler: Subscriber) -> str:
    if isinstance(handler, StagedHandler):
        return handler.name
    return f"{handler.__module__}.{handler.__qualname__}"


@dataclass
class Subscriptions:
    """Event type -> named handlers; a handler for `*` receives every event."""

    _handlers: dict[str, dict[str, Subscriber]] = field(default_factory=lambda: defaultdict(dict))

    def subscribe(
        self, event_type: type[DomainEvent] | str, handler: Subscriber, *, name: str | None = None
    ) -> None:
        """Register a handler under a stable name (default: its qualified name), the idempotency key."""
        key = event_type if isinstance(event_type, str) else event_type.event_type
        if name is None:
            name = _default_name(handler)
        self._handlers[key][name] = handler

    def handlers_for(self, event_type: str) -> dict[str, Subscriber]:
        """Handlers for one event type, including catch-all handlers."""
        return {**self._handlers.get(ANY_EVENT, {}), **self._handlers.get(event_type, {})}

    def catalogue(self) -> dict[str, list[str]]:
        """Event type -> handler names, for documentation and tests."""
        return {k: sorted(v) for k, v in sorted(self._handlers.items())}
