"""SQLite writers of one process take turns at a FIFO gate that every transaction end hands on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from kefu.db.engine import make_engine
from kefu.db.write_gate import FifoLock


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def test_fifo_lock_grants_in_arrival_order() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []

    def take(n: int) -> None:
        assert lock.acquire(timeout=5)
        order.append(n)
        lock.release()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=take, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_for(lambda n=n: lock.waiting == n + 1)
    lock.release()
    for thread in threads:
        thread.join(timeout=5)
    assert order == [0, 1, 2, 3, 4]
    assert lock.acquire(timeout=0.1)  # free again once everyone is through


def test_fifo_lock_times_out_and_leaves_the_queue() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    assert lock.waiting == 0
    lock.release()
    assert lock.acquire(timeout=0.05)


def test_commit_and_rollback_hand_the_gate_on(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.rollback()
        conn.execute(text("INSERT INTO t VALUES (2)"))
        conn.commit()

    def other_writer() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (3)"))

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the gate was not handed on"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [2, 3]
    engine.dispose()


def test_concurrent_writers_all_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", pool_size=8)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))

    def write(base: int) -> None:
        for n in range(25):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": base + n})

    threads = [threading.Thread(target=write, args=(100 * k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 200
    engine.dispose()
