"""Background jobs of quality inspection: the sweep that keeps coverage at 100 %, the weekly digest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.jobs.unit_of_work import unit_of_work
from kefu.qa import service
from kefu.qa.schemas import DeadlineSource

SWEEP_JOB = "qa.evaluate_due"
DIGEST_JOB = "qa.weekly_digest"
SWEEP_WINDOW = timedelta(days=30)
_PAGE = 500


def evaluate_due(
    session_factory: sessionmaker[Session],
    *,
    resolved_since: datetime | None,
    progress: Callable[[int, int], None] | None = None,
    deadlines: DeadlineSource | None = None,
) -> int:
    """Evaluate every due conversation, one transaction per conversation; returns how many were scored.

    `resolved_since=None` walks every resolved conversation (the backfill); `progress` is told
    (scanned pages, evaluated so far) after each page.
    """
    after: uuid.UUID | None = None
    evaluated = pages = 0
    while True:
        with unit_of_work(session_factory) as session:
            due, after = service.due_conversations(
                session, now=clock.now(), resolved_since=resolved_since, after_id=after, limit=_PAGE
            )
        for workspace_id, conversation_id, refresh in due:
            with unit_of_work(session_factory) as session:
                if (
                    service.evaluate_conversation(
                        session,
                        workspace_id=workspace_id,
                        conversation_id=conversation_id,
                        refresh=refresh,
                        deadlines=deadlines,
                    )
                    is not None
                ):
                    evaluated += 1
        pages += 1
        if progress is not None:
            progress(pages, evaluated)
        if after is None:
            return evaluated


def evaluate_due_job(
    session_factory: sessionmaker[Session], deadlines: DeadlineSource | None = None
) -> Callable[[], int]:
    """The periodic sweep: conversations resolved in the last 30 days and open ones active today."""

    def sweep() -> int:
        """Evaluate what is due; returns how many were scored."""
        return evaluate_due(session_factory, resolved_since=clock.now() - SWEEP_WINDOW, deadlines=deadlines)

    return sweep


def compile_last_week(session_factory: sessionmaker[Session]) -> int:
    """Compile last ISO week's digests of every workspace with evaluations then, one transaction each."""
    last_week = service.iso_week((clock.now() - timedelta(days=7)).date())
    start = service.week_start(last_week)
    with unit_of_work(session_factory) as session:
        workspaces = service.workspaces_evaluated(session, since=start, until=start + timedelta(days=7))
    compiled = 0
    for workspace_id in workspaces:
        with unit_of_work(session_factory) as session:
            digests = service.compile_weekly_digests(session, workspace_id=workspace_id, week=last_week)
            compiled += len(digests)
    return compiled


def weekly_digest_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """The Monday job: last week's digest of every agent and team; returns how many were compiled."""

    def digest() -> int:
        """Compile last week's digests."""
        return compile_last_week(session_factory)

    return digest
