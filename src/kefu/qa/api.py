"""HTTP API of quality inspection: scorecards, evaluations, overrides and disputes, agent reports."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.qa import service
from kefu.qa.exceptions import EvaluationNotFound
from kefu.qa.schemas import (
    AgentReport,
    EvaluationOut,
    ReviewIn,
    ReviewOut,
    ScorecardIn,
    ScorecardOut,
    ScorecardPatch,
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


@router.post("/conversations/{conversation_id}/evaluation", response_model=EvaluationOut)
def evaluate_conversation(
    conversation_id: uuid.UUID, principal: Inspector, session: DbSession
) -> EvaluationOut:
    """Evaluate (or re-run the checks of) a conversation now; 409 when it has no agent reply yet."""
    result = service.evaluate_conversation(
        session, workspace_id=principal.workspace_id, conversation_id=conversation_id, refresh=True
    )
    if result is None:
        raise ValidationFailed("the conversation has no agent reply to inspect", code="nothing_to_inspect")
    return result


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
