"""Input and output shapes of the sla domain: calendars, policies, targets, applied SLAs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kefu.conversations.enums import Channel, ConversationStatus, Priority
from kefu.sla.calendar import WEEKDAYS, BusinessCalendar
from kefu.sla.enums import (
    ConditionField,
    ConditionOp,
    EscalationAction,
    EscalationTrigger,
    Market,
    Metric,
    TargetState,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
ClockText = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]
Interval = Annotated[list[ClockText], Field(min_length=2, max_length=2)]
Hours = dict[str, Annotated[list[Interval], Field(max_length=12)]]
MAX_TARGET_SECONDS = 366 * 86_400
DEFAULT_HOURS: dict[str, list[list[str]]] = {day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]}
DEFAULT_PAUSE = [ConversationStatus.PENDING, ConversationStatus.SNOOZED]


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def _hours(hours: Hours) -> Hours:
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekdays {unknown}; use {list(WEEKDAYS)}")
    BusinessCalendar.from_hours("UTC", hours)
    return hours


TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_zone)]
WeekHours = Annotated[Hours, AfterValidator(_hours)]


class _In(BaseModel):
    """Input models reject unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class Holiday(_In):
    """A non-working local date of a calendar."""

    date: date
    name: Annotated[str, StringConstraints(max_length=120)] = ""


Holidays = Annotated[list[Holiday], Field(max_length=2000)]


class CalendarIn(_In):
    """A new business calendar; with a market and no holidays given, the market's holidays are copied."""

    name: Name
    timezone: TimeZone
    market: Market | None = None
    hours: WeekHours = Field(
        default_factory=lambda: {k: [list(i) for i in v] for k, v in DEFAULT_HOURS.items()}
    )
    holidays: Holidays | None = None


class CalendarPatch(_In):
    """Change a calendar; fields left out stay."""

    name: Name | None = None
    timezone: TimeZone | None = None
    hours: WeekHours | None = None
    holidays: Holidays | None = None


class CalendarOut(BaseModel):
    """A business calendar as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    timezone: str
    market: str | None
    hours: dict[str, list[list[str]]]
    holidays: list[Holiday]
    created_at: datetime
    updated_at: datetime


class ConditionIn(_In):
    """One test on the conversation (or its customer) that a policy needs to apply."""

    field: ConditionField
    op: ConditionOp = ConditionOp.EQ
    value: (
        Annotated[str, StringConstraints(max_length=120)]
        | bool
        | Annotated[list[Annotated[str, StringConstraints(max_length=120)]], Field(max_length=50)]
    )

    @model_validator(mode="after")
    def _shape(self) -> ConditionIn:
        if (self.op in {ConditionOp.IN, ConditionOp.NOT_IN}) != isinstance(self.value, list):
            raise ValueError("`in` and `not_in` take a list; `eq` and `ne` a single value")
        return self


class TargetIn(_In):
    """A target of a policy: a metric, optionally for one priority and/or channel, in seconds."""

    metric: Metric
    seconds: Annotated[int, Field(ge=1, le=MAX_TARGET_SECONDS)]
    priority: Priority | None = None
    channel: Channel | None = None
    business_hours: bool = True


class EscalationIn(_In):
    """One escalation level: on a warning or breach (of one metric, or any), its actions in order."""

    level: Annotated[int, Field(ge=1, le=9)]
    on: EscalationTrigger
    metric: Metric | None = None
    actions: Annotated[list[EscalationAction], Field(min_length=1, max_length=5)]


class PolicyIn(_In):
    """A new SLA policy (tried by position, lowest first; the first whose conditions all hold applies)."""

    name: Name
    position: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    is_active: bool = True
    conditions: Annotated[list[ConditionIn], Field(max_length=20)] = Field(default_factory=list)
    calendar_id: uuid.UUID | None = None
    warning_percent: Annotated[int, Field(ge=1, le=99)] = 80
    pause_statuses: list[ConversationStatus] = Field(default_factory=lambda: list(DEFAULT_PAUSE))
    targets: Annotated[list[TargetIn], Field(min_length=1, max_length=100)]
    escalations: Annotated[list[EscalationIn], Field(max_length=20)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_targets(self) -> PolicyIn:
        keys = [(t.metric, t.priority, t.channel) for t in self.targets]
        if len(keys) != len(set(keys)):
            raise ValueError("two targets for the same metric, priority and channel")
        if set(self.pause_statuses) & {
            ConversationStatus.OPEN,
            ConversationStatus.RESOLVED,
            ConversationStatus.CLOSED,
        }:
            raise ValueError("only pending and snoozed can pause an SLA")
        return self


class PolicyPatch(_In):
    """Change a policy; fields left out stay (the whole list when a list is given)."""

    name: Name | None = None
    position: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    is_active: bool | None = None
    conditions: Annotated[list[ConditionIn], Field(max_length=20)] | None = None
    calendar_id: uuid.UUID | None = None
    warning_percent: Annotated[int, Field(ge=1, le=99)] | None = None
    pause_statuses: list[ConversationStatus] | None = None
    targets: Annotated[list[TargetIn], Field(min_length=1, max_length=100)] | None = None
    escalations: Annotated[list[EscalationIn], Field(max_length=20)] | None = None


class PolicyOut(BaseModel):
    """An SLA policy as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    position: int
    is_active: bool
    conditions: list[dict[str, Any]]
    calendar_id: uuid.UUID | None
    warning_percent: int
    pause_statuses: list[str]
    targets: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class AppliedTargetOut(BaseModel):
    """One applied target of a conversation with its deadline and outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    metric: Metric
    cycle: int
    state: TargetState
    target_seconds: int
    business_hours: bool
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    paused_seconds: float
    warned_at: datetime | None
    breached_at: datetime | None
    met_at: datetime | None


class ConversationSlaOut(BaseModel):
    """The SLA applied to a conversation (`policy_id` null when no policy matched)."""

    conversation_id: uuid.UUID
    policy_id: uuid.UUID | None
    policy_name: str | None
    priority: Priority
    channel: Channel
    paused_since: datetime | None
    applied_at: datetime
    targets: list[AppliedTargetOut]
