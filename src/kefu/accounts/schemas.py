"""Public shapes of the accounts domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from kefu.accounts.enums import Level, Role, TeamKind


class Principal(BaseModel):
    """Who is calling: an agent of one workspace, authenticated by session or token."""

    model_config = ConfigDict(frozen=True)

    workspace_id: uuid.UUID
    agent_id: uuid.UUID
    role: Role
    via: str = Field(description="'token' or 'session'")


class WorkspaceOut(BaseModel):
    """A workspace."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    default_language: str
    timezone: str
    created_at: datetime


class AgentIn(BaseModel):
    """Fields to create an agent."""

    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=200)
    role: Role = Role.AGENT
    level: Level = Level.JUNIOR
    languages: list[str] = Field(default_factory=list, max_length=12)


class AgentOut(BaseModel):
    """An agent as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    level: Level
    languages: list[str]
    is_active: bool
    created_at: datetime


class TeamOut(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: TeamKind
    description: str


class IssuedToken(BaseModel):
    """A new API token: the secret is shown once, here, and never again."""

    id: uuid.UUID
    name: str
    token: str
    prefix: str
    created_at: datetime
