"""Notifications for agents: written by rules and hand-offs, read by the agent they are for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.automation.events import NotificationCreated
from kefu.automation.models import Notification
from kefu.automation.schemas import NotificationOut
from kefu.core import clock
from kefu.core.errors import NotFound
from kefu.core.paging import Page, checked_limit, decode_id_cursor, encode_cursor
from kefu.db.outbox import publish


def notify(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    agent_ids: Iterable[uuid.UUID],
    conversation_id: uuid.UUID | None,
    kind: str,
    text: str,
) -> list[uuid.UUID]:
    """One notification per distinct agent, each announced by `notification.created`."""
    now = clock.now()
    made = []
    for agent_id in dict.fromkeys(agent_ids):
        row = Notification(
            workspace_id=workspace_id,
            agent_id=agent_id,
            conversation_id=conversation_id,
            kind=kind,
            text=text[:1000],
            created_at=now,
        )
        session.add(row)
        session.flush()
        publish(
            session,
            NotificationCreated(
                workspace_id=workspace_id,
                notification_id=row.id,
                agent_id=agent_id,
                conversation_id=conversation_id,
                kind=kind,
            ),
        )
        made.append(row.id)
    return made


def list_notifications(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    agent_id: uuid.UUID,
    unread_only: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[NotificationOut]:
    """An agent's notifications, newest first."""
    limit = checked_limit(limit)
    query = select(Notification).where(
        Notification.workspace_id == workspace_id, Notification.agent_id == agent_id
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if cursor is not None:
        query = query.where(Notification.id < decode_id_cursor(cursor))
    rows = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[NotificationOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor([str(rows[-1].id)]) if more else None,
    )


def mark_read(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, notification_id: uuid.UUID
) -> NotificationOut:
    """Mark one of the agent's notifications read (404 for anyone else's)."""
    row = session.get(Notification, notification_id)
    if row is None or row.workspace_id != workspace_id or row.agent_id != agent_id:
        raise NotFound("notification not found")
    if row.read_at is None:
        row.read_at = clock.now()
        session.flush()
    return NotificationOut.model_validate(row)
