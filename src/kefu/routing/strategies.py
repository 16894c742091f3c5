"""The assignment algorithms, pure: queue matching rules, eligibility, skill fit and the four strategies.

Nothing here reads the database or the clock; `routing.service` builds the candidates and the need,
so the same functions run in the request path, the sweep and `kefu bench routing`.
"""

from __future__ import annotations

import bisect
import heapq
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

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
    explain = ""
    if strategy == Strategy.ROUND_ROBIN:
        after = [c for c in eligible if cursor is not None and c.agent_id > cursor]
        wrapped = [c for c in eligible if cursor is None or c.agent_id <= cursor]
        ahead = heapq.nsmallest(RUNNERS_UP + 1, after, key=_by_id)
        ranked = ahead + heapq.nsmallest(RUNNERS_UP + 1 - len(ahead), wrapped, key=_by_id)
        explain = "later_in_turn"
    elif strategy == Strategy.LEAST_LOADED:
        ranked = heapq.nsmallest(
            RUNNERS_UP + 1,
            eligible,
            key=lambda c: (c.load_share(channel), c.last_assigned_at or _EPOCH, c.agent_id),
        )
        explain = "more_loaded"
    else:
        ranked = heapq.nsmallest(
            RUNNERS_UP + 1,
            eligible,
            key=lambda c: (
                -skill_fit(c, need),
                c.load_share(channel),
                c.last_assigned_at or _EPOCH,
                c.agent_id,
            ),
        )
    best = ranked[0]
    runners_up = [
        {"agent_id": str(c.agent_id), "lost": explain or _lost_to(best, c, need)} for c in ranked[1:]
    ]
    return Decision(best.agent_id, strategy, considered, runners_up, lost)


def _by_id(candidate: Candidate) -> uuid.UUID:
    return candidate.agent_id


def _lost_to(best: Candidate, other: Candidate, need: Need) -> str:
    """Which step of skills-based best match made `other` lose to `best`."""
    if skill_fit(other, need) < skill_fit(best, need):
        return "lower_skill_fit"
    if other.load_share(need.channel) > best.load_share(need.channel):
        return "more_loaded"
    if (other.last_assigned_at or _EPOCH) > (best.last_assigned_at or _EPOCH):
        return "less_idle"
    return "tie_by_id"


class CandidatePool:
    """The candidates of one dispatch as arrays: the same decisions as `choose_agent`, vectorised.

    A queue's pool is scanned once per waiting conversation; with 1,000 agents a Python loop costs
    more than a millisecond, these array passes a fraction of it (`kefu bench routing`).
    `tests/routing/test_strategies.py` checks that both give the same decision on random pools.
    """

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = list(candidates)
        self._index = {c.agent_id: i for i, c in enumerate(self.candidates)}
        ids = [c.agent_id for c in self.candidates]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self._sorted_ids = [ids[i] for i in order]
        self._id_rank = np.empty(len(ids), dtype=np.int64)
        self._id_rank[order] = np.arange(len(ids))
        self._presence = {
            p: np.array([c.presence == p for c in self.candidates], dtype=bool) for p in Presence
        }
        self._level = np.array([LEVELS.get(c.level, 0) for c in self.candidates], dtype=np.float64)
        self._complaints = np.array([c.complaints for c in self.candidates], dtype=bool)
        self._vip = np.array([c.vip for c in self.candidates], dtype=bool)
        self._idle = np.array(
            [c.last_assigned_at.timestamp() if c.last_assigned_at else -np.inf for c in self.candidates]
        )
        self._languages: dict[str, np.ndarray] = {}
        self._products: dict[str, np.ndarray] = {}
        self._channels: dict[str, np.ndarray] = {}
        self._capacity: dict[str, np.ndarray] = {}
        self._load: dict[str, np.ndarray] = {}

    def _column(self, cache: dict[str, np.ndarray], key: str, value: Any, dtype: Any) -> np.ndarray:
        if key not in cache:
            cache[key] = np.array([value(c) for c in self.candidates], dtype=dtype)
        return cache[key]

    def book(self, agent_id: uuid.UUID, channel: str, at: datetime) -> None:
        """One more conversation of the channel for the agent, assigned at `at`."""
        i = self._index[agent_id]
        candidate = self.candidates[i]
        candidate.load[channel] = candidate.load.get(channel, 0) + 1
        candidate.last_assigned_at = at
        if channel in self._load:
            self._load[channel][i] += 1
        self._idle[i] = at.timestamp()

    def choose(
        self,
        strategy: Strategy,
        need: Need,
        *,
        cursor: uuid.UUID | None = None,
        excluded: frozenset[uuid.UUID] = frozenset(),
    ) -> Decision:
        """The decision `choose_agent` makes for the same candidates."""
        n = len(self.candidates)
        channel = need.channel
        capacity = self._column(self._capacity, channel, lambda c: c.capacity.get(channel, 0), np.int64)
        load = self._column(self._load, channel, lambda c: c.load.get(channel, 0), np.int64)
        remaining = np.ones(n, dtype=bool)
        lost: dict[str, int] = {}

        def drop(reason: str, mask: np.ndarray) -> None:
            nonlocal remaining
            hit = remaining & mask
            count = int(hit.sum())
            if count:
                lost[reason] = count
                remaining = remaining & ~mask

        if excluded:
            mask = np.zeros(n, dtype=bool)
            mask[[self._index[a] for a in excluded if a in self._index]] = True
            drop("excluded", mask)
        for presence in (Presence.AWAY, Presence.BUSY, Presence.OFFLINE):
            drop(presence.value, self._presence[presence])
        drop(
            "no_channel",
            ~self._column(self._channels, channel, lambda c: not c.channels or channel in c.channels, bool),
        )
        drop("at_capacity", capacity - load <= 0)
        language = self._column(
            self._languages, need.language or "", lambda c: c.languages.get(need.language, 0), np.float64
        )
        if need.language:
            drop("no_language", language < need.min_proficiency)
        product = None
        if need.product_line:
            line = need.product_line
            product = self._column(self._products, line, lambda c: line in c.product_lines, bool)
            drop("no_product_line", ~product)
        if need.complaint:
            drop("no_complaint_handling", ~self._complaints)
        if need.vip:
            drop("no_vip", ~self._vip)
        drop("level_too_low", self._level < LEVELS.get(need.min_level, 0))
        eligible = np.flatnonzero(remaining)
        if strategy == Strategy.MANUAL or not len(eligible):
            return Decision(None, strategy, n, [], lost)
        ranks = self._id_rank[eligible]
        explain = ""
        if strategy == Strategy.ROUND_ROBIN:
            cursor_rank = -1 if cursor is None else bisect.bisect_right(self._sorted_ids, cursor) - 1
            keys: tuple[np.ndarray, ...] = (ranks, ranks <= cursor_rank)
            explain = "later_in_turn"
        else:
            cap = capacity[eligible]
            share = np.divide(
                load[eligible], cap, out=np.ones(len(eligible), dtype=np.float64), where=cap != 0
            )
            keys = (ranks, self._idle[eligible], share)
            if strategy == Strategy.LEAST_LOADED:
                explain = "more_loaded"
            else:
                fit = language[eligible] if need.language else np.zeros(len(eligible))
                fit = fit + 0.5 * self._level[eligible]
                if product is not None:
                    fit = fit + product[eligible]
                if need.complaint:
                    fit = fit + self._complaints[eligible]
                if need.vip:
                    fit = fit + self._vip[eligible]
                keys = (*keys, -fit)
        top = eligible[np.lexsort(keys)[: RUNNERS_UP + 1]]
        best = self.candidates[int(top[0])]
        runners_up = [
            {
                "agent_id": str(self.candidates[int(i)].agent_id),
                "lost": explain or _lost_to(best, self.candidates[int(i)], need),
            }
            for i in top[1:]
        ]
        return Decision(best.agent_id, strategy, n, runners_up, lost)
