"""Job runtime: huey for jobs and schedules (SQLite embedded, Redis scale-out), relay wake-ups."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.jobs.relay import OutboxRelay
from kefu.jobs.subscriptions import Handler

log = logging.getLogger(__name__)

WAKE_CHANNEL = "kefu:outbox"


class RuntimeMode(StrEnum):
    """How jobs run: inline (tests, synchronous), embedded (SQLite, in-process), redis (scale-out)."""

    INLINE = "inline"
    EMBEDDED = "embedded"
    REDIS = "redis"


class _QuietConsumer(Consumer):
    """A huey consumer that leaves the host process's signal handlers alone."""

    def _set_signal_handlers(self) -> None:
        """The web server owns signals; shutdown goes through `JobRuntime.stop()`."""


class JobRuntime:
    """Registers jobs and periodic schedules, enqueues jobs, and wakes the outbox relay."""

    def __init__(
        self,
        mode: RuntimeMode,
        relay: OutboxRelay,
        *,
        data_dir: Path | None = None,
        redis_url: str | None = None,
    ) -> None:
        self.mode = mode
        self.relay = relay
        self._redis_url = redis_url
        self.huey = self._make_huey(mode, data_dir, redis_url)
        self._tasks: dict[str, TaskWrapper] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._consumer: Consumer | None = None
        self._publisher: Any = None

    @staticmethod
    def _make_huey(mode: RuntimeMode, data_dir: Path | None, redis_url: str | None) -> Huey:
        if mode is RuntimeMode.INLINE:
            return MemoryHuey("kefu", immediate=True)
        if mode is RuntimeMode.REDIS:
            return RedisHuey("kefu", url=redis_url)
        assert data_dir is not None
        data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("kefu", filename=str(data_dir / "jobs.db"))

    def job(self, name: str, fn: Callable[..., Any], *, retries: int = 0, retry_delay: int = 0) -> None:
        """Register a function as a named background job."""
        self._tasks[name] = self.huey.task(name=name, retries=retries, retry_delay=retry_delay)(fn)

    def periodic(self, name: str, fn: Callable[[], Any], **schedule: str) -> None:
        """Register a function to run on a crontab schedule (e.g. minute="*")."""
        self.huey.periodic_task(crontab(**schedule), name=name)(fn)

    def enqueue(self, name: str, *args: Any, delay: float | None = None, priority: int | None = None) -> None:
        """Run a registered job in the background (synchronously in inline mode); higher priority first."""
        task = self._tasks[name]
        if self.mode is RuntimeMode.INLINE:
            task(*args)
        else:
            task(*args, delay=delay or None, priority=priority)

    def enqueue_event(self, name: str) -> Handler:
        """A subscriber that hands each event it receives to the named background job."""

        def handler(_session: Session, envelope: EventEnvelope) -> None:
            self.enqueue(name, envelope.event.model_dump(mode="json"))

        return handler

    def kick_relay(self) -> None:
        """Called after a commit that published events: deliver them soon."""
        if self.mode is RuntimeMode.INLINE:
            self.relay.drain()
        elif self.mode is RuntimeMode.EMBEDDED:
            self._wake.set()
        else:
            try:
                self._redis().publish(WAKE_CHANNEL, b"1")
            except Exception:
                log.warning("could not publish relay wake-up; the worker polls anyway")

    def start(self, *, workers: int = 2) -> None:
        """Start the in-process worker: huey consumer threads and the relay loop."""
        if self.mode is RuntimeMode.INLINE:
            return
        self._consumer = _QuietConsumer(self.huey, workers=workers, worker_type="thread")
        self._consumer.start()
        self._spawn(self._relay_loop, "kefu-relay")
        if self.mode is RuntimeMode.REDIS:
            self._spawn(self._listen_for_wakeups, "kefu-relay-wake")

    def stop(self) -> None:
        """Stop the worker threads gracefully."""
        self._stop.set()
        self._wake.set()
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def worker_alive(self) -> bool:
        """True when this process runs a relay loop that is alive."""
        return any(t.is_alive() for t in self._threads)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.relay.drain()
            except Exception:
                log.exception("outbox relay pass failed")

    def _listen_for_wakeups(self) -> None:
        pubsub = self._redis().pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(WAKE_CHANNEL)
        while not self._stop.is_set():
            try:
                if pubsub.get_message(timeout=1.0) is not None:
                    self._wake.set()
            except Exception:
                log.warning("relay wake-up listener lost Redis; retrying")
                self._stop.wait(1.0)

    def _redis(self) -> Any:
        if self._publisher is None:
            import redis

            self._publisher = redis.Redis.from_url(self._redis_url or "")
        return self._publisher
