"""Retention of delivered events: the outbox keeps dispatched events for a while, then lets them go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.db.outbox import PRUNE_BATCH, prune_dispatched
from kefu.jobs.unit_of_work import unit_of_work

PRUNE_OUTBOX_JOB = "outbox.prune_dispatched"


def prune_outbox_job(session_factory: sessionmaker[Session], retention: timedelta) -> Callable[[], int]:
    """A periodic job deleting events dispatched longer than `retention` ago, in short batches."""

    def prune_dispatched_events() -> int:
        """Delete old dispatched events and their handled marks; returns how many events went."""
        before = clock.now() - retention
        pruned = 0
        while True:
            with unit_of_work(session_factory) as session:
                deleted = prune_dispatched(session, before=before)
            pruned += deleted
            if deleted < PRUNE_BATCH:
                return pruned

    return prune_dispatched_events
