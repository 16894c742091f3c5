"""Quality-inspection pages: review queue, evaluation review with evidence, agent report, calibration."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.accounts.enums import Role
from kefu.core import clock
from kefu.core.errors import Forbidden, ValidationFailed
from kefu.core.paging import MAX_LIMIT
from kefu.qa.enums import Outcome
from kefu.qa.schemas import CalibrationIn, CalibrationScoresIn, CoachingNoteIn, EvaluationOut, ReviewIn
from kefu.web import operations as ops
from kefu.web.auth import Viewer
from kefu.web.console import _form_action, _page, _uuid, rail_for
from kefu.web.i18n import gettext
from kefu.web.rendering import render

router = APIRouter(include_in_schema=False)

INSPECTORS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.QA_INSPECTOR})
REPORT_DAYS = 28


@dataclass(frozen=True)
class Piece:
    """A stretch of a turn's text and the checks whose evidence covers it (none: plain text)."""

    text: str
    checks: tuple[str, ...]
    labels: tuple[str, ...]


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> list[Piece]:
    """Cut a turn's text at every evidence boundary; each piece names the (check, label) spans over it."""
    cuts = {0, len(text)}
    for start, end, _, _ in spans:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    bounds = sorted(cuts)
    pieces = []
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        over = [(check, label) for start, end, check, label in spans if start <= a and end >= b]
        pieces.append(Piece(text[a:b], tuple(dict.fromkeys(c for c, _ in over)),
                            tuple(dict.fromkeys(label for _, label in over))))
    return pieces


def _inspector(viewer: Viewer) -> bool:
    return viewer.principal.role in INSPECTORS


def _own(viewer: Viewer) -> uuid.UUID | None:
    """Agents see only their own evaluations and report."""
    return None if _inspector(viewer) else viewer.agent.id


def _agents(session: Session, viewer: Viewer) -> dict[uuid.UUID, Any]:
    agents = ops.list_agents(session, workspace_id=viewer.workspace.id, limit=MAX_LIMIT).items
    return {a.id: a for a in agents}


def _shell(viewer: Viewer) -> dict[str, Any]:
    return {"viewer": viewer, "rail": rail_for(viewer), "is_inspector": _inspector(viewer)}


# ---------------------------------------------------------------- review queue


@router.get("/qa")
def queue_page(request: Request) -> Response:
    """Inspectors: the evaluations waiting for review. Agents: their own report."""

    def build(session: Session, viewer: Viewer) -> Response:
        if not _inspector(viewer):
            return RedirectResponse(f"/qa/agents/{viewer.agent.id}", status_code=303)
        items = ops.review_queue(session, workspace_id=viewer.workspace.id, low_score=60.0,
                                 sample_percent=5.0, limit=100)
        teams = ops.list_teams(session, workspace_id=viewer.workspace.id, limit=MAX_LIMIT).items
        return render("qa/queue.html", locale=viewer.locale, items=items, agents=_agents(session, viewer),
                      teams=teams, **_shell(viewer))

    return _page(request, build)


# ---------------------------------------------------------------- evaluation review


@router.get("/qa/evaluations/{evaluation_id}")
def evaluation_page(request: Request, evaluation_id: str) -> Response:
    """One evaluation: each check's outcome, the transcript with evidence highlighted, review forms."""
    saved = request.query_params.get("saved")
    return _page(request, lambda session, viewer: _evaluation_page(
        session, viewer, _uuid(evaluation_id, "evaluation"), saved=saved))


def _evaluation_page(session: Session, viewer: Viewer, evaluation_id: uuid.UUID, *, saved: str | None,
                     error: str | None = None, status_code: int = 200) -> Response:
    workspace_id = viewer.workspace.id
    evaluation = ops.access_evaluation(session, workspace_id=workspace_id, evaluation_id=evaluation_id,
                                       agent_id=_own(viewer))
    turns = ops.list_evaluation_turns(session, workspace_id=workspace_id, evaluation_id=evaluation_id)
    return render(
        "qa/evaluation.html", locale=viewer.locale, status_code=status_code, evaluation=evaluation,
        turns=[(*_marked(evaluation, turn.index, turn.text), turn) for turn in turns],
        reviews=ops.list_reviews(session, workspace_id=workspace_id, evaluation_id=evaluation_id),
        notes=(ops.list_coaching_notes(session, workspace_id=workspace_id, agent_id=evaluation.agent_id,
                                       evaluation_id=evaluation_id) if evaluation.agent_id else []),
        agents=_agents(session, viewer), outcomes=list(Outcome), saved=saved, error=error, **_shell(viewer),
    )


def _marked(evaluation: EvaluationOut, turn: int, text: str) -> tuple[list[Piece], list[tuple[str, str]]]:
    """A turn's highlighted pieces, and the evidence that names the whole turn (shown beside it)."""
    spans = [(span.start, span.end, check.check_id, span.label)
             for check in evaluation.checks for span in check.evidence if span.turn == turn]
    whole = [(check, label) for start, end, check, label in spans if start <= 0 and end >= len(text)]
    return highlight(text, [s for s in spans if not (s[0] <= 0 and s[1] >= len(text))]), whole


@router.post("/qa/evaluations/{evaluation_id}/reviews")
async def review(request: Request, evaluation_id: str) -> Response:
    """Inspectors override a check with a reason; the evaluation's agent disputes one."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        target = _uuid(evaluation_id, "evaluation")
        outcome = str(form.get("outcome", "")) or None
        try:
            data = ReviewIn(check_id=str(form.get("check_id", "")),
                            reason=str(form.get("reason", "")).strip(),
                            outcome=Outcome(outcome) if outcome and _inspector(viewer) else None)
        except (ValidationError, ValueError):
            return _evaluation_page(session, viewer, target, saved=None, status_code=422,
                                    error=gettext("Give a reason of at least 3 characters."))
        ops.review_check(session, workspace_id=viewer.workspace.id, evaluation_id=target, data=data,
                         author_id=viewer.agent.id, as_inspector=_inspector(viewer))
        kind = "override" if _inspector(viewer) else "dispute"
        return RedirectResponse(f"/qa/evaluations/{target}?saved={kind}", status_code=303)

    return await _form_action(request, act, write=False)


@router.post("/qa/evaluations/{evaluation_id}/coaching")
async def coach(request: Request, evaluation_id: str) -> Response:
    """Inspectors and leads leave the evaluation's agent a coaching note."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        if not _inspector(viewer):
            raise Forbidden("only inspectors and leads coach")
        target = _uuid(evaluation_id, "evaluation")
        evaluation = ops.access_evaluation(session, workspace_id=viewer.workspace.id, evaluation_id=target,
                                           agent_id=None)
        if evaluation.agent_id is None:
            raise ValidationFailed("the evaluation has no agent to coach", code="no_agent")
        try:
            data = CoachingNoteIn(agent_id=evaluation.agent_id, evaluation_id=target,
                                  check_id=str(form.get("check_id", "")) or None,
                                  text=str(form.get("text", "")).strip())
        except ValidationError:
            return _evaluation_page(session, viewer, target, saved=None, status_code=422,
                                    error=gettext("Write a note of at least 3 characters."))
        ops.add_coaching_note(session, workspace_id=viewer.workspace.id, data=data, author_id=viewer.agent.id)
        return RedirectResponse(f"/qa/evaluations/{target}?saved=coaching", status_code=303)

    return await _form_action(request, act, write=False)


# ---------------------------------------------------------------- agent report


@router.get("/qa/agents/{agent_id}")
def agent_page(request: Request, agent_id: str) -> Response:
    """An agent's QA report: average, weekly trend, weakest checks with examples, coaching notes, digests."""

    def build(session: Session, viewer: Viewer) -> Response:
        target = _uuid(agent_id, "agent")
        if _own(viewer) not in (None, target):
            raise Forbidden("agents see only their own report")
        agent = ops.get_agent(session, workspace_id=viewer.workspace.id, agent_id=target)
        report = ops.agent_report(session, workspace_id=viewer.workspace.id, agent_id=target,
                                  since=clock.now() - timedelta(days=REPORT_DAYS), until=None)
        digests = ops.list_digests(session, workspace_id=viewer.workspace.id, agent_id=target)[:4]
        return render("qa/agent.html", locale=viewer.locale, agent=agent, report=report, digests=digests,
                      days=REPORT_DAYS, own=viewer.agent.id == target, **_shell(viewer))

    return _page(request, build)


@router.get("/qa/teams/{team_id}")
def team_page(request: Request, team_id: str) -> Response:
    """A team's QA report: average, weekly trend, weakest checks with examples, each member's line."""

    def build(session: Session, viewer: Viewer) -> Response:
        if not _inspector(viewer):
            raise Forbidden("team reports are for inspectors and leads")
        report = ops.team_report(session, workspace_id=viewer.workspace.id, team_id=_uuid(team_id, "team"),
                                 since=clock.now() - timedelta(days=REPORT_DAYS), until=None)
        names = {str(a.id): a.display_name for a in _agents(session, viewer).values()}
        return render("qa/team.html", locale=viewer.locale, report=report, names=names, days=REPORT_DAYS,
                      **_shell(viewer))

    return _page(request, build)


@router.post("/qa/coaching-notes/{note_id}/acknowledge")
async def acknowledge(request: Request, note_id: str) -> Response:
    """The agent marks a coaching note as read."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        ops.acknowledge_coaching_note(session, workspace_id=viewer.workspace.id,
                                      note_id=_uuid(note_id, "coaching note"), agent_id=viewer.agent.id)
        return RedirectResponse(f"/qa/agents/{viewer.agent.id}", status_code=303)

    return await _form_action(request, act, write=False)


# ---------------------------------------------------------------- calibration


def _inspectors_only(viewer: Viewer) -> None:
    if not _inspector(viewer):
        raise Forbidden("calibration is for inspectors and leads")


@router.get("/qa/calibrations")
def calibrations_page(request: Request) -> Response:
    """Calibration sessions, and the form that opens one on a sample of recent evaluations."""

    def build(session: Session, viewer: Viewer) -> Response:
        _inspectors_only(viewer)
        return _calibrations(session, viewer)

    return _page(request, build)


def _calibrations(session: Session, viewer: Viewer, *, error: str | None = None,
                  status_code: int = 200) -> Response:
    sessions = ops.list_calibrations(session, workspace_id=viewer.workspace.id)
    agents = _agents(session, viewer)
    raters = [a for a in agents.values() if a.role in INSPECTORS and a.is_active]
    return render("qa/calibrations.html", locale=viewer.locale, status_code=status_code, sessions=sessions,
                  raters=raters, error=error, **_shell(viewer))


@router.post("/qa/calibrations")
async def create_calibration(request: Request) -> Response:
    """Open a calibration session for the chosen raters on a seeded sample."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        _inspectors_only(viewer)
        size = str(form.get("sample_size", "5"))
        try:
            data = CalibrationIn(name=str(form.get("name", "")).strip(),
                                 rater_ids=[uuid.UUID(str(r)) for r in form.getlist("rater_ids")],
                                 sample_size=int(size) if size.isdigit() else 5,
                                 seed=int(clock.now().timestamp()))
        except (ValidationError, ValueError):
            return _calibrations(session, viewer, status_code=422,
                                 error=gettext("Name the session and choose at least two raters."))
        created = ops.create_calibration(session, workspace_id=viewer.workspace.id, data=data,
                                         author_id=viewer.agent.id)
        return RedirectResponse(f"/qa/calibrations/{created.id}", status_code=303)

    return await _form_action(request, act, write=False)


@router.get("/qa/calibrations/{calibration_id}")
def calibration_page(request: Request, calibration_id: str) -> Response:
    """A calibration session: the conversations to score, the caller's scores, agreement per check."""

    def build(session: Session, viewer: Viewer) -> Response:
        _inspectors_only(viewer)
        calibration = ops.get_calibration(session, workspace_id=viewer.workspace.id,
                                          calibration_id=_uuid(calibration_id, "calibration"))
        mine = {c: by_rater.get(str(viewer.agent.id), {}) for c, by_rater in calibration.scores.items()}
        return render("qa/calibration.html", locale=viewer.locale, calibration=calibration, mine=mine,
                      is_rater=viewer.agent.id in calibration.rater_ids, agents=_agents(session, viewer),
                      outcomes=list(Outcome), **_shell(viewer))

    return _page(request, build)


@router.post("/qa/calibrations/{calibration_id}/scores")
async def score_calibration(request: Request, calibration_id: str) -> Response:
    """The rater's outcomes for one conversation of the session."""

    def act(session: Session, viewer: Viewer, form: FormData) -> Response:
        _inspectors_only(viewer)
        target = _uuid(calibration_id, "calibration")
        outcomes = {key.removeprefix("check:"): str(value) for key, value in form.multi_items()
                    if key.startswith("check:") and value}
        try:
            data = CalibrationScoresIn(conversation_id=uuid.UUID(str(form.get("conversation_id", ""))),
                                       outcomes={k: Outcome(v) for k, v in outcomes.items()})
        except (ValidationError, ValueError) as exc:
            raise ValidationFailed("choose an outcome for at least one check", code="invalid_scores") from exc
        ops.score_calibration(session, workspace_id=viewer.workspace.id, calibration_id=target,
                              rater_id=viewer.agent.id, data=data)
        return RedirectResponse(f"/qa/calibrations/{target}#c-{data.conversation_id}", status_code=303)

    return await _form_action(request, act, write=False)
