"""What differs between SQLite and PostgreSQL, decided here: callers say what they need, not which backend.

SQLite runs one writer at a time (BEGIN IMMEDIATE behind the write gate), so it needs no row
locks, no advisory locks and no retry of a lost unique-key race; PostgreSQL takes concurrent
writers and needs all three. Code outside `db` never reads the dialect's name
(`tests/architecture/test_backend_decisions.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])

_RETRYABLE_SQLSTATES = {"40P01", "40001"}
"""PostgreSQL deadlock_detected and serialization_failure: another writer won, try again."""
_LOCK_ONE = text("SELECT pg_advisory_xact_lock(:key)")
_LOCK_MANY = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def serial_writers(session: Session) -> bool:
    """Whether the session's database runs one writing transaction at a time (SQLite)."""
    return session.get_bind().dialect.name == "sqlite"


def is_race(exc: IntegrityError | OperationalError) -> bool:
    """A unique-key collision or a PostgreSQL deadlock/serialisation failure: another writer won."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def retry_on_race(
    session: Session, work: Callable[[], T], *, attempts: int, exhausted: Callable[[], Exception]
) -> T:
    """`work` in a savepoint, run again (up to `attempts` times) when a concurrent writer won a race.

    Leaving the savepoint flushes, so a lost unique-key race surfaces inside it and rolls back
    only `work`. With serial writers there is no race: `work` runs once, without a savepoint, and
    is flushed the same way. After the last lost race, raises `exhausted()` from it.
    """
    if serial_writers(session):
        result = work()
        session.flush()
        return result
    last_race: Exception | None = None
    for _ in range(attempts):
        try:
            with session.begin_nested():
                return work()
        except (IntegrityError, OperationalError) as exc:
            if not is_race(exc):
                raise
            last_race = exc
    raise exhausted() from last_race


def lock_key(*parts: object) -> int:
    """The 64-bit advisory lock key of a tuple of values (their text, hashed)."""
    digest = hashlib.blake2b(":".join(str(part) for part in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialise(session: Session, *keys: tuple[object, ...]) -> None:
    """Hold a lock on each key (a tuple of values) until the transaction ends; a holder waits.

    Two transactions serialised on a common key run that part one after the other: on
    PostgreSQL a transaction advisory lock per key, taken in key order so that holders of several
    never deadlock; with serial writers nothing is needed.
    """
    if not keys or serial_writers(session):
        return
    ordered = sorted({lock_key(*key) for key in keys})
    if len(ordered) == 1:
        session.execute(_LOCK_ONE, {"key": ordered[0]})
    else:
        session.execute(_LOCK_MANY, {"keys": ordered})


def claiming(session: Session, query: S) -> S:
    """`query` for rows to claim: locked, skipping rows another transaction holds (PostgreSQL).

    Concurrent claimers then take different rows; with serial writers the query stays as it is.
    """
    if serial_writers(session):
        return query
    return query.with_for_update(skip_locked=True)


def insert_ignoring(session: Session) -> Callable[..., Any]:
    """The dialect's `insert` construct, which offers `on_conflict_do_nothing` on both backends."""
    return sqlite.insert if serial_writers(session) else postgresql.insert
