"""Tables of the accounts domain (private to it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from kefu.accounts.enums import Level, Role, TeamKind
from kefu.db.base import Base, BigIntId, IdMixin, TimestampMixin, WorkspaceScoped


class Workspace(IdMixin, TimestampMixin, Base):
    """A tenant: every other row belongs to exactly one workspace."""

    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    two_factor_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Admins and supervisors must use two-factor authentication to work in the workspace."""


class Agent(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A person who works in the console: agent, supervisor, QA inspector or admin."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)
    workspace_index = False

    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20))
    level: Mapped[Level] = mapped_column(String(20), default=Level.JUNIOR)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)


class Team(IdMixin, TimestampMixin, WorkspaceScoped, Base):
    """A group of agents: a service tier, the QA team, or a department receiving hand-offs."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    workspace_index = False

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[TeamKind] = mapped_column(String(20), default=TeamKind.TIER)
    description: Mapped[str] = mapped_column(String(500), default="")


class TeamMember(WorkspaceScoped, Base):
    """Membership of an agent in a team."""

    __tablename__ = "team_members"

    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ApiToken(IdMixin, WorkspaceScoped, Base):
    """A personal API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuthSession(IdMixin, WorkspaceScoped, Base):
    """A console login: the cookie carries a secret whose SHA-256 digest is stored here."""

    __tablename__ = "auth_sessions"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Opened while the workspace requires 2FA the agent has not set up: only 2FA enrolment works."""


class LoginFailure(Base):
    """One failed password check, keyed by a digest of (email, client IP), for the login rate limit.

    Not workspace-scoped: a login happens before the workspace is known, and one email may
    exist in several workspaces.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_hash_attempted_at", "key_hash", "attempted_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(index=True)


class TwoFactor(WorkspaceScoped, Base):
    """An agent's TOTP secret (sealed by the server key); enabled once a first code confirmed it."""

    __tablename__ = "agent_two_factor"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigIntId)
    """The last accepted time step: a code is good once (no replay within its window)."""


class RecoveryCode(IdMixin, WorkspaceScoped, Base):
    """A one-time recovery code of an agent's 2FA; only its SHA-256 digest is stored."""

    __tablename__ = "agent_recovery_codes"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
