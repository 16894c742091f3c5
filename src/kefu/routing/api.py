"""HTTP API of routing: queues, agent profiles and presence (managers), pulling, accepting and transfers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import Actor
from kefu.core.errors import Forbidden
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.routing import service
from kefu.routing.schemas import (
    EntryOut,
    PresenceIn,
    ProfileOut,
    ProfileUpdate,
    QueueIn,
    QueueOut,
    QueueUpdate,
    ReportOut,
    SettingsIn,
    SettingsOut,
    TransferIn,
)

router = APIRouter(tags=["routing"], route_class=UnitOfWorkRoute)

Manager = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]
Worker = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR, Role.AGENT))]


def _actor(principal: Principal) -> Actor:
    return Actor(kind=ActorKind.AGENT, id=principal.agent_id, is_admin=principal.role is Role.ADMIN)


@router.post("/routing/queues", response_model=QueueOut, status_code=201)
def create_queue(data: QueueIn, principal: Manager, session: DbSession) -> object:
    """Create a queue with its ordered matching rules, strategy, requirements, overflow and members."""
    return service.create_queue(session, workspace_id=principal.workspace_id, data=data)


@router.get("/routing/queues", response_model=list[QueueOut])
def list_queues(principal: Manager, session: DbSession) -> object:
    """Queues in the order their rules are tried."""
    return service.list_queues(session, workspace_id=principal.workspace_id)


@router.get("/routing/queues/{queue_id}", response_model=QueueOut)
def read_queue(queue_id: uuid.UUID, principal: Manager, session: DbSession) -> object:
    """One queue."""
    return service.get_queue(session, workspace_id=principal.workspace_id, queue_id=queue_id)


@router.patch("/routing/queues/{queue_id}", response_model=QueueOut)
def update_queue(queue_id: uuid.UUID, data: QueueUpdate, principal: Manager, session: DbSession) -> object:
    """Change a queue (`agent_ids` replaces its members)."""
    return service.update_queue(session, workspace_id=principal.workspace_id, queue_id=queue_id, data=data)


@router.delete("/routing/queues/{queue_id}", status_code=204)
def delete_queue(queue_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a queue nothing waits in."""
    service.delete_queue(session, workspace_id=principal.workspace_id, queue_id=queue_id)
    return Response(status_code=204)


@router.post("/routing/queues/{queue_id}/pull", response_model=EntryOut)
def pull_from_queue(queue_id: uuid.UUID, principal: Worker, session: DbSession) -> object:
    """Take the first waiting conversation of this queue the caller can serve."""
    return service.pull_next(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, queue_id=queue_id
    )


@router.post("/routing/pull", response_model=EntryOut)
def pull_next(principal: Worker, session: DbSession) -> object:
    """Take the first waiting conversation, over every queue the caller serves, they can serve."""
    return service.pull_next(session, workspace_id=principal.workspace_id, agent_id=principal.agent_id)


@router.get("/routing/agents", response_model=list[ProfileOut])
def list_profiles(principal: Manager, session: DbSession) -> object:
    """Routing profiles (presence, skills, capacity, load) of the workspace's agents."""
    return service.list_profiles(session, workspace_id=principal.workspace_id)


@router.get("/routing/agents/{agent_id}", response_model=ProfileOut)
def read_profile(agent_id: uuid.UUID, principal: Manager, session: DbSession) -> object:
    """One agent's routing profile."""
    return service.get_profile(session, workspace_id=principal.workspace_id, agent_id=agent_id)


@router.patch("/routing/agents/{agent_id}", response_model=ProfileOut)
def update_profile(
    agent_id: uuid.UUID, data: ProfileUpdate, principal: Manager, session: DbSession
) -> object:
    """Change an agent's skills (languages, product lines, channels, complaints, VIP) or capacity."""
    return service.update_profile(session, workspace_id=principal.workspace_id, agent_id=agent_id, data=data)


@router.put("/routing/agents/{agent_id}/presence", response_model=ProfileOut)
def set_agent_presence(
    agent_id: uuid.UUID, data: PresenceIn, principal: Manager, session: DbSession
) -> object:
    """Set another agent's presence (a supervisor sending someone offline re-routes their conversations)."""
    return service.set_presence(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, presence=data.presence
    )


@router.get("/routing/me", response_model=ProfileOut)
def read_own_profile(principal: Worker, session: DbSession) -> object:
    """The caller's routing profile."""
    return service.get_profile(session, workspace_id=principal.workspace_id, agent_id=principal.agent_id)


@router.put("/routing/me/presence", response_model=ProfileOut)
def set_own_presence(data: PresenceIn, principal: Worker, session: DbSession) -> object:
    """Set the caller's presence: online, away, busy or offline."""
    return service.set_presence(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, presence=data.presence
    )


@router.post("/routing/me/heartbeat", status_code=204)
def heartbeat(principal: Worker, session: DbSession) -> Response:
    """The caller's session is active (keeps auto-away off; ends an automatic away)."""
    service.record_heartbeat(session, workspace_id=principal.workspace_id, agent_id=principal.agent_id)
    return Response(status_code=204)


@router.get("/routing/settings", response_model=SettingsOut)
def read_settings(principal: Manager, session: DbSession) -> object:
    """Workspace routing settings."""
    return service.get_settings(session, workspace_id=principal.workspace_id)


@router.put("/routing/settings", response_model=SettingsOut)
def update_settings(data: SettingsIn, principal: Manager, session: DbSession) -> object:
    """Change workspace routing settings (`auto_away_seconds`)."""
    return service.update_settings(session, workspace_id=principal.workspace_id, data=data)


@router.get("/routing/report", response_model=ReportOut)
def routing_report(
    principal: Manager, session: DbSession, since: datetime | None = None, until: datetime | None = None
) -> object:
    """Routing accuracy: share resolved by the first assignee without transfer, by queue and strategy."""
    return service.routing_report(session, workspace_id=principal.workspace_id, since=since, until=until)


@router.get("/conversations/{conversation_id}/routing", response_model=EntryOut)
def read_routing(conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> object:
    """A conversation's routing state: queue, rule, place, agent, transfers (the why is on its timeline)."""
    return service.get_entry(session, workspace_id=principal.workspace_id, conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/accept", response_model=EntryOut)
def accept(conversation_id: uuid.UUID, principal: Worker, session: DbSession) -> object:
    """The caller accepts a conversation offered to them."""
    return service.accept_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        agent_id=principal.agent_id,
    )


@router.post("/conversations/{conversation_id}/transfer", response_model=EntryOut)
def transfer(conversation_id: uuid.UUID, data: TransferIn, principal: Worker, session: DbSession) -> object:
    """Transfer to an agent or a queue with a reason (agents: only their own conversations)."""
    if principal.role is Role.AGENT:
        current = conversations.get_conversation(
            session, workspace_id=principal.workspace_id, conversation_id=conversation_id
        )
        if current.assignee_id != principal.agent_id:
            raise Forbidden("agents transfer only their own conversations", code="not_your_conversation")
    return service.transfer_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        data=data,
        actor=_actor(principal),
    )
