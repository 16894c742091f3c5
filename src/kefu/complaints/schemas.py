"""Pydantic shapes of the complaints API: the ledger, its steps and updates."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kefu.complaints.enums import ComplaintOutcome, ComplaintStep
from kefu.conversations.schemas import Text


class _In(BaseModel):
    """Input models reject unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class ComplaintUpdate(_In):
    """Record the cause, the outcome and what was paid back; fields left out stay."""

    cause: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] | None = (
        None
    )
    outcome: ComplaintOutcome | None = None
    compensation_amount: (
        Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)] | None
    ) = None


class StepIn(_In):
    """One handling step taken, with a note."""

    step: ComplaintStep
    note: Annotated[Text, StringConstraints(max_length=2000)] = ""


class StepOut(BaseModel):
    """A step taken: which, when, by whom, with what note."""

    step: ComplaintStep
    at: datetime
    by: uuid.UUID | None
    note: str


class ComplaintOut(BaseModel):
    """A complaint of the ledger."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    customer_id: uuid.UUID
    recorded_at: datetime
    cleared_at: datetime | None
    cause: str | None
    amount: Decimal | None
    currency: str | None
    compensation_amount: Decimal | None
    steps: list[StepOut]
    outcome: ComplaintOutcome | None
    escalated_at: datetime | None
    escalation_reason: str | None
    screening_score: float | None
    screening_reasons: list[str]
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    follow_up_task_id: uuid.UUID | None


class ComplaintFilter(BaseModel):
    """Filters of the ledger."""

    customer_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    escalated: bool | None = None
    outcome: ComplaintOutcome | None = None
    since: datetime | None = None
