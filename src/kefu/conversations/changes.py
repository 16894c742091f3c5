"""Changes to a conversation, each with its timeline entry and events (used by the service)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations import lifecycle
from kefu.conversations.enums import Channel, ConversationStatus, Priority, TimelineKind
from kefu.conversations.events import (
    ConversationAssigned,
    ConversationFieldsChanged,
    ConversationPriorityChanged,
    ConversationReopened,
    ConversationResolved,
    ConversationStatusChanged,
    ConversationTagged,
    ConversationUntagged,
)
from kefu.conversations.models import TIMELINE_ROW, Conversation, ConversationTag, TimelineEntry
from kefu.conversations.schemas import (
    MAX_TAGS,
    Actor,
    AssignIn,
    CustomFields,
    TagsIn,
    validated,
)
from kefu.core import clock
from kefu.core.errors import Conflict, ValidationFailed
from kefu.db.outbox import publish

MAX_SNOOZE = timedelta(days=366)


class ConversationRef(Protocol):
    """A conversation as a mapped object or a row about to be inserted: what events and entries name."""

    @property
    def id(self) -> uuid.UUID:
        """The conversation's id."""

    @property
    def workspace_id(self) -> uuid.UUID:
        """Its workspace."""


def transition(
    session: Session,
    conversation: Conversation,
    target: ConversationStatus,
    actor: Actor,
    *,
    snoozed_until: datetime | None = None,
    reason: str | None = None,
) -> None:
    """Apply one status change with its checks, timeline entry and events."""
    current = conversation.status
    now = clock.now()
    if target == ConversationStatus.SNOOZED:
        snoozed_until = check_snooze(snoozed_until, now)
    elif snoozed_until is not None:
        raise ValidationFailed(
            "snoozed_until goes with status=snoozed",
            details=[{"loc": ["body", "snoozed_until"], "msg": "needs status=snoozed"}],
        )
    if current == target and (
        target != ConversationStatus.SNOOZED or snoozed_until == conversation.snoozed_until
    ):
        return
    if not lifecycle.is_allowed(current, target):
        raise Conflict(
            f"a {current} conversation cannot become {target}",
            code="invalid_transition",
            details={"from": current, "to": target},
        )
    if lifecycle.needs_admin(current, target) and not actor.is_admin:
        raise Conflict(
            "only an admin may reopen a closed conversation",
            code="invalid_transition",
            details={"from": current, "to": target, "requires": "admin"},
        )
    before = {"status": current, "snoozed_until": conversation.snoozed_until}
    reopened = lifecycle.is_reopen(current, target)
    conversation.status = target
    conversation.snoozed_until = snoozed_until if target == ConversationStatus.SNOOZED else None
    if target == ConversationStatus.RESOLVED:
        conversation.resolved_at = now
    elif reopened:
        conversation.resolved_at = None
        conversation.reopen_count += 1
    after = {"status": target, "snoozed_until": conversation.snoozed_until}
    record(
        session, conversation, TimelineKind.STATUS_CHANGED, actor, jsonable(before), jsonable(after), reason
    )
    publish(
        session,
        ConversationStatusChanged(
            **base(conversation, actor),
            from_status=current,
            to_status=target,
            snoozed_until=conversation.snoozed_until,
            reason=reason,
        ),
    )
    if target == ConversationStatus.RESOLVED:
        publish(
            session,
            ConversationResolved(
                **base(conversation, actor), customer_id=conversation.customer_id, resolved_at=now
            ),
        )
    if reopened:
        publish(
            session, ConversationReopened(**base(conversation, actor), from_status=current, reason=reason)
        )


def check_snooze(until: datetime | None, now: datetime) -> datetime:
    """A snooze needs an aware wake-up time in the future, at most a year ahead; returned in UTC."""
    if until is None:
        problem = "snoozing needs snoozed_until"
    elif until.tzinfo is None:
        problem = "snoozed_until needs a timezone"
    elif until <= now:
        problem = "snoozed_until must be in the future"
    elif until - now > MAX_SNOOZE:
        problem = "snoozed_until is more than a year ahead"
    else:
        return clock.as_utc(until)
    raise ValidationFailed(problem, details=[{"loc": ["body", "snoozed_until"], "msg": problem}])


def assign(session: Session, conversation: Conversation, data: AssignIn, actor: Actor) -> None:
    """Change assignee and/or team (only the fields set in `data`), checking both exist."""
    given = data.model_fields_set
    assignee = data.assignee_id if "assignee_id" in given else conversation.assignee_id
    team = data.team_id if "team_id" in given else conversation.team_id
    before_assignee, before_team = conversation.assignee_id, conversation.team_id
    if assignee == before_assignee and team == before_team:
        return
    if assignee is not None and assignee != before_assignee:
        check_agent(session, conversation.workspace_id, assignee)
    if team is not None and team != before_team:
        check_team(session, conversation.workspace_id, team)
    if assignee != before_assignee:
        record(
            session,
            conversation,
            TimelineKind.ASSIGNEE_CHANGED,
            actor,
            jsonable({"assignee_id": before_assignee}),
            jsonable({"assignee_id": assignee}),
        )
    if team != before_team:
        record(
            session,
            conversation,
            TimelineKind.TEAM_CHANGED,
            actor,
            jsonable({"team_id": before_team}),
            jsonable({"team_id": team}),
        )
    conversation.assignee_id, conversation.team_id = assignee, team
    publish(
        session,
        ConversationAssigned(
            **base(conversation, actor),
            assignee_id=assignee,
            previous_assignee_id=before_assignee,
            team_id=team,
            previous_team_id=before_team,
        ),
    )


def check_agent(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """The agent exists in the workspace (404 otherwise) and is active (409 otherwise)."""
    agent = accounts.get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
    if not agent.is_active:
        raise Conflict("the agent is deactivated", code="agent_inactive")


def check_team(session: Session, workspace_id: uuid.UUID, team_id: uuid.UUID) -> None:
    """The team exists in the workspace (404 otherwise)."""
    accounts.get_team(session, workspace_id=workspace_id, team_id=team_id)


def set_priority(
    session: Session, conversation: Conversation, priority: Priority, actor: Actor, reason: str | None = None
) -> None:
    """Change the priority (the reason, if given, is kept on the timeline)."""
    current = conversation.priority
    if priority == current:
        return
    conversation.priority = priority
    record(
        session,
        conversation,
        TimelineKind.PRIORITY_CHANGED,
        actor,
        {"priority": current},
        {"priority": priority},
        reason,
    )
    publish(
        session,
        ConversationPriorityChanged(**base(conversation, actor), from_priority=current, to_priority=priority),
    )


def change_tags(
    session: Session, conversation: Conversation, *, add: list[str], remove: list[str], actor: Actor
) -> None:
    """Add and remove tags, keeping the tag index rows in step."""
    checked = validated(TagsIn, add=add, remove=remove)
    add, remove = checked.add, checked.remove
    if set(add) & set(remove):
        raise ValidationFailed(
            "a tag cannot be added and removed at once",
            details=[{"loc": ["body", "remove"], "msg": "also in add"}],
        )
    current = list(conversation.tags)
    added = [t for t in dict.fromkeys(add) if t not in current]
    removed = [t for t in dict.fromkeys(remove) if t in current]
    result = [t for t in current if t not in removed] + added
    if len(result) > MAX_TAGS:
        raise ValidationFailed(
            f"a conversation has at most {MAX_TAGS} tags",
            details=[{"loc": ["body", "add"], "msg": f"at most {MAX_TAGS} tags"}],
        )
    if not added and not removed:
        return
    conversation.tags = result
    if removed:
        session.execute(
            delete(ConversationTag).where(
                ConversationTag.conversation_id == conversation.id, ConversationTag.tag.in_(removed)
            )
        )
        publish(session, ConversationUntagged(**base(conversation, actor), tags=removed))
    if added:
        session.add_all(
            ConversationTag(workspace_id=conversation.workspace_id, conversation_id=conversation.id, tag=t)
            for t in added
        )
        publish(session, ConversationTagged(**base(conversation, actor), tags=added))
    record(session, conversation, TimelineKind.TAGS_CHANGED, actor, {"tags": current}, {"tags": result})


def merge_fields(session: Session, conversation: Conversation, fields: dict[str, Any], actor: Actor) -> None:
    """Merge custom fields (null removes a key) within the size bounds."""
    checked: dict[str, Any] = validated(_FieldsUpdate, fields=fields).fields
    current = dict(conversation.custom_fields)
    changes: dict[str, Any] = {}
    for key, value in checked.items():
        if value is None:
            if key in current:
                changes[key] = None
        elif key not in current or type(current[key]) is not type(value) or current[key] != value:
            changes[key] = value
    if not changes:
        return
    merged = {k: v for k, v in {**current, **changes}.items() if v is not None}
    validated(_FieldsUpdate, fields=merged)
    conversation.custom_fields = merged
    record(
        session,
        conversation,
        TimelineKind.FIELDS_CHANGED,
        actor,
        {k: current.get(k) for k in changes},
        dict(changes),
    )
    publish(session, ConversationFieldsChanged(**base(conversation, actor), changes=changes))


class _FieldsUpdate(BaseModel):
    """Validation wrapper for custom fields handed to the service directly."""

    fields: CustomFields


def complaint_state(conversation: Conversation) -> dict[str, Any]:
    """The complaint flag, amount and currency as JSON values."""
    amount: Decimal | None = conversation.complaint_amount
    return {
        "is_complaint": conversation.is_complaint,
        "amount": None if amount is None else f"{Decimal(amount):.2f}",
        "currency": conversation.complaint_currency,
    }


def record(
    session: Session,
    conversation: Conversation,
    kind: TimelineKind,
    actor: Actor,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None = None,
) -> None:
    """Add a timeline entry."""
    session.add(TimelineEntry(**timeline_row(conversation, kind, actor, before, after, reason, clock.now())))


def timeline_row(
    conversation: ConversationRef,
    kind: TimelineKind,
    actor: Actor,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a timeline entry."""
    return TIMELINE_ROW(
        workspace_id=conversation.workspace_id, conversation_id=conversation.id, kind=kind,
        actor_kind=actor.kind, actor_id=actor.id, before=before, after=after, reason=reason, created_at=now,
    )


def opened_row(
    conversation: ConversationRef,
    actor: Actor,
    *,
    priority: Priority,
    channel: Channel,
    tags: list[str],
    assignee_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    reason: str | None = None,
    at: datetime,
) -> dict[str, Any]:
    """The "opened" timeline entry: a conversation opens as open, with what it was opened with."""
    after = jsonable({"status": ConversationStatus.OPEN, "priority": priority, "channel": channel,
                      "assignee_id": assignee_id, "team_id": team_id, "tags": tags})  # fmt: skip
    return timeline_row(conversation, TimelineKind.OPENED, actor, {}, after, reason, at)


def base(conversation: ConversationRef, actor: Actor) -> dict[str, Any]:
    """The fields every conversation event carries."""
    return {
        "workspace_id": conversation.workspace_id,
        "conversation_id": conversation.id,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
    }


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Timeline values as JSON: ids and times as strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, uuid.UUID):
            out[key] = str(value)
        elif isinstance(value, datetime):
            out[key] = clock.as_utc(value).isoformat()
        else:
            out[key] = value
    return out
