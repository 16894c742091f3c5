"""SQLite writers of one process queue at an in-process FIFO gate instead of polling the file lock.

Every SQLite transaction starts with BEGIN IMMEDIATE, so only one can be open at a time. Left to
SQLite, the others sleep in its busy handler (1, 2, 5 ... 100 ms) and retry, which under load
turns into a convoy with multi-second tails. Here the connections of one engine first take a
FIFO gate, handed straight to the next waiter when the transaction commits or rolls back; the
busy timeout still arbitrates between processes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque

BEGIN = "BEGIN IMMEDIATE"


class FifoLock:
    """A lock granted in arrival order; any thread may release it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the lock; True when it is now held by the caller."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=timeout):
            return True
        with self._mutex:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # handed over between the timeout and the removal

    @property
    def waiting(self) -> int:
        """Threads queued for the lock now."""
        with self._mutex:
            return len(self._waiters)

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


class GatedConnection(sqlite3.Connection):
    """An sqlite3 connection that holds its engine's gate from BEGIN until commit or rollback."""

    gate: FifoLock | None = None
    holds_gate = False

    def begin_immediate(self, timeout: float) -> None:
        """Take the gate (waiting up to `timeout` seconds), then start a write transaction."""
        if self.gate is not None and not self.holds_gate:
            if not self.gate.acquire(timeout):
                raise sqlite3.OperationalError("database is locked (write gate timeout)")
            self.holds_gate = True
        try:
            self.execute(BEGIN)
        except BaseException:
            self._give_back()
            raise

    def commit(self) -> None:
        """Commit and hand the gate on."""
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        """Roll back and hand the gate on."""
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        """Close, handing the gate on if a transaction was still open."""
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()
