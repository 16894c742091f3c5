"""HTTP API of automation: rules and their dry run, macros, follow-up tasks, notifications, hand-offs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.automation import followups, handoffs, macros, notifications, service
from kefu.automation.enums import HandoffStatus, TaskStatus
from kefu.automation.schemas import (
    AppliedMacro,
    DepartmentSlaIn,
    DepartmentSlaOut,
    DryRunIn,
    DryRunOut,
    FiringOut,
    HandoffAnswerIn,
    HandoffIn,
    HandoffOut,
    MacroIn,
    MacroOut,
    MacroUpdate,
    MacroUseIn,
    NotificationOut,
    RenderedMacro,
    RuleIn,
    RuleOut,
    RuleUpdate,
    TaskIn,
    TaskOut,
    TaskUpdate,
)
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import Actor
from kefu.core.paging import Cursor, Limit, Page
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(prefix="/automation", tags=["automation"], route_class=UnitOfWorkRoute)

Manager = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]
Writer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR, Role.AGENT))]


def _actor(principal: Principal) -> Actor:
    return Actor(kind=ActorKind.AGENT, id=principal.agent_id, is_admin=principal.role is Role.ADMIN)


# --- rules -------------------------------------------------------------------------------------


@router.post("/rules", response_model=RuleOut, status_code=201)
def create_rule(data: RuleIn, principal: Manager, session: DbSession, request: Request) -> RuleOut:
    """Create a rule (a webhook action's URL must be one the server may call)."""
    return service.create_rule(
        session, workspace_id=principal.workspace_id, data=data, policy=request.app.state.container.outbound
    )


@router.get("/rules", response_model=list[RuleOut])
def list_rules(principal: Manager, session: DbSession) -> list[RuleOut]:
    """Rules in execution order."""
    return service.list_rules(session, workspace_id=principal.workspace_id)


@router.get("/rules/{rule_id}", response_model=RuleOut)
def read_rule(rule_id: uuid.UUID, principal: Manager, session: DbSession) -> RuleOut:
    """One rule."""
    return service.get_rule(session, workspace_id=principal.workspace_id, rule_id=rule_id)


@router.patch("/rules/{rule_id}", response_model=RuleOut)
def update_rule(
    rule_id: uuid.UUID, data: RuleUpdate, principal: Manager, session: DbSession, request: Request
) -> RuleOut:
    """Change a rule."""
    return service.update_rule(
        session, workspace_id=principal.workspace_id, rule_id=rule_id, data=data,
        policy=request.app.state.container.outbound,
    )


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a rule."""
    service.delete_rule(session, workspace_id=principal.workspace_id, rule_id=rule_id)
    return Response(status_code=204)


@router.post("/dry-run", response_model=DryRunOut)
def dry_run(data: DryRunIn, principal: Manager, session: DbSession) -> DryRunOut:
    """Which rules would fire on a conversation for a trigger, why, and what they would change (dry)."""
    return service.dry_run(session, workspace_id=principal.workspace_id, data=data)


@router.get("/firings", response_model=list[FiringOut])
def list_firings(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> list[FiringOut]:
    """The rule firings of a conversation (fired or suppressed by loop protection)."""
    return service.list_firings(session, workspace_id=principal.workspace_id, conversation_id=conversation_id)


# --- macros ------------------------------------------------------------------------------------


@router.post("/macros", response_model=MacroOut, status_code=201)
def create_macro(data: MacroIn, principal: Manager, session: DbSession) -> MacroOut:
    """Create a macro."""
    return macros.create_macro(session, workspace_id=principal.workspace_id, data=data)


@router.get("/macros", response_model=list[MacroOut])
def list_macros(principal: CurrentPrincipal, session: DbSession) -> list[MacroOut]:
    """Macros of the workspace."""
    return macros.list_macros(session, workspace_id=principal.workspace_id)


@router.get("/macros/{macro_id}", response_model=MacroOut)
def read_macro(macro_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> MacroOut:
    """One macro."""
    return macros.get_macro(session, workspace_id=principal.workspace_id, macro_id=macro_id)


@router.patch("/macros/{macro_id}", response_model=MacroOut)
def update_macro(macro_id: uuid.UUID, data: MacroUpdate, principal: Manager, session: DbSession) -> MacroOut:
    """Change a macro."""
    return macros.update_macro(session, workspace_id=principal.workspace_id, macro_id=macro_id, data=data)


@router.delete("/macros/{macro_id}", status_code=204)
def delete_macro(macro_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a macro."""
    macros.delete_macro(session, workspace_id=principal.workspace_id, macro_id=macro_id)
    return Response(status_code=204)


@router.post("/macros/{macro_id}/render", response_model=RenderedMacro)
def render_macro(
    macro_id: uuid.UUID, data: MacroUseIn, principal: CurrentPrincipal, session: DbSession
) -> RenderedMacro:
    """The macro's text for a conversation, in the language it would be sent in."""
    return macros.render_macro(
        session,
        workspace_id=principal.workspace_id,
        macro_id=macro_id,
        conversation_id=data.conversation_id,
        agent_id=principal.agent_id,
    )


@router.post("/macros/{macro_id}/apply", response_model=AppliedMacro, status_code=201)
def apply_macro(macro_id: uuid.UUID, data: MacroUseIn, principal: Writer, session: DbSession) -> AppliedMacro:
    """Send the macro as the caller's reply and add its tags."""
    return macros.apply_macro(
        session,
        workspace_id=principal.workspace_id,
        macro_id=macro_id,
        conversation_id=data.conversation_id,
        actor=_actor(principal),
    )


# --- tasks and notifications -------------------------------------------------------------------


@router.post("/tasks", response_model=TaskOut, status_code=201)
def create_task(data: TaskIn, principal: Writer, session: DbSession) -> TaskOut:
    """Create a follow-up task (for the caller when no assignee is given)."""
    return followups.create_task(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=data.conversation_id,
        title=data.title,
        assignee_id=data.assignee_id or principal.agent_id,
        due_at=data.due_at,
        source="agent",
    )


@router.get("/tasks", response_model=Page[TaskOut])
def list_tasks(
    principal: CurrentPrincipal,
    session: DbSession,
    assignee_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    status: TaskStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TaskOut]:
    """Follow-up tasks, oldest first."""
    return followups.list_tasks(
        session,
        workspace_id=principal.workspace_id,
        assignee_id=assignee_id,
        conversation_id=conversation_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: uuid.UUID, data: TaskUpdate, principal: Writer, session: DbSession) -> TaskOut:
    """Mark a task done or cancelled, reassign or move it."""
    return followups.update_task(session, workspace_id=principal.workspace_id, task_id=task_id, data=data)


@router.get("/notifications", response_model=Page[NotificationOut])
def list_notifications(
    principal: CurrentPrincipal,
    session: DbSession,
    unread: Annotated[bool, Query()] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[NotificationOut]:
    """The caller's notifications, newest first."""
    return notifications.list_notifications(
        session,
        workspace_id=principal.workspace_id,
        agent_id=principal.agent_id,
        unread_only=unread,
        limit=limit,
        cursor=cursor,
    )


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
def read_notification(
    notification_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> NotificationOut:
    """Mark one of the caller's notifications read."""
    return notifications.mark_read(
        session,
        workspace_id=principal.workspace_id,
        agent_id=principal.agent_id,
        notification_id=notification_id,
    )


# --- department hand-offs ----------------------------------------------------------------------


@router.put("/departments/{team_id}/sla", response_model=DepartmentSlaOut)
def set_department_sla(
    team_id: uuid.UUID, data: DepartmentSlaIn, principal: Manager, session: DbSession
) -> DepartmentSlaOut:
    """Set a department team's hand-off response SLA."""
    return handoffs.set_department_sla(
        session, workspace_id=principal.workspace_id, team_id=team_id, data=data
    )


@router.get("/departments/sla", response_model=list[DepartmentSlaOut])
def list_department_slas(principal: CurrentPrincipal, session: DbSession) -> list[DepartmentSlaOut]:
    """Every department's hand-off SLA."""
    return handoffs.list_department_slas(session, workspace_id=principal.workspace_id)


@router.post("/handoffs", response_model=HandoffOut, status_code=201)
def create_handoff(data: HandoffIn, principal: Writer, session: DbSession) -> HandoffOut:
    """Hand a conversation or a sub-task of it to a department team."""
    return handoffs.create_handoff(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=data.conversation_id,
        data=data,
        actor=_actor(principal),
    )


@router.get("/handoffs", response_model=list[HandoffOut])
def list_handoffs(
    principal: CurrentPrincipal,
    session: DbSession,
    conversation_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    status: HandoffStatus | None = None,
) -> list[HandoffOut]:
    """Hand-offs, earliest deadline first."""
    return handoffs.list_handoffs(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        team_id=team_id,
        status=status,
    )


@router.get("/handoffs/{handoff_id}", response_model=HandoffOut)
def read_handoff(handoff_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> HandoffOut:
    """One hand-off."""
    return handoffs.get_handoff(session, workspace_id=principal.workspace_id, handoff_id=handoff_id)


@router.post("/handoffs/{handoff_id}/answer", response_model=HandoffOut)
def answer_handoff(
    handoff_id: uuid.UUID, data: HandoffAnswerIn, principal: Writer, session: DbSession
) -> HandoffOut:
    """The department's answer (members of the department, supervisors, admins)."""
    return handoffs.answer_handoff(
        session, workspace_id=principal.workspace_id, handoff_id=handoff_id, data=data, principal=principal
    )


@router.post("/handoffs/{handoff_id}/cancel", response_model=HandoffOut)
def cancel_handoff(handoff_id: uuid.UUID, principal: Writer, session: DbSession) -> HandoffOut:
    """Withdraw an open hand-off."""
    return handoffs.cancel_handoff(
        session, workspace_id=principal.workspace_id, handoff_id=handoff_id, actor=_actor(principal)
    )
