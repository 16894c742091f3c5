"""Public shape of an audit row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    """One audit row as admins read it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    occurred_at: datetime
    action: str
    actor_kind: str
    actor_id: uuid.UUID | None
    target_kind: str | None
    target_id: str | None
    client_ip: str | None
    details: dict[str, Any]
