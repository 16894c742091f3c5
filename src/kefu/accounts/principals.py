"""Who recently called with which API token: the claim a request starts from, confirmed in its transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

from kefu.accounts.schemas import Principal

DEFAULT_ENTRIES = 10_000
DEFAULT_TTL_SECONDS = 300.0


class PrincipalCache:
    """Token digest -> principal, bounded in size and age; used from the event loop thread only.

    An entry only says who a token belonged to a moment ago; the request still confirms it
    against the database in its own transaction, so revocation and role changes apply at once.
    """

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_ENTRIES,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._now = now

    def get(self, token_hash: str) -> Principal | None:
        """The principal last confirmed for this token, unless it is too old."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        principal, stored_at = entry
        if self._now() - stored_at > self._ttl:
            del self._entries[token_hash]
            return None
        return principal

    def put(self, token_hash: str, principal: Principal) -> None:
        """Remember a confirmed principal, forgetting the oldest entry when full."""
        self._entries.pop(token_hash, None)
        if len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[token_hash] = (principal, self._now())

    def clear(self) -> None:
        """Forget every entry (after a change of roles, so no request is refused for it)."""
        self._entries.clear()

    def forget(self, token_hash: str) -> None:
        """Drop a token whose principal no longer holds."""
        self._entries.pop(token_hash, None)
