"""Events the webhooks domain publishes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from kefu.core.events import DomainEvent


class WebhookEndpointDisabled(DomainEvent):
    """An endpoint was switched off after failing without a break for too long."""

    event_type: ClassVar[str] = "webhook_endpoint.disabled"
    endpoint_id: uuid.UUID
    url: str
    consecutive_failures: int
    failing_since: datetime | None
