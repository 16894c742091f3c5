"""Request and response shapes of quality inspection."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from kefu.qa.enums import Outcome, ReviewState
from kefu.qa.scorecards import ScorecardDefinition
from kefu.qa.transcript import Deadline

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    """Reject NUL and lone surrogates, which no database column (nor JSONB) can hold."""
    if _UNSTORABLE.search(value):
        raise ValueError("text contains NUL or unpaired surrogate characters")
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""Client text that will be stored."""

DeadlineSource = Callable[[Session, uuid.UUID, uuid.UUID], tuple[Deadline, ...]]
"""The applied SLA targets of a conversation (session, workspace id, conversation id), composed in wiring."""


class ScorecardIn(BaseModel):
    """A new scorecard (or a new version of one: the whole definition)."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=120)
    definition: ScorecardDefinition
    is_active: bool = True


class ScorecardPatch(BaseModel):
    """A change to a scorecard; a new definition makes a new version."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, min_length=1, max_length=120)
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


class TurnOut(BaseModel):
    """One turn of the transcript an evaluation read (its index is what evidence spans point at)."""

    index: int
    role: str
    text: str
    at: datetime | None
    message_id: str | None


class ReviewIn(BaseModel):
    """An inspector's override of one check (`outcome` given) or an agent's dispute (no outcome)."""

    model_config = ConfigDict(extra="forbid")

    check_id: Text = Field(min_length=1, max_length=64)
    outcome: Outcome | None = None
    reason: Text = Field(min_length=3, max_length=1000)


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
    coaching_notes: list[CoachingNoteOut] = Field(default_factory=list)


class CalibrationIn(BaseModel):
    """A new calibration session: raters, and conversations given or sampled from recent evaluations."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=120)
    rater_ids: list[uuid.UUID] = Field(min_length=2, max_length=20)
    conversation_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=100)
    sample_size: int | None = Field(default=None, ge=1, le=100)
    seed: int = 0
    check_ids: list[Text] | None = Field(default=None, min_length=1, max_length=100)


class CalibrationScoresIn(BaseModel):
    """One rater's outcomes for the checks of one conversation of a session."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: uuid.UUID
    outcomes: dict[Text, Outcome] = Field(min_length=1, max_length=100)


class CheckAgreement(BaseModel):
    """How far people agree on one check (and, where known, with the automatic outcome)."""

    check_id: str
    subjects: int
    observed_agreement: float | None
    cohen_kappa: float | None = None
    fleiss_kappa: float | None = None
    automatic_agreement: float | None = None
    automatic_compared: int = 0


class CalibrationOut(BaseModel):
    """A calibration session with each rater's progress and the agreement so far."""

    id: uuid.UUID
    name: str
    status: str
    conversation_ids: list[uuid.UUID]
    check_ids: list[str]
    rater_ids: list[uuid.UUID]
    scored: dict[str, int]
    scores: dict[str, dict[str, dict[str, Outcome]]]
    automatic: dict[str, dict[str, Outcome]]
    per_check: list[CheckAgreement]
    overall: CheckAgreement
    created_at: datetime


class AutomaticAgreementOut(BaseModel):
    """Automatic-vs-human agreement per check, from overrides and calibration scores over a period."""

    since: datetime
    until: datetime
    per_check: list[CheckAgreement]
    overall: CheckAgreement


class CoachingNoteIn(BaseModel):
    """Advice for an agent, optionally about one evaluation (and one of its checks)."""

    model_config = ConfigDict(extra="forbid")

    agent_id: uuid.UUID
    text: Text = Field(min_length=3, max_length=4000)
    evaluation_id: uuid.UUID | None = None
    check_id: Text | None = Field(default=None, min_length=1, max_length=64)


class CoachingNoteOut(BaseModel):
    """A coaching note as the agent and their leads see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agent_id: uuid.UUID
    evaluation_id: uuid.UUID | None
    check_id: str | None
    text: str
    author_id: uuid.UUID | None
    created_at: datetime
    acknowledged_at: datetime | None


class DigestOut(BaseModel):
    """The weekly digest of an agent or a team."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scope: str
    scope_id: uuid.UUID
    week: str
    content: dict[str, Any]
    compiled_at: datetime


class ReviewQueueItem(BaseModel):
    """An evaluation waiting for a person, and why it is in the queue."""

    evaluation_id: uuid.UUID
    conversation_id: uuid.UUID
    agent_id: uuid.UUID | None
    score: float | None
    auto_failed: bool
    review_state: ReviewState
    failed_checks: list[str]
    reasons: list[str]
    evaluated_at: datetime


class TranscriptSegmentIn(BaseModel):
    """One utterance of a call: who spoke, what was said, when (seconds from the call's start)."""

    model_config = ConfigDict(extra="forbid")

    speaker: str = Field(pattern="^(customer|agent)$")
    text: Text = Field(min_length=1, max_length=20_000)
    start_seconds: float = Field(ge=0, le=86_400)
    end_seconds: float | None = Field(default=None, ge=0, le=86_400)


class TranscriptIn(BaseModel):
    """A phone conversation's transcript, as a telephony platform or speech-to-text provider gives it."""

    model_config = ConfigDict(extra="forbid")

    started_at: datetime
    language: Text | None = Field(default=None, min_length=2, max_length=16)
    provider: Text = Field(default="external", min_length=1, max_length=64)
    segments: list[TranscriptSegmentIn] = Field(min_length=1, max_length=5000)


class TranscriptOut(BaseModel):
    """A stored call transcript."""

    model_config = ConfigDict(from_attributes=True)

    conversation_id: uuid.UUID
    provider: str
    language: str | None
    started_at: datetime
    segments: list[dict[str, Any]]
    updated_at: datetime


class TeamReport(BaseModel):
    """A team's inspection results over a period, and each member's evaluations and average."""

    team_id: uuid.UUID
    name: str
    since: datetime
    until: datetime
    evaluations: int
    average_score: float | None
    weekly_scores: list[dict[str, Any]]
    weakest_checks: list[WeakCheck]
    overridden_checks: int
    agents: list[dict[str, Any]]


AgentReport.model_rebuild()
