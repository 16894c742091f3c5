"""Events the privacy domain publishes (each is also what the audit log records)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from kefu.core.events import DomainEvent
from kefu.privacy.enums import RetentionAction


class CustomerDataExported(DomainEvent):
    """Everything stored about a customer was exported by an agent."""

    event_type: ClassVar[str] = "customer.data_exported"
    customer_id: uuid.UUID
    actor_agent_id: uuid.UUID | None
    conversations: int


class CustomerErased(DomainEvent):
    """A customer's personal data was removed on request; counts and analysis stay."""

    event_type: ClassVar[str] = "customer.erased"
    customer_id: uuid.UUID
    erasure_id: uuid.UUID
    actor_agent_id: uuid.UUID | None
    identities_removed: int
    conversations_redacted: int
    messages_redacted: int


class RetentionApplied(DomainEvent):
    """The retention job redacted or deleted conversations idle since before `cutoff`."""

    event_type: ClassVar[str] = "privacy.retention_applied"
    action: RetentionAction
    cutoff: datetime
    conversations: int


class PrivacySettingsChanged(DomainEvent):
    """An admin changed the workspace's retention policy."""

    event_type: ClassVar[str] = "privacy.settings_changed"
    actor_agent_id: uuid.UUID | None
    retention_days: int | None
    retention_action: RetentionAction
