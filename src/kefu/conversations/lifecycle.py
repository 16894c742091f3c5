"""Status transition rules of a conversation, free of I/O so they can be tested on their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from kefu.conversations.enums import ConversationStatus as S

REOPEN_WINDOW = timedelta(days=7)
"""A customer reply within this time after resolution reopens the conversation; later opens a new one."""

_ALLOWED: dict[S, frozenset[S]] = {
    S.OPEN: frozenset({S.PENDING, S.SNOOZED, S.RESOLVED, S.CLOSED}),
    S.PENDING: frozenset({S.OPEN, S.SNOOZED, S.RESOLVED, S.CLOSED}),
    S.SNOOZED: frozenset({S.OPEN, S.PENDING, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN}),
}
ACTIVE = frozenset({S.OPEN, S.PENDING, S.SNOOZED})


def is_allowed(current: S, target: S) -> bool:
    """Whether a conversation may move from `current` to `target` (staying put is always allowed)."""
    return current == target or target in _ALLOWED[current]


def needs_admin(current: S, target: S) -> bool:
    """Closed is final: only an admin may reopen it."""
    return current == S.CLOSED and target != S.CLOSED


def is_reopen(current: S, target: S) -> bool:
    """Moving a resolved or closed conversation back to work."""
    return current in (S.RESOLVED, S.CLOSED) and target in ACTIVE


def accepts_customer_reply(
    status: S, resolved_at: datetime | None, now: datetime, window: timedelta = REOPEN_WINDOW
) -> bool:
    """Whether a customer reply continues this conversation rather than opening a new one."""
    if status in ACTIVE:
        return True
    if status == S.RESOLVED and resolved_at is not None:
        return now - resolved_at <= window
    return False
