"""Events single sign-on publishes (each is also what the audit log records)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.accounts.enums import Role
from kefu.core.events import DomainEvent


class SsoProviderConfigured(DomainEvent):
    """An admin set or changed the workspace's OpenID Connect provider."""

    event_type: ClassVar[str] = "sso.provider_configured"
    provider_id: uuid.UUID
    issuer: str
    jit_provisioning: bool
    default_role: Role
    actor_agent_id: uuid.UUID | None


class SsoProviderRemoved(DomainEvent):
    """An admin removed the workspace's OpenID Connect provider."""

    event_type: ClassVar[str] = "sso.provider_removed"
    provider_id: uuid.UUID
    actor_agent_id: uuid.UUID | None


class SsoLoggedIn(DomainEvent):
    """An agent signed in through the identity provider; `provisioned` when the agent was created now."""

    event_type: ClassVar[str] = "sso.logged_in"
    agent_id: uuid.UUID
    provider_id: uuid.UUID
    linked: bool
    provisioned: bool
