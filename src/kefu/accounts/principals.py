"""Who recently called with which API token: the claim a request starts from, confirmed in its transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kefu.accounts.schemas import Principal

DEFAULT_ENTRIES = 10_000
DEFAULT_TTL_SECONDS = 300.0


class PrincipalCache:
    """Token digest -> principal, bounded in size and age, safe to use from any thread.

    An entry only says who a token belonged to a moment ago; the request still confirms it
    against the database in its own transaction, so revocation and role changes apply at once.
    `clear` starts a new generation: a lookup that began before it is not cached (it may have
    read the state before the change that caused the clear).
    """

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_ENTRIES,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()
        self.generation = 0
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._now = now

    def get(self, token_hash: str) -> Principal | None:
        """The principal last confirmed for this token, unless it is too old."""
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            principal, stored_at = entry
            if self._now() - stored_at > self._ttl:
                del self._entries[token_hash]
                return None
            return principal

    def put(self, token_hash: str, principal: Principal, *, generation: int | None = None) -> None:
        """Remember a principal unless looked up in an earlier `generation`; drop the oldest if full."""
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            self._entries.pop(token_hash, None)
            if len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[token_hash] = (principal, self._now())

    def clear(self) -> None:
        """Forget every entry and start a new generation (after a change of roles)."""
        with self._lock:
            self._entries.clear()
            self.generation += 1

    def forget(self, token_hash: str) -> None:
        """Drop a token whose principal no longer holds."""
        with self._lock:
            self._entries.pop(token_hash, None)
