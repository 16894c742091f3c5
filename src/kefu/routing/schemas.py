"""Routing API shapes: queues and their rules, agent routing profiles, presence, transfers, the report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kefu.accounts.enums import Level
from kefu.conversations.enums import Channel
from kefu.routing.enums import EntryState, Presence, RuleField, RuleOp, Strategy

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
NUMERIC_FIELDS = {RuleField.ANGER}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_In):
    """One test of a matching rule: `{"field": "language", "op": "in", "value": ["th"]}`."""

    field: RuleField
    op: RuleOp
    value: str | int | float | bool | list[str | int | float | bool]

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        numeric = self.op in (RuleOp.GTE, RuleOp.LTE)
        if numeric and (self.field not in NUMERIC_FIELDS or isinstance(self.value, bool | list | str)):
            raise ValueError(f"{self.op.value} compares a number field ({', '.join(NUMERIC_FIELDS)})")
        if self.op in (RuleOp.IN, RuleOp.NOT_IN) and not isinstance(self.value, list):
            raise ValueError(f"{self.op.value} needs a list value")
        if isinstance(self.value, list) and not 1 <= len(self.value) <= 50:
            raise ValueError("a list value has 1 to 50 items")
        return self


class Rule(_In):
    """A matching rule: all its conditions must hold (no conditions: matches everything)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    conditions: list[Condition] = Field(default_factory=list, max_length=20)


class QueueIn(_In):
    """A queue: tried by position (lowest first), its rules in order."""

    name: Name
    position: int = Field(default=0, ge=0, le=10_000)
    is_active: bool = True
    strategy: Strategy = Strategy.SKILLS_BEST_MATCH
    rules: list[Rule] = Field(default_factory=list, max_length=50)
    require_language: bool = True
    min_proficiency: int = Field(default=1, ge=1, le=5)
    min_level: Level = Level.JUNIOR
    vip_min_level: Level = Level.SENIOR
    overflow_queue_id: uuid.UUID | None = None
    overflow_after_seconds: int | None = Field(default=None, ge=1, le=7 * 86_400)
    accept_timeout_seconds: int | None = Field(default=None, ge=5, le=86_400)
    agent_ids: list[uuid.UUID] = Field(default_factory=list, max_length=5_000)

    @model_validator(mode="after")
    def _overflow(self) -> QueueIn:
        if (self.overflow_queue_id is None) != (self.overflow_after_seconds is None):
            raise ValueError("overflow_queue_id and overflow_after_seconds go together")
        return self


class QueueUpdate(_In):
    """Change some fields of a queue (`agent_ids` replaces the members)."""

    name: Name | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    is_active: bool | None = None
    strategy: Strategy | None = None
    rules: list[Rule] | None = Field(default=None, max_length=50)
    require_language: bool | None = None
    min_proficiency: int | None = Field(default=None, ge=1, le=5)
    min_level: Level | None = None
    vip_min_level: Level | None = None
    overflow_queue_id: uuid.UUID | None = None
    overflow_after_seconds: int | None = Field(default=None, ge=1, le=7 * 86_400)
    accept_timeout_seconds: int | None = Field(default=None, ge=5, le=86_400)
    agent_ids: list[uuid.UUID] | None = Field(default=None, max_length=5_000)


class QueueOut(BaseModel):
    """A queue as the API shows it, with its members and how many conversations wait in it."""

    id: uuid.UUID
    name: str
    position: int
    is_active: bool
    strategy: Strategy
    rules: list[dict[str, Any]]
    require_language: bool
    min_proficiency: int
    min_level: Level
    vip_min_level: Level
    overflow_queue_id: uuid.UUID | None
    overflow_after_seconds: int | None
    accept_timeout_seconds: int | None
    agent_ids: list[uuid.UUID]
    waiting: int


class ProfileUpdate(_In):
    """An agent's skills and capacity (fields left out stay)."""

    languages: dict[Short, int] | None = None
    product_lines: list[Short] | None = Field(default=None, max_length=100)
    channels: list[Channel] | None = None
    complaints: bool | None = None
    vip: bool | None = None
    capacity: dict[Channel, int] | None = None

    @model_validator(mode="after")
    def _ranges(self) -> ProfileUpdate:
        if self.languages is not None and any(not 1 <= v <= 5 for v in self.languages.values()):
            raise ValueError("language proficiency is 1 (basic) to 5 (native)")
        if self.capacity is not None and any(not 0 <= v <= 200 for v in self.capacity.values()):
            raise ValueError("capacity per channel is 0 to 200")
        return self


class ProfileOut(BaseModel):
    """An agent's routing profile with their current load per channel."""

    model_config = ConfigDict(from_attributes=True)

    agent_id: uuid.UUID
    presence: Presence
    auto_away: bool
    presence_changed_at: datetime
    last_seen_at: datetime
    last_assigned_at: datetime | None
    languages: dict[str, int]
    product_lines: list[str]
    channels: list[str]
    complaints: bool
    vip: bool
    capacity: dict[str, int]
    load: dict[str, int] = Field(default_factory=dict)


class PresenceIn(_In):
    """A presence to set."""

    presence: Presence


class SettingsIn(_In):
    """Workspace routing settings: auto-away after this many quiet seconds (null: off)."""

    auto_away_seconds: int | None = Field(ge=30, le=86_400)


class SettingsOut(BaseModel):
    """Workspace routing settings."""

    auto_away_seconds: int | None


class TransferIn(_In):
    """Hand a conversation to another agent or back to a queue; the reason is required and counted."""

    agent_id: uuid.UUID | None = None
    queue_id: uuid.UUID | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if (self.agent_id is None) == (self.queue_id is None):
            raise ValueError("give exactly one of agent_id and queue_id")
        return self


class EntryOut(BaseModel):
    """A conversation's routing state."""

    model_config = ConfigDict(from_attributes=True)

    conversation_id: uuid.UUID
    queue_id: uuid.UUID | None
    rule: str
    state: EntryState
    priority_rank: int
    vip_rank: int
    waiting_since: datetime
    queued_at: datetime
    assignee_id: uuid.UUID | None
    assigned_at: datetime | None
    accepted_at: datetime | None
    first_assignee_id: uuid.UUID | None
    transfers: int
    reroutes: int
    overflows: int


class ReportRow(BaseModel):
    """Routing accuracy of one queue and strategy: resolved by the first assignee without transfer."""

    queue_id: uuid.UUID | None
    queue_name: str | None
    strategy: str | None
    resolved: int
    resolved_by_first_assignee: int
    accuracy: float | None
    transfers: int
    reroutes: int
    overflows: int


class ReportOut(BaseModel):
    """The routing-accuracy report over conversations resolved in a period."""

    since: datetime | None
    until: datetime | None
    resolved: int
    resolved_by_first_assignee: int
    accuracy: float | None
    rows: list[ReportRow]
