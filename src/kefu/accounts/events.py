"""Events the accounts domain publishes: workspace settings, agents and team membership."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.accounts.enums import Level, Role, TeamKind
from kefu.core.events import DomainEvent


class WorkspaceUpdated(DomainEvent):
    """The workspace's name, default language or time zone changed."""

    event_type: ClassVar[str] = "workspace.updated"
    changed: list[str]
    default_language: str
    timezone: str


class AgentCreated(DomainEvent):
    """A new agent can log in and be routed to."""

    event_type: ClassVar[str] = "agent.created"
    agent_id: uuid.UUID
    role: Role
    level: Level
    languages: list[str]


class AgentUpdated(DomainEvent):
    """An agent's display name, role, level or languages changed; `changed` names the fields."""

    event_type: ClassVar[str] = "agent.updated"
    agent_id: uuid.UUID
    changed: list[str]
    role: Role
    level: Level
    languages: list[str]


class AgentDeactivated(DomainEvent):
    """An agent was deactivated: their sessions ended and their API tokens were revoked."""

    event_type: ClassVar[str] = "agent.deactivated"
    agent_id: uuid.UUID


class AgentReactivated(DomainEvent):
    """A deactivated agent may log in again (with new tokens)."""

    event_type: ClassVar[str] = "agent.reactivated"
    agent_id: uuid.UUID


class TeamCreated(DomainEvent):
    """A team (tier, QA team or department) was created."""

    event_type: ClassVar[str] = "team.created"
    team_id: uuid.UUID
    name: str
    kind: TeamKind


class TeamUpdated(DomainEvent):
    """A team's name, kind or description changed."""

    event_type: ClassVar[str] = "team.updated"
    team_id: uuid.UUID
    changed: list[str]
    name: str
    kind: TeamKind


class TeamDeleted(DomainEvent):
    """A team and its memberships were deleted."""

    event_type: ClassVar[str] = "team.deleted"
    team_id: uuid.UUID
    agent_ids: list[uuid.UUID]


class TeamMemberAdded(DomainEvent):
    """An agent joined a team."""

    event_type: ClassVar[str] = "team.member_added"
    team_id: uuid.UUID
    agent_id: uuid.UUID


class TeamMemberRemoved(DomainEvent):
    """An agent left a team."""

    event_type: ClassVar[str] = "team.member_removed"
    team_id: uuid.UUID
    agent_id: uuid.UUID
