"""Background jobs of the conversations domain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from kefu.conversations import service
from kefu.jobs.unit_of_work import unit_of_work

WAKE_SNOOZED_JOB = "conversations.wake_snoozed"
_BATCH = 500


def wake_snoozed_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job that reopens snoozed conversations whose wake-up time has come."""

    def wake_snoozed() -> int:
        """Wake every due snoozed conversation, each in its own transaction; returns how many woke."""
        woken = 0
        while True:
            with unit_of_work(session_factory) as session:
                due = service.due_snoozed(session, limit=_BATCH)
            for workspace_id, conversation_id in due:
                with unit_of_work(session_factory) as session:
                    if service.wake_conversation(
                        session, workspace_id=workspace_id, conversation_id=conversation_id
                    ):
                        woken += 1
            if len(due) < _BATCH:
                return woken

    return wake_snoozed
