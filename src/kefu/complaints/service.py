"""Write path and reads of the complaint ledger: record on mark, screen, escalate, steps, follow-up."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.automation import service as automation
from kefu.automation.schemas import RuleOut
from kefu.complaints import screening
from kefu.complaints.defaults import default_rules
from kefu.complaints.enums import STEP_ORDER
from kefu.complaints.events import ComplaintRecorded, ComplaintStepRecorded
from kefu.complaints.exceptions import ComplaintNotFound, StepOutOfOrder
from kefu.complaints.models import Complaint
from kefu.complaints.schemas import ComplaintFilter, ComplaintOut, ComplaintUpdate, StepIn
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind
from kefu.core import clock
from kefu.core.paging import Page, checked_limit, decode_id_cursor, encode_cursor
from kefu.db.outbox import publish

REVIEW_SCORE = 0.5
"""Screening score from which a complaint is tagged for human review (it only asks a person to look)."""
FOLLOW_UP_DELAY = timedelta(hours=24)
FOLLOW_UP_TITLE = "Complaint follow-up call"


def record_complaint(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> ComplaintOut | None:
    """Bring the ledger in line with the conversation's complaint flag; screen a newly recorded complaint.

    A conversation marked a complaint enters the ledger (or re-enters it after being cleared) with
    the customer's words and is screened; a changed amount only updates it; a cleared flag clears it.
    """
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    row = session.scalar(
        select(Complaint).where(
            Complaint.workspace_id == workspace_id, Complaint.conversation_id == conversation_id
        )
    )
    now = clock.now()
    if not conversation.is_complaint:
        if row is not None and row.cleared_at is None:
            row.cleared_at = now
            session.flush()
        return None if row is None else ComplaintOut.model_validate(row)
    entering = row is None or row.cleared_at is not None
    if row is None:
        row = Complaint(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            customer_id=conversation.customer_id,
            steps=[],
            screening_reasons=[],
        )
        session.add(row)
    row.amount, row.currency = conversation.complaint_amount, conversation.complaint_currency
    if not entering:
        session.flush()
        return ComplaintOut.model_validate(row)
    row.recorded_at, row.cleared_at = now, None
    row.customer_id = conversation.customer_id
    row.text = conversations.customer_text(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    row.language = conversation.language
    session.flush()
    signals = screening.screen(session, row)
    row.screening_score, row.screening_reasons = signals.score, list(signals.reasons)
    if signals.score >= REVIEW_SCORE:
        conversations.flag_for_review(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            score=signals.score,
            reasons=signals.reasons,
        )
    publish(
        session,
        ComplaintRecorded(
            workspace_id=workspace_id,
            complaint_id=row.id,
            conversation_id=conversation_id,
            customer_id=row.customer_id,
            amount=row.amount,
            currency=row.currency,
            complaints_in_window=signals.complaints_in_window,
            screening_score=signals.score,
        ),
    )
    session.flush()
    return ComplaintOut.model_validate(row)


def mark_escalated(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, reason: str
) -> bool:
    """Note on the ledger that (and why) a complaint was escalated; the first escalation counts."""
    row = _active_for(session, workspace_id, conversation_id)
    if row is None:  # the escalation was delivered before the complaint mark: record it first
        record_complaint(session, workspace_id=workspace_id, conversation_id=conversation_id)
        row = _active_for(session, workspace_id, conversation_id)
    if row is None or row.escalated_at is not None:
        return False
    row.escalated_at, row.escalation_reason = clock.now(), reason[:64]
    session.flush()
    return True


def schedule_follow_up(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    resolved_at: datetime,
    actor_kind: str | None,
    actor_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """On resolution: note who resolved, and create the follow-up task 24 h later for that agent (once)."""
    row = _active_for(session, workspace_id, conversation_id)
    if row is None:
        return None
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    resolver = actor_id if actor_kind == ActorKind.AGENT else conversation.assignee_id
    row.resolved_at, row.resolved_by = resolved_at, resolver
    if row.follow_up_task_id is None:
        task = automation.create_task(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            title=FOLLOW_UP_TITLE,
            assignee_id=resolver,
            due_at=resolved_at + FOLLOW_UP_DELAY,
            source="complaint_follow_up",
        )
        row.follow_up_task_id = task.id
    session.flush()
    return row.follow_up_task_id


def record_step(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    complaint_id: uuid.UUID,
    data: StepIn,
    agent_id: uuid.UUID | None,
) -> ComplaintOut:
    """Take the next handling step (listen → apologise → solve → follow up), each once and in order."""
    row = _row(session, workspace_id, complaint_id)
    taken = [s["step"] for s in row.steps]
    expected = STEP_ORDER[len(taken)].value if len(taken) < len(STEP_ORDER) else None
    if data.step.value != expected:
        raise StepOutOfOrder(
            f"the next step is {expected or 'none'}", details={"taken": taken, "expected": expected}
        )
    now = clock.now()
    row.steps = [
        *row.steps,
        {
            "step": data.step.value,
            "at": now.isoformat(),
            "by": None if agent_id is None else str(agent_id),
            "note": data.note,
        },
    ]
    session.flush()
    publish(
        session,
        ComplaintStepRecorded(
            workspace_id=workspace_id,
            complaint_id=row.id,
            conversation_id=row.conversation_id,
            step=data.step.value,
        ),
    )
    return ComplaintOut.model_validate(row)


def update_complaint(
    session: Session, *, workspace_id: uuid.UUID, complaint_id: uuid.UUID, data: ComplaintUpdate
) -> ComplaintOut:
    """Record the cause, outcome or compensation."""
    row = _row(session, workspace_id, complaint_id)
    if data.cause is not None:
        row.cause = data.cause
    if data.outcome is not None:
        row.outcome = data.outcome.value
    if data.compensation_amount is not None:
        row.compensation_amount = Decimal(data.compensation_amount)
    session.flush()
    return ComplaintOut.model_validate(row)


def get_complaint(session: Session, *, workspace_id: uuid.UUID, complaint_id: uuid.UUID) -> ComplaintOut:
    """One complaint of the ledger."""
    return ComplaintOut.model_validate(_row(session, workspace_id, complaint_id))


def list_complaints(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    filters: ComplaintFilter,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ComplaintOut]:
    """The ledger, oldest first, filtered by customer, conversation, escalation, outcome or time."""
    limit = checked_limit(limit)
    query = select(Complaint).where(Complaint.workspace_id == workspace_id, Complaint.cleared_at.is_(None))
    if filters.customer_id is not None:
        query = query.where(Complaint.customer_id == filters.customer_id)
    if filters.conversation_id is not None:
        query = query.where(Complaint.conversation_id == filters.conversation_id)
    if filters.escalated is not None:
        column = Complaint.escalated_at
        query = query.where(column.is_not(None) if filters.escalated else column.is_(None))
    if filters.outcome is not None:
        query = query.where(Complaint.outcome == filters.outcome.value)
    if filters.since is not None:
        query = query.where(Complaint.recorded_at >= filters.since)
    if cursor:
        query = query.where(Complaint.id > decode_id_cursor(cursor))
    rows = list(session.scalars(query.order_by(Complaint.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[ComplaintOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor([str(rows[-1].id)]) if more else None,
    )


def install_default_rules(session: Session, *, workspace_id: uuid.UUID) -> list[RuleOut]:
    """Install the shipped escalation rules (missing ones only; edited ones stay as edited)."""
    return automation.install_rules(session, workspace_id=workspace_id, rules=default_rules())


def _row(session: Session, workspace_id: uuid.UUID, complaint_id: uuid.UUID) -> Complaint:
    row = session.get(Complaint, complaint_id)
    if row is None or row.workspace_id != workspace_id:
        raise ComplaintNotFound("complaint not found")
    return row


def _active_for(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> Complaint | None:
    return session.scalar(
        select(Complaint).where(
            Complaint.workspace_id == workspace_id,
            Complaint.conversation_id == conversation_id,
            Complaint.cleared_at.is_(None),
        )
    )
