"""The write path of quality inspection: scorecards, automatic evaluation, review, agent reports."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, Direction, TimelineKind
from kefu.conversations.schemas import ConversationOut, MessageOut
from kefu.core import clock
from kefu.core.paging import MAX_LIMIT
from kefu.db.outbox import publish
from kefu.qa.engine import evaluate, score_outcomes
from kefu.qa.enums import Outcome, ReviewState
from kefu.qa.events import CheckReviewed, ConversationEvaluated, ScorecardChanged
from kefu.qa.exceptions import EvaluationNotFound, NoActiveScorecard, ScorecardNotFound, UnknownCheck
from kefu.qa.models import Evaluation, Review, Scorecard, ScorecardVersion
from kefu.qa.schemas import (
    AgentReport,
    CheckOut,
    EvaluationOut,
    ReviewIn,
    ReviewOut,
    ScorecardIn,
    ScorecardOut,
    ScorecardPatch,
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
    session: Session, *, workspace_id: uuid.UUID, conversation: ConversationOut, messages: list[MessageOut]
) -> Transcript:
    """The conversation's customer and agent turns (notes left out) and its outcome facts."""
    turns = [
        ("customer" if m.direction == Direction.INBOUND else "agent", m.text, m.created_at, str(m.id))
        for m in messages
        if m.direction != Direction.NOTE
    ]
    language = conversation.language or next((m.language for m in messages if m.language), "en")
    return build_transcript(
        id=str(conversation.id),
        language=language,
        messages=turns,
        is_complaint=conversation.is_complaint,
        transfers=_transfers(session, workspace_id, conversation.id),
        reopened=conversation.reopen_count > 0,
        resolved=conversation.resolved_at is not None,
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
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, refresh: bool = False
) -> EvaluationOut | None:
    """Score a conversation on the active scorecard's current version; once per version unless `refresh`.

    Returns None when the conversation has no agent reply yet (nothing to inspect). A refresh
    re-runs the checks in place and keeps the people's overrides.
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
        session, workspace_id=workspace_id, conversation=conversation, messages=messages
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

    Average, weekly trend and the weakest checks with example spans.
    """
    query = select(Evaluation).where(
        Evaluation.workspace_id == workspace_id,
        Evaluation.agent_id == agent_id,
        Evaluation.is_current.is_(True),
        Evaluation.evaluated_at >= since,
    )
    if until is not None:
        query = query.where(Evaluation.evaluated_at < until)
    rows = session.scalars(query.order_by(Evaluation.evaluated_at)).all()
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
                        {"conversation_id": str(row.conversation_id), "evidence": check["evidence"][:2]}
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
    return AgentReport(
        agent_id=agent_id,
        since=since,
        until=until or clock.now(),
        evaluations=len(rows),
        average_score=round(sum(scores) / len(scores), 2) if scores else None,
        weekly_scores=[
            {"week": w, "average_score": round(sum(v) / len(v), 2), "evaluations": len(v)}
            for w, v in sorted(weeks.items())
        ],
        weakest_checks=weakest[:5],
        overridden_checks=overridden,
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
