"""A conversation's message counters and the first-response rule, free of I/O (live intake and import)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from kefu.conversations.enums import ActorKind, Direction


class Counters(NamedTuple):
    """What a conversation's messages add up to."""

    inbound_count: int = 0
    outbound_count: int = 0
    note_count: int = 0
    last_message_at: datetime | None = None
    """The latest customer or outbound message (notes do not count)."""
    first_response_at: datetime | None = None
    """The first agent's outbound message after a customer message."""


def counted(counters: Counters, direction: Direction, author: ActorKind, at: datetime) -> Counters:
    """The counters after one more message written by `author` at `at`.

    A note counts as a note only. An inbound or outbound message moves `last_message_at`; the
    first outbound message by an agent once the customer has written is the first response.
    """
    inbound, outbound, notes, last, first = counters
    if direction == Direction.NOTE:
        return Counters(inbound, outbound, notes + 1, last, first)
    if direction == Direction.INBOUND:
        return Counters(inbound + 1, outbound, notes, at, first)
    if first is None and author == ActorKind.AGENT and inbound > 0:
        first = at
    return Counters(inbound, outbound + 1, notes, at, first)
