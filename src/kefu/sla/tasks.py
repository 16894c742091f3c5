"""Background jobs of the sla domain: the warning / breach sweep."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from kefu.jobs.unit_of_work import unit_of_work
from kefu.sla import service

SWEEP_JOB = "sla.sweep"


def sweep_job(
    session_factory: sessionmaker[Session], *, batch: int = service.SWEEP_BATCH
) -> Callable[[], int]:
    """A periodic job raising due SLA warnings and breaches, one transaction per batch."""

    def sweep() -> int:
        """Sweep until no due target is left."""
        examined = 0
        while True:
            with unit_of_work(session_factory) as session:
                result = service.sweep_due(session, limit=batch)
            examined += result.examined
            if result.examined < batch:
                return examined

    return sweep
