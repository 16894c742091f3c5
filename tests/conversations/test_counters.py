"""The counters and the first-response rule shared by live intake and import (`conversations.counters`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kefu.conversations.counters import Counters, counted
from kefu.conversations.enums import ActorKind, Direction

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
IN, OUT, NOTE = Direction.INBOUND, Direction.OUTBOUND, Direction.NOTE
CUSTOMER, AGENT, BOT, SYSTEM = ActorKind.CUSTOMER, ActorKind.AGENT, ActorKind.BOT, ActorKind.SYSTEM


def _count(*messages: tuple[Direction, ActorKind]) -> Counters:
    counters = Counters()
    for minute, (direction, author) in enumerate(messages):
        counters = counted(counters, direction, author, T0 + timedelta(minutes=minute))
    return counters


def test_a_new_conversation_has_nothing_counted() -> None:
    assert Counters() == (0, 0, 0, None, None)


def test_each_direction_counts_and_notes_do_not_move_the_last_message() -> None:
    assert _count((IN, CUSTOMER), (NOTE, AGENT), (OUT, AGENT), (IN, CUSTOMER), (NOTE, AGENT)) == Counters(
        2, 1, 2, T0 + timedelta(minutes=3), T0 + timedelta(minutes=2)
    )


def test_the_first_response_is_the_first_agent_reply_after_the_customer_wrote() -> None:
    counters = _count((IN, CUSTOMER), (OUT, BOT), (OUT, SYSTEM), (OUT, AGENT), (OUT, AGENT))
    assert counters.first_response_at == T0 + timedelta(minutes=3)


def test_outreach_before_the_customer_writes_is_no_first_response() -> None:
    assert _count((OUT, AGENT)).first_response_at is None
    assert _count((OUT, AGENT), (IN, CUSTOMER), (OUT, AGENT)).first_response_at == T0 + timedelta(minutes=2)


def test_a_note_is_never_a_response() -> None:
    assert _count((IN, CUSTOMER), (NOTE, AGENT)).first_response_at is None


def test_counting_leaves_its_input_alone() -> None:
    before = Counters(1, 0, 0, T0, None)
    after = counted(before, OUT, AGENT, T0 + timedelta(minutes=1))
    assert before == Counters(1, 0, 0, T0, None)
    assert after == Counters(1, 1, 0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=1))
