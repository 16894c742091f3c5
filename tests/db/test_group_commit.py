"""Group commit on SQLite: members of one loop turn share a transaction, fail alone, wait for the gate."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from kefu.db import group_commit
from kefu.db.commit_hooks import after_commit
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.group_commit import GroupCommitFailed, GroupCommitter, committer_for
from kefu.db.write_gate import FifoLock, GatedConnection

COMMITS: list[str] = []  # COMMIT statements seen by the `engine` fixture's connections


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An SQLite engine with a table `t`; its connections record the transactions they commit."""
    built = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    with built.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))

    @event.listens_for(built, "connect")
    def _trace(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(lambda sql: COMMITS.append(sql) if sql == "COMMIT" else None)

    built.pool.dispose()
    COMMITS.clear()
    yield built
    built.dispose()


def _stored(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT n FROM t ORDER BY n"))]


def _committer(factory: sessionmaker[Session]) -> GroupCommitter:
    committer = committer_for(factory())
    assert committer is not None
    return committer


async def _member(factory: sessionmaker[Session], n: int, *, fail: bool = False) -> str:
    """Write row n as a group member; raise after writing when `fail`."""
    session = factory()
    group = await _committer(factory).join()
    assert group is not None
    committed = group.admit(session)
    try:
        session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        if fail:
            raise ValueError("the endpoint failed after writing")
        session.commit()
    except ValueError:
        committed.cancel()
        raise
    finally:
        session.close()
    await committed
    return "ok"


def test_members_of_one_turn_share_one_commit(engine: Engine) -> None:
    factory = make_session_factory(engine)
    before = len(COMMITS)

    async def burst() -> list[str]:
        return await asyncio.gather(*(_member(factory, n) for n in range(6)))

    assert asyncio.run(burst()) == ["ok"] * 6
    assert _stored(engine) == list(range(6))
    assert len(COMMITS) - before == 1


def test_a_failing_member_rolls_back_alone(engine: Engine) -> None:
    factory = make_session_factory(engine)

    async def burst() -> list[str | BaseException]:
        return await asyncio.gather(
            _member(factory, 1), _member(factory, 2, fail=True), _member(factory, 3),
            return_exceptions=True,
        )

    outcomes = asyncio.run(burst())
    assert outcomes[0] == "ok" and outcomes[2] == "ok"
    assert isinstance(outcomes[1], ValueError)
    assert _stored(engine) == [1, 3]


def test_a_full_group_commits_before_the_next_member_joins(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(group_commit, "MAX_MEMBERS", 2)
    factory = make_session_factory(engine)
    before = len(COMMITS)

    async def burst() -> None:
        await asyncio.gather(*(_member(factory, n) for n in range(5)))

    asyncio.run(burst())
    assert _stored(engine) == list(range(5))
    assert len(COMMITS) - before == 3


def test_after_commit_callbacks_wait_for_the_group(engine: Engine) -> None:
    factory = make_session_factory(engine)
    called: list[str] = []

    async def member() -> list[str]:
        session = factory()
        group = await _committer(factory).join()
        assert group is not None
        committed = group.admit(session)
        session.execute(text("INSERT INTO t VALUES (7)"))
        after_commit(session, lambda: called.append("after"))
        session.commit()
        session.close()
        seen_before = list(called)
        await committed
        return seen_before

    assert asyncio.run(member()) == []
    assert called == ["after"]


def test_a_member_waits_on_the_loop_while_a_thread_writes(engine: Engine) -> None:
    factory = make_session_factory(engine)
    thread_began = threading.Event()
    finish_thread = threading.Event()

    def thread_writer() -> None:
        with factory() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            thread_began.set()
            finish_thread.wait(5)
            session.commit()

    async def scenario() -> list[str]:
        order: list[str] = []
        writer = threading.Thread(target=thread_writer)
        writer.start()
        await asyncio.to_thread(thread_began.wait, 5)

        async def member() -> None:
            await _member(factory, 2)
            order.append("member")

        task = asyncio.ensure_future(member())
        await asyncio.sleep(0.05)
        order.append("thread still writing")
        assert not task.done()  # waiting for the gate without blocking the loop
        finish_thread.set()
        await task
        writer.join(5)
        return order

    assert asyncio.run(scenario()) == ["thread still writing", "member"]
    assert _stored(engine) == [1, 2]


def test_another_process_writing_sends_members_to_a_thread(engine: Engine) -> None:
    factory = make_session_factory(engine)
    database = engine.url.database
    assert database is not None
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async def attempt() -> object:
            return await _committer(factory).join()

        assert asyncio.run(attempt()) is None
    finally:
        other.execute("ROLLBACK")
        other.close()

    async def later() -> str:
        return await _member(factory, 4)

    assert asyncio.run(later()) == "ok"  # the gate was handed back
    assert _stored(engine) == [4]


def test_a_failed_group_commit_fails_every_member(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = make_session_factory(engine)
    real_end = GatedConnection.end_group

    def failing_end(self: GatedConnection, *, commit: bool) -> None:
        if commit:
            raise sqlite3.OperationalError("disk I/O error")
        real_end(self, commit=commit)

    monkeypatch.setattr(GatedConnection, "end_group", failing_end)

    async def burst() -> list[str | BaseException]:
        return await asyncio.gather(*(_member(factory, n) for n in range(3)), return_exceptions=True)

    outcomes = asyncio.run(burst())
    assert all(isinstance(outcome, GroupCommitFailed) for outcome in outcomes)
    assert GroupCommitFailed.status_code == 503
    monkeypatch.undo()
    assert _stored(engine) == []

    async def later() -> str:
        return await _member(factory, 9)

    assert asyncio.run(later()) == "ok"  # the gate and the connection were given back
    assert _stored(engine) == [9]


def test_loop_waiters_and_threads_share_one_fifo_queue() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[str] = []

    async def scenario() -> None:
        cancelled = lock.acquire_async()
        granted = lock.acquire_async()
        cancelled.cancel()  # a lock handed to a cancelled future goes to the next waiter

        def thread_waiter() -> None:
            assert lock.acquire(timeout=5)
            order.append("thread")
            lock.release()

        waiter = threading.Thread(target=thread_waiter)
        waiter.start()
        while lock.waiting < 3:
            await asyncio.sleep(0.001)
        lock.release()
        await granted
        order.append("loop")
        lock.release()
        await asyncio.to_thread(waiter.join, 5)

    asyncio.run(scenario())
    assert order == ["loop", "thread"]
    assert lock.acquire(timeout=0.1)
