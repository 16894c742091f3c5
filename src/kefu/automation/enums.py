"""Triggers, operators, action types and states of the automation domain."""

from __future__ import annotations

from enum import StrEnum


class Trigger(StrEnum):
    """What makes a rule look at a conversation."""

    CONVERSATION_OPENED = "conversation_opened"
    CONVERSATION_UPDATED = "conversation_updated"
    CONVERSATION_RESOLVED = "conversation_resolved"
    MESSAGE_RECEIVED = "message_received"
    MESSAGE_ANALYSED = "message_analysed"
    COMPLAINT_MARKED = "complaint_marked"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    CUSTOMER_UPDATED = "customer_updated"
    TIME = "time"


class Operator(StrEnum):
    """How a condition compares a fact with its value."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    EXISTS = "exists"
    NOT_EXISTS = "not_exists"


class ActionType(StrEnum):
    """What a firing rule does."""

    ASSIGN = "assign"
    SET_PRIORITY = "set_priority"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    SET_FIELD = "set_field"
    SET_STATUS = "set_status"
    ESCALATE = "escalate"
    SEND_MACRO = "send_macro"
    ADD_NOTE = "add_note"
    NOTIFY = "notify"
    WEBHOOK = "webhook"
    CREATE_TASK = "create_task"


class FiringOutcome(StrEnum):
    """Whether a matching rule acted or was held back by loop protection."""

    FIRED = "fired"
    SUPPRESSED = "suppressed"


class TaskStatus(StrEnum):
    """A follow-up task is open until someone marks it done or cancels it."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class HandoffStatus(StrEnum):
    """A department hand-off waits for the department's answer."""

    OPEN = "open"
    ANSWERED = "answered"
    CANCELLED = "cancelled"


class HandoffScope(StrEnum):
    """The whole conversation, or one sub-task of it, goes to the department."""

    CONVERSATION = "conversation"
    TASK = "task"
