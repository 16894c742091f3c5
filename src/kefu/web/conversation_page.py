"""Builds the three-pane page (list | thread | context) and its live fragments from the domains' services."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import Response
from sqlalchemy.orm import Session

from kefu.conversations.enums import ConversationStatus, Direction, Priority
from kefu.conversations.schemas import ConversationFilter
from kefu.core.errors import NotFound
from kefu.core.paging import MAX_LIMIT
from kefu.web import inbox
from kefu.web import operations as ops
from kefu.web.auth import Viewer
from kefu.web.rendering import render

PAST_CONVERSATIONS = 10


def render_page(
    session: Session, viewer: Viewer, *, rail: list[dict[str, str]], view_key: str, status: str, q: str,
    cursor: str | None, conversation_id: uuid.UUID | None, event_id: int,
) -> Response:
    """The inbox page, with the conversation's thread and context when one is open."""
    status = status if status in inbox.STATUS_SCOPES else "open"
    views = inbox.views_for(session, viewer)
    view = inbox.find_view(views, view_key)
    rows, next_cursor = inbox.list_rows(session, viewer, view.filters(status, q), cursor)
    context: dict[str, Any] = {}
    if conversation_id is not None:
        context = conversation_context(session, viewer, conversation_id)
    return render(
        "inbox/inbox.html", locale=viewer.locale, viewer=viewer, rail=rail, views=views, view=view,
        counts=inbox.counts(session, viewer, views, status), status=status,
        statuses=list(inbox.STATUS_SCOPES),
        q=q, rows=rows, next_cursor=next_cursor, event_id=event_id,
        selected=str(conversation_id) if conversation_id else "", **context,
    )


def render_row(session: Session, viewer: Viewer, conversation_id: uuid.UUID, *, view_key: str, status: str,
               selected: str) -> Response:
    """One list row, or 204 when the conversation left (or never was in) the view."""
    view = inbox.find_view(inbox.views_for(session, viewer), view_key)
    scope = inbox.STATUS_SCOPES.get(status, inbox.STATUS_SCOPES["open"])
    try:
        conversation = ops.get_conversation(session, workspace_id=viewer.workspace.id,
                                            conversation_id=conversation_id)
    except NotFound:
        return Response(status_code=204)
    payload = inbox.row_payload(session, viewer.workspace.id, conversation_id)
    if payload is None or not view.includes(payload, viewer) or (scope and conversation.status not in scope):
        return Response(status_code=204)
    (row,) = inbox.build_rows(session, viewer.workspace.id, [conversation])
    return render("inbox/_row_fragment.html", locale=viewer.locale, viewer=viewer, row=row, view=view,
                  status=status, q="", selected=selected)


def render_fragment(session: Session, viewer: Viewer, conversation_id: uuid.UUID, template: str) -> Response:
    """The thread or the context pane of a conversation alone."""
    context = conversation_context(session, viewer, conversation_id)
    return render(template, locale=viewer.locale, viewer=viewer, view=None, status="open", q="", **context)


def conversation_context(session: Session, viewer: Viewer, conversation_id: uuid.UUID) -> dict[str, Any]:
    """Everything the thread and context panes show about one conversation."""
    workspace_id = viewer.workspace.id
    conversation = ops.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    messages = ops.list_messages(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                 limit=MAX_LIMIT)
    timeline = ops.list_timeline(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                 limit=MAX_LIMIT)
    customer = ops.get_customer(session, workspace_id=workspace_id, customer_id=conversation.customer_id)
    past = ops.list_conversations(session, workspace_id=workspace_id,
                                  filters=ConversationFilter(customer_id=conversation.customer_id),
                                  limit=PAST_CONVERSATIONS + 1)
    agents = ops.list_agents(session, workspace_id=workspace_id, active=True, limit=MAX_LIMIT).items
    teams = ops.list_teams(session, workspace_id=workspace_id, limit=MAX_LIMIT).items
    analysed = [m for m in messages.items if m.direction == Direction.INBOUND and m.analysed_at is not None]
    return {
        "conversation": conversation,
        "messages": messages.items,
        "more_messages": messages.next_cursor is not None,
        "timeline": timeline.items,
        "customer": customer,
        "past": [c for c in past.items if c.id != conversation.id][:PAST_CONVERSATIONS],
        "agents": {agent.id: agent for agent in agents},
        "teams": {team.id: team for team in teams},
        "analysis": analysed[-1] if analysed else None,
        "priorities": list(Priority),
        "snooze_hours": (1, 4, 24),
        "resolvable": conversation.status not in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED),
        "Direction": Direction,
    }
