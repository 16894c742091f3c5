"""`db.backend`: the SQLite/PostgreSQL decisions (race retries, advisory locks, claiming) on both backends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from kefu.core.clock import FrozenClock
from kefu.core.ids import new_id
from kefu.db.backend import claiming, lock_key, retry_on_race, serial_writers, serialise
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.outbox import OutboxEvent

AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


class Exhausted(Exception):
    """Raised by the tests' `exhausted` factories."""


@pytest.fixture
def engine(database_url: str, clock: FrozenClock) -> Iterator[Engine]:
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session with a temporary table whose key can be taken twice (a unique-key race)."""
    with make_session_factory(engine)() as db:
        db.execute(text("CREATE TEMPORARY TABLE race_probe (key VARCHAR(10) PRIMARY KEY)"))
        db.execute(text("INSERT INTO race_probe VALUES ('taken')"))
        yield db
        db.rollback()


def _insert(session: Session, key: str) -> str:
    session.execute(text("INSERT INTO race_probe VALUES (:key)"), {"key": key})
    return key


def _keys(session: Session) -> list[str]:
    return sorted(session.scalars(text("SELECT key FROM race_probe")))


def test_a_lost_race_is_run_again_in_a_fresh_savepoint(session: Session) -> None:
    if serial_writers(session):
        pytest.skip("SQLite: serial writers, no race to retry")
    tries = iter(["taken", "free"])
    attempts: list[str] = []

    def work() -> str:
        attempts.append(key := next(tries))
        return _insert(session, key)

    assert retry_on_race(session, work, attempts=3, exhausted=Exhausted) == "free"
    assert attempts == ["taken", "free"]
    assert _keys(session) == ["free", "taken"]  # the failed attempt rolled back alone


def test_after_the_last_lost_race_exhausted_is_raised_from_it(session: Session) -> None:
    if serial_writers(session):
        pytest.skip("SQLite: serial writers, no race to retry")
    attempts: list[int] = []

    def work() -> str:
        attempts.append(1)
        return _insert(session, "taken")

    with pytest.raises(Exhausted) as raised:
        retry_on_race(session, work, attempts=3, exhausted=Exhausted)
    assert len(attempts) == 3 and isinstance(raised.value.__cause__, IntegrityError)
    assert _keys(session) == ["taken"]


def test_an_error_that_is_no_race_is_not_retried(session: Session) -> None:
    attempts: list[int] = []

    def work() -> str:
        attempts.append(1)
        session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    with pytest.raises(DBAPIError) as raised:
        retry_on_race(session, work, attempts=3, exhausted=Exhausted)
    assert attempts == [1] and not isinstance(raised.value, IntegrityError)


def test_with_serial_writers_work_runs_once_without_a_savepoint_and_is_flushed(session: Session) -> None:
    if not serial_writers(session):
        pytest.skip("PostgreSQL runs the work in a savepoint")
    nested: list[bool] = []

    def work() -> OutboxEvent:
        nested.append(session.in_nested_transaction())
        event_row = OutboxEvent(workspace_id=new_id(), event_type="probe", payload={}, occurred_at=AT)
        session.add(event_row)
        return event_row

    row = retry_on_race(session, work, attempts=3, exhausted=Exhausted)
    assert nested == [False]
    assert row in session and not session.new  # flushed, as leaving a savepoint flushes


def test_lock_keys_are_the_hash_of_the_values_text() -> None:
    digest = hashlib.blake2b(b"a:chat:None", digest_size=8).digest()
    assert lock_key("a", "chat", None) == int.from_bytes(digest, "big", signed=True)
    assert lock_key("a", "chat", None) != lock_key("a", "chat", "inbox")


def test_serialise_takes_each_lock_once_in_key_order_on_postgresql(session: Session, engine: Engine) -> None:
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "advisory" in statement:
            statements.append((statement, parameters))

    serialise(session, ("b",), ("a",), ("b",))
    serialise(session, ("c",))
    serialise(session)
    if serial_writers(session):
        assert statements == []
        return
    (many, many_parameters), (one, _) = statements
    assert "unnest" in many and "unnest" not in one
    keys = next(iter(many_parameters.values())) if isinstance(many_parameters, dict) else many_parameters[0]
    assert list(keys) == sorted({lock_key("a"), lock_key("b")})


def test_a_serialised_key_makes_another_transaction_wait(session: Session, engine: Engine) -> None:
    if serial_writers(session):
        pytest.skip("SQLite: transactions are serial already")
    serialise(session, ("customer", "chat"))
    with make_session_factory(engine)() as other:
        other.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            serialise(other, ("customer", "chat"))
        other.rollback()
        serialise(other, ("another customer", "chat"))  # other keys are free
        other.rollback()
    session.rollback()  # the lock goes with the transaction
    with make_session_factory(engine)() as other:
        other.execute(text("SET LOCAL lock_timeout = '200ms'"))
        serialise(other, ("customer", "chat"))
        other.rollback()


def test_claiming_skips_locked_rows_on_postgresql_only(session: Session) -> None:
    query = claiming(session, select(OutboxEvent.id))
    compiled = str(query.compile(dialect=session.get_bind().dialect))
    assert ("SKIP LOCKED" in compiled) is not serial_writers(session)
