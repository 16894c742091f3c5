"""The transaction boundary of background work: one unit of work, committed when its block ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction commits when the block ends, and rolls back if it raises.

    Every job, sweep and relay step opens its transactions here; services only flush. A block
    that only reads commits nothing. After-commit actions (`db.commit_hooks.after_commit`) run
    once the block's commit is done.
    """
    with session_factory() as session, session.begin():
        yield session
