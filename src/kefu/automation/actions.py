"""Running a firing rule's actions on a conversation through the public services, in order."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.automation import followups, macros, notifications
from kefu.automation.engine import ESCALATED_TAG, Action, priority_level
from kefu.automation.enums import ActionType
from kefu.automation.events import ConversationEscalated, WebhookRequested
from kefu.automation.placeholders import render
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, ConversationStatus, Priority
from kefu.conversations.schemas import Actor, AssignIn, ConversationOut, ConversationUpdate
from kefu.core import clock
from kefu.core.errors import KefuError
from kefu.db.outbox import publish

MAX_SUPERVISORS_NOTIFIED = 50


def rule_actor(rule_id: uuid.UUID) -> Actor:
    """Changes made by a rule carry it as the actor, so the events they cause name the rule."""
    return Actor(kind=ActorKind.SYSTEM, id=rule_id)


def run_actions(
    session: Session,
    *,
    rule_id: uuid.UUID,
    conversation_id: uuid.UUID,
    workspace_id: uuid.UUID,
    actions: tuple[Action, ...],
    facts: dict[str, Any],
) -> list[dict[str, Any]]:
    """Run each action in a savepoint; one that a service refuses is skipped with its error code."""
    actor = rule_actor(rule_id)
    return [_isolated(session, action, workspace_id, conversation_id, actor, facts) for action in actions]


def _isolated(
    session: Session, action: Action, workspace_id: uuid.UUID, conversation_id: uuid.UUID, actor: Actor,
    facts: dict[str, Any],
) -> dict[str, Any]:
    """One action in its own savepoint: refused by a service, it is undone and its error code kept."""
    outcome: dict[str, Any] = {"action": action.type.value}
    try:
        with session.begin_nested():
            conversation = conversations.get_conversation(
                session, workspace_id=workspace_id, conversation_id=conversation_id
            )
            outcome.update(_run(session, action, conversation, actor, facts) or {})
    except KefuError as exc:
        outcome["skipped"] = exc.code
    return outcome


def _run(
    session: Session, action: Action, conversation: ConversationOut, actor: Actor, facts: dict[str, Any]
) -> dict[str, Any] | None:
    p = action.params
    ws, cid = conversation.workspace_id, conversation.id
    kind = action.type
    if kind is ActionType.ASSIGN:
        data = AssignIn(
            **({"assignee_id": uuid.UUID(str(p["agent_id"]))} if p.get("agent_id") else {}),
            **({"team_id": uuid.UUID(str(p["team_id"]))} if p.get("team_id") else {}),
        )
        conversations.assign_conversation(
            session, workspace_id=ws, conversation_id=cid, data=data, actor=actor
        )
    elif kind is ActionType.SET_PRIORITY:
        conversations.set_priority(
            session, workspace_id=ws, conversation_id=cid, priority=Priority(p["priority"]), actor=actor
        )
    elif kind in (ActionType.ADD_TAGS, ActionType.REMOVE_TAGS):
        add = list(p["tags"]) if kind is ActionType.ADD_TAGS else []
        remove = list(p["tags"]) if kind is ActionType.REMOVE_TAGS else []
        conversations.change_tags(
            session, workspace_id=ws, conversation_id=cid, add=add, remove=remove, actor=actor
        )
    elif kind is ActionType.SET_FIELD:
        conversations.update_conversation(
            session,
            workspace_id=ws,
            conversation_id=cid,
            data=ConversationUpdate(custom_fields={p["key"]: p.get("value")}),
            actor=actor,
        )
    elif kind is ActionType.SET_STATUS:
        conversations.change_status(
            session,
            workspace_id=ws,
            conversation_id=cid,
            status=ConversationStatus(p["status"]),
            actor=actor,
            reason="automation",
        )
    elif kind is ActionType.ESCALATE:
        return _escalate(session, conversation, actor, p)
    elif kind is ActionType.SEND_MACRO:
        applied = macros.apply_macro(
            session, workspace_id=ws, macro_id=uuid.UUID(str(p["macro_id"])), conversation_id=cid, actor=actor
        )
        return {"message_id": str(applied.message_id), "language": applied.language}
    elif kind is ActionType.ADD_NOTE:
        note = conversations.add_note(
            session, workspace_id=ws, conversation_id=cid, text=_fill(p["text"], conversation), actor=actor
        )
        return {"message_id": str(note.id)}
    elif kind is ActionType.NOTIFY:
        agents = _recipients(session, conversation, p["recipients"])
        notifications.notify(
            session,
            workspace_id=ws,
            agent_ids=agents,
            conversation_id=cid,
            kind="rule",
            text=_fill(p["text"], conversation),
        )
        return {"notified": [str(a) for a in agents]}
    elif kind is ActionType.WEBHOOK:
        assert actor.id is not None
        publish(
            session,
            WebhookRequested(
                workspace_id=ws, rule_id=actor.id, conversation_id=cid, url=p["url"], facts=_json_facts(facts)
            ),
        )
    elif kind is ActionType.CREATE_TASK:
        assignee = (
            conversation.assignee_id
            if p.get("assignee", "assignee") == "assignee"
            else uuid.UUID(str(p["assignee"]))
        )
        task = followups.create_task(
            session,
            workspace_id=ws,
            conversation_id=cid,
            title=p["title"],
            assignee_id=assignee,
            due_at=clock.now() + timedelta(seconds=int(p.get("due_in_seconds", 86400))),
            source="rule",
        )
        return {"task_id": str(task.id)}
    return None


def _escalate(session: Session, conversation: ConversationOut, actor: Actor, p: Any) -> dict[str, Any]:
    ws, cid = conversation.workspace_id, conversation.id
    priority = Priority(p.get("priority", "high"))
    if priority_level(conversation.priority.value) < priority_level(priority.value):
        conversations.set_priority(
            session, workspace_id=ws, conversation_id=cid, priority=priority, actor=actor
        )
    team_id = uuid.UUID(str(p["team_id"])) if p.get("team_id") else None
    if team_id is not None:
        conversations.assign_conversation(
            session, workspace_id=ws, conversation_id=cid, data=AssignIn(team_id=team_id), actor=actor
        )
    conversations.change_tags(
        session, workspace_id=ws, conversation_id=cid, add=[ESCALATED_TAG], remove=[], actor=actor
    )
    supervisors = _recipients(
        session, conversation, ["supervisors"] + (["team"] if team_id else []), team_id=team_id
    )
    reason = str(p.get("reason", "rule"))
    notifications.notify(
        session,
        workspace_id=ws,
        agent_ids=supervisors,
        conversation_id=cid,
        kind="escalation",
        text=f"Escalated: {reason}",
    )
    assert actor.id is not None
    publish(
        session,
        ConversationEscalated(
            workspace_id=ws,
            conversation_id=cid,
            rule_id=actor.id,
            reason=reason,
            priority=max(priority.value, conversation.priority.value, key=priority_level),
            team_id=team_id,
        ),
    )
    return {"notified": [str(a) for a in supervisors], "reason": reason}


def _recipients(
    session: Session,
    conversation: ConversationOut,
    recipients: list[Any],
    *,
    team_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    ws = conversation.workspace_id
    found: list[uuid.UUID] = []
    for recipient in recipients:
        if recipient == "assignee":
            if conversation.assignee_id is not None:
                found.append(conversation.assignee_id)
        elif recipient == "team":
            team = team_id or conversation.team_id
            if team is not None:
                found.extend(accounts.list_agent_ids_of_team(session, workspace_id=ws, team_id=team))
        elif recipient == "supervisors":
            page = accounts.list_agents(
                session, workspace_id=ws, role=Role.SUPERVISOR, active=True, limit=MAX_SUPERVISORS_NOTIFIED
            )
            found.extend(agent.id for agent in page.items)
        else:
            agent = accounts.get_agent(session, workspace_id=ws, agent_id=uuid.UUID(str(recipient)))
            if agent.is_active:
                found.append(agent.id)
    return list(dict.fromkeys(found))


def _fill(text: str, conversation: ConversationOut) -> str:
    filled, _missing = render(
        text, {"conversation.id": str(conversation.id), "conversation.subject": conversation.subject or None}
    )
    return filled


def _json_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in facts.items()
        if k != "message.text" and (v is None or isinstance(v, (str, int, float, bool, list)))
    }
