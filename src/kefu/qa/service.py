"""The write path of quality inspection: scorecards, evaluation, review, calibration, coaching, digests."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, Direction, TimelineKind
from kefu.conversations.schemas import ConversationOut, MessageOut
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.core.paging import MAX_LIMIT
from kefu.db.outbox import publish
from kefu.qa import agreement
from kefu.qa.engine import evaluate, score_outcomes
from kefu.qa.enums import Outcome, ReviewState
from kefu.qa.events import (
    CheckReviewed,
    CoachingNoteAdded,
    ConversationEvaluated,
    ScorecardChanged,
    WeeklyDigestCompiled,
)
from kefu.qa.exceptions import (
    CalibrationClosed,
    CalibrationNotFound,
    CoachingNoteNotFound,
    EvaluationNotFound,
    InvalidCalibration,
    NoActiveScorecard,
    NotARater,
    ScorecardNotFound,
    UnknownCheck,
)
from kefu.qa.models import (
    CalibrationScore,
    CalibrationSession,
    CallTranscript,
    CoachingNote,
    Digest,
    Evaluation,
    Review,
    Scorecard,
    ScorecardVersion,
)
from kefu.qa.schemas import (
    AgentReport,
    AutomaticAgreementOut,
    CalibrationIn,
    CalibrationOut,
    CalibrationScoresIn,
    CheckAgreement,
    CheckOut,
    CoachingNoteIn,
    CoachingNoteOut,
    DeadlineSource,
    DigestOut,
    EvaluationOut,
    ReviewIn,
    ReviewOut,
    ReviewQueueItem,
    ScorecardIn,
    ScorecardOut,
    ScorecardPatch,
    TeamReport,
    TranscriptIn,
    TranscriptOut,
    TurnOut,
    WeakCheck,
)
from kefu.qa.scorecards import ScorecardDefinition, default_definition
from kefu.qa.transcript import Transcript, build_transcript

DEFAULT_NAME = "Default scorecard"
OPEN_REEVALUATION = timedelta(days=1)


def _scorecard_out(session: Session, card: Scorecard) -> ScorecardOut:
    return ScorecardOut(
        id=card.id,
        name=card.name,
        version=card.version,
        is_active=card.is_active,
        definition=_definition(session, card.id, card.version),
        created_at=card.created_at,
        updated_at=card.updated_at,
    )


def _definition(session: Session, scorecard_id: uuid.UUID, version: int) -> ScorecardDefinition:
    row = session.get(ScorecardVersion, (scorecard_id, version))
    if row is None:
        raise ScorecardNotFound("scorecard version not found")
    return ScorecardDefinition.model_validate(row.definition)


def _add_version(
    session: Session, card: Scorecard, definition: ScorecardDefinition, author_id: uuid.UUID | None
) -> None:
    session.add(
        ScorecardVersion(
            workspace_id=card.workspace_id,
            scorecard_id=card.id,
            version=card.version,
            definition=definition.model_dump(mode="json"),
            author_id=author_id,
            created_at=clock.now(),
        )
    )
    publish(
        session, ScorecardChanged(workspace_id=card.workspace_id, scorecard_id=card.id, version=card.version)
    )


def create_scorecard(
    session: Session, *, workspace_id: uuid.UUID, data: ScorecardIn, author_id: uuid.UUID | None
) -> ScorecardOut:
    """Create a scorecard at version 1; an active one replaces the workspace's active scorecard."""
    if data.is_active:
        _deactivate_others(session, workspace_id, None)
    card = Scorecard(workspace_id=workspace_id, name=data.name, version=1, is_active=data.is_active)
    session.add(card)
    session.flush()
    _add_version(session, card, data.definition, author_id)
    session.flush()
    return _scorecard_out(session, card)


def ensure_default_scorecard(session: Session, *, workspace_id: uuid.UUID) -> ScorecardOut:
    """The workspace's active scorecard, creating the shipped default when it has none at all."""
    active = _active(session, workspace_id)
    if active is not None:
        return _scorecard_out(session, active)
    if session.scalar(select(Scorecard.id).where(Scorecard.workspace_id == workspace_id).limit(1)):
        raise NoActiveScorecard("no scorecard of the workspace is active")
    return create_scorecard(
        session,
        workspace_id=workspace_id,
        data=ScorecardIn(name=DEFAULT_NAME, definition=default_definition()),
        author_id=None,
    )


def update_scorecard(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    scorecard_id: uuid.UUID,
    data: ScorecardPatch,
    author_id: uuid.UUID | None,
) -> ScorecardOut:
    """Rename, (de)activate, or give a scorecard a new definition (a new version; old ones are kept)."""
    card = _card(session, workspace_id, scorecard_id)
    if data.name is not None:
        card.name = data.name
    if data.is_active is not None:
        if data.is_active:
            _deactivate_others(session, workspace_id, card.id)
        card.is_active = data.is_active
    if data.definition is not None and data.definition != _definition(session, card.id, card.version):
        card.version += 1
        _add_version(session, card, data.definition, author_id)
    card.updated_at = clock.now()
    session.flush()
    return _scorecard_out(session, card)


def list_scorecards(session: Session, *, workspace_id: uuid.UUID) -> list[ScorecardOut]:
    """The workspace's scorecards, oldest first."""
    cards = session.scalars(
        select(Scorecard).where(Scorecard.workspace_id == workspace_id).order_by(Scorecard.id)
    ).all()
    return [_scorecard_out(session, c) for c in cards]


def get_scorecard(session: Session, *, workspace_id: uuid.UUID, scorecard_id: uuid.UUID) -> ScorecardOut:
    """One scorecard with its current definition."""
    return _scorecard_out(session, _card(session, workspace_id, scorecard_id))


def _card(session: Session, workspace_id: uuid.UUID, scorecard_id: uuid.UUID) -> Scorecard:
    card = session.get(Scorecard, scorecard_id)
    if card is None or card.workspace_id != workspace_id:
        raise ScorecardNotFound("scorecard not found")
    return card


def _active(session: Session, workspace_id: uuid.UUID) -> Scorecard | None:
    return session.scalar(
        select(Scorecard)
        .where(Scorecard.workspace_id == workspace_id, Scorecard.is_active.is_(True))
        .limit(1)
    )


def _deactivate_others(session: Session, workspace_id: uuid.UUID, keep: uuid.UUID | None) -> None:
    for card in session.scalars(
        select(Scorecard).where(Scorecard.workspace_id == workspace_id, Scorecard.is_active.is_(True))
    ):
        if card.id != keep:
            card.is_active = False


def _all_messages(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> list[MessageOut]:
    """Every message and note of a conversation, oldest first (read once per evaluation)."""
    messages: list[MessageOut] = []
    cursor: str | None = None
    while True:
        page = conversations.list_messages(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            limit=MAX_LIMIT,
            cursor=cursor,
        )
        messages.extend(page.items)
        if not page.next_cursor:
            return messages
        cursor = page.next_cursor


def transcript_of(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation: ConversationOut,
    messages: list[MessageOut],
    deadlines: DeadlineSource | None = None,
) -> Transcript:
    """The conversation's customer and agent turns (notes left out) and its outcome facts.

    A phone conversation's call transcript, when stored, adds its segments as turns in time order.
    """
    turns: list[tuple[str, str, datetime | None, str | None]] = [
        ("customer" if m.direction == Direction.INBOUND else "agent", m.text, m.created_at, str(m.id))
        for m in messages
        if m.direction != Direction.NOTE
    ]
    call = _call_transcript(session, conversation.id)
    if call is not None:
        started = clock.as_utc(call.started_at)
        turns.extend(
            (s["speaker"], s["text"], started + timedelta(seconds=s["start_seconds"]), None)
            for s in call.segments
        )
        turns.sort(key=lambda t: t[2] or started)
    language = (
        conversation.language
        or (call.language if call is not None else None)
        or next((m.language for m in messages if m.language), "en")
    )
    return build_transcript(
        id=str(conversation.id),
        language=language,
        messages=turns,
        is_complaint=conversation.is_complaint,
        transfers=_transfers(session, workspace_id, conversation.id),
        reopened=conversation.reopen_count > 0,
        resolved=conversation.resolved_at is not None,
        deadlines=deadlines(session, workspace_id, conversation.id) if deadlines else (),
    )


def _transfers(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> int:
    """Assignee changes from one agent to another (a first assignment is not a transfer)."""
    transfers, cursor = 0, None
    while True:
        page = conversations.list_timeline(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            limit=MAX_LIMIT,
            cursor=cursor,
        )
        transfers += sum(
            1
            for e in page.items
            if e.kind == TimelineKind.ASSIGNEE_CHANGED
            and e.before.get("assignee_id")
            and e.after.get("assignee_id")
        )
        if not page.next_cursor:
            return transfers
        cursor = page.next_cursor


def evaluate_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    refresh: bool = False,
    deadlines: DeadlineSource | None = None,
) -> EvaluationOut | None:
    """Score a conversation on the active scorecard's current version; once per version unless `refresh`.

    Returns None when the conversation has no agent reply yet (nothing to inspect). A refresh
    re-runs the checks in place and keeps the people's overrides. `deadlines` gives the applied
    SLA targets the timing checks use (fixed targets without it).
    """
    card = _scorecard_row(session, workspace_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    existing = session.scalar(
        select(Evaluation).where(
            Evaluation.conversation_id == conversation_id,
            Evaluation.scorecard_id == card.id,
            Evaluation.scorecard_version == card.version,
        )
    )
    if existing is not None and not refresh:
        return _evaluation_out(session, existing)
    messages = _all_messages(session, workspace_id, conversation_id)
    transcript = transcript_of(
        session, workspace_id=workspace_id, conversation=conversation, messages=messages, deadlines=deadlines
    )
    if not transcript.agent_turns:
        return None
    definition = _definition(session, card.id, card.version)
    scored = evaluate(transcript, definition)
    if existing is None:
        for older in session.scalars(
            select(Evaluation).where(
                Evaluation.conversation_id == conversation_id, Evaluation.is_current.is_(True)
            )
        ):
            older.is_current = False
        existing = Evaluation(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            scorecard_id=card.id,
            scorecard_version=card.version,
            language=transcript.language,
            evaluated_at=clock.now(),
        )
        session.add(existing)
    existing.agent_id = conversation.assignee_id or _last_agent(messages)
    existing.language = transcript.language
    existing.checks = scored.checks_json()
    existing.automatic_score = scored.score
    existing.evaluated_at = clock.now()
    _apply_reviews(session, existing, definition)
    session.flush()
    publish(
        session,
        ConversationEvaluated(
            workspace_id=workspace_id,
            evaluation_id=existing.id,
            conversation_id=conversation_id,
            scorecard_id=card.id,
            scorecard_version=card.version,
            agent_id=existing.agent_id,
            score=existing.score,
            auto_failed=existing.auto_failed,
            failed_checks=[c["check_id"] for c in existing.checks if c["outcome"] == Outcome.FAILED],
        ),
    )
    return _evaluation_out(session, existing)


def _scorecard_row(session: Session, workspace_id: uuid.UUID) -> Scorecard:
    card = _active(session, workspace_id)
    if card is None:
        ensure_default_scorecard(session, workspace_id=workspace_id)
        card = _active(session, workspace_id)
    assert card is not None
    return card


def _last_agent(messages: list[MessageOut]) -> uuid.UUID | None:
    """The agent who wrote the last reply (for conversations resolved without an assignee)."""
    replies = [
        m.author_id
        for m in messages
        if m.direction == Direction.OUTBOUND and m.author_kind == ActorKind.AGENT
    ]
    return replies[-1] if replies else None


def _apply_reviews(session: Session, evaluation: Evaluation, definition: ScorecardDefinition) -> None:
    """Recompute the score with the latest override of each check; set the review state."""
    reviews = (
        session.scalars(select(Review).where(Review.evaluation_id == evaluation.id).order_by(Review.id)).all()
        if evaluation.id
        else []
    )
    overrides = {r.check_id: r for r in reviews if r.kind == "override"}
    checks = []
    for check in evaluation.checks:
        check = dict(check)
        check.setdefault("automatic_outcome", check["outcome"])
        override = overrides.get(check["check_id"])
        check["outcome"] = override.outcome if override else check["automatic_outcome"]
        check["override_reason"] = override.reason if override else None
        checks.append(check)
    evaluation.checks = checks
    score, auto_failed, dimensions = score_outcomes(
        definition, {c["check_id"]: Outcome(c["outcome"]) for c in checks}
    )
    evaluation.score, evaluation.auto_failed, evaluation.dimensions = score, auto_failed, dimensions
    disputed = {r.check_id for r in reviews if r.kind == "dispute"} - set(overrides)
    evaluation.review_state = (
        ReviewState.DISPUTED if disputed else ReviewState.REVIEWED if overrides else ReviewState.AUTOMATIC
    ).value


def _evaluation_out(session: Session, evaluation: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        id=evaluation.id,
        conversation_id=evaluation.conversation_id,
        scorecard_id=evaluation.scorecard_id,
        scorecard_version=evaluation.scorecard_version,
        agent_id=evaluation.agent_id,
        language=evaluation.language,
        score=evaluation.score,
        automatic_score=evaluation.automatic_score,
        auto_failed=evaluation.auto_failed,
        dimensions=evaluation.dimensions,
        checks=[CheckOut.model_validate(c) for c in evaluation.checks],
        review_state=ReviewState(evaluation.review_state),
        evaluated_at=evaluation.evaluated_at,
    )


def list_evaluation_turns(
    session: Session, *, workspace_id: uuid.UUID, evaluation_id: uuid.UUID
) -> list[TurnOut]:
    """The transcript turns of an evaluation's conversation as inspection read them (for evidence)."""
    row = _evaluation(session, workspace_id, evaluation_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=row.conversation_id
    )
    messages = _all_messages(session, workspace_id, row.conversation_id)
    transcript = transcript_of(
        session, workspace_id=workspace_id, conversation=conversation, messages=messages
    )
    return [
        TurnOut(index=t.index, role=t.role.value, text=t.text, at=t.at, message_id=t.message_id)
        for t in transcript.turns
    ]


def _evaluation(session: Session, workspace_id: uuid.UUID, evaluation_id: uuid.UUID) -> Evaluation:
    row = session.get(Evaluation, evaluation_id)
    if row is None or row.workspace_id != workspace_id:
        raise EvaluationNotFound("evaluation not found")
    return row


def access_evaluation(
    session: Session, *, workspace_id: uuid.UUID, evaluation_id: uuid.UUID, agent_id: uuid.UUID | None
) -> EvaluationOut:
    """One evaluation; with `agent_id`, only if it is that agent's (404 otherwise)."""
    row = _evaluation(session, workspace_id, evaluation_id)
    if agent_id is not None and row.agent_id != agent_id:
        raise EvaluationNotFound("evaluation not found")
    return _evaluation_out(session, row)


def get_conversation_evaluation(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, agent_id: uuid.UUID | None
) -> EvaluationOut:
    """The current evaluation of a conversation; with `agent_id`, only if it is that agent's."""
    row = session.scalar(
        select(Evaluation).where(
            Evaluation.workspace_id == workspace_id,
            Evaluation.conversation_id == conversation_id,
            Evaluation.is_current.is_(True),
        )
    )
    if row is None or (agent_id is not None and row.agent_id != agent_id):
        raise EvaluationNotFound("this conversation has no evaluation yet")
    return _evaluation_out(session, row)


def review_check(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    evaluation_id: uuid.UUID,
    data: ReviewIn,
    author_id: uuid.UUID,
    as_inspector: bool,
) -> ReviewOut:
    """An inspector overrides a check (with a reason); an agent disputes a check of their own evaluation."""
    row = _evaluation(session, workspace_id, evaluation_id)
    if not as_inspector and row.agent_id != author_id:
        raise EvaluationNotFound("evaluation not found")
    if data.check_id not in {c["check_id"] for c in row.checks}:
        raise UnknownCheck(
            f"the evaluation has no check {data.check_id!r}", details={"check_id": data.check_id}
        )
    kind = "override" if as_inspector else "dispute"
    if as_inspector and data.outcome is None:
        raise UnknownCheck("an override needs the outcome the check should have", code="outcome_required")
    review = Review(
        workspace_id=workspace_id,
        evaluation_id=row.id,
        kind=kind,
        check_id=data.check_id,
        outcome=data.outcome.value if as_inspector and data.outcome else None,
        reason=data.reason,
        author_id=author_id,
        created_at=clock.now(),
    )
    session.add(review)
    session.flush()
    _apply_reviews(session, row, _definition(session, row.scorecard_id, row.scorecard_version))
    session.flush()
    publish(
        session,
        CheckReviewed(
            workspace_id=workspace_id,
            evaluation_id=row.id,
            conversation_id=row.conversation_id,
            check_id=data.check_id,
            kind=kind,
            outcome=review.outcome,
            score=row.score,
            author_id=author_id,
        ),
    )
    return ReviewOut.model_validate(review)


def list_reviews(session: Session, *, workspace_id: uuid.UUID, evaluation_id: uuid.UUID) -> list[ReviewOut]:
    """Overrides and disputes of an evaluation, oldest first."""
    _evaluation(session, workspace_id, evaluation_id)
    rows = session.scalars(
        select(Review).where(Review.evaluation_id == evaluation_id).order_by(Review.id)
    ).all()
    return [ReviewOut.model_validate(r) for r in rows]


def _period_rows(
    session: Session,
    workspace_id: uuid.UUID,
    agent_ids: list[uuid.UUID],
    since: datetime,
    until: datetime | None,
) -> Sequence[Evaluation]:
    """Current evaluations of some agents in [since, until) (until None: up to now), oldest first."""
    query = select(Evaluation).where(
        Evaluation.workspace_id == workspace_id,
        Evaluation.agent_id.in_(agent_ids),
        Evaluation.is_current.is_(True),
        Evaluation.evaluated_at >= since,
    )
    if until is not None:
        query = query.where(Evaluation.evaluated_at < until)
    return session.scalars(query.order_by(Evaluation.evaluated_at, Evaluation.id)).all()


def _report_figures(rows: Sequence[Evaluation], examples: int) -> dict[str, Any]:
    """Average, weekly trend, weakest checks with example spans and overrides of some evaluations."""
    scores = [r.score for r in rows if r.score is not None]
    weeks: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    evaluated: dict[str, int] = defaultdict(int)
    spans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    overridden = 0
    for row in rows:
        if row.score is not None:
            year, week, _ = clock.as_utc(row.evaluated_at).isocalendar()
            weeks[f"{year}-W{week:02d}"].append(row.score)
        for check in row.checks:
            overridden += check.get("override_reason") is not None
            if check["outcome"] == Outcome.NOT_APPLICABLE:
                continue
            evaluated[check["check_id"]] += 1
            if check["outcome"] == Outcome.FAILED:
                failed[check["check_id"]] += 1
                if len(spans[check["check_id"]]) < examples:
                    spans[check["check_id"]].append(
                        {
                            "conversation_id": str(row.conversation_id),
                            "evaluation_id": str(row.id),
                            "evidence": check["evidence"][:2],
                        }
                    )
    weakest = sorted(
        (
            WeakCheck(
                check_id=c,
                failed=failed[c],
                evaluated=evaluated[c],
                failure_rate=round(failed[c] / evaluated[c], 4),
                examples=spans[c],
            )
            for c in failed
        ),
        key=lambda w: (-w.failure_rate, w.check_id),
    )
    return {
        "evaluations": len(rows),
        "average_score": round(sum(scores) / len(scores), 2) if scores else None,
        "weekly_scores": [
            {"week": w, "average_score": round(sum(v) / len(v), 2), "evaluations": len(v)}
            for w, v in sorted(weeks.items())
        ],
        "weakest_checks": weakest[:5],
        "overridden_checks": overridden,
    }


def agent_report(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    agent_id: uuid.UUID,
    since: datetime,
    until: datetime | None,
    examples: int = 3,
) -> AgentReport:
    """An agent's current evaluations in [since, until) (until None: up to now, inclusive).

    Average, weekly trend, the weakest checks with example spans, and the period's coaching notes.
    """
    rows = _period_rows(session, workspace_id, [agent_id], since, until)
    return AgentReport(
        agent_id=agent_id,
        since=since,
        until=until or clock.now(),
        **_report_figures(rows, examples),
        coaching_notes=list_coaching_notes(
            session, workspace_id=workspace_id, agent_id=agent_id, since=since, until=until, limit=20
        ),
    )


def team_report(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    team_id: uuid.UUID,
    since: datetime,
    until: datetime | None,
    examples: int = 3,
) -> TeamReport:
    """A team's report: the agent report's figures over its active members, and one line per member."""
    team = accounts.get_team(session, workspace_id=workspace_id, team_id=team_id)
    members = accounts.list_agent_ids_of_team(session, workspace_id=workspace_id, team_id=team_id)
    rows = _period_rows(session, workspace_id, members, since, until) if members else []
    by_agent: dict[uuid.UUID | None, list[Evaluation]] = defaultdict(list)
    for row in rows:
        by_agent[row.agent_id].append(row)
    lines = []
    for member in members:
        scores = [r.score for r in by_agent.get(member, []) if r.score is not None]
        lines.append(
            {
                "agent_id": str(member),
                "evaluations": len(by_agent.get(member, [])),
                "average_score": round(sum(scores) / len(scores), 2) if scores else None,
            }
        )
    return TeamReport(
        team_id=team.id,
        name=team.name,
        since=since,
        until=until or clock.now(),
        **_report_figures(rows, examples),
        agents=lines,
    )


def due_conversations(
    session: Session,
    *,
    now: datetime,
    resolved_since: datetime | None,
    after_id: uuid.UUID | None,
    limit: int,
) -> tuple[list[tuple[uuid.UUID, uuid.UUID, bool]], uuid.UUID | None]:
    """One page of conversations to inspect, and the id to continue after (None at the end).

    Due: resolved (since `resolved_since`, or ever) without a score on the active scorecard's
    current version; open with messages in the last day and not scored in the last day (refreshed
    in place when the version is current).
    """
    candidates = conversations.list_inspection_candidates(
        session,
        resolved_since=resolved_since,
        active_since=now - OPEN_REEVALUATION,
        after_id=after_id,
        limit=limit,
    )
    if not candidates:
        return [], None
    current = {
        e.conversation_id: e
        for e in session.scalars(
            select(Evaluation).where(
                Evaluation.conversation_id.in_([c[1] for c in candidates]), Evaluation.is_current.is_(True)
            )
        )
    }
    active = {
        card.workspace_id: (card.id, card.version)
        for card in session.scalars(
            select(Scorecard).where(
                Scorecard.workspace_id.in_({c[0] for c in candidates}), Scorecard.is_active.is_(True)
            )
        )
    }
    due: list[tuple[uuid.UUID, uuid.UUID, bool]] = []
    for workspace_id, conversation_id, resolved in candidates:
        evaluation = current.get(conversation_id)
        up_to_date = evaluation is not None and (
            (evaluation.scorecard_id, evaluation.scorecard_version) == active.get(workspace_id)
        )
        if not up_to_date:
            due.append((workspace_id, conversation_id, False))
        elif (
            not resolved
            and evaluation is not None
            and clock.as_utc(evaluation.evaluated_at) < now - OPEN_REEVALUATION
        ):
            due.append((workspace_id, conversation_id, True))
    return due, candidates[-1][1] if len(candidates) == limit else None


# --- review queue --------------------------------------------------------------------------------

QUEUE_WINDOW = timedelta(days=7)
QUEUE_SCAN = 5000
QUEUE_RANK = {"disputed": 0, "auto_failed": 1, "low_score": 2, "sampled": 3}


def _sampled(evaluation_id: uuid.UUID, percent: float) -> bool:
    """A stable pseudo-random draw per evaluation: the same evaluations are sampled on every read."""
    digest = hashlib.sha256(evaluation_id.bytes).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def review_queue(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    low_score: float,
    sample_percent: float,
    limit: int,
    agent_id: uuid.UUID | None = None,
) -> list[ReviewQueueItem]:
    """Current evaluations of the last 7 days waiting for a person, most urgent first.

    In the queue: disputed by the agent, auto-failed, scored below `low_score`, or drawn by the
    stable `sample_percent` % sample of the rest; reviewed evaluations leave it.
    """
    query = select(Evaluation).where(
        Evaluation.workspace_id == workspace_id,
        Evaluation.is_current.is_(True),
        Evaluation.review_state != ReviewState.REVIEWED.value,
        Evaluation.evaluated_at >= clock.now() - QUEUE_WINDOW,
    )
    if agent_id is not None:
        query = query.where(Evaluation.agent_id == agent_id)
    rows = session.scalars(query.order_by(Evaluation.evaluated_at.desc()).limit(QUEUE_SCAN)).all()
    items: list[tuple[int, float, ReviewQueueItem]] = []
    for row in rows:
        reasons = []
        if row.review_state == ReviewState.DISPUTED:
            reasons.append("disputed")
        if row.auto_failed:
            reasons.append("auto_failed")
        if row.score is not None and row.score < low_score:
            reasons.append("low_score")
        if not reasons and _sampled(row.id, sample_percent):
            reasons.append("sampled")
        if not reasons:
            continue
        rank = min(QUEUE_RANK[r] for r in reasons)
        items.append(
            (
                rank,
                row.score if row.score is not None else 100.0,
                ReviewQueueItem(
                    evaluation_id=row.id,
                    conversation_id=row.conversation_id,
                    agent_id=row.agent_id,
                    score=row.score,
                    auto_failed=row.auto_failed,
                    review_state=ReviewState(row.review_state),
                    failed_checks=[c["check_id"] for c in row.checks if c["outcome"] == Outcome.FAILED],
                    reasons=reasons,
                    evaluated_at=row.evaluated_at,
                ),
            )
        )
    items.sort(key=lambda i: (i[0], i[1], i[2].evaluation_id))
    return [item for _, _, item in items[:limit]]


# --- calibration ---------------------------------------------------------------------------------


def _automatic_outcomes(
    session: Session, conversation_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Outcome]]:
    """The automatic outcome of every check of each conversation's current evaluation."""
    if not conversation_ids:
        return {}
    rows = session.scalars(
        select(Evaluation).where(
            Evaluation.conversation_id.in_(conversation_ids), Evaluation.is_current.is_(True)
        )
    )
    return {
        row.conversation_id: {
            c["check_id"]: Outcome(c.get("automatic_outcome", c["outcome"])) for c in row.checks
        }
        for row in rows
    }


def create_calibration(
    session: Session, *, workspace_id: uuid.UUID, data: CalibrationIn, author_id: uuid.UUID | None
) -> CalibrationOut:
    """Open a calibration session on given conversations, or a seeded sample of recently evaluated ones."""
    if (data.conversation_ids is None) == (data.sample_size is None):
        raise InvalidCalibration("give either conversation_ids or sample_size")
    raters = list(dict.fromkeys(data.rater_ids))
    if len(raters) < 2:
        raise InvalidCalibration("a calibration session needs at least two different raters")
    for rater in raters:
        try:
            accounts.get_agent(session, workspace_id=workspace_id, agent_id=rater)
        except NotFound:
            raise InvalidCalibration("unknown rater", details={"rater_id": str(rater)}) from None
    if data.conversation_ids is not None:
        chosen = list(dict.fromkeys(data.conversation_ids))
        for conversation_id in chosen:
            conversations.get_conversation(
                session, workspace_id=workspace_id, conversation_id=conversation_id
            )
    else:
        pool = sorted(
            session.scalars(
                select(Evaluation.conversation_id).where(
                    Evaluation.workspace_id == workspace_id,
                    Evaluation.is_current.is_(True),
                    Evaluation.evaluated_at >= clock.now() - timedelta(days=30),
                )
            ).all()
        )
        assert data.sample_size is not None
        chosen = random.Random(data.seed).sample(pool, min(data.sample_size, len(pool)))
        if not chosen:
            raise InvalidCalibration("no conversation was evaluated in the last 30 days to sample from")
    card = _scorecard_row(session, workspace_id)
    known = [c.id for d in _definition(session, card.id, card.version).dimensions for c in d.checks]
    check_ids = list(dict.fromkeys(data.check_ids)) if data.check_ids else known
    unknown = sorted(set(check_ids) - set(known))
    if unknown:
        raise UnknownCheck("the active scorecard has no such checks", details={"check_ids": unknown})
    row = CalibrationSession(
        workspace_id=workspace_id,
        name=data.name,
        conversation_ids=[str(c) for c in chosen],
        check_ids=check_ids,
        rater_ids=[str(r) for r in raters],
        author_id=author_id,
    )
    session.add(row)
    session.flush()
    return _calibration_out(session, row)


def _calibration(session: Session, workspace_id: uuid.UUID, calibration_id: uuid.UUID) -> CalibrationSession:
    row = session.get(CalibrationSession, calibration_id)
    if row is None or row.workspace_id != workspace_id:
        raise CalibrationNotFound("calibration session not found")
    return row


def get_calibration(
    session: Session, *, workspace_id: uuid.UUID, calibration_id: uuid.UUID
) -> CalibrationOut:
    """A calibration session with the scores and agreement so far."""
    return _calibration_out(session, _calibration(session, workspace_id, calibration_id))


def list_calibrations(session: Session, *, workspace_id: uuid.UUID) -> list[CalibrationOut]:
    """The workspace's calibration sessions, newest first."""
    rows = session.scalars(
        select(CalibrationSession)
        .where(CalibrationSession.workspace_id == workspace_id)
        .order_by(CalibrationSession.id.desc())
        .limit(MAX_LIMIT)
    ).all()
    return [_calibration_out(session, r) for r in rows]


def score_calibration(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    calibration_id: uuid.UUID,
    rater_id: uuid.UUID,
    data: CalibrationScoresIn,
) -> CalibrationOut:
    """Record a rater's outcomes for one conversation of the session (scoring again replaces them)."""
    row = _calibration(session, workspace_id, calibration_id)
    if row.status != "open":
        raise CalibrationClosed("the calibration session is closed")
    if str(rater_id) not in row.rater_ids:
        raise NotARater("you are not a rater of this calibration session")
    if str(data.conversation_id) not in row.conversation_ids:
        raise InvalidCalibration(
            "the conversation is not part of this session",
            details={"conversation_id": str(data.conversation_id)},
        )
    unknown = sorted(set(data.outcomes) - set(row.check_ids))
    if unknown:
        raise UnknownCheck("the session scores no such checks", details={"check_ids": unknown})
    existing = {
        s.check_id: s
        for s in session.scalars(
            select(CalibrationScore).where(
                CalibrationScore.session_id == row.id,
                CalibrationScore.conversation_id == data.conversation_id,
                CalibrationScore.rater_id == rater_id,
            )
        )
    }
    now = clock.now()
    for check_id, outcome in data.outcomes.items():
        score = existing.get(check_id)
        if score is None:
            session.add(
                CalibrationScore(
                    workspace_id=workspace_id,
                    session_id=row.id,
                    conversation_id=data.conversation_id,
                    rater_id=rater_id,
                    check_id=check_id,
                    outcome=outcome.value,
                    scored_at=now,
                )
            )
        else:
            score.outcome, score.scored_at = outcome.value, now
    session.flush()
    return _calibration_out(session, row)


def close_calibration(
    session: Session, *, workspace_id: uuid.UUID, calibration_id: uuid.UUID
) -> CalibrationOut:
    """Close a calibration session: its scores and agreement are final."""
    row = _calibration(session, workspace_id, calibration_id)
    row.status = "closed"
    session.flush()
    return _calibration_out(session, row)


def _agreement(
    check_id: str,
    subjects: list[list[Outcome]],
    automatic_pairs: list[tuple[Outcome, Outcome]],
) -> CheckAgreement:
    """Observed agreement, Fleiss' kappa and (two raters) Cohen's kappa of fully rated subjects."""
    observed = None
    if subjects:
        n = len(subjects[0])
        observed = sum(
            (sum(c * c for c in Counter(s).values()) - n) / (n * (n - 1)) for s in subjects
        ) / len(subjects)
    two = subjects and len(subjects[0]) == 2
    return CheckAgreement(
        check_id=check_id,
        subjects=len(subjects),
        observed_agreement=_rounded(observed),
        cohen_kappa=_rounded(agreement.cohen_kappa([(s[0], s[1]) for s in subjects])) if two else None,
        fleiss_kappa=_rounded(agreement.fleiss_kappa(subjects)) if subjects else None,
        automatic_agreement=_rounded(agreement.observed_agreement(automatic_pairs)),
        automatic_compared=len(automatic_pairs),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _calibration_out(session: Session, row: CalibrationSession) -> CalibrationOut:
    conversation_ids = [uuid.UUID(c) for c in row.conversation_ids]
    raters = row.rater_ids
    scores: dict[str, dict[str, dict[str, Outcome]]] = {c: {} for c in row.conversation_ids}
    for score in session.scalars(
        select(CalibrationScore).where(CalibrationScore.session_id == row.id).order_by(CalibrationScore.id)
    ):
        scores[str(score.conversation_id)].setdefault(str(score.rater_id), {})[score.check_id] = Outcome(
            score.outcome
        )
    automatic = _automatic_outcomes(session, conversation_ids)
    per_check: list[CheckAgreement] = []
    all_subjects: list[list[Outcome]] = []
    all_automatic: list[tuple[Outcome, Outcome]] = []
    for check_id in row.check_ids:
        subjects: list[list[Outcome]] = []
        automatic_pairs: list[tuple[Outcome, Outcome]] = []
        for conversation_id in row.conversation_ids:
            by_rater = scores[conversation_id]
            given = [by_rater[r][check_id] for r in raters if check_id in by_rater.get(r, {})]
            if len(given) == len(raters):
                subjects.append(given)
            auto = automatic.get(uuid.UUID(conversation_id), {}).get(check_id)
            if auto is not None:
                automatic_pairs.extend((auto, outcome) for outcome in given)
        per_check.append(_agreement(check_id, subjects, automatic_pairs))
        all_subjects.extend(subjects)
        all_automatic.extend(automatic_pairs)
    return CalibrationOut(
        id=row.id,
        name=row.name,
        status=row.status,
        conversation_ids=conversation_ids,
        check_ids=row.check_ids,
        rater_ids=[uuid.UUID(r) for r in raters],
        scored={
            r: sum(1 for c in row.conversation_ids for _ in scores[c].get(r, {})) for r in raters
        },
        scores=scores,
        automatic={str(c): outcomes for c, outcomes in automatic.items()},
        per_check=per_check,
        overall=_agreement("overall", all_subjects, all_automatic),
        created_at=row.created_at,
    )


def automatic_agreement(
    session: Session, *, workspace_id: uuid.UUID, since: datetime, until: datetime
) -> AutomaticAgreementOut:
    """How often people agree with the automatic outcome, per check, over [since, until).

    People's outcomes come from calibration scores and from overrides: an evaluation an inspector
    overrode is taken as reviewed whole, so its checks left alone count as agreeing. Kappa is
    Cohen's, with the automatic checker as one rater and the people as the other.
    """
    pairs: dict[str, list[tuple[Outcome, Outcome]]] = defaultdict(list)
    reviewed = session.scalars(
        select(Evaluation).where(
            Evaluation.workspace_id == workspace_id,
            Evaluation.id.in_(
                select(Review.evaluation_id).where(
                    Review.workspace_id == workspace_id,
                    Review.kind == "override",
                    Review.created_at >= since,
                    Review.created_at < until,
                )
            ),
        )
    )
    for row in reviewed:
        for check in row.checks:
            pairs[check["check_id"]].append(
                (Outcome(check.get("automatic_outcome", check["outcome"])), Outcome(check["outcome"]))
            )
    scored = session.scalars(
        select(CalibrationScore).where(
            CalibrationScore.workspace_id == workspace_id,
            CalibrationScore.scored_at >= since,
            CalibrationScore.scored_at < until,
        )
    ).all()
    automatic = _automatic_outcomes(session, list({s.conversation_id for s in scored}))
    for score in scored:
        auto = automatic.get(score.conversation_id, {}).get(score.check_id)
        if auto is not None:
            pairs[score.check_id].append((auto, Outcome(score.outcome)))

    def summary(check_id: str, items: list[tuple[Outcome, Outcome]]) -> CheckAgreement:
        return CheckAgreement(
            check_id=check_id,
            subjects=len(items),
            observed_agreement=_rounded(agreement.observed_agreement(items)),
            cohen_kappa=_rounded(agreement.cohen_kappa(items)),
            automatic_agreement=_rounded(agreement.observed_agreement(items)),
            automatic_compared=len(items),
        )

    everything = [p for items in pairs.values() for p in items]
    return AutomaticAgreementOut(
        since=since,
        until=until,
        per_check=[summary(c, pairs[c]) for c in sorted(pairs)],
        overall=summary("overall", everything),
    )


# --- coaching ------------------------------------------------------------------------------------


def add_coaching_note(
    session: Session, *, workspace_id: uuid.UUID, data: CoachingNoteIn, author_id: uuid.UUID
) -> CoachingNoteOut:
    """Leave an agent a coaching note, optionally about one of their evaluations (and one check)."""
    accounts.get_agent(session, workspace_id=workspace_id, agent_id=data.agent_id)
    if data.check_id is not None and data.evaluation_id is None:
        raise UnknownCheck("a check is named only together with its evaluation", code="evaluation_required")
    if data.evaluation_id is not None:
        evaluation = _evaluation(session, workspace_id, data.evaluation_id)
        if evaluation.agent_id != data.agent_id:
            raise UnknownCheck(
                "the evaluation is not one of this agent's", code="evaluation_of_another_agent"
            )
        if data.check_id is not None and data.check_id not in {c["check_id"] for c in evaluation.checks}:
            raise UnknownCheck(
                f"the evaluation has no check {data.check_id!r}", details={"check_id": data.check_id}
            )
    note = CoachingNote(
        workspace_id=workspace_id,
        agent_id=data.agent_id,
        evaluation_id=data.evaluation_id,
        check_id=data.check_id,
        text=data.text,
        author_id=author_id,
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    publish(
        session,
        CoachingNoteAdded(
            workspace_id=workspace_id,
            note_id=note.id,
            agent_id=note.agent_id,
            evaluation_id=note.evaluation_id,
            check_id=note.check_id,
            author_id=author_id,
        ),
    )
    return CoachingNoteOut.model_validate(note)


def list_coaching_notes(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    agent_id: uuid.UUID,
    evaluation_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = MAX_LIMIT,
) -> list[CoachingNoteOut]:
    """An agent's coaching notes, newest first (optionally of one evaluation or period)."""
    query = select(CoachingNote).where(
        CoachingNote.workspace_id == workspace_id, CoachingNote.agent_id == agent_id
    )
    if evaluation_id is not None:
        query = query.where(CoachingNote.evaluation_id == evaluation_id)
    if since is not None:
        query = query.where(CoachingNote.created_at >= since)
    if until is not None:
        query = query.where(CoachingNote.created_at < until)
    rows = session.scalars(
        query.order_by(CoachingNote.created_at.desc(), CoachingNote.id.desc()).limit(limit)
    )
    return [CoachingNoteOut.model_validate(r) for r in rows]


def acknowledge_coaching_note(
    session: Session, *, workspace_id: uuid.UUID, note_id: uuid.UUID, agent_id: uuid.UUID
) -> CoachingNoteOut:
    """The agent marks a note of theirs as read (once; later calls keep the first time)."""
    note = session.get(CoachingNote, note_id)
    if note is None or note.workspace_id != workspace_id or note.agent_id != agent_id:
        raise CoachingNoteNotFound("coaching note not found")
    if note.acknowledged_at is None:
        note.acknowledged_at = clock.now()
        session.flush()
    return CoachingNoteOut.model_validate(note)


# --- weekly digest -------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    """The ISO week label of a day, e.g. 2026-W10."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(label: str) -> datetime:
    """Monday 00:00 UTC of an ISO week label (2026-W10); 422 `invalid_week` for anything else."""
    try:
        year, week = label.split("-W")
        return datetime.combine(date.fromisocalendar(int(year), int(week), 1), time(), tzinfo=UTC)
    except ValueError:
        raise ValidationFailed("a week is written like 2026-W10", code="invalid_week") from None


def _summary(rows: Sequence[Evaluation], examples: int = 1) -> dict[str, Any]:
    """Evaluations, average score, auto-fails and the three weakest checks of some evaluations."""
    scores = [r.score for r in rows if r.score is not None]
    failed: dict[str, int] = defaultdict(int)
    evaluated: dict[str, int] = defaultdict(int)
    spans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for check in row.checks:
            if check["outcome"] == Outcome.NOT_APPLICABLE:
                continue
            evaluated[check["check_id"]] += 1
            if check["outcome"] == Outcome.FAILED:
                failed[check["check_id"]] += 1
                if len(spans[check["check_id"]]) < examples and check["evidence"]:
                    spans[check["check_id"]].append(
                        {"conversation_id": str(row.conversation_id), "evidence": check["evidence"][0]}
                    )
    weakest = sorted(failed, key=lambda c: (-failed[c] / evaluated[c], c))[:3]
    return {
        "evaluations": len(rows),
        "average_score": round(sum(scores) / len(scores), 2) if scores else None,
        "auto_failed": sum(1 for r in rows if r.auto_failed),
        "weakest_checks": [
            {
                "check_id": c,
                "failed": failed[c],
                "evaluated": evaluated[c],
                "failure_rate": round(failed[c] / evaluated[c], 4),
                "examples": spans[c],
            }
            for c in weakest
        ],
    }


def _change(now: float | None, before: float | None) -> float | None:
    return round(now - before, 2) if now is not None and before is not None else None


def compile_weekly_digests(session: Session, *, workspace_id: uuid.UUID, week: str) -> list[DigestOut]:
    """Compile (or recompile) the digests of an ISO week: one per agent evaluated, one per team.

    An agent's digest: evaluations, average and its change on the week before, auto-fails, the
    three weakest checks with an example span, overrides and disputes, the week's coaching notes.
    A team's: the same over its members, and each member's line.
    """
    start = week_start(week)
    end, before = start + timedelta(days=7), start - timedelta(days=7)
    rows = session.scalars(
        select(Evaluation).where(
            Evaluation.workspace_id == workspace_id,
            Evaluation.is_current.is_(True),
            Evaluation.evaluated_at >= before,
            Evaluation.evaluated_at < end,
            Evaluation.agent_id.is_not(None),
        )
    ).all()
    this_week: dict[uuid.UUID, list[Evaluation]] = defaultdict(list)
    last_week: dict[uuid.UUID, list[Evaluation]] = defaultdict(list)
    for row in rows:
        assert row.agent_id is not None
        (this_week if clock.as_utc(row.evaluated_at) >= start else last_week)[row.agent_id].append(row)
    reviews = session.execute(
        select(Evaluation.agent_id, Review.kind)
        .join(Evaluation, Evaluation.id == Review.evaluation_id)
        .where(Review.workspace_id == workspace_id, Review.created_at >= start, Review.created_at < end)
    ).all()
    compiled_at = clock.now()
    digests: list[Digest] = []
    agent_lines: dict[uuid.UUID, dict[str, Any]] = {}
    for agent_id in sorted(this_week):
        summary = _summary(this_week[agent_id])
        previous = _summary(last_week.get(agent_id, []))["average_score"]
        agent = accounts.get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
        notes = list_coaching_notes(
            session, workspace_id=workspace_id, agent_id=agent_id, since=start, until=end
        )
        content = {
            "agent_id": str(agent_id),
            "agent_name": agent.display_name,
            "week": week,
            **summary,
            "previous_average_score": previous,
            "change": _change(summary["average_score"], previous),
            "overrides": sum(1 for a, k in reviews if a == agent_id and k == "override"),
            "disputes": sum(1 for a, k in reviews if a == agent_id and k == "dispute"),
            "coaching_notes": [{"id": str(n.id), "text": n.text, "check_id": n.check_id} for n in notes],
        }
        agent_lines[agent_id] = content
        digests.append(_digest(session, workspace_id, "agent", agent_id, week, content, compiled_at))
    teams = accounts.list_teams(session, workspace_id=workspace_id, limit=MAX_LIMIT).items
    team_ids: list[uuid.UUID] = []
    for team in teams:
        members = accounts.list_agent_ids_of_team(session, workspace_id=workspace_id, team_id=team.id)
        evaluated = [m for m in members if m in this_week]
        if not evaluated:
            continue
        summary = _summary([r for m in evaluated for r in this_week[m]])
        previous = _summary([r for m in members for r in last_week.get(m, [])])["average_score"]
        content = {
            "team_id": str(team.id),
            "team_name": team.name,
            "week": week,
            **summary,
            "previous_average_score": previous,
            "change": _change(summary["average_score"], previous),
            "agents": [
                {
                    "agent_id": str(m),
                    "agent_name": agent_lines[m]["agent_name"],
                    "evaluations": agent_lines[m]["evaluations"],
                    "average_score": agent_lines[m]["average_score"],
                    "change": agent_lines[m]["change"],
                }
                for m in evaluated
            ],
        }
        team_ids.append(team.id)
        digests.append(_digest(session, workspace_id, "team", team.id, week, content, compiled_at))
    session.flush()
    publish(
        session,
        WeeklyDigestCompiled(
            workspace_id=workspace_id, week=week, agent_ids=sorted(this_week), team_ids=team_ids
        ),
    )
    return [DigestOut.model_validate(d) for d in digests]


def _digest(
    session: Session,
    workspace_id: uuid.UUID,
    scope: str,
    scope_id: uuid.UUID,
    week: str,
    content: dict[str, Any],
    compiled_at: datetime,
) -> Digest:
    row = session.scalar(
        select(Digest).where(
            Digest.workspace_id == workspace_id,
            Digest.scope == scope,
            Digest.scope_id == scope_id,
            Digest.week == week,
        )
    )
    if row is None:
        row = Digest(workspace_id=workspace_id, scope=scope, scope_id=scope_id, week=week)
        session.add(row)
    row.content, row.compiled_at = content, compiled_at
    return row


def list_digests(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    week: str | None = None,
    agent_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
) -> list[DigestOut]:
    """Compiled digests, newest week first, optionally of one week, agent or team."""
    query = select(Digest).where(Digest.workspace_id == workspace_id)
    if week is not None:
        week_start(week)
        query = query.where(Digest.week == week)
    if agent_id is not None:
        query = query.where(Digest.scope == "agent", Digest.scope_id == agent_id)
    if team_id is not None:
        query = query.where(Digest.scope == "team", Digest.scope_id == team_id)
    rows = session.scalars(query.order_by(Digest.week.desc(), Digest.scope, Digest.scope_id).limit(MAX_LIMIT))
    return [DigestOut.model_validate(r) for r in rows]


def workspaces_evaluated(session: Session, *, since: datetime, until: datetime) -> list[uuid.UUID]:
    """Workspaces with evaluations in [since, until) (any workspace: for the weekly digest job)."""
    return sorted(
        session.scalars(
            select(Evaluation.workspace_id)
            .where(Evaluation.evaluated_at >= since, Evaluation.evaluated_at < until)
            .distinct()
        )
    )


# --- call transcripts ----------------------------------------------------------------------------


def _call_transcript(session: Session, conversation_id: uuid.UUID) -> CallTranscript | None:
    return session.scalar(select(CallTranscript).where(CallTranscript.conversation_id == conversation_id))


def save_transcript(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, data: TranscriptIn
) -> TranscriptOut:
    """Store (or replace) a phone conversation's transcript; inspection reads its segments as turns."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    segments = sorted(
        (s.model_dump(mode="json") for s in data.segments), key=lambda s: float(s["start_seconds"])
    )
    row = _call_transcript(session, conversation_id)
    if row is None:
        row = CallTranscript(workspace_id=workspace_id, conversation_id=conversation_id)
        session.add(row)
    row.provider, row.language = data.provider, data.language
    row.started_at, row.segments = clock.as_utc(data.started_at), segments
    row.updated_at = clock.now()
    session.flush()
    return TranscriptOut.model_validate(row)


def get_transcript(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> TranscriptOut:
    """A phone conversation's stored transcript (404 `transcript_not_found` when there is none)."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    row = _call_transcript(session, conversation_id)
    if row is None:
        raise NotFound("this conversation has no call transcript", code="transcript_not_found")
    return TranscriptOut.model_validate(row)
