"""The assignment algorithms, pure: queue matching rules, eligibility, skill fit and the four strategies.

Nothing here reads the database or the clock; `routing.service` builds the candidates and the need,
so the same functions run in the request path, the sweep and `kefu bench routing`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kefu.routing.enums import Presence, RuleField, RuleOp, Strategy

LEVELS = {"junior": 0, "intermediate": 1, "senior": 2}
RUNNERS_UP = 5
"""How many losing eligible candidates a decision names (the rest are counted by reason)."""
_EPOCH = datetime.min.replace(tzinfo=UTC)


# --- queue matching --------------------------------------------------------------------------------


def condition_holds(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether one rule condition holds for a conversation's facts (list facts: any element)."""
    field_, op, value = RuleField(condition["field"]), RuleOp(condition["op"]), condition["value"]
    have = facts.get(field_.value)
    if op in (RuleOp.GTE, RuleOp.LTE):
        if not isinstance(have, int | float) or isinstance(have, bool):
            return False
        return have >= value if op == RuleOp.GTE else have <= value
    haves = {_norm(h) for h in have} if isinstance(have, list) else {_norm(have)}
    wanted = {_norm(v) for v in value} if isinstance(value, list) else {_norm(value)}
    hit = bool(haves & wanted)
    return hit if op in (RuleOp.EQ, RuleOp.IN) else not hit


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


@dataclass(frozen=True)
class QueueRules:
    """A queue's id, position and its ordered matching rules (each: a name and conditions all to hold)."""

    queue_id: uuid.UUID
    position: int
    rules: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class QueueMatch:
    """The queue a conversation goes to and the rule that sent it there."""

    queue_id: uuid.UUID
    rule_index: int
    rule_name: str


def match_queue(queues: Iterable[QueueRules], facts: dict[str, Any]) -> QueueMatch | None:
    """The first queue (by position) with a rule whose conditions all hold; its first such rule."""
    for queue in sorted(queues, key=lambda q: (q.position, q.queue_id)):
        for index, rule in enumerate(queue.rules):
            if all(condition_holds(c, facts) for c in rule.get("conditions", [])):
                return QueueMatch(queue.queue_id, index, str(rule.get("name") or f"rule {index + 1}"))
    return None


# --- agents ----------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """An agent as routing sees them: presence, skills, level, capacity and load on the need's channel."""

    agent_id: uuid.UUID
    presence: Presence
    level: str
    languages: dict[str, int]
    product_lines: frozenset[str]
    channels: frozenset[str]
    complaints: bool
    vip: bool
    capacity: dict[str, int]
    load: dict[str, int] = field(default_factory=dict)
    last_assigned_at: datetime | None = None

    def free(self, channel: str) -> int:
        """Conversations of the channel the agent can still take."""
        return self.capacity.get(channel, 0) - self.load.get(channel, 0)

    def load_share(self, channel: str) -> float:
        """Load over capacity on the channel (1.0 = full)."""
        capacity = self.capacity.get(channel, 0)
        return self.load.get(channel, 0) / capacity if capacity else 1.0


@dataclass(frozen=True)
class Need:
    """What a waiting conversation asks of its agent."""

    channel: str
    language: str | None = None
    min_proficiency: int = 1
    product_line: str | None = None
    complaint: bool = False
    vip: bool = False
    min_level: str = "junior"


def ineligible(candidate: Candidate, need: Need, excluded: frozenset[uuid.UUID] = frozenset()) -> str | None:
    """Why the agent cannot take the conversation now, or None when they can."""
    if candidate.agent_id in excluded:
        return "excluded"
    if candidate.presence != Presence.ONLINE:
        return candidate.presence.value
    if candidate.channels and need.channel not in candidate.channels:
        return "no_channel"
    if candidate.free(need.channel) <= 0:
        return "at_capacity"
    if need.language and candidate.languages.get(need.language, 0) < need.min_proficiency:
        return "no_language"
    if need.product_line and need.product_line not in candidate.product_lines:
        return "no_product_line"
    if need.complaint and not candidate.complaints:
        return "no_complaint_handling"
    if need.vip and not candidate.vip:
        return "no_vip"
    if LEVELS.get(candidate.level, 0) < LEVELS.get(need.min_level, 0):
        return "level_too_low"
    return None


def skill_fit(candidate: Candidate, need: Need) -> float:
    """How well an eligible agent fits: language proficiency (0–5), then level, product line, extras."""
    score = float(candidate.languages.get(need.language, 0)) if need.language else 0.0
    score += 0.5 * LEVELS.get(candidate.level, 0)
    if need.product_line and need.product_line in candidate.product_lines:
        score += 1.0
    if need.complaint and candidate.complaints:
        score += 1.0
    if need.vip and candidate.vip:
        score += 1.0
    return score


# --- decisions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """The chosen agent (None: nobody eligible, or a manual queue) and why the others lost."""

    agent_id: uuid.UUID | None
    strategy: Strategy
    considered: int
    runners_up: list[dict[str, Any]]
    ineligible: dict[str, int]

    def why(self) -> dict[str, Any]:
        """The decision as JSON for the timeline."""
        return {
            "strategy": self.strategy.value,
            "agent_id": str(self.agent_id) if self.agent_id else None,
            "considered": self.considered,
            "runners_up": self.runners_up,
            "ineligible": self.ineligible,
        }


def choose_agent(
    strategy: Strategy,
    need: Need,
    candidates: Iterable[Candidate],
    *,
    cursor: uuid.UUID | None = None,
    excluded: frozenset[uuid.UUID] = frozenset(),
) -> Decision:
    """Pick an agent for one conversation by the queue's strategy; ties broken by agent id."""
    eligible: list[Candidate] = []
    lost: dict[str, int] = {}
    considered = 0
    for candidate in candidates:
        considered += 1
        reason = ineligible(candidate, need, excluded)
        if reason is None:
            eligible.append(candidate)
        else:
            lost[reason] = lost.get(reason, 0) + 1
    if strategy == Strategy.MANUAL or not eligible:
        return Decision(None, strategy, considered, [], lost)
    channel = need.channel
    if strategy == Strategy.ROUND_ROBIN:
        ordered = sorted(eligible, key=lambda c: c.agent_id)
        start = next((i for i, c in enumerate(ordered) if cursor is not None and c.agent_id > cursor), 0)
        ranked = ordered[start:] + ordered[:start]
        explain = "later_in_turn"
    elif strategy == Strategy.LEAST_LOADED:
        ranked = sorted(
            eligible,
            key=lambda c: (c.load_share(channel), c.last_assigned_at or _EPOCH, c.agent_id),
        )
        explain = "more_loaded"
    else:
        fits = {c.agent_id: skill_fit(c, need) for c in eligible}
        ranked = sorted(
            eligible,
            key=lambda c: (
                -fits[c.agent_id],
                c.load_share(channel),
                c.last_assigned_at or _EPOCH,
                c.agent_id,
            ),
        )
        explain = ""
    best = ranked[0]
    runners_up = [
        {"agent_id": str(c.agent_id), "lost": explain or _lost_to(best, c, need)}
        for c in ranked[1 : RUNNERS_UP + 1]
    ]
    return Decision(best.agent_id, strategy, considered, runners_up, lost)


def _lost_to(best: Candidate, other: Candidate, need: Need) -> str:
    """Which step of skills-based best match made `other` lose to `best`."""
    if skill_fit(other, need) < skill_fit(best, need):
        return "lower_skill_fit"
    if other.load_share(need.channel) > best.load_share(need.channel):
        return "more_loaded"
    if (other.last_assigned_at or _EPOCH) > (best.last_assigned_at or _EPOCH):
        return "less_idle"
    return "tie_by_id"
