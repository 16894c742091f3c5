"""Events the customers domain publishes."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.core.events import DomainEvent
from kefu.customers.enums import IdentityKind


class CustomerCreated(DomainEvent):
    """A customer was created (by hand, by import or by resolving a new contact)."""

    event_type: ClassVar[str] = "customer.created"
    customer_id: uuid.UUID


class CustomerUpdated(DomainEvent):
    """Attributes of a customer changed; `fields` names them."""

    event_type: ClassVar[str] = "customer.updated"
    customer_id: uuid.UUID
    fields: list[str]


class CustomerIdentityAdded(DomainEvent):
    """An identity now belongs to a customer."""

    event_type: ClassVar[str] = "customer.identity_added"
    customer_id: uuid.UUID
    identity_id: uuid.UUID
    kind: IdentityKind
    value: str
    verified: bool


class CustomerIdentityRemoved(DomainEvent):
    """An identity was removed from a customer."""

    event_type: ClassVar[str] = "customer.identity_removed"
    customer_id: uuid.UUID
    identity_id: uuid.UUID
    kind: IdentityKind
    value: str


class CustomerIdentityConflicted(DomainEvent):
    """A contact showed an identity owned by another customer; it was left there (a merge candidate)."""

    event_type: ClassVar[str] = "customer.identity_conflicted"
    customer_id: uuid.UUID
    owner_customer_id: uuid.UUID
    kind: IdentityKind
    value: str


class CustomerDeleted(DomainEvent):
    """A customer and its identities were deleted."""

    event_type: ClassVar[str] = "customer.deleted"
    customer_id: uuid.UUID


class CustomersMerged(DomainEvent):
    """The source customer was merged into the target: its identities and history belong to the target."""

    event_type: ClassVar[str] = "customers.merged"
    source_customer_id: uuid.UUID
    target_customer_id: uuid.UUID
    actor_agent_id: uuid.UUID | None
