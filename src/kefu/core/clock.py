"""The injected clock: domains read time from `now()`, tests replace it with `use_clock()`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current timezone-aware UTC time."""

    def now(self) -> datetime:
        """Current time in UTC."""
        ...


class SystemClock:
    """Wall clock."""

    def now(self) -> datetime:
        """Current time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: for deterministic tests and demo data."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The frozen time."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta given as keyword arguments (seconds=, minutes=...)."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        self._now = moment.astimezone(UTC)


_current: Clock = SystemClock()


def now() -> datetime:
    """Current UTC time from the installed clock."""
    return _current.now()


def install_clock(clock: Clock) -> Clock:
    """Install a clock globally and return the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Install a clock for the duration of a block."""
    previous = install_clock(clock)
    try:
        yield clock
    finally:
        install_clock(previous)


def as_utc(moment: datetime) -> datetime:
    """Return an aware UTC datetime; naive values (as SQLite returns them) are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
