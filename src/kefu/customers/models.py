"""Tables of the customers domain (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kefu.customers.enums import IdentityKind, VipTier
from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped
from kefu.db.rows import RowTemplate


class Customer(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A person served by the workspace; a merged customer is a tombstone pointing at its target."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_workspace_live", "workspace_id", "merged_into_id", "id"),)
    workspace_index = False

    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(35))
    market: Mapped[str | None] = mapped_column(String(2))
    vip_tier: Mapped[VipTier] = mapped_column(String(20), default=VipTier.NONE)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    merged_at: Mapped[datetime | None]

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer",
        lazy="selectin",
        order_by="CustomerIdentity.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    tag_rows: Mapped[list[CustomerTag]] = relationship(
        lazy="selectin", order_by="(CustomerTag.customer_id, CustomerTag.tag)",  # primary key order
        cascade="all, delete-orphan", passive_deletes=True,
    )


class CustomerIdentity(IdMixin, WorkspaceScoped, Base):
    """One way to recognise a customer; (kind, value) is unique in a workspace."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "value"),)
    workspace_index = False

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[IdentityKind] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="identities")


class CustomerTag(WorkspaceScoped, Base):
    """A tag (segment) on a customer, one row per tag so lists filter by tag on every backend."""

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_tag", "tag", "workspace_id"),)  # tag first: ARCHITECTURE.md
    workspace_index = False

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class CustomerMerge(IdMixin, WorkspaceScoped, Base):
    """Audit of one merge: who merged which customer into which, and what moved."""

    __tablename__ = "customer_merges"

    source_customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    target_customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    actor_agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    moved_identities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    added_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_custom_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


CUSTOMER_ROW = RowTemplate.of(Customer).row
"""Every column of a new customer row, for the paths that insert without the unit of work."""
IDENTITY_ROW = RowTemplate.of(CustomerIdentity).row
"""Every column of a new identity row."""
