"""Per-workspace fan-out of realtime messages: in-process queues, bridged by Redis pub/sub when scaled out."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

log = logging.getLogger(__name__)

QUEUE_SIZE = 1_000
"""Messages a slow socket may fall behind by before it is told to resynchronise."""
CHANNEL_PREFIX = "kefu:realtime:"
_Listener = tuple[asyncio.AbstractEventLoop, "asyncio.Queue[dict[str, Any]]"]


class Hub(Protocol):
    """Where realtime messages are published (any thread) and listened to (on an event loop)."""

    def publish(self, workspace_id: uuid.UUID, message: dict[str, Any]) -> None:
        """Send a message to every listener of the workspace, in every web process."""

    def listen(self, workspace_id: uuid.UUID) -> AbstractContextManager[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the workspace's messages while the context is open."""


class LocalHub:
    """Fan-out inside one process: each listener has an asyncio queue on its own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[uuid.UUID, set[_Listener]] = defaultdict(set)

    def publish(self, workspace_id: uuid.UUID, message: dict[str, Any]) -> None:
        """Deliver to this process's listeners of the workspace (thread-safe)."""
        with self._lock:
            targets = list(self._listeners.get(workspace_id, ()))
        for loop, queue in targets:
            try:
                loop.call_soon_threadsafe(_offer, queue, message)
            except RuntimeError:  # the listener's loop has closed
                continue

    @contextmanager
    def listen(self, workspace_id: uuid.UUID) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        """Register a queue of the running loop for the workspace's messages."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._listeners[workspace_id].add(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._listeners[workspace_id].discard(entry)
                if not self._listeners[workspace_id]:
                    del self._listeners[workspace_id]


def _offer(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
    """Queue a message; a full queue gets a single resync marker instead."""
    try:
        queue.put_nowait(message)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait({"type": "resync"})


class RedisHub:
    """Publishes on Redis (`kefu:realtime:<workspace>`); one listener thread per process feeds a LocalHub.

    The worker that relays outbox events may run in another process than the web server holding
    the sockets: Redis pub/sub carries the message across.
    """

    def __init__(self, redis_url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(redis_url)
        self._local = LocalHub()
        self._thread: threading.Thread | None = None
        self._started = threading.Lock()
        self._ready = threading.Event()

    def publish(self, workspace_id: uuid.UUID, message: dict[str, Any]) -> None:
        """Publish to every process listening on the workspace's channel."""
        self._redis.publish(f"{CHANNEL_PREFIX}{workspace_id}", json.dumps(message))

    @contextmanager
    def listen(self, workspace_id: uuid.UUID) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        """Start the process's Redis listener if needed, then listen locally."""
        self._start()
        with self._local.listen(workspace_id) as queue:
            yield queue

    def _start(self) -> None:
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kefu-realtime-redis", daemon=True)
                self._thread.start()
        self._ready.wait(5)

    def _run(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
        self._ready.set()
        for item in pubsub.listen():
            try:
                channel = item["channel"].decode()
                workspace_id = uuid.UUID(channel.removeprefix(CHANNEL_PREFIX))
                self._local.publish(workspace_id, json.loads(item["data"]))
            except (ValueError, KeyError, AttributeError):
                log.warning("ignored a malformed realtime message on %r", item.get("channel"))


def make_hub(redis_url: str | None) -> LocalHub | RedisHub:
    """Redis pub/sub when a Redis URL is configured, else in-process fan-out."""
    return RedisHub(redis_url) if redis_url else LocalHub()
