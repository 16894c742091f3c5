"""Cross-department hand-offs: a conversation or sub-task goes to a department team with its own SLA.

The department's deadline is computed on its business calendar when the hand-off is made. When
the department's policy says so, the customer-facing SLA pauses: the conversation waits as
`pending` (a status SLA policies pause on) until the last pausing hand-off is answered or
cancelled. The answer comes back as an internal note and a notification to the owning agent;
a hand-off still open at its deadline is escalated once by the `automation.handoffs_overdue` job.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role, TeamKind
from kefu.accounts.schemas import Principal
from kefu.automation import notifications
from kefu.automation.enums import HandoffStatus
from kefu.automation.events import HandoffAnswered, HandoffCreated, HandoffOverdue
from kefu.automation.exceptions import HandoffClosed, HandoffNotFound, NotADepartment, NotInDepartment
from kefu.automation.models import DepartmentSla, Handoff
from kefu.automation.schemas import DepartmentSlaIn, DepartmentSlaOut, HandoffAnswerIn, HandoffIn, HandoffOut
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, ConversationStatus, TimelineKind
from kefu.conversations.schemas import Actor
from kefu.core import clock
from kefu.db.outbox import publish
from kefu.sla import service as sla

DEFAULT_RESPONSE_SECONDS = 4 * 3600
"""A department without its own SLA answers within 4 hours (wall clock), the customer SLA pausing."""
OVERDUE_BATCH = 500
MANAGERS = (Role.ADMIN, Role.SUPERVISOR)


def _department(session: Session, workspace_id: uuid.UUID, team_id: uuid.UUID) -> str:
    team = accounts.get_team(session, workspace_id=workspace_id, team_id=team_id)
    if team.kind is not TeamKind.DEPARTMENT:
        raise NotADepartment("hand-offs go to department teams", details={"team_id": str(team_id)})
    return team.name


def set_department_sla(
    session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID, data: DepartmentSlaIn
) -> DepartmentSlaOut:
    """Set a department's response promise (its calendar, when given, must be the workspace's)."""
    _department(session, workspace_id, team_id)
    if data.calendar_id is not None:
        sla.get_calendar(session, workspace_id=workspace_id, calendar_id=data.calendar_id)
    row = session.get(DepartmentSla, team_id)
    if row is None:
        row = DepartmentSla(workspace_id=workspace_id, team_id=team_id)
        session.add(row)
    row.response_seconds, row.calendar_id = data.response_seconds, data.calendar_id
    row.pause_customer_sla = data.pause_customer_sla
    session.flush()
    return DepartmentSlaOut.model_validate(row)


def list_department_slas(session: Session, *, workspace_id: uuid.UUID) -> list[DepartmentSlaOut]:
    """Every department SLA of the workspace."""
    rows = session.scalars(select(DepartmentSla).where(DepartmentSla.workspace_id == workspace_id))
    return [DepartmentSlaOut.model_validate(r) for r in rows]


def create_handoff(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, data: HandoffIn, actor: Actor
) -> HandoffOut:
    """Hand the conversation or a sub-task to a department; the deadline is on the department's calendar."""
    team_name = _department(session, workspace_id, data.team_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    promise = session.get(DepartmentSla, data.team_id)
    now = clock.now()
    seconds = promise.response_seconds if promise else DEFAULT_RESPONSE_SECONDS
    due_at = sla.business_deadline(
        session,
        workspace_id=workspace_id,
        calendar_id=promise.calendar_id if promise else None,
        start=now,
        seconds=seconds,
    )
    pause = (
        promise.pause_customer_sla if promise else True
    ) and conversation.status == ConversationStatus.OPEN
    owner = actor.id if actor.kind == ActorKind.AGENT else conversation.assignee_id
    row = Handoff(
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        team_id=data.team_id,
        scope=data.scope.value,
        title=data.title,
        details=data.details,
        owner_id=owner,
        status=HandoffStatus.OPEN.value,
        due_at=due_at,
        paused_customer_sla=pause,
    )
    session.add(row)
    session.flush()
    if pause:
        conversations.change_status(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            status=ConversationStatus.PENDING,
            actor=actor,
            reason="handed_off",
        )
    _audit(
        session,
        row,
        actor,
        "handed_off",
        {"team": team_name, "scope": row.scope, "title": row.title, "due_at": due_at},
    )
    members = accounts.list_agent_ids_of_team(session, workspace_id=workspace_id, team_id=data.team_id)
    notifications.notify(
        session,
        workspace_id=workspace_id,
        agent_ids=members,
        conversation_id=conversation_id,
        kind="handoff",
        text=f"New hand-off: {row.title}",
    )
    publish(
        session,
        HandoffCreated(
            workspace_id=workspace_id,
            handoff_id=row.id,
            conversation_id=conversation_id,
            team_id=row.team_id,
            scope=row.scope,
            due_at=due_at,
            paused_customer_sla=pause,
        ),
    )
    return HandoffOut.model_validate(row)


def answer_handoff(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    handoff_id: uuid.UUID,
    data: HandoffAnswerIn,
    principal: Principal,
) -> HandoffOut:
    """The department's answer: a note on the conversation, the owner notified, the customer SLA resumed."""
    row = _open_row(session, workspace_id, handoff_id)
    if principal.role not in MANAGERS and row.team_id not in accounts.list_team_ids_of_agent(
        session, workspace_id=workspace_id, agent_id=principal.agent_id
    ):
        raise NotInDepartment("only the department answers its hand-offs")
    now = clock.now()
    actor = Actor(kind=ActorKind.AGENT, id=principal.agent_id)
    team_name = accounts.get_team(session, workspace_id=workspace_id, team_id=row.team_id).name
    row.status, row.answer, row.answered_by, row.answered_at = (
        HandoffStatus.ANSWERED.value,
        data.text,
        principal.agent_id,
        now,
    )
    session.flush()
    conversations.add_note(
        session,
        workspace_id=workspace_id,
        conversation_id=row.conversation_id,
        text=f"{team_name} answered \u201c{row.title}\u201d: {data.text}",
        actor=actor,
    )
    _resume(session, row, actor, "handoff_answered")
    on_time = now <= row.due_at
    _audit(
        session, row, actor, "handoff_answered", {"team": team_name, "title": row.title, "on_time": on_time}
    )
    if row.owner_id is not None:
        notifications.notify(
            session,
            workspace_id=workspace_id,
            agent_ids=[row.owner_id],
            conversation_id=row.conversation_id,
            kind="handoff_answered",
            text=f"{team_name} answered: {row.title}",
        )
    publish(
        session,
        HandoffAnswered(
            workspace_id=workspace_id,
            handoff_id=row.id,
            conversation_id=row.conversation_id,
            team_id=row.team_id,
            answered_by=principal.agent_id,
            on_time=on_time,
        ),
    )
    return HandoffOut.model_validate(row)


def cancel_handoff(
    session: Session, *, workspace_id: uuid.UUID, handoff_id: uuid.UUID, actor: Actor
) -> HandoffOut:
    """Withdraw an open hand-off; the customer SLA resumes if it paused for it."""
    row = _open_row(session, workspace_id, handoff_id)
    row.status = HandoffStatus.CANCELLED.value
    session.flush()
    _resume(session, row, actor, "handoff_cancelled")
    _audit(session, row, actor, "handoff_cancelled", {"title": row.title})
    return HandoffOut.model_validate(row)


def list_handoffs(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    status: HandoffStatus | None = None,
    limit: int = 100,
) -> list[HandoffOut]:
    """Hand-offs of the workspace, earliest deadline first, optionally of a conversation, team or status."""
    query = select(Handoff).where(Handoff.workspace_id == workspace_id)
    if conversation_id is not None:
        query = query.where(Handoff.conversation_id == conversation_id)
    if team_id is not None:
        query = query.where(Handoff.team_id == team_id)
    if status is not None:
        query = query.where(Handoff.status == status.value)
    rows = session.scalars(query.order_by(Handoff.due_at, Handoff.id).limit(limit))
    return [HandoffOut.model_validate(r) for r in rows]


def get_handoff(session: Session, *, workspace_id: uuid.UUID, handoff_id: uuid.UUID) -> HandoffOut:
    """One hand-off."""
    return HandoffOut.model_validate(_row(session, workspace_id, handoff_id))


def escalate_overdue(session: Session, *, limit: int = OVERDUE_BATCH) -> int:
    """Escalate open hand-offs past their deadline, once each: supervisors and the owner are notified."""
    now = clock.now()
    rows = list(
        session.scalars(
            select(Handoff)
            .where(
                Handoff.status == HandoffStatus.OPEN.value,
                Handoff.due_at <= now,
                Handoff.escalated_at.is_(None),
            )
            .order_by(Handoff.due_at, Handoff.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.escalated_at = now
        supervisors = accounts.list_agents(
            session, workspace_id=row.workspace_id, role=Role.SUPERVISOR, active=True, limit=50
        ).items
        recipients = [a.id for a in supervisors] + ([row.owner_id] if row.owner_id else [])
        notifications.notify(
            session,
            workspace_id=row.workspace_id,
            agent_ids=recipients,
            conversation_id=row.conversation_id,
            kind="handoff_overdue",
            text=f"Hand-off overdue: {row.title}",
        )
        _audit(session, row, Actor(), "handoff_overdue", {"title": row.title, "due_at": row.due_at})
        publish(
            session,
            HandoffOverdue(
                workspace_id=row.workspace_id,
                handoff_id=row.id,
                conversation_id=row.conversation_id,
                team_id=row.team_id,
                due_at=row.due_at,
            ),
        )
    session.flush()
    return len(rows)


def _row(session: Session, workspace_id: uuid.UUID, handoff_id: uuid.UUID) -> Handoff:
    row = session.get(Handoff, handoff_id)
    if row is None or row.workspace_id != workspace_id:
        raise HandoffNotFound("hand-off not found")
    return row


def _open_row(session: Session, workspace_id: uuid.UUID, handoff_id: uuid.UUID) -> Handoff:
    row = _row(session, workspace_id, handoff_id)
    if row.status != HandoffStatus.OPEN.value:
        raise HandoffClosed("the hand-off is no longer open", details={"status": row.status})
    return row


def _resume(session: Session, row: Handoff, actor: Actor, reason: str) -> None:
    """Back to open when this hand-off paused the customer SLA and no other pausing one is still open."""
    if not row.paused_customer_sla:
        return
    others = session.scalar(
        select(Handoff.id)
        .where(
            Handoff.conversation_id == row.conversation_id,
            Handoff.status == HandoffStatus.OPEN.value,
            Handoff.paused_customer_sla.is_(True),
            Handoff.id != row.id,
        )
        .limit(1)
    )
    conversation = conversations.get_conversation(
        session, workspace_id=row.workspace_id, conversation_id=row.conversation_id
    )
    if others is None and conversation.status == ConversationStatus.PENDING:
        conversations.change_status(
            session,
            workspace_id=row.workspace_id,
            conversation_id=row.conversation_id,
            status=ConversationStatus.OPEN,
            actor=actor,
            reason=reason,
        )


def _audit(session: Session, row: Handoff, actor: Actor, reason: str, details: dict[str, object]) -> None:
    conversations.record_audit(
        session,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        kind=TimelineKind.HANDOFF,
        actor=actor,
        details={"handoff_id": row.id, **details},
        reason=reason,
    )
