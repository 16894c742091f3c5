"""After-commit actions: the one way to act once a transaction is durable (queue a job, wake the relay).

`after_commit(session, callback)` runs `callback` after the session's outermost commit (for a
member of an SQLite group commit: after the group's commit). A callback registered inside a
savepoint is dropped if that savepoint rolls back, and every callback is dropped if the
transaction rolls back or the session closes first. Releasing a savepoint runs nothing. A failing
callback is logged and never fails the commit that already happened: whatever it does must be
safe to lose (a sweep or a poll catches up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from kefu.db.group_commit import when_committed

log = logging.getLogger(__name__)

_KEY = "kefu.after_commit"

Callback = Callable[[], None]


def after_commit(session: Session, callback: Callback) -> None:
    """Call `callback` once the session's outermost transaction has committed; forget it on rollback."""
    scope = session.get_nested_transaction() or session.get_transaction()
    _registered(session).append((scope, callback))


def _registered(session: Session) -> list[tuple[SessionTransaction | None, Callback]]:
    registered: list[tuple[SessionTransaction | None, Callback]] = session.info.setdefault(_KEY, [])
    return registered


def rolled_back_savepoint(previous: SessionTransaction) -> SessionTransaction | None:
    """The savepoint a soft rollback of `previous` undid (a failed flush rolls back its enclosing one)."""
    boundary: SessionTransaction | None = previous
    while boundary is not None and not boundary.nested:
        boundary = boundary.parent
    return boundary


def inside(scope: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    """Whether the transaction `scope` is `ancestor` or nested in it."""
    while scope is not None:
        if scope is ancestor:
            return True
        scope = scope.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    boundary = rolled_back_savepoint(previous)
    if boundary is not None and session.info.get(_KEY):
        session.info[_KEY] = [(s, c) for s, c in session.info[_KEY] if not inside(s, boundary)]


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its callbacks wait for the outer commit
    for _scope, callback in session.info.pop(_KEY, ()):
        when_committed(session, _guarded(callback))


@event.listens_for(Session, "after_transaction_end")
def _forget_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed without a commit: nothing of it runs
        session.info.pop(_KEY, None)


def _guarded(callback: Callback) -> Callback:
    def run() -> None:
        try:
            callback()
        except Exception:
            log.exception("after-commit action %r failed", callback)

    return run
