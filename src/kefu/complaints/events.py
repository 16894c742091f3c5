"""Events the complaints domain publishes (past tense, delivered after commit)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from kefu.core.events import DomainEvent


class ComplaintRecorded(DomainEvent):
    """A conversation marked a complaint entered the ledger (or re-entered it after being cleared)."""

    event_type: ClassVar[str] = "complaint.recorded"

    complaint_id: uuid.UUID
    conversation_id: uuid.UUID
    customer_id: uuid.UUID
    amount: Decimal | None
    currency: str | None
    complaints_in_window: int
    screening_score: float


class ComplaintStepRecorded(DomainEvent):
    """A handling step of a complaint was taken."""

    event_type: ClassVar[str] = "complaint.step_recorded"

    complaint_id: uuid.UUID
    conversation_id: uuid.UUID
    step: str
