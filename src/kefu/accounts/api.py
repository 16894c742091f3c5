"""HTTP API of the accounts domain (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from kefu.accounts import service
from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn, AgentOut, Principal, WorkspaceOut
from kefu.db.session import DbSession

router = APIRouter(tags=["accounts"])

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]


@router.get("/workspace", response_model=WorkspaceOut)
def read_workspace(principal: CurrentPrincipal, session: DbSession) -> object:
    """The caller's workspace."""
    return service.get_workspace(session, workspace_id=principal.workspace_id)


@router.get("/me", response_model=AgentOut)
def read_me(principal: CurrentPrincipal, session: DbSession) -> object:
    """The calling agent."""
    return service.get_agent(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id
    )


@router.post("/agents", response_model=AgentOut, status_code=201)
def create_agent(data: AgentIn, principal: AdminPrincipal, session: DbSession) -> object:
    """Create an agent in the caller's workspace (admins only)."""
    return service.create_agent(session, workspace_id=principal.workspace_id, data=data)
