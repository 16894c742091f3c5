"""The status rules on their own: allowed moves, admin-only reopening, the reopen window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kefu.conversations import lifecycle
from kefu.conversations.enums import ConversationStatus as S

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_allowed_moves() -> None:
    allowed = {(a, b) for a in S for b in S if a != b and lifecycle.is_allowed(a, b)}
    assert allowed == {
        (S.OPEN, S.PENDING), (S.OPEN, S.SNOOZED), (S.OPEN, S.RESOLVED), (S.OPEN, S.CLOSED),
        (S.PENDING, S.OPEN), (S.PENDING, S.SNOOZED), (S.PENDING, S.RESOLVED), (S.PENDING, S.CLOSED),
        (S.SNOOZED, S.OPEN), (S.SNOOZED, S.PENDING), (S.SNOOZED, S.RESOLVED), (S.SNOOZED, S.CLOSED),
        (S.RESOLVED, S.OPEN), (S.RESOLVED, S.CLOSED),
        (S.CLOSED, S.OPEN),
    }  # fmt: skip
    assert all(lifecycle.is_allowed(s, s) for s in S)


def test_only_leaving_closed_needs_an_admin() -> None:
    assert [s for s in S if lifecycle.needs_admin(S.CLOSED, s)] == [S.OPEN, S.PENDING, S.SNOOZED, S.RESOLVED]
    assert not any(lifecycle.needs_admin(s, S.OPEN) for s in S if s is not S.CLOSED)
    assert lifecycle.is_reopen(S.RESOLVED, S.OPEN) and lifecycle.is_reopen(S.CLOSED, S.OPEN)
    assert not lifecycle.is_reopen(S.PENDING, S.OPEN)


def test_customer_reply_continues_active_and_recently_resolved_only() -> None:
    window = timedelta(days=7)
    for status in (S.OPEN, S.PENDING, S.SNOOZED):
        assert lifecycle.accepts_customer_reply(status, None, NOW, window)
    assert lifecycle.accepts_customer_reply(S.RESOLVED, NOW - window, NOW, window)
    assert not lifecycle.accepts_customer_reply(S.RESOLVED, NOW - window - timedelta(seconds=1), NOW, window)
    assert not lifecycle.accepts_customer_reply(S.CLOSED, NOW, NOW, window)
