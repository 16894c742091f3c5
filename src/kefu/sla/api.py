"""HTTP API of SLAs: calendars and policies (admins and supervisors), a conversation's applied SLA."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.sla import service
from kefu.sla.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    ConversationSlaOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
)

router = APIRouter(tags=["sla"], route_class=UnitOfWorkRoute)

Manager = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


@router.post("/sla/calendars", response_model=CalendarOut, status_code=201)
def create_calendar(data: CalendarIn, principal: Manager, session: DbSession) -> object:
    """Create a business calendar (a market's shipped holidays are copied when none are given)."""
    return service.create_calendar(session, workspace_id=principal.workspace_id, data=data)


@router.get("/sla/calendars", response_model=list[CalendarOut])
def list_calendars(principal: Manager, session: DbSession) -> object:
    """Calendars of the workspace."""
    return service.list_calendars(session, workspace_id=principal.workspace_id)


@router.get("/sla/calendars/{calendar_id}", response_model=CalendarOut)
def read_calendar(calendar_id: uuid.UUID, principal: Manager, session: DbSession) -> object:
    """One calendar."""
    return service.get_calendar(session, workspace_id=principal.workspace_id, calendar_id=calendar_id)


@router.patch("/sla/calendars/{calendar_id}", response_model=CalendarOut)
def update_calendar(
    calendar_id: uuid.UUID, data: CalendarPatch, principal: Manager, session: DbSession
) -> object:
    """Change a calendar's name, zone, hours or holidays."""
    return service.update_calendar(
        session, workspace_id=principal.workspace_id, calendar_id=calendar_id, data=data
    )


@router.delete("/sla/calendars/{calendar_id}", status_code=204)
def delete_calendar(calendar_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a calendar no policy uses."""
    service.delete_calendar(session, workspace_id=principal.workspace_id, calendar_id=calendar_id)
    return Response(status_code=204)


@router.post("/sla/policies", response_model=PolicyOut, status_code=201)
def create_policy(data: PolicyIn, principal: Manager, session: DbSession) -> object:
    """Create an SLA policy."""
    return service.create_policy(session, workspace_id=principal.workspace_id, data=data)


@router.get("/sla/policies", response_model=list[PolicyOut])
def list_policies(principal: Manager, session: DbSession) -> object:
    """Policies in the order they are tried."""
    return service.list_policies(session, workspace_id=principal.workspace_id)


@router.get("/sla/policies/{policy_id}", response_model=PolicyOut)
def read_policy(policy_id: uuid.UUID, principal: Manager, session: DbSession) -> object:
    """One policy."""
    return service.get_policy(session, workspace_id=principal.workspace_id, policy_id=policy_id)


@router.patch("/sla/policies/{policy_id}", response_model=PolicyOut)
def update_policy(policy_id: uuid.UUID, data: PolicyPatch, principal: Manager, session: DbSession) -> object:
    """Change a policy."""
    return service.update_policy(session, workspace_id=principal.workspace_id, policy_id=policy_id, data=data)


@router.delete("/sla/policies/{policy_id}", status_code=204)
def delete_policy(policy_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a policy (applied SLAs keep their deadlines)."""
    service.delete_policy(session, workspace_id=principal.workspace_id, policy_id=policy_id)
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/sla", response_model=ConversationSlaOut)
def read_conversation_sla(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> object:
    """The SLA applied to a conversation: policy, targets, deadlines, hold time, warnings, breaches."""
    return service.get_conversation_sla(
        session, workspace_id=principal.workspace_id, conversation_id=conversation_id
    )
