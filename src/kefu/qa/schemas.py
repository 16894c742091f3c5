"""Request and response shapes of quality inspection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kefu.qa.enums import Outcome, ReviewState
from kefu.qa.scorecards import ScorecardDefinition


class ScorecardIn(BaseModel):
    """A new scorecard (or a new version of one: the whole definition)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    definition: ScorecardDefinition
    is_active: bool = True


class ScorecardPatch(BaseModel):
    """A change to a scorecard; a new definition makes a new version."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    definition: ScorecardDefinition | None = None
    is_active: bool | None = None


class ScorecardOut(BaseModel):
    """A scorecard with its current definition."""

    id: uuid.UUID
    name: str
    version: int
    is_active: bool
    definition: ScorecardDefinition
    created_at: datetime
    updated_at: datetime


class SpanOut(BaseModel):
    """Where the evidence for a check stands in the conversation."""

    turn: int
    message_id: str | None
    start: int
    end: int
    text: str
    label: str


class CheckOut(BaseModel):
    """One check's result: automatic outcome, the outcome after review, detail and evidence."""

    check_id: str
    dimension: str
    outcome: Outcome
    automatic_outcome: Outcome
    detail: str
    value: float | None = None
    evidence: list[SpanOut]
    override_reason: str | None = None


class EvaluationOut(BaseModel):
    """A conversation's inspection on one scorecard version."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    scorecard_id: uuid.UUID
    scorecard_version: int
    agent_id: uuid.UUID | None
    language: str
    score: float | None
    automatic_score: float | None
    auto_failed: bool
    dimensions: dict[str, float | None]
    checks: list[CheckOut]
    review_state: ReviewState
    evaluated_at: datetime


class ReviewIn(BaseModel):
    """An inspector's override of one check (`outcome` given) or an agent's dispute (no outcome)."""

    model_config = ConfigDict(extra="forbid")

    check_id: str = Field(min_length=1, max_length=64)
    outcome: Outcome | None = None
    reason: str = Field(min_length=3, max_length=1000)


class ReviewOut(BaseModel):
    """A recorded override or dispute."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    evaluation_id: uuid.UUID
    kind: str
    check_id: str
    outcome: str | None
    reason: str
    author_id: uuid.UUID | None
    created_at: datetime


class WeakCheck(BaseModel):
    """A check an agent fails often, with example evidence."""

    check_id: str
    failed: int
    evaluated: int
    failure_rate: float
    examples: list[dict[str, Any]]


class AgentReport(BaseModel):
    """An agent's inspection results over a period: score, trend by week, weakest checks."""

    agent_id: uuid.UUID
    since: datetime
    until: datetime
    evaluations: int
    average_score: float | None
    weekly_scores: list[dict[str, Any]]
    weakest_checks: list[WeakCheck]
    overridden_checks: int
