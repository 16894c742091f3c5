"""Group commit on SQLite: short writes of one event-loop turn share one transaction and one commit.

SQLite takes one writer at a time, and most of a small write's cost is its commit: a WAL frame
for every page it touched. A `GroupCommitter` lets short unit-of-work endpoints run on the event
loop instead of a worker thread: the first member takes the write gate (waiting for it on the loop,
in the gate's queue with the threads) and begins a group transaction, each member writes in a
savepoint of it (its session is bound to the group's connection, and its commit or rollback is the
savepoint's), and one commit once the loop has gone quiet makes all members durable before any of
them answers. A member that fails rolls back alone; if the commit fails, every member fails.
Members' after-commit callbacks wait for the group's commit. When another process holds the
database's write lock, `join` answers None and the caller waits in a worker thread as before.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from kefu.core.errors import KefuError
from kefu.db.write_gate import FifoLock, GatedConnection

log = logging.getLogger(__name__)

MAX_MEMBERS = 32
"""A group this large commits before another member joins (bounds the wait of the first)."""
QUIET_TURNS = 2
"""Loop turns without a new member after which a group commits."""
_DEFERRED_KEY = "kefu.group_after_commit"
_COMMITTERS: weakref.WeakKeyDictionary[Engine, GroupCommitter] = weakref.WeakKeyDictionary()


class GroupCommitFailed(KefuError):
    """The shared commit of a group failed: none of its writes were kept."""

    status_code = 503
    code = "write_failed"


def when_committed(session: Session, callback: Callable[[], None]) -> None:
    """Call `callback` now, or, for a member of a group, once the group has committed."""
    deferred: list[Callable[[], None]] | None = session.info.get(_DEFERRED_KEY)
    if deferred is None:
        callback()
    else:
        deferred.append(callback)


class Group:
    """One open group transaction on one connection, and the members waiting for its commit."""

    def __init__(
        self, connection: Connection, driver: GatedConnection, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.connection = connection
        self.loop = loop
        self.members = 0
        self._driver = driver
        self._waiters: list[asyncio.Future[None]] = []
        self._after_commit: list[Callable[[], None]] = []

    def admit(self, session: Session) -> asyncio.Future[None]:
        """Bind a fresh session to the group's connection; the future resolves when the group commits."""
        session.bind = self.connection
        session.info[_DEFERRED_KEY] = self._after_commit
        self.members += 1
        waiter = self.loop.create_future()
        self._waiters.append(waiter)
        return waiter

    def end(self) -> None:
        """Commit (or, if SQLite lost the transaction, roll back) and tell every member."""
        try:
            if not self._driver.in_transaction:
                raise GroupCommitFailed("the write was rolled back by the database: send it again")
            self._driver.end_group(commit=True)
        except BaseException as exc:
            self._settle_failed(exc)
            return
        finally:
            self.connection.close()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        for callback in self._after_commit:
            try:
                callback()
            except Exception:
                log.exception("after-commit callback of a group member failed")

    def _settle_failed(self, exc: BaseException) -> None:
        if self._driver.grouped:
            self._driver.end_group(commit=False)
        failure = exc if isinstance(exc, GroupCommitFailed) else GroupCommitFailed(
            "the write could not be committed: send it again"
        )
        if failure is not exc:
            log.error("group commit failed", exc_info=exc)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(failure)


class GroupCommitter:
    """The open group of an SQLite engine, if any; opens one when a member comes and none is open."""

    def __init__(self, engine: Engine, gate: FifoLock, busy_timeout_ms: int) -> None:
        self._engine = engine
        self._gate = gate
        self._busy_timeout_ms = busy_timeout_ms
        self._open: Group | None = None
        self._opening: asyncio.Future[Group | None] | None = None

    async def join(self) -> Group | None:
        """The running loop's open group, or a new one once the gate is free (waiting on the loop).

        None when the group would have to wait for another process's write or belongs to another
        loop: the caller then writes in a worker thread.
        """
        loop = asyncio.get_running_loop()
        while True:
            group = self._open
            if group is not None:
                if group.loop is not loop:
                    return None
                if group.members < MAX_MEMBERS:
                    return group
                self._end_now(group)
            opening = self._opening
            if opening is None:
                gate = self._gate.acquire_async()
                if gate.done():
                    return self._begin(loop)
                opening = self._opening = asyncio.ensure_future(self._begin_when_free(gate, loop))
            elif opening.get_loop() is not loop:
                return None
            if await asyncio.shield(opening) is None:
                return None

    async def _begin_when_free(
        self, gate: asyncio.Future[None], loop: asyncio.AbstractEventLoop
    ) -> Group | None:
        try:
            await gate
            return self._begin(loop)
        finally:
            self._opening = None

    def _begin(self, loop: asyncio.AbstractEventLoop) -> Group | None:
        """With the gate held, begin a group on a pooled connection (None if another process writes)."""
        try:
            connection = self._engine.connect()
        except BaseException:
            self._gate.release()
            raise
        driver = connection.connection.driver_connection
        assert isinstance(driver, GatedConnection) and driver.gate is self._gate
        if not driver.begin_group(self._busy_timeout_ms):
            connection.close()
            return None
        group = Group(connection, driver, loop)
        self._open = group
        loop.call_soon(self._end, group)
        return group

    def _end(self, group: Group, members_before: int = 0, quiet_turns: int = 0) -> None:
        """End the group once QUIET_TURNS loop turns in a row brought no new member.

        A turn's callbacks run before the tasks of requests read by the poll that preceded it, so
        one quiet turn does not mean that nobody is about to join.
        """
        if self._open is not group:
            return  # ended early, being full
        quiet_turns = 0 if group.members > members_before else quiet_turns + 1
        if quiet_turns < QUIET_TURNS:
            group.loop.call_soon(self._end, group, group.members, quiet_turns)
        else:
            self._end_now(group)

    def _end_now(self, group: Group) -> None:
        self._open = None
        group.end()


def enable_group_commit(engine: Engine, gate: FifoLock, busy_timeout_ms: int) -> None:
    """Let `committer_for` find a group committer for this SQLite engine and its write gate."""
    _COMMITTERS[engine] = GroupCommitter(engine, gate, busy_timeout_ms)


def committer_for(session: Session) -> GroupCommitter | None:
    """The group committer of the engine a fresh session is bound to (None when it has none or has begun)."""
    bind = session.bind
    if not isinstance(bind, Engine) or session.in_transaction():
        return None
    return _COMMITTERS.get(bind)


GROUP_COMMITTED = frozenset({
    "kefu.conversations.api:create_conversation",
    "kefu.conversations.api:receive_inbound_message",
    "kefu.conversations.api:update_conversation",
    "kefu.conversations.api:post_message",
    "kefu.conversations.api:change_status",
    "kefu.conversations.api:snooze",
    "kefu.conversations.api:assign",
    "kefu.conversations.api:change_tags",
    "kefu.customers.api:create_customer",
    "kefu.customers.api:resolve_customer",
    "kefu.customers.api:add_identity",
})
"""Endpoints (`module:name`) that run on the event loop on SQLite, grouped: bounded work only.

While a member runs the event loop waits, so an endpoint belongs here only if it does a few
indexed reads and writes: never an outbound call (provider APIs, webhooks), NLP inference, a
bulk operation or a scan. `tests/architecture/test_group_commit_list.py` checks every entry
names a unit-of-work endpoint outside the packages that may call out or infer.
"""
