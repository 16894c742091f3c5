"""Tables of the nlp domain: per-workspace intent examples and trained model versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from kefu.db.base import Base, IdMixin, JSONType, TimestampMixin, WorkspaceScoped


class IntentExample(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """One labelled utterance a workspace teaches its intent model."""

    __tablename__ = "intent_examples"
    __table_args__ = (
        UniqueConstraint("workspace_id", "label", "text_hash"),
    )
    workspace_index = False

    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(8))


class IntentModelVersion(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A trained intent model of a workspace, its evaluation and whether it is the active one."""

    __tablename__ = "intent_model_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "version"),)
    workspace_index = False

    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=False)
    example_count: Mapped[int] = mapped_column(default=0)
    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    trained_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    artifact: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
