"""Background jobs of routing: the every-minute sweep (auto-away, accept timeouts, overflow, dispatch)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from kefu.jobs.unit_of_work import unit_of_work
from kefu.routing import service

SWEEP_JOB = "routing.sweep"


def sweep_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job sweeping each workspace with queues in its own transaction; returns assignments made."""

    def sweep() -> int:
        """Sweep every workspace once."""
        with unit_of_work(session_factory) as session:
            workspaces = service.workspaces_to_sweep(session)
        assigned = 0
        for workspace_id in workspaces:
            with unit_of_work(session_factory) as session:
                assigned += service.sweep(session, workspace_id=workspace_id).assigned
        return assigned

    return sweep
