"""Follow-up tasks on conversations: created by rules, complaints and agents; done by their assignee."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.automation.enums import TaskStatus
from kefu.automation.events import TaskCompleted, TaskCreated
from kefu.automation.exceptions import TaskNotFound
from kefu.automation.models import FollowUpTask
from kefu.automation.schemas import TaskOut, TaskUpdate
from kefu.conversations import service as conversations
from kefu.core import clock
from kefu.core.paging import Page, checked_limit, decode_id_cursor, encode_cursor
from kefu.db.outbox import publish


def create_task(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    title: str,
    assignee_id: uuid.UUID | None,
    due_at: datetime,
    source: str,
) -> TaskOut:
    """Create a follow-up task (the conversation must exist in the workspace)."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    row = FollowUpTask(
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        title=title[:255],
        assignee_id=assignee_id,
        due_at=clock.as_utc(due_at),
        status=TaskStatus.OPEN.value,
        source=source[:64],
    )
    session.add(row)
    session.flush()
    publish(
        session,
        TaskCreated(
            workspace_id=workspace_id,
            task_id=row.id,
            conversation_id=conversation_id,
            assignee_id=assignee_id,
            due_at=row.due_at,
            source=row.source,
        ),
    )
    return TaskOut.model_validate(row)


def list_tasks(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    assignee_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    status: TaskStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[TaskOut]:
    """Tasks of the workspace, oldest first, optionally of one assignee, conversation or status."""
    limit = checked_limit(limit)
    query = select(FollowUpTask).where(FollowUpTask.workspace_id == workspace_id)
    if assignee_id is not None:
        query = query.where(FollowUpTask.assignee_id == assignee_id)
    if conversation_id is not None:
        query = query.where(FollowUpTask.conversation_id == conversation_id)
    if status is not None:
        query = query.where(FollowUpTask.status == status.value)
    if cursor:
        query = query.where(FollowUpTask.id > decode_id_cursor(cursor))
    rows = list(session.scalars(query.order_by(FollowUpTask.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[TaskOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor([str(rows[-1].id)]) if more else None,
    )


def update_task(
    session: Session, *, workspace_id: uuid.UUID, task_id: uuid.UUID, data: TaskUpdate
) -> TaskOut:
    """Mark done or cancelled, reassign or move a task; finishing publishes `task.completed` once."""
    row = session.get(FollowUpTask, task_id)
    if row is None or row.workspace_id != workspace_id:
        raise TaskNotFound("task not found")
    given = data.model_fields_set
    if "assignee_id" in given:
        row.assignee_id = data.assignee_id
    if data.due_at is not None:
        row.due_at = clock.as_utc(data.due_at)
    if data.status is not None and data.status.value != row.status:
        row.status = data.status.value
        row.done_at = None if data.status is TaskStatus.OPEN else clock.now()
        if data.status is not TaskStatus.OPEN:
            publish(
                session,
                TaskCompleted(
                    workspace_id=workspace_id,
                    task_id=row.id,
                    conversation_id=row.conversation_id,
                    status=row.status,
                ),
            )
    session.flush()
    return TaskOut.model_validate(row)
