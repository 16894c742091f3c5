"""Routing strategies, agent presence, queue-rule vocabulary and the states of a routed conversation."""

from __future__ import annotations

from enum import StrEnum


class Strategy(StrEnum):
    """How a queue picks an agent for its next waiting conversation."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    SKILLS_BEST_MATCH = "skills_best_match"
    MANUAL = "manual"


class Presence(StrEnum):
    """Whether an agent takes new conversations: only online agents are offered work."""

    ONLINE = "online"
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"


class RuleField(StrEnum):
    """Attributes a queue's matching rule can test (conversation, its latest customer message, customer)."""

    LANGUAGE = "language"
    MARKET = "market"
    CHANNEL = "channel"
    INBOX_ID = "inbox_id"
    VIP_TIER = "vip_tier"
    SEGMENT = "segment"
    TAG = "tag"
    INTENT = "intent"
    SENTIMENT = "sentiment"
    ANGER = "anger"
    PRIORITY = "priority"
    IS_COMPLAINT = "is_complaint"
    PRODUCT_LINE = "product_line"


class RuleOp(StrEnum):
    """How a condition compares: equal, not equal, one of, none of, at least, at most (numbers)."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GTE = "gte"
    LTE = "lte"


class EntryState(StrEnum):
    """Where a routed conversation stands: waiting in a queue, with an agent, or resolved."""

    WAITING = "waiting"
    ASSIGNED = "assigned"
    DONE = "done"


class QueueReason(StrEnum):
    """Why a conversation (re-)entered a queue."""

    NEW = "new"
    REQUEUED = "requeued"
    OVERFLOW = "overflow"
    REROUTE = "reroute"
    TRANSFER = "transfer"
    ESCALATION = "escalation"
