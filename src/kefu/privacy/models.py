"""Tables of the privacy domain (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, IdMixin, WorkspaceScoped
from kefu.privacy.enums import RetentionAction


class PrivacySettings(WorkspaceScoped, Base):
    """A workspace's retention policy (tenant data): how long conversations keep what people wrote."""

    __tablename__ = "privacy_settings"
    workspace_index = False

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    retention_days: Mapped[int | None]
    retention_action: Mapped[RetentionAction] = mapped_column(String(10), default=RetentionAction.REDACT)
    updated_at: Mapped[datetime]


class CustomerErasure(IdMixin, WorkspaceScoped, Base):
    """Proof of one erasure: which customer, who asked, why and what was removed (no personal data)."""

    __tablename__ = "customer_erasures"

    customer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    actor_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    identities_removed: Mapped[int]
    conversations_redacted: Mapped[int]
    messages_redacted: Mapped[int]
    created_at: Mapped[datetime]
