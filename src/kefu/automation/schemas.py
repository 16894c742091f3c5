"""Shapes of the automation API: rules, actions, dry runs, macros, tasks, notifications, hand-offs."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kefu.automation.enums import (
    ActionType,
    FiringOutcome,
    HandoffScope,
    HandoffStatus,
    Operator,
    TaskStatus,
    Trigger,
)
from kefu.conversations.enums import ConversationStatus, Priority
from kefu.conversations.schemas import FieldKey, FieldValue, Language, Tag, Text
from kefu.core.text import refuse_deceptive_line, refuse_deceptive_text

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(refuse_deceptive_line),
]
LongText = Annotated[
    Text, StringConstraints(min_length=1, max_length=10_000), AfterValidator(refuse_deceptive_text)
]
Title = Annotated[
    Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(refuse_deceptive_line),
]

CONVERSATION_FIELDS = {
    "id",
    "status",
    "priority",
    "channel",
    "inbox_id",
    "assignee_id",
    "team_id",
    "tags",
    "language",
    "subject",
    "is_complaint",
    "complaint_amount",
    "complaint_currency",
    "inbound_count",
    "outbound_count",
    "reopen_count",
    "age_seconds",
    "idle_seconds",
    "escalated",
}
MESSAGE_FIELDS = {
    "text",
    "direction",
    "language",
    "intent",
    "intent_confidence",
    "sentiment",
    "sentiment_score",
    "anger",
    "angry",
    "abusive",
}
CUSTOMER_FIELDS = {"name", "language", "market", "vip_tier", "tags", "complaints_30d"}
FACT_FIELDS = (
    {f"conversation.{f}" for f in CONVERSATION_FIELDS}
    | {f"message.{f}" for f in MESSAGE_FIELDS}
    | {f"customer.{f}" for f in CUSTOMER_FIELDS}
    | {"time.hour", "time.weekday", "sla.metric"}
)
"""Every fact a condition may name, besides `conversation.custom_fields.*` and `customer.custom_fields.*`."""
_CUSTOM = re.compile(r"^(conversation|customer)\.custom_fields\.[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def _known_field(name: str) -> str:
    if name not in FACT_FIELDS and not _CUSTOM.match(name):
        raise ValueError(f"unknown field {name!r}")
    return name


FactField = Annotated[str, StringConstraints(max_length=100), AfterValidator(_known_field)]
ConditionValue = FieldValue | list[FieldValue] | None


class _In(BaseModel):
    """Input models reject unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class ConditionIn(_In):
    """One condition: a fact, an operator and a value (a list for `in` / `not_in`)."""

    field: FactField
    op: Operator
    value: Annotated[ConditionValue, Field(default=None)] = None

    @model_validator(mode="after")
    def _value_fits(self) -> ConditionIn:
        listed = isinstance(self.value, list)
        if self.op in (Operator.IN, Operator.NOT_IN) and not listed:
            raise ValueError(f"{self.op} needs a list value")
        if self.op not in (Operator.IN, Operator.NOT_IN) and listed:
            raise ValueError(f"{self.op} needs a single value")
        if self.op not in (Operator.EXISTS, Operator.NOT_EXISTS) and self.value is None:
            raise ValueError(f"{self.op} needs a value")
        if listed and len(self.value) > 100:  # type: ignore[arg-type]
            raise ValueError("at most 100 values")
        return self


class ConditionsIn(_In):
    """Every `all` condition must hold, and one of `any` when `any` is not empty."""

    all: Annotated[list[ConditionIn], Field(max_length=30)] = Field(default_factory=list)
    any: Annotated[list[ConditionIn], Field(max_length=30)] = Field(default_factory=list)


class AssignAction(_In):
    """Assign to an agent and/or a team."""

    type: Literal[ActionType.ASSIGN]
    agent_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _something(self) -> AssignAction:
        if self.agent_id is None and self.team_id is None:
            raise ValueError("assign needs agent_id or team_id")
        return self


class SetPriorityAction(_In):
    """Set the priority."""

    type: Literal[ActionType.SET_PRIORITY]
    priority: Priority


class TagsAction(_In):
    """Add or remove tags."""

    type: Literal[ActionType.ADD_TAGS, ActionType.REMOVE_TAGS]
    tags: Annotated[list[Tag], Field(min_length=1, max_length=10)]


class SetFieldAction(_In):
    """Set (or with null remove) a custom field of the conversation."""

    type: Literal[ActionType.SET_FIELD]
    key: FieldKey
    value: FieldValue | None = None


class SetStatusAction(_In):
    """Move the conversation to a status (illegal moves are skipped and noted)."""

    type: Literal[ActionType.SET_STATUS]
    status: ConversationStatus


class EscalateAction(_In):
    """Escalate: raise the priority to at least `priority`, set a team, tag `escalated`, tell supervisors."""

    type: Literal[ActionType.ESCALATE]
    priority: Priority = Priority.HIGH
    team_id: uuid.UUID | None = None
    reason: Annotated[str, StringConstraints(max_length=64)] = "rule"


class SendMacroAction(_In):
    """Send a macro's reply in the conversation's language."""

    type: Literal[ActionType.SEND_MACRO]
    macro_id: uuid.UUID


class AddNoteAction(_In):
    """Add an internal note (placeholders allowed)."""

    type: Literal[ActionType.ADD_NOTE]
    text: Annotated[Text, StringConstraints(min_length=1, max_length=5000)]


Recipient = Literal["assignee", "supervisors", "team"] | uuid.UUID


class NotifyAction(_In):
    """Notify agents: the assignee, the conversation's team, the supervisors, or named agents."""

    type: Literal[ActionType.NOTIFY]
    recipients: Annotated[list[Recipient], Field(min_length=1, max_length=20)]
    text: Annotated[Text, StringConstraints(min_length=1, max_length=1000)]


class WebhookAction(_In):
    """POST the conversation's facts to a URL (through the guarded outbound client, after commit)."""

    type: Literal[ActionType.WEBHOOK]
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s\x00]+$", max_length=2048)]


class CreateTaskAction(_In):
    """Create a follow-up task due after `due_in_seconds`, for the assignee or a named agent."""

    type: Literal[ActionType.CREATE_TASK]
    title: Title
    due_in_seconds: Annotated[int, Field(ge=0, le=366 * 86400)] = 86400
    assignee: Literal["assignee"] | uuid.UUID = "assignee"


ActionIn = Annotated[
    AssignAction
    | SetPriorityAction
    | TagsAction
    | SetFieldAction
    | SetStatusAction
    | EscalateAction
    | SendMacroAction
    | AddNoteAction
    | NotifyAction
    | WebhookAction
    | CreateTaskAction,
    Field(discriminator="type"),
]


class RuleIn(_In):
    """A rule: when (triggers), if (conditions), then (actions, run in order)."""

    name: Name
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,64}$")] | None = None
    position: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    is_active: bool = True
    triggers: Annotated[list[Trigger], Field(min_length=1, max_length=10)]
    conditions: ConditionsIn = Field(default_factory=ConditionsIn)
    actions: Annotated[list[ActionIn], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _time_alone(self) -> RuleIn:
        if Trigger.TIME in self.triggers and len(self.triggers) > 1:
            raise ValueError("a time rule has no other trigger")
        return self


class RuleUpdate(_In):
    """Change a rule; fields left out stay (a list given replaces the whole list)."""

    name: Name | None = None
    position: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    is_active: bool | None = None
    triggers: Annotated[list[Trigger], Field(min_length=1, max_length=10)] | None = None
    conditions: ConditionsIn | None = None
    actions: Annotated[list[ActionIn], Field(min_length=1, max_length=20)] | None = None


class RuleOut(BaseModel):
    """A stored rule."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    key: str | None
    position: int
    is_active: bool
    triggers: list[Trigger]
    conditions: dict[str, list[dict[str, Any]]]
    actions: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class DryRunIn(_In):
    """Which rules would fire on this conversation for this trigger, and why."""

    conversation_id: uuid.UUID
    trigger: Trigger = Trigger.CONVERSATION_UPDATED


class CheckOut(BaseModel):
    """A condition with the fact it saw."""

    field: str
    op: Operator
    value: Any
    actual: Any
    holds: bool


class VerdictOut(BaseModel):
    """One rule in a dry run: whether it would fire, why, and what it would change."""

    rule_id: uuid.UUID
    name: str
    would_fire: bool
    reason: str
    checks: list[CheckOut]
    changes: list[dict[str, Any]]


class DryRunOut(BaseModel):
    """A dry run: the facts the rules saw and a verdict per active rule, in execution order."""

    conversation_id: uuid.UUID
    trigger: Trigger
    facts: dict[str, Any]
    rules: list[VerdictOut]


class FiringOut(BaseModel):
    """One time a rule matched a conversation."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: uuid.UUID
    conversation_id: uuid.UUID
    trigger: Trigger
    event_id: int
    outcome: FiringOutcome
    changes: list[dict[str, Any]]
    fired_at: datetime


# --- macros ------------------------------------------------------------------------------------


class MacroIn(_In):
    """A canned response: a text per language (placeholders like `{{customer.name}}`), tags to add."""

    name: Name
    variants: Annotated[dict[Language, LongText], Field(min_length=1, max_length=20)]
    default_language: Language
    tags: Annotated[list[Tag], Field(max_length=10)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_present(self) -> MacroIn:
        if self.default_language not in self.variants:
            raise ValueError("default_language needs a variant")
        return self


class MacroUpdate(_In):
    """Change a macro; fields left out stay."""

    name: Name | None = None
    variants: Annotated[dict[Language, LongText], Field(min_length=1, max_length=20)] | None = None
    default_language: Language | None = None
    tags: Annotated[list[Tag], Field(max_length=10)] | None = None


class MacroOut(BaseModel):
    """A stored macro."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    variants: dict[str, str]
    default_language: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class MacroUseIn(_In):
    """The conversation a macro is rendered for or applied to."""

    conversation_id: uuid.UUID


class RenderedMacro(BaseModel):
    """A macro rendered for a conversation: the language chosen, why, and the text."""

    macro_id: uuid.UUID
    language: str
    language_source: str
    text: str
    missing: list[str]


class AppliedMacro(RenderedMacro):
    """A macro sent as a reply: the rendering and the stored message."""

    message_id: uuid.UUID


# --- tasks and notifications -------------------------------------------------------------------


class TaskIn(_In):
    """A follow-up task on a conversation."""

    conversation_id: uuid.UUID
    title: Title
    assignee_id: uuid.UUID | None = None
    due_at: datetime


class TaskUpdate(_In):
    """Mark a task done or cancelled, or move it."""

    status: TaskStatus | None = None
    assignee_id: uuid.UUID | None = None
    due_at: datetime | None = None


class TaskOut(BaseModel):
    """A follow-up task."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    title: str
    assignee_id: uuid.UUID | None
    due_at: datetime
    status: TaskStatus
    source: str
    done_at: datetime | None
    created_at: datetime


class NotificationOut(BaseModel):
    """A notification for an agent."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agent_id: uuid.UUID
    conversation_id: uuid.UUID | None
    kind: str
    text: str
    read_at: datetime | None
    created_at: datetime


# --- department hand-offs ----------------------------------------------------------------------


class DepartmentSlaIn(_In):
    """A department team's response promise for hand-offs (e.g. tech 2 h, logistics 4 h)."""

    response_seconds: Annotated[int, Field(ge=60, le=30 * 86400)]
    calendar_id: uuid.UUID | None = None
    pause_customer_sla: bool = True


class DepartmentSlaOut(BaseModel):
    """A department's hand-off SLA."""

    model_config = ConfigDict(from_attributes=True)

    team_id: uuid.UUID
    response_seconds: int
    calendar_id: uuid.UUID | None
    pause_customer_sla: bool


class HandoffIn(_In):
    """Hand a conversation, or a sub-task of it, to a department team."""

    conversation_id: uuid.UUID
    team_id: uuid.UUID
    scope: HandoffScope = HandoffScope.CONVERSATION
    title: Title
    details: Annotated[Text, StringConstraints(max_length=5000)] = ""


class HandoffAnswerIn(_In):
    """The department's answer."""

    text: Annotated[Text, StringConstraints(min_length=1, max_length=5000)]


class HandoffOut(BaseModel):
    """A hand-off and its deadline."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    team_id: uuid.UUID
    scope: HandoffScope
    title: str
    details: str
    owner_id: uuid.UUID | None
    status: HandoffStatus
    due_at: datetime
    paused_customer_sla: bool
    answer: str | None
    answered_by: uuid.UUID | None
    answered_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
