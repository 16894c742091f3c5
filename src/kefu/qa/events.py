"""Events quality inspection publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from kefu.core.events import DomainEvent


class ConversationEvaluated(DomainEvent):
    """A conversation was scored on a scorecard version (automatically)."""

    event_type: ClassVar[str] = "qa.conversation_evaluated"

    evaluation_id: uuid.UUID
    conversation_id: uuid.UUID
    scorecard_id: uuid.UUID
    scorecard_version: int
    agent_id: uuid.UUID | None
    score: float | None
    auto_failed: bool
    failed_checks: list[str]


class CheckReviewed(DomainEvent):
    """An inspector overrode, or an agent disputed, one check of an evaluation."""

    event_type: ClassVar[str] = "qa.check_reviewed"

    evaluation_id: uuid.UUID
    conversation_id: uuid.UUID
    check_id: str
    kind: str
    outcome: str | None
    score: float | None
    author_id: uuid.UUID


class ScorecardChanged(DomainEvent):
    """A scorecard was created or got a new version (conversations are re-evaluated by the sweep)."""

    event_type: ClassVar[str] = "qa.scorecard_changed"

    scorecard_id: uuid.UUID
    version: int


class CoachingNoteAdded(DomainEvent):
    """A lead or inspector left an agent a coaching note (the agent sees it in their report)."""

    event_type: ClassVar[str] = "qa.coaching_note_added"

    note_id: uuid.UUID
    agent_id: uuid.UUID
    evaluation_id: uuid.UUID | None
    check_id: str | None
    author_id: uuid.UUID


class WeeklyDigestCompiled(DomainEvent):
    """The weekly QA digests of a workspace's agents and teams were compiled for an ISO week."""

    event_type: ClassVar[str] = "qa.weekly_digest_compiled"

    week: str
    agent_ids: list[uuid.UUID]
    team_ids: list[uuid.UUID]
