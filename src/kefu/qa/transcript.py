"""The transcript a scorecard reads: ordered customer and agent turns with their times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Who wrote a turn (bot turns count as agent turns for inspection)."""

    CUSTOMER = "customer"
    AGENT = "agent"


@dataclass(frozen=True)
class Turn:
    """One message of the transcript; `index` is its position among all turns."""

    index: int
    role: Role
    text: str
    at: datetime | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Deadline:
    """An applied SLA target of the conversation: its metric, when it started and when it was due."""

    metric: str
    started_at: datetime
    due_at: datetime
    target_seconds: float


@dataclass(frozen=True)
class Transcript:
    """A conversation as inspection sees it: language, complaint flag, turns and outcome facts."""

    id: str
    language: str
    turns: tuple[Turn, ...]
    is_complaint: bool = False
    transfers: int = 0
    reopened: bool = False
    resolved: bool = True
    customer_identities: frozenset[str] = field(default_factory=frozenset)
    deadlines: tuple[Deadline, ...] = ()

    @property
    def agent_turns(self) -> tuple[Turn, ...]:
        """The agent's turns, in order."""
        return tuple(t for t in self.turns if t.role == Role.AGENT)

    @property
    def customer_turns(self) -> tuple[Turn, ...]:
        """The customer's turns, in order."""
        return tuple(t for t in self.turns if t.role == Role.CUSTOMER)


def build_transcript(
    *,
    id: str,
    language: str,
    messages: Sequence[tuple[str, str, datetime | None, str | None]],
    is_complaint: bool = False,
    transfers: int = 0,
    reopened: bool = False,
    resolved: bool = True,
    customer_identities: frozenset[str] = frozenset(),
    deadlines: tuple[Deadline, ...] = (),
) -> Transcript:
    """A transcript from (role, text, at, message id) tuples in conversation order."""
    turns = tuple(
        Turn(index=i, role=Role(role), text=text, at=at, message_id=message_id)
        for i, (role, text, at, message_id) in enumerate(messages)
    )
    return Transcript(
        id=id,
        language=language,
        turns=turns,
        is_complaint=is_complaint,
        transfers=transfers,
        reopened=reopened,
        resolved=resolved,
        customer_identities=customer_identities,
        deadlines=deadlines,
    )
