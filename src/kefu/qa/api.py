"""HTTP API of quality inspection: scorecards, evaluations, review, calibration, coaching, digests, calls."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import ValidationError

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.qa import service, speech
from kefu.qa.exceptions import CoachingNoteNotFound, EvaluationNotFound
from kefu.qa.schemas import (
    AgentReport,
    AutomaticAgreementOut,
    CalibrationIn,
    CalibrationOut,
    CalibrationScoresIn,
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
    TranscriptSegmentIn,
)

router = APIRouter(prefix="/qa", tags=["qa"], route_class=UnitOfWorkRoute)

INSPECTORS = (Role.ADMIN, Role.SUPERVISOR, Role.QA_INSPECTOR)
Inspector = Annotated[Principal, Depends(require_role(*INSPECTORS))]
Editor = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.QA_INSPECTOR))]


def _own_only(principal: Principal) -> uuid.UUID | None:
    """Agents see only their own evaluations; inspectors, supervisors and admins see all."""
    return None if principal.role in INSPECTORS else principal.agent_id


@router.get("/scorecards", response_model=list[ScorecardOut])
def list_scorecards(principal: Inspector, session: DbSession) -> list[ScorecardOut]:
    """The workspace's scorecards (the shipped default appears on first use)."""
    cards = service.list_scorecards(session, workspace_id=principal.workspace_id)
    return cards or [service.ensure_default_scorecard(session, workspace_id=principal.workspace_id)]


@router.post("/scorecards", response_model=ScorecardOut, status_code=201)
def create_scorecard(data: ScorecardIn, principal: Editor, session: DbSession) -> ScorecardOut:
    """Create a scorecard; an active one becomes the one automatic inspection uses."""
    return service.create_scorecard(
        session, workspace_id=principal.workspace_id, data=data, author_id=principal.agent_id
    )


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardOut)
def read_scorecard(scorecard_id: uuid.UUID, principal: Inspector, session: DbSession) -> ScorecardOut:
    """One scorecard with its current definition."""
    return service.get_scorecard(session, workspace_id=principal.workspace_id, scorecard_id=scorecard_id)


@router.patch("/scorecards/{scorecard_id}", response_model=ScorecardOut)
def update_scorecard(
    scorecard_id: uuid.UUID, data: ScorecardPatch, principal: Editor, session: DbSession
) -> ScorecardOut:
    """Rename, activate, or give a new definition (a new version; conversations are re-evaluated)."""
    return service.update_scorecard(
        session,
        workspace_id=principal.workspace_id,
        scorecard_id=scorecard_id,
        data=data,
        author_id=principal.agent_id,
    )


@router.get("/conversations/{conversation_id}/evaluation", response_model=EvaluationOut)
def read_conversation_evaluation(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> EvaluationOut:
    """The conversation's current evaluation, with every check's evidence spans."""
    return service.get_conversation_evaluation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        agent_id=_own_only(principal),
    )


def _deadlines(request: Request) -> DeadlineSource | None:
    """The applied-SLA deadline source the composition root gave the container."""
    source: DeadlineSource | None = getattr(request.app.state.container, "qa_deadlines", None)
    return source


def _evaluate_now(
    request: Request, session: DbSession, principal: Principal, conversation_id: uuid.UUID
) -> EvaluationOut:
    result = service.evaluate_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        refresh=True,
        deadlines=_deadlines(request),
    )
    if result is None:
        raise ValidationFailed("the conversation has no agent reply to inspect", code="nothing_to_inspect")
    return result


@router.post("/conversations/{conversation_id}/evaluation", response_model=EvaluationOut)
def evaluate_conversation(
    conversation_id: uuid.UUID, request: Request, principal: Inspector, session: DbSession
) -> EvaluationOut:
    """Evaluate (or re-run the checks of) a conversation now; 422 when it has no agent reply yet."""
    return _evaluate_now(request, session, principal, conversation_id)


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationOut)
def read_evaluation(
    evaluation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> EvaluationOut:
    """One evaluation (agents: only their own)."""
    return service.access_evaluation(
        session,
        workspace_id=principal.workspace_id,
        evaluation_id=evaluation_id,
        agent_id=_own_only(principal),
    )


@router.post("/evaluations/{evaluation_id}/reviews", response_model=ReviewOut, status_code=201)
def review_check(
    evaluation_id: uuid.UUID, data: ReviewIn, principal: CurrentPrincipal, session: DbSession
) -> ReviewOut:
    """An inspector overrides a check's outcome with a reason; an agent disputes a check of their own."""
    return service.review_check(
        session,
        workspace_id=principal.workspace_id,
        evaluation_id=evaluation_id,
        data=data,
        author_id=principal.agent_id,
        as_inspector=principal.role in INSPECTORS,
    )


@router.get("/evaluations/{evaluation_id}/reviews", response_model=list[ReviewOut])
def list_reviews(
    evaluation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[ReviewOut]:
    """Overrides and disputes of an evaluation (agents: only of their own)."""
    service.access_evaluation(
        session,
        workspace_id=principal.workspace_id,
        evaluation_id=evaluation_id,
        agent_id=_own_only(principal),
    )
    return service.list_reviews(session, workspace_id=principal.workspace_id, evaluation_id=evaluation_id)


@router.get("/agents/{agent_id}/report", response_model=AgentReport)
def agent_report(
    agent_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
) -> AgentReport:
    """An agent's scores, weekly trend and weakest checks with example spans (agents: their own)."""
    own = _own_only(principal)
    if own is not None and own != agent_id:
        raise EvaluationNotFound("no report for that agent")
    end = clock.as_utc(until) if until else None
    start = clock.as_utc(since) if since else (end or clock.now()) - timedelta(days=28)
    if end is not None and start >= end:
        raise ValidationFailed("since must be before until", code="invalid_period")
    return service.agent_report(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, since=start, until=end
    )


@router.get("/teams/{team_id}/report", response_model=TeamReport)
def team_report(
    team_id: uuid.UUID,
    principal: Inspector,
    session: DbSession,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
) -> TeamReport:
    """A team's scores, weekly trend, weakest checks with example spans, and each member's average."""
    end = clock.as_utc(until) if until else None
    start = clock.as_utc(since) if since else (end or clock.now()) - timedelta(days=28)
    if end is not None and start >= end:
        raise ValidationFailed("since must be before until", code="invalid_period")
    return service.team_report(
        session, workspace_id=principal.workspace_id, team_id=team_id, since=start, until=end
    )


@router.get("/review-queue", response_model=list[ReviewQueueItem])
def review_queue(
    principal: Inspector,
    session: DbSession,
    low_score: Annotated[float, Query(ge=0, le=100)] = 60.0,
    sample_percent: Annotated[float, Query(ge=0, le=100)] = 5.0,
    agent_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReviewQueueItem]:
    """Evaluations of the last 7 days for a person to review: disputed, auto-failed, low, or sampled."""
    return service.review_queue(
        session,
        workspace_id=principal.workspace_id,
        low_score=low_score,
        sample_percent=sample_percent,
        limit=limit,
        agent_id=agent_id,
    )


@router.post("/calibrations", response_model=CalibrationOut, status_code=201)
def create_calibration(data: CalibrationIn, principal: Inspector, session: DbSession) -> CalibrationOut:
    """Open a calibration session: the raters score the same conversations on the same checks."""
    return service.create_calibration(
        session, workspace_id=principal.workspace_id, data=data, author_id=principal.agent_id
    )


@router.get("/calibrations", response_model=list[CalibrationOut])
def list_calibrations(principal: Inspector, session: DbSession) -> list[CalibrationOut]:
    """The workspace's calibration sessions, newest first."""
    return service.list_calibrations(session, workspace_id=principal.workspace_id)


@router.get("/calibrations/{calibration_id}", response_model=CalibrationOut)
def read_calibration(calibration_id: uuid.UUID, principal: Inspector, session: DbSession) -> CalibrationOut:
    """A session's scores and agreement: Cohen's kappa (two raters), Fleiss' kappa, automatic agreement."""
    return service.get_calibration(
        session, workspace_id=principal.workspace_id, calibration_id=calibration_id
    )


@router.post("/calibrations/{calibration_id}/scores", response_model=CalibrationOut)
def score_calibration(
    calibration_id: uuid.UUID, data: CalibrationScoresIn, principal: Inspector, session: DbSession
) -> CalibrationOut:
    """The caller's outcomes for one conversation of the session (only its raters; rescoring replaces)."""
    return service.score_calibration(
        session,
        workspace_id=principal.workspace_id,
        calibration_id=calibration_id,
        rater_id=principal.agent_id,
        data=data,
    )


@router.post("/calibrations/{calibration_id}/close", response_model=CalibrationOut)
def close_calibration(calibration_id: uuid.UUID, principal: Inspector, session: DbSession) -> CalibrationOut:
    """Close a session: scores no longer change."""
    return service.close_calibration(
        session, workspace_id=principal.workspace_id, calibration_id=calibration_id
    )


@router.get("/agreement", response_model=AutomaticAgreementOut)
def automatic_agreement(
    principal: Inspector,
    session: DbSession,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
) -> AutomaticAgreementOut:
    """Automatic-vs-human agreement per check (overrides and calibration scores; default: 28 days)."""
    end = clock.as_utc(until) if until else clock.now() + timedelta(seconds=1)
    start = clock.as_utc(since) if since else end - timedelta(days=28)
    if start >= end:
        raise ValidationFailed("since must be before until", code="invalid_period")
    return service.automatic_agreement(session, workspace_id=principal.workspace_id, since=start, until=end)


@router.post("/coaching-notes", response_model=CoachingNoteOut, status_code=201)
def add_coaching_note(data: CoachingNoteIn, principal: Inspector, session: DbSession) -> CoachingNoteOut:
    """Leave an agent a coaching note (optionally about one evaluation and check); the agent sees it."""
    return service.add_coaching_note(
        session, workspace_id=principal.workspace_id, data=data, author_id=principal.agent_id
    )


@router.get("/agents/{agent_id}/coaching-notes", response_model=list[CoachingNoteOut])
def list_coaching_notes(
    agent_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    evaluation_id: uuid.UUID | None = None,
) -> list[CoachingNoteOut]:
    """An agent's coaching notes, newest first (agents: their own)."""
    own = _own_only(principal)
    if own is not None and own != agent_id:
        raise CoachingNoteNotFound("no coaching notes for that agent")
    return service.list_coaching_notes(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, evaluation_id=evaluation_id
    )


@router.post("/coaching-notes/{note_id}/acknowledge", response_model=CoachingNoteOut)
def acknowledge_coaching_note(
    note_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> CoachingNoteOut:
    """The agent marks one of their coaching notes as read."""
    return service.acknowledge_coaching_note(
        session, workspace_id=principal.workspace_id, note_id=note_id, agent_id=principal.agent_id
    )


@router.get("/digests", response_model=list[DigestOut])
def list_digests(
    principal: CurrentPrincipal,
    session: DbSession,
    week: Annotated[str | None, Query(max_length=8)] = None,
    agent_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
) -> list[DigestOut]:
    """Weekly digests of agents and teams (agents: only their own)."""
    own = _own_only(principal)
    if own is not None:
        if (agent_id is not None and agent_id != own) or team_id is not None:
            return []
        agent_id = own
    return service.list_digests(
        session, workspace_id=principal.workspace_id, week=week, agent_id=agent_id, team_id=team_id
    )


@router.post("/digests", response_model=list[DigestOut])
def compile_digests(
    principal: Inspector,
    session: DbSession,
    week: Annotated[str | None, Query(max_length=8)] = None,
) -> list[DigestOut]:
    """Compile the digests of a week now (default: last week), as the Monday job does."""
    label = week or service.iso_week((clock.now() - timedelta(days=7)).date())
    return service.compile_weekly_digests(session, workspace_id=principal.workspace_id, week=label)


@router.put("/conversations/{conversation_id}/transcript", response_model=EvaluationOut)
def save_transcript(
    conversation_id: uuid.UUID, data: TranscriptIn, request: Request, principal: Inspector, session: DbSession
) -> EvaluationOut:
    """Store a phone conversation's transcript and inspect it with the same checks."""
    service.save_transcript(
        session, workspace_id=principal.workspace_id, conversation_id=conversation_id, data=data
    )
    return _evaluate_now(request, session, principal, conversation_id)


@router.get("/conversations/{conversation_id}/transcript", response_model=TranscriptOut)
def read_transcript(conversation_id: uuid.UUID, principal: Inspector, session: DbSession) -> TranscriptOut:
    """A phone conversation's stored transcript."""
    return service.get_transcript(
        session, workspace_id=principal.workspace_id, conversation_id=conversation_id
    )


@router.post("/conversations/{conversation_id}/recording", response_model=EvaluationOut)
def transcribe_recording(
    conversation_id: uuid.UUID,
    request: Request,
    principal: Inspector,
    session: DbSession,
    customer: Annotated[UploadFile, File(description="The customer's leg of the call")],
    agent: Annotated[UploadFile, File(description="The agent's leg of the call")],
    started_at: Annotated[datetime, Form()],
    language: Annotated[str | None, Form(max_length=16)] = None,
) -> EvaluationOut:
    """Transcribe a dual-channel call recording with the configured provider, store it and inspect it.

    409 `speech_to_text_not_configured` when the server has no provider (KEFU_SPEECH_TO_TEXT_URL).
    """
    container = request.app.state.container
    settings = container.settings
    key = settings.speech_to_text_api_key
    provider = speech.provider_from_settings(
        base_url=settings.speech_to_text_url,
        model=settings.speech_to_text_model,
        api_key=key.get_secret_value() if key else None,
        policy=container.outbound,
        transport=container.http_transport,
    )
    segments = speech.transcribe_call(
        provider,
        customer=_audio(customer),
        agent=_audio(agent),
        language=language,
    )
    if not segments:
        raise ValidationFailed("the recording holds no speech", code="empty_transcript")
    try:
        data = TranscriptIn(
            started_at=started_at,
            language=language,
            provider=provider.name if provider else "none",
            segments=[TranscriptSegmentIn.model_validate(s) for s in segments],
        )
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise ValidationFailed(
            "the transcript cannot be stored", code="invalid_transcript", details={"fields": fields}
        ) from None
    return save_transcript(conversation_id, data, request, principal, session)


def _audio(upload: UploadFile) -> speech.Audio:
    return speech.Audio(
        content=upload.file.read(),
        filename=upload.filename or "call.wav",
        content_type=upload.content_type or "application/octet-stream",
    )
