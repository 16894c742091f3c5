"""Which handler reacts to which event type (filled in by wiring.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kefu.core.events import DomainEvent, EventEnvelope

Handler = Callable[[Session, EventEnvelope], None]
ANY_EVENT = "*"


@dataclass
class Subscriptions:
    """Event type -> named handlers; a handler for `*` receives every event."""

    _handlers: dict[str, dict[str, Handler]] = field(default_factory=lambda: defaultdict(dict))

    def subscribe(
        self, event_type: type[DomainEvent] | str, handler: Handler, *, name: str | None = None
    ) -> None:
        """Register a handler under a stable name (default: its qualified name), the idempotency key."""
        key = event_type if isinstance(event_type, str) else event_type.event_type
        self._handlers[key][name or f"{handler.__module__}.{handler.__qualname__}"] = handler

    def handlers_for(self, event_type: str) -> dict[str, Handler]:
        """Handlers for one event type, including catch-all handlers."""
        return {**self._handlers.get(ANY_EVENT, {}), **self._handlers.get(event_type, {})}

    def catalogue(self) -> dict[str, list[str]]:
        """Event type -> handler names, for documentation and tests."""
        return {k: sorted(v) for k, v in sorted(self._handlers.items())}
