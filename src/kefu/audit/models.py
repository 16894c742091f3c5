"""The audit log table (append-only: the code never updates or deletes a row)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, WorkspaceScoped


class AuditEvent(IdMixin, WorkspaceScoped, Base):
    """One security-relevant action: who did what to which target, from where, when."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_workspace_id_id", "workspace_id", "id"),
        Index("ix_audit_events_workspace_id_action_id", "workspace_id", "action", "id"),
    )
    workspace_index = False

    occurred_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None]
    target_kind: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
