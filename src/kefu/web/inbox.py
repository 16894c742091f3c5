"""The inbox: views (mine, unassigned, team, all, complaints), their counts, and the rows the list shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from kefu.conversations.enums import ConversationStatus
from kefu.conversations.schemas import ConversationFilter, ConversationOut, MessageOut
from kefu.core import clock
from kefu.core.errors import NotFound
from kefu.web import operations as ops
from kefu.web.auth import Viewer
from kefu.web.i18n import gettext

PAGE_SIZE = 50
PREVIEW_CHARS = 140
STATUS_SCOPES: dict[str, list[ConversationStatus]] = {
    "open": [ConversationStatus.OPEN, ConversationStatus.PENDING],
    "snoozed": [ConversationStatus.SNOOZED],
    "resolved": [ConversationStatus.RESOLVED, ConversationStatus.CLOSED],
    "all": [],
}


@dataclass(frozen=True)
class View:
    """A saved filter of the conversation list, shown in the list pane with its count."""

    key: str
    label: str
    assignee: uuid.UUID | Literal["unassigned"] | None = None
    team_id: uuid.UUID | None = None
    is_complaint: bool | None = None

    def filters(self, status: str, q: str | None = None) -> ConversationFilter:
        """The conversation filter of this view in a status scope, with optional search text."""
        return ConversationFilter(
            status=STATUS_SCOPES.get(status, STATUS_SCOPES["open"]), assignee=self.assignee,
            team_id=self.team_id, is_complaint=self.is_complaint, q=q or None,
        )

    def includes(self, row: dict[str, Any], viewer: Viewer) -> bool:
        """Whether a conversation (as pushed) belongs to this view, ignoring status and search."""
        if self.assignee == "unassigned" and row["assignee_id"] is not None:
            return False
        if isinstance(self.assignee, uuid.UUID) and row["assignee_id"] != str(self.assignee):
            return False
        if self.team_id is not None and row["team_id"] != str(self.team_id):
            return False
        return not (self.is_complaint is not None and row["is_complaint"] != self.is_complaint)


def views_for(session: Session, viewer: Viewer) -> list[View]:
    """The views of an agent: mine, unassigned, one per team of theirs, all, complaints (labels localised)."""
    workspace_id, agent_id = viewer.workspace.id, viewer.agent.id
    team_ids = set(ops.list_team_ids_of_agent(session, workspace_id=workspace_id, agent_id=agent_id))
    views = [View("mine", gettext("Mine"), assignee=agent_id), View("unassigned", gettext("Unassigned"),
                                                                     assignee="unassigned")]
    if team_ids:
        teams = ops.list_teams(session, workspace_id=workspace_id, limit=200).items
        views += [
            View(f"team-{team.id}", gettext("Team: %(name)s") % {"name": team.name}, team_id=team.id)
            for team in teams if team.id in team_ids
        ]
    views += [View("all", gettext("All")), View("complaints", gettext("Complaints"), is_complaint=True)]
    return views


def find_view(views: list[View], key: str) -> View:
    """The view with this key, else the first (mine)."""
    return next((view for view in views if view.key == key), views[0])


def counts(session: Session, viewer: Viewer, views: list[View], status: str) -> dict[str, int]:
    """The number of conversations of each view in the status scope."""
    return {
        view.key: ops.count_conversations(
            session, workspace_id=viewer.workspace.id, filters=view.filters(status)
        )
        for view in views
    }


@dataclass(frozen=True)
class Row:
    """One line of the conversation list."""

    conversation: ConversationOut
    customer_name: str
    last_customer_message: MessageOut | None
    waiting_seconds: float | None

    @property
    def preview(self) -> str:
        """The start of the latest customer message (or the subject)."""
        message = self.last_customer_message
        text = (message.display_text or message.text) if message else self.conversation.subject
        return text[:PREVIEW_CHARS]

    @property
    def sentiment(self) -> str | None:
        """Sentiment of the latest customer message, when analysed."""
        message = self.last_customer_message
        return message.sentiment.value if message and message.sentiment else None


def build_rows(session: Session, workspace_id: uuid.UUID, conversations: list[ConversationOut]) -> list[Row]:
    """List rows for conversations: customer names and latest customer messages in one query each."""
    ids = [c.id for c in conversations]
    customers = ops.list_customers_by_id(session, workspace_id=workspace_id,
                                         customer_ids=[c.customer_id for c in conversations])
    last = ops.list_last_customer_messages(session, workspace_id=workspace_id, conversation_ids=ids)
    now = clock.now()
    rows = []
    for conversation in conversations:
        customer = customers.get(conversation.customer_id)
        message = last.get(conversation.id)
        rows.append(Row(
            conversation=conversation,
            customer_name=(customer.name if customer else None) or _first_identity(customer),
            last_customer_message=message,
            waiting_seconds=_waiting(conversation, message, now),
        ))
    return rows


def _first_identity(customer: Any) -> str:
    if customer is not None and customer.identities:
        return str(customer.identities[0].value)
    return gettext("Unknown customer")


def _waiting(conversation: ConversationOut, message: MessageOut | None, now: datetime) -> float | None:
    """Seconds the customer has waited: since their message, when it is the last one and it is open."""
    if message is None or conversation.status not in STATUS_SCOPES["open"]:
        return None
    if clock.as_utc(message.created_at) < clock.as_utc(conversation.last_message_at):
        return None
    return (now - clock.as_utc(message.created_at)).total_seconds()


def list_rows(
    session: Session, viewer: Viewer, filters: ConversationFilter, cursor: str | None = None
) -> tuple[list[Row], str | None]:
    """A page of list rows for the filters, most recent first."""
    page = ops.list_conversations(session, workspace_id=viewer.workspace.id, filters=filters,
                                  limit=PAGE_SIZE, cursor=cursor)
    return build_rows(session, viewer.workspace.id, page.items), page.next_cursor


def row_payload(
    session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> dict[str, Any] | None:
    """The fields a list row shows, as pushed to sockets (`conversation.updated`); None when gone."""
    try:
        conversation = ops.get_conversation(
            session, workspace_id=workspace_id, conversation_id=conversation_id
        )
    except NotFound:
        return None
    (row,) = build_rows(session, workspace_id, [conversation])
    return {
        "id": str(conversation.id),
        "customer_name": row.customer_name,
        "channel": conversation.channel.value,
        "language": conversation.language,
        "priority": conversation.priority.value,
        "status": conversation.status.value,
        "assignee_id": str(conversation.assignee_id) if conversation.assignee_id else None,
        "team_id": str(conversation.team_id) if conversation.team_id else None,
        "is_complaint": conversation.is_complaint,
        "subject": conversation.subject,
        "preview": row.preview,
        "sentiment": row.sentiment,
        "last_message_at": clock.as_utc(conversation.last_message_at).isoformat(),
        "waiting_seconds": row.waiting_seconds,
    }
