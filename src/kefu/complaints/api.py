"""HTTP API of the complaint ledger: list, read, record steps, cause and outcome; install default rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.automation.schemas import RuleOut
from kefu.complaints import service
from kefu.complaints.enums import ComplaintOutcome
from kefu.complaints.schemas import ComplaintFilter, ComplaintOut, ComplaintUpdate, StepIn
from kefu.core.paging import Cursor, Limit, Page
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(prefix="/complaints", tags=["complaints"], route_class=UnitOfWorkRoute)

Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
Writer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR, Role.AGENT))]


@router.get("", response_model=Page[ComplaintOut])
def list_complaints(
    principal: CurrentPrincipal,
    session: DbSession,
    customer_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    escalated: bool | None = None,
    outcome: ComplaintOutcome | None = None,
    since: datetime | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ComplaintOut]:
    """The complaint ledger, oldest first."""
    filters = ComplaintFilter(
        customer_id=customer_id,
        conversation_id=conversation_id,
        escalated=escalated,
        outcome=outcome,
        since=since,
    )
    return service.list_complaints(
        session, workspace_id=principal.workspace_id, filters=filters, limit=limit, cursor=cursor
    )


@router.post("/default-rules/install", response_model=list[RuleOut])
def install_default_rules(principal: Admin, session: DbSession) -> list[RuleOut]:
    """Install the shipped escalation rules (amount over 500, 2nd complaint within 30 days); idempotent."""
    return service.install_default_rules(session, workspace_id=principal.workspace_id)


@router.get("/{complaint_id}", response_model=ComplaintOut)
def read_complaint(complaint_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> ComplaintOut:
    """One complaint."""
    return service.get_complaint(session, workspace_id=principal.workspace_id, complaint_id=complaint_id)


@router.patch("/{complaint_id}", response_model=ComplaintOut)
def update_complaint(
    complaint_id: uuid.UUID, data: ComplaintUpdate, principal: Writer, session: DbSession
) -> ComplaintOut:
    """Record the cause, outcome or compensation."""
    return service.update_complaint(
        session, workspace_id=principal.workspace_id, complaint_id=complaint_id, data=data
    )


@router.post("/{complaint_id}/steps", response_model=ComplaintOut, status_code=201)
def record_step(complaint_id: uuid.UUID, data: StepIn, principal: Writer, session: DbSession) -> ComplaintOut:
    """Take the next handling step (listen, apologise, solve, follow up)."""
    return service.record_step(
        session,
        workspace_id=principal.workspace_id,
        complaint_id=complaint_id,
        data=data,
        agent_id=principal.agent_id,
    )
