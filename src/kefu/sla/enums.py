"""SLA metrics, applied-target states, markets, the condition vocabulary and escalations of SLA policies."""

from __future__ import annotations

from enum import StrEnum


class Metric(StrEnum):
    """What an SLA target measures."""

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    PERIODIC_UPDATE = "periodic_update"
    RESOLUTION = "resolution"


class TargetState(StrEnum):
    """Where an applied target stands: running, on hold, met, or stopped unmet (conversation resolved)."""

    ACTIVE = "active"
    PAUSED = "paused"
    MET = "met"
    CANCELLED = "cancelled"


class Market(StrEnum):
    """Markets whose public holidays ship with Kefu (`sla/holidays/<market>.json`)."""

    ID = "ID"
    VN = "VN"
    TH = "TH"
    MY = "MY"
    CN = "CN"
    SG = "SG"


class ConditionField(StrEnum):
    """Attributes an SLA policy condition can test (customer ones read the conversation's customer)."""

    CHANNEL = "channel"
    PRIORITY = "priority"
    INBOX_ID = "inbox_id"
    LANGUAGE = "language"
    TAG = "tag"
    IS_COMPLAINT = "is_complaint"
    VIP_TIER = "vip_tier"
    MARKET = "market"


class ConditionOp(StrEnum):
    """How a condition compares: equal, not equal, one of, none of."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"


class EscalationTrigger(StrEnum):
    """What sets off an escalation level: the target's warning or its breach."""

    WARNING = "warning"
    BREACH = "breach"


class EscalationAction(StrEnum):
    """What an escalation level does: notify up the line, reassign (routing), or raise the priority."""

    NOTIFY_ASSIGNEE = "notify_assignee"
    NOTIFY_TEAM_LEAD = "notify_team_lead"
    NOTIFY_MANAGER = "notify_manager"
    REASSIGN = "reassign"
    RAISE_PRIORITY = "raise_priority"
