"""Request and response shapes of the privacy domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kefu.privacy.enums import RetentionAction

MAX_RETENTION_DAYS = 36_500


class PrivacySettingsOut(BaseModel):
    """The workspace's retention policy; `retention_days` null keeps data until erased."""

    retention_days: int | None
    retention_action: RetentionAction


class PrivacySettingsUpdate(BaseModel):
    """Change the retention policy (fields not sent stay)."""

    model_config = ConfigDict(extra="forbid")

    retention_days: int | None = Field(default=None, ge=1, le=MAX_RETENTION_DAYS)
    retention_action: RetentionAction | None = None


class ErasureIn(BaseModel):
    """Why the customer's data is erased (kept in the erasure record)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class ErasureOut(BaseModel):
    """An erasure record; `already_erased` when the customer had been erased before this request."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    actor_agent_id: uuid.UUID | None
    reason: str
    identities_removed: int
    conversations_redacted: int
    messages_redacted: int
    created_at: datetime
    already_erased: bool = False


class CustomerExport(BaseModel):
    """Everything stored about one customer: the customer with identities, conversations, messages."""

    format: str = "kefu.customer_export.v1"
    exported_at: datetime
    customer: dict[str, Any]
    conversations: list[dict[str, Any]]
    erasures: list[ErasureOut]


class RetentionRunOut(BaseModel):
    """What one retention pass did in a workspace."""

    action: RetentionAction | None
    cutoff: datetime | None
    conversations: int
