"""HTTP API of conversations, messages and timelines (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.conversations import imports, service
from kefu.conversations.enums import ActorKind, Channel, ConversationStatus, Priority
from kefu.conversations.schemas import (
    Actor,
    AssignIn,
    ComplaintIn,
    ConversationFilter,
    ConversationImportIn,
    ConversationIn,
    ConversationOut,
    ConversationUpdate,
    ImportResult,
    InboundMessageIn,
    MessageIn,
    MessageOut,
    ReceivedMessage,
    SnoozeIn,
    StatusIn,
    TagsIn,
    TimelineEntryOut,
    validated,
)
from kefu.core.errors import ValidationFailed
from kefu.core.paging import Cursor, Limit, Page
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(tags=["conversations"], route_class=UnitOfWorkRoute)

Writer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR, Role.AGENT))]


def _actor(principal: Principal) -> Actor:
    """The calling agent as the actor of a change."""
    return Actor(kind=ActorKind.AGENT, id=principal.agent_id, is_admin=principal.role is Role.ADMIN)


@router.post("/conversations", response_model=ConversationOut, status_code=201)
def create_conversation(data: ConversationIn, principal: Writer, session: DbSession) -> ConversationOut:
    """Open a conversation for an existing customer or one found/created by identities."""
    return service.open_conversation(
        session, workspace_id=principal.workspace_id, data=data, actor=_actor(principal)
    )


@router.post("/inbound-messages", response_model=ReceivedMessage, status_code=201)
def receive_inbound_message(
    data: InboundMessageIn, principal: Writer, session: DbSession, response: Response
) -> ReceivedMessage:
    """Hand in a customer message: it continues the open conversation or opens one (200 on a repeat)."""
    customer = service.resolve_customer_reference(
        session, workspace_id=principal.workspace_id, customer_id=data.customer_id, customer=data.customer
    )
    received = service.receive_message(
        session,
        workspace_id=principal.workspace_id,
        customer_id=customer.id,
        channel=data.channel,
        inbox_id=data.inbox_id,
        text=data.text,
        attachments=data.attachments,
        language=data.language,
        external_id=data.external_id,
    )
    if received.duplicate:
        response.status_code = 200
    return received


@router.get("/conversations", response_model=Page[ConversationOut])
def list_conversations(
    principal: CurrentPrincipal,
    session: DbSession,
    status: Annotated[list[ConversationStatus], Query(max_length=5)] = [],  # noqa: B006
    priority: Annotated[list[Priority], Query(max_length=4)] = [],  # noqa: B006
    assignee: Annotated[str | None, Query(max_length=40, description='id, "me" or "unassigned"')] = None,
    team_id: uuid.UUID | None = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    inbox_id: uuid.UUID | None = None,
    is_complaint: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ConversationOut]:
    """Conversations, most recent message first, filtered and cursor-paginated."""
    filters = validated(
        ConversationFilter,
        status=status,
        priority=priority,
        assignee=_assignee(assignee, principal),
        team_id=team_id,
        tag=tag or None,
        customer_id=customer_id,
        channel=channel,
        inbox_id=inbox_id,
        is_complaint=is_complaint,
        q=q or None,
    )
    return service.list_conversations(
        session, workspace_id=principal.workspace_id, filters=filters, limit=limit, cursor=cursor
    )


def _assignee(value: str | None, principal: Principal) -> uuid.UUID | Literal["unassigned"] | None:
    """Parse the assignee filter: an agent id, "me" or "unassigned"."""
    if value is None:
        return None
    if value == "unassigned":
        return "unassigned"
    if value == "me":
        return principal.agent_id
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationFailed(
            "assignee must be an agent id, 'me' or 'unassigned'",
            details=[{"loc": ["query", "assignee"], "msg": "not an agent id, 'me' or 'unassigned'"}],
        ) from exc


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def read_conversation(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> ConversationOut:
    """One conversation."""
    return service.access_conversation(
        session,
        workspace_id=principal.workspace_id,
        agent_id=principal.agent_id,
        conversation_id=conversation_id,
    )


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
def update_conversation(
    conversation_id: uuid.UUID, data: ConversationUpdate, principal: Writer, session: DbSession
) -> ConversationOut:
    """Change subject, language, priority, status, assignment or custom fields; all or nothing."""
    return service.update_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        data=data,
        actor=_actor(principal),
    )


@router.post("/conversations/{conversation_id}/messages", response_model=MessageOut, status_code=201)
def post_message(
    conversation_id: uuid.UUID, data: MessageIn, principal: Writer, session: DbSession
) -> MessageOut:
    """An agent's reply to the customer, or an internal note."""
    if data.kind == "note":
        return service.add_note(
            session,
            workspace_id=principal.workspace_id,
            conversation_id=conversation_id,
            text=data.text,
            attachments=data.attachments,
            actor=_actor(principal),
        )
    return service.send_reply(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        text=data.text,
        attachments=data.attachments,
        language=data.language,
        external_id=data.external_id,
        actor=_actor(principal),
    )


@router.get("/conversations/{conversation_id}/messages", response_model=Page[MessageOut])
def list_messages(
    conversation_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MessageOut]:
    """Messages and notes, oldest first."""
    return service.list_messages(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        limit=limit,
        cursor=cursor,
    )


@router.get("/conversations/{conversation_id}/timeline", response_model=Page[TimelineEntryOut])
def list_timeline(
    conversation_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TimelineEntryOut]:
    """Changes of the conversation in the order they happened."""
    return service.list_timeline(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        limit=limit,
        cursor=cursor,
    )


@router.post("/conversations/{conversation_id}/status", response_model=ConversationOut)
def change_status(
    conversation_id: uuid.UUID, data: StatusIn, principal: Writer, session: DbSession
) -> ConversationOut:
    """Move to another status (409 `invalid_transition` when the move is not allowed)."""
    return service.change_status(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        status=data.status,
        snoozed_until=data.snoozed_until,
        actor=_actor(principal),
    )


@router.post("/conversations/{conversation_id}/snooze", response_model=ConversationOut)
def snooze(
    conversation_id: uuid.UUID, data: SnoozeIn, principal: Writer, session: DbSession
) -> ConversationOut:
    """Snooze until a future moment."""
    return service.snooze_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        until=data.until,
        actor=_actor(principal),
    )


@router.post("/conversations/{conversation_id}/assign", response_model=ConversationOut)
def assign(
    conversation_id: uuid.UUID, data: AssignIn, principal: Writer, session: DbSession
) -> ConversationOut:
    """Assign to an agent and/or a team (null unassigns)."""
    return service.assign_conversation(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        data=data,
        actor=_actor(principal),
    )


@router.post("/conversations/{conversation_id}/tags", response_model=ConversationOut)
def change_tags(
    conversation_id: uuid.UUID, data: TagsIn, principal: Writer, session: DbSession
) -> ConversationOut:
    """Add and/or remove tags."""
    return service.change_tags(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        add=data.add,
        remove=data.remove,
        actor=_actor(principal),
    )


@router.post("/conversations/{conversation_id}/complaint", response_model=ConversationOut)
def mark_complaint(
    conversation_id: uuid.UUID, data: ComplaintIn, principal: Writer, session: DbSession
) -> ConversationOut:
    """Mark or unmark as a complaint, with the amount at stake."""
    return service.mark_complaint(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        data=data,
        actor=_actor(principal),
    )


Importer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


@router.post("/conversations/import", response_model=ImportResult, status_code=201)
def import_conversations(data: ConversationImportIn, principal: Importer, session: DbSession) -> ImportResult:
    """Import conversation history (admins and supervisors): at most 500 conversations a request.

    Customers are found by their identities or created; an item whose first message's
    external_id was imported before for the same customer and channel is skipped and listed.
    """
    return imports.import_conversations(
        session, workspace_id=principal.workspace_id, items=data.conversations, actor=_actor(principal)
    )
