"""Tables of single sign-on (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.accounts.enums import Role
from kefu.db.base import Base, IdMixin, TimestampMixin, WorkspaceScoped


class OidcProvider(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A workspace's OpenID Connect identity provider and how its users become agents."""

    __tablename__ = "oidc_providers"
    __table_args__ = (UniqueConstraint("workspace_id"),)
    workspace_index = False

    issuer: Mapped[str] = mapped_column(String(2048))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str] = mapped_column(Text)
    """Sealed by `core.secretbox` (empty for a public client that relies on PKCE alone)."""
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    jit_provisioning: Mapped[bool] = mapped_column(default=False)
    default_role: Mapped[Role] = mapped_column(String(20), default=Role.AGENT)
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)


class OidcLogin(IdMixin, WorkspaceScoped, Base):
    """One sign-in in progress: the state the provider must send back, its nonce and PKCE verifier."""

    __tablename__ = "oidc_logins"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oidc_providers.id", ondelete="CASCADE"))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(Text)
    """Sealed by `core.secretbox`."""
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    next_path: Mapped[str] = mapped_column(String(2048), default="/")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class AgentSsoIdentity(IdMixin, WorkspaceScoped, Base):
    """Links a provider's subject (`sub`) to an agent, so later sign-ins need no email match."""

    __tablename__ = "agent_sso_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oidc_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime]
