"""Background jobs of the accounts domain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from kefu.accounts import service
from kefu.jobs.unit_of_work import unit_of_work

PURGE_JOB = "accounts.purge_expired_credentials"


def purge_expired_credentials_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job that deletes expired console sessions and stale login failures."""

    def purge_expired_credentials() -> int:
        """Delete expired console sessions and stale login failures; returns how many rows went."""
        with unit_of_work(session_factory) as session:
            return service.purge_expired_credentials(session)

    return purge_expired_credentials
