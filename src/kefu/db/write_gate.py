"""SQLite writers of one process queue at an in-process FIFO gate instead of polling the file lock.

Every SQLite transaction starts with BEGIN IMMEDIATE, so only one can be open at a time. Left to
SQLite, the others sleep in its busy handler (1, 2, 5 ... 100 ms) and retry, which under load
turns into a convoy with multi-second tails. Here the connections of one engine first take a
FIFO gate, handed straight to the next waiter when the transaction commits or rolls back; the
busy timeout still arbitrates between processes.

A connection can also carry a group transaction (`kefu.db.group_commit`): begun only if neither
the gate nor the file lock has to be waited for, and then every transaction its users begin,
commit or roll back is a savepoint inside it, until the group itself ends.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque

BEGIN = "BEGIN IMMEDIATE"
MEMBER = "kefu_member"
"""The savepoint that stands for a transaction inside a group."""


class FifoLock:
    """A lock granted in arrival order; any thread may release it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock | asyncio.Future[None]] = deque()
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

    def acquire_async(self) -> asyncio.Future[None]:
        """A future of the running loop that resolves once the lock is held for it (FIFO with threads).

        Cancel the future to give up waiting; a lock handed to a cancelled future is passed on.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._mutex:
            if not self._held:
                self._held = True
                future.set_result(None)
            else:
                self._waiters.append(future)
        return future

    @property
    def waiting(self) -> int:
        """Threads and loop futures queued for the lock now."""
        with self._mutex:
            return len(self._waiters)

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        while True:
            with self._mutex:
                if not self._waiters:
                    self._held = False
                    return
                waiter = self._waiters.popleft()
                if not isinstance(waiter, asyncio.Future):
                    waiter.release()
                    return
            try:
                waiter.get_loop().call_soon_threadsafe(self._grant, waiter)
                return
            except RuntimeError:  # its loop is closed: nobody will take the lock there
                continue

    def _grant(self, future: asyncio.Future[None]) -> None:
        if future.cancelled():
            self.release()
        else:
            future.set_result(None)


class GatedConnection(sqlite3.Connection):
    """An sqlite3 connection that holds its engine's gate from BEGIN until commit or rollback."""

    gate: FifoLock | None = None
    holds_gate = False
    grouped = False
    """A group transaction is open: begin, commit and rollback act on a savepoint inside it."""

    def begin_group(self, busy_timeout_ms: int) -> bool:
        """With the gate already taken for it, begin a group transaction; True when it has begun.

        The file lock is tried once (busy timeout 0), then the busy timeout is set back; if another
        process holds it, the gate is handed on and the answer is False.
        """
        self.holds_gate = self.gate is not None
        try:
            self.execute("PRAGMA busy_timeout=0")
            try:
                self.execute(BEGIN)
            finally:
                self.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        except sqlite3.OperationalError:
            self._give_back()
            return False
        self.grouped = True
        return True

    def end_group(self, *, commit: bool) -> None:
        """Commit or roll back the group transaction and hand the gate on."""
        self.grouped = False
        if commit:
            self.commit()
        else:
            self.rollback()

    def begin_immediate(self, timeout: float) -> None:
        """Take the gate (waiting up to `timeout` seconds), then start a write transaction."""
        if self.grouped:
            if not self.in_transaction:  # else SAVEPOINT would begin a transaction of its own
                raise sqlite3.OperationalError("the group transaction was rolled back")
            self.execute(f"SAVEPOINT {MEMBER}")
            return
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
        """Commit and hand the gate on (in a group: release the member's savepoint)."""
        if self.grouped:
            self.execute(f"RELEASE {MEMBER}")
            return
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        """Roll back and hand the gate on (in a group: roll the member's savepoint back).

        If SQLite has already rolled the whole group transaction back (it does on some I/O
        errors), there is no savepoint left to undo; the group finds that when it ends.
        """
        if self.grouped:
            if self.in_transaction:
                self.execute(f"ROLLBACK TO {MEMBER}")
                self.execute(f"RELEASE {MEMBER}")
            return
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        """Close, handing the gate on if a transaction was still open."""
        self.grouped = False
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()
