"""After-commit actions run once the outermost transaction commits, never for rolled-back work."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from kefu.db.commit_hooks import after_commit
from kefu.wiring import Container


def test_actions_wait_for_the_outer_commit_and_skip_rolled_back_savepoints(container: Container) -> None:
    ran: list[str] = []
    with container.session_factory() as session:
        session.execute(select(1))
        after_commit(session, lambda: ran.append("outer"))
        with session.begin_nested():
            after_commit(session, lambda: ran.append("released savepoint"))
        assert ran == []  # releasing a savepoint runs nothing
        savepoint = session.begin_nested()
        after_commit(session, lambda: ran.append("rolled-back savepoint"))
        savepoint.rollback()
        session.commit()
    assert ran == ["outer", "released savepoint"]


def test_actions_of_a_rolled_back_or_closed_transaction_never_run(container: Container) -> None:
    ran: list[str] = []
    with container.session_factory() as session:
        session.execute(select(1))
        after_commit(session, lambda: ran.append("rolled back"))
        session.rollback()
        session.execute(select(1))
        after_commit(session, lambda: ran.append("closed"))
    with container.session_factory() as session:
        session.execute(select(1))
        session.commit()
    assert ran == []


def test_a_failing_action_is_logged_and_the_commit_stands(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("queue unavailable")

    with container.session_factory() as session:
        session.execute(select(1))
        after_commit(session, broken)
        after_commit(session, lambda: ran.append("next"))
        with caplog.at_level(logging.ERROR, logger="kefu.db.commit_hooks"):
            session.commit()
    assert ran == ["next"]
    assert "after-commit action" in caplog.text
