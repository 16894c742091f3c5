"""Background jobs of the privacy domain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from kefu.jobs.unit_of_work import unit_of_work
from kefu.privacy import service

RETENTION_JOB = "privacy.apply_retention"


def apply_retention_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job applying every workspace's retention policy, one short unit of work per batch."""

    def apply_retention() -> int:
        """Redact or delete the conversations past retention in every workspace; how many."""
        with unit_of_work(session_factory) as session:
            workspaces = service.list_retention_workspaces(session)
        total = 0
        for workspace_id in workspaces:
            while True:
                with unit_of_work(session_factory) as session:
                    done = service.apply_retention(session, workspace_id=workspace_id)
                total += done.conversations
                if done.conversations < service.RETENTION_BATCH:
                    break
        return total

    return apply_retention
