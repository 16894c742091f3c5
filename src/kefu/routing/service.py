"""Write path and reads of routing: queues, agent profiles and presence, assignment, transfers, the report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Level
from kefu.conversations import service as conversations
from kefu.conversations.enums import Priority, TimelineKind
from kefu.conversations.schemas import SYSTEM, Actor, AssignIn, ConversationOut
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.ids import new_id
from kefu.customers import service as customers
from kefu.customers.enums import VipTier
from kefu.db.outbox import publish
from kefu.db.scoped import get_scoped
from kefu.routing.enums import EntryState, Presence, QueueReason, Strategy
from kefu.routing.events import ConversationQueued, ConversationTransferred, PresenceChanged
from kefu.routing.models import (
    QueueMember,
    RoutingEntry,
    RoutingProfile,
    RoutingQueue,
    RoutingSettings,
    RoutingTransfer,
)
from kefu.routing.schemas import (
    EntryOut,
    ProfileOut,
    ProfileUpdate,
    QueueIn,
    QueueOut,
    QueueUpdate,
    ReportOut,
    ReportRow,
    SettingsIn,
    SettingsOut,
    TransferIn,
)
from kefu.routing.strategies import (
    Candidate,
    CandidatePool,
    Decision,
    Need,
    QueueRules,
    choose_agent,
    condition_holds,
    match_queue,
)

__all__ = [
    "Candidate",
    "CandidatePool",
    "Need",
    "choose_agent",
    "condition_holds",
]  # the algorithms, for `kefu bench routing`

PRIORITY_RANK = {priority: rank for rank, priority in enumerate(Priority)}
VIP_RANK = {tier: rank for rank, tier in enumerate(VipTier)}
VIP_SKILL_FROM = VIP_RANK[VipTier.GOLD]
"""From this customer tier on, a conversation needs an agent with the VIP skill and the queue's VIP level."""
DISPATCH_BATCH = 200
"""Waiting conversations one dispatch pass looks at, in queue order."""
UNAVAILABLE = (Presence.AWAY, Presence.OFFLINE)


# --- queues ------------------------------------------------------------------------------------


def create_queue(session: Session, *, workspace_id: uuid.UUID, data: QueueIn) -> QueueOut:
    """Create a queue with its rules and members."""
    values = data.model_dump(mode="json", exclude={"agent_ids", "overflow_queue_id"})
    row = RoutingQueue(workspace_id=workspace_id, **values)
    session.add(row)
    session.flush()
    _set_overflow(session, row, data.overflow_queue_id)
    _set_members(session, row, data.agent_ids)
    session.flush()
    return _queue_out(session, row)


def list_queues(session: Session, *, workspace_id: uuid.UUID) -> list[QueueOut]:
    """Queues in the order their rules are tried."""
    rows = session.scalars(
        select(RoutingQueue)
        .where(RoutingQueue.workspace_id == workspace_id)
        .order_by(RoutingQueue.position, RoutingQueue.id)
    )
    return [_queue_out(session, r) for r in rows]


def get_queue(session: Session, *, workspace_id: uuid.UUID, queue_id: uuid.UUID) -> QueueOut:
    """One queue of the workspace or NotFound."""
    return _queue_out(session, _queue_row(session, workspace_id, queue_id))


def update_queue(
    session: Session, *, workspace_id: uuid.UUID, queue_id: uuid.UUID, data: QueueUpdate
) -> QueueOut:
    """Change a queue; waiting conversations are dispatched under the new settings."""
    row = _queue_row(session, workspace_id, queue_id)
    given = data.model_dump(mode="json", include=data.model_fields_set)
    for key, value in given.items():
        if key in ("agent_ids", "overflow_queue_id"):
            continue
        if value is None and key not in ("overflow_after_seconds", "accept_timeout_seconds"):
            continue
        setattr(row, key, value)
    if "overflow_queue_id" in given:
        _set_overflow(session, row, data.overflow_queue_id)
    if (row.overflow_queue_id is None) != (row.overflow_after_seconds is None):
        raise ValidationFailed(
            "overflow_queue_id and overflow_after_seconds go together",
            details=[{"loc": ["body", "overflow_queue_id"], "msg": "set both or neither"}],
        )
    if data.agent_ids is not None:
        _set_members(session, row, data.agent_ids)
    session.flush()
    dispatch_queue(session, workspace_id=workspace_id, queue_id=row.id)
    return _queue_out(session, row)


def delete_queue(session: Session, *, workspace_id: uuid.UUID, queue_id: uuid.UUID) -> None:
    """Delete a queue nothing waits in (409 `queue_not_empty` otherwise)."""
    row = _queue_row(session, workspace_id, queue_id)
    if _waiting_count(session, row.id):
        raise Conflict("conversations are waiting in this queue", code="queue_not_empty")
    session.delete(row)
    session.flush()


def _queue_row(session: Session, workspace_id: uuid.UUID, queue_id: uuid.UUID) -> RoutingQueue:
    return get_scoped(session, RoutingQueue, queue_id, workspace_id=workspace_id, what="queue")


def _set_overflow(session: Session, row: RoutingQueue, target: uuid.UUID | None) -> None:
    if target is not None:
        if target == row.id:
            raise ValidationFailed(
                "a queue cannot overflow into itself",
                details=[{"loc": ["body", "overflow_queue_id"], "msg": "is this queue"}],
            )
        _queue_row(session, row.workspace_id, target)
    row.overflow_queue_id = target


def _set_members(session: Session, row: RoutingQueue, agent_ids: list[uuid.UUID]) -> None:
    wanted = list(dict.fromkeys(agent_ids))
    for agent_id in wanted:
        _profile_row(session, row.workspace_id, agent_id)
    session.execute(delete(QueueMember).where(QueueMember.queue_id == row.id))
    session.add_all(QueueMember(workspace_id=row.workspace_id, queue_id=row.id, agent_id=a) for a in wanted)


def _members(session: Session, queue_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(QueueMember.agent_id)
            .where(QueueMember.queue_id == queue_id)
            .order_by(QueueMember.agent_id)
        )
    )


def _waiting_count(session: Session, queue_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RoutingEntry.queue_id == queue_id, RoutingEntry.state == EntryState.WAITING
            )
        )
        or 0
    )


def _queue_out(session: Session, row: RoutingQueue) -> QueueOut:
    return QueueOut(
        id=row.id,
        name=row.name,
        position=row.position,
        is_active=row.is_active,
        strategy=row.strategy,
        rules=row.rules,
        require_language=row.require_language,
        min_proficiency=row.min_proficiency,
        min_level=Level(row.min_level),
        vip_min_level=Level(row.vip_min_level),
        overflow_queue_id=row.overflow_queue_id,
        overflow_after_seconds=row.overflow_after_seconds,
        accept_timeout_seconds=row.accept_timeout_seconds,
        agent_ids=_members(session, row.id),
        waiting=_waiting_count(session, row.id),
    )


# --- agent profiles and presence ---------------------------------------------------------------


def get_profile(session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> ProfileOut:
    """An agent's routing profile (a default one, offline, on first use) with their load."""
    row = _profile_row(session, workspace_id, agent_id)
    return _profile_out(row, _loads(session, [row.agent_id]).get(row.agent_id, {}))


def list_profiles(session: Session, *, workspace_id: uuid.UUID) -> list[ProfileOut]:
    """Routing profiles of the workspace's agents that have one, by agent id."""
    rows = list(
        session.scalars(
            select(RoutingProfile)
            .where(RoutingProfile.workspace_id == workspace_id)
            .order_by(RoutingProfile.agent_id)
        )
    )
    loads = _loads(session, [r.agent_id for r in rows])
    return [_profile_out(r, loads.get(r.agent_id, {})) for r in rows]


def update_profile(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, data: ProfileUpdate
) -> ProfileOut:
    """Change an agent's skills or capacity; raised capacity is filled from their queues at once."""
    row = _profile_row(session, workspace_id, agent_id)
    for key, value in data.model_dump(mode="json", include=data.model_fields_set).items():
        if value is not None:
            setattr(row, key, value)
    session.flush()
    _dispatch_for_agent(session, workspace_id, agent_id)
    return get_profile(session, workspace_id=workspace_id, agent_id=agent_id)


def set_presence(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    agent_id: uuid.UUID,
    presence: Presence,
    automatic: bool = False,
) -> ProfileOut:
    """Set an agent's presence: online fills their capacity, away/offline re-routes their conversations."""
    row = _profile_row(session, workspace_id, agent_id)
    now = clock.now()
    if not automatic:
        row.last_seen_at = now
    previous = row.presence
    row.auto_away = automatic and presence == Presence.AWAY
    if presence != previous:
        row.presence, row.presence_changed_at = presence, now
        publish(
            session,
            PresenceChanged(
                workspace_id=workspace_id,
                agent_id=agent_id,
                from_presence=previous,
                to_presence=presence,
                automatic=automatic,
            ),
        )
        session.flush()
        if presence in UNAVAILABLE:
            _reroute_agent(session, workspace_id, agent_id, f"agent_{presence.value}")
        elif presence == Presence.ONLINE:
            _dispatch_for_agent(session, workspace_id, agent_id)
    session.flush()
    return get_profile(session, workspace_id=workspace_id, agent_id=agent_id)


def record_heartbeat(session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """The agent's session is active: keeps auto-away off, and brings an auto-away agent back online."""
    row = _profile_row(session, workspace_id, agent_id)
    row.last_seen_at = clock.now()
    if row.auto_away and row.presence == Presence.AWAY:
        set_presence(session, workspace_id=workspace_id, agent_id=agent_id, presence=Presence.ONLINE)
    session.flush()


def sync_agent(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, active: bool | None = None
) -> None:
    """An agent changed in accounts: refresh the level copy; a deactivated agent goes offline."""
    row = session.get(RoutingProfile, agent_id)
    if row is None or row.workspace_id != workspace_id:
        return
    agent = accounts.get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
    row.level = agent.level.value
    if active is False or not agent.is_active:
        set_presence(session, workspace_id=workspace_id, agent_id=agent_id, presence=Presence.OFFLINE)
    session.flush()


def get_settings(session: Session, *, workspace_id: uuid.UUID) -> SettingsOut:
    """The workspace's routing settings."""
    row = _settings_row(session, workspace_id)
    return SettingsOut(auto_away_seconds=row.auto_away_seconds if row else None)


def update_settings(session: Session, *, workspace_id: uuid.UUID, data: SettingsIn) -> SettingsOut:
    """Change the workspace's routing settings."""
    row = _settings_row(session, workspace_id)
    if row is None:
        row = RoutingSettings(id=new_id(), workspace_id=workspace_id)
        session.add(row)
    row.auto_away_seconds = data.auto_away_seconds
    session.flush()
    return get_settings(session, workspace_id=workspace_id)


def _settings_row(session: Session, workspace_id: uuid.UUID) -> RoutingSettings | None:
    return session.scalar(select(RoutingSettings).where(RoutingSettings.workspace_id == workspace_id))


def _profile_row(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> RoutingProfile:
    row = session.get(RoutingProfile, agent_id)
    if row is not None and row.workspace_id == workspace_id:
        return row
    agent = accounts.get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
    now = clock.now()
    row = RoutingProfile(
        workspace_id=workspace_id,
        agent_id=agent_id,
        level=agent.level.value,
        presence=Presence.OFFLINE,
        presence_changed_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _profile_out(row: RoutingProfile, load: dict[str, int]) -> ProfileOut:
    out = ProfileOut.model_validate(row)
    out.load = load
    return out


def _loads(session: Session, agent_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Assigned, unresolved routed conversations per agent and channel."""
    if not agent_ids:
        return {}
    loads: dict[uuid.UUID, dict[str, int]] = {}
    for agent_id, channel, count in session.execute(
        select(RoutingEntry.assignee_id, RoutingEntry.channel, func.count())
        .where(RoutingEntry.assignee_id.in_(agent_ids), RoutingEntry.state == EntryState.ASSIGNED)
        .group_by(RoutingEntry.assignee_id, RoutingEntry.channel)
    ):
        loads.setdefault(agent_id, {})[channel] = int(count)
    return loads


# --- routing a conversation --------------------------------------------------------------------


def route_conversation(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> EntryOut | None:
    """Queue a conversation by the first matching queue rule and try to assign it; None when no queue matches.

    An entry still waiting is matched again (its facts may have grown: language, intent, anger),
    and moves when another queue now matches first. Assigned and resolved entries stay.
    """
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is not None and entry.state != EntryState.WAITING:
        return EntryOut.model_validate(entry)
    if entry is None and conversation.assignee_id is not None:
        return None
    facts, vip_rank = _facts(session, conversation)
    queues = list(
        session.scalars(
            select(RoutingQueue).where(
                RoutingQueue.workspace_id == workspace_id, RoutingQueue.is_active.is_(True)
            )
        )
    )
    if not queues:
        return EntryOut.model_validate(entry) if entry else None  # the workspace does not route
    match = match_queue((QueueRules(q.id, q.position, q.rules) for q in queues), facts)
    if match is None:
        if entry is None:
            conversations.record_decision(
                session,
                workspace_id=workspace_id,
                conversation_id=conversation_id,
                kind=TimelineKind.ROUTED,
                details={"action": "unrouted", "queues_tried": len(queues)},
                reason="no_queue_matched",
            )
        return EntryOut.model_validate(entry) if entry else None
    now = clock.now()
    language = conversation.language or facts.get("language")
    if entry is None:
        entry = RoutingEntry(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            channel=conversation.channel.value,
            waiting_since=conversation.created_at,
            queued_at=now,
            state=EntryState.WAITING,
            excluded=[],
            transfers=0,
            reroutes=0,
            overflows=0,
        )
        session.add(entry)
        previous_queue = None
    elif entry.queue_id == match.queue_id:
        entry.language, entry.priority_rank = language, PRIORITY_RANK[conversation.priority]
        session.flush()
        return EntryOut.model_validate(entry)
    else:
        previous_queue = entry.queue_id
    entry.language = language
    entry.product_line = facts.get("product_line")
    entry.is_complaint = conversation.is_complaint
    entry.priority_rank = PRIORITY_RANK[conversation.priority]
    entry.vip_rank = vip_rank
    reason = QueueReason.NEW if previous_queue is None else QueueReason.REQUEUED
    _enqueue(session, entry, match.queue_id, match.rule_name, reason, previous_queue, now)
    dispatch_queue(session, workspace_id=workspace_id, queue_id=match.queue_id)
    return EntryOut.model_validate(entry)


def _facts(session: Session, conversation: ConversationOut) -> tuple[dict[str, Any], int]:
    """What queue rules can test, from the conversation, its latest customer message and its customer."""
    customer = customers.get_customer(
        session, workspace_id=conversation.workspace_id, customer_id=conversation.customer_id
    )
    last = conversations.list_last_customer_messages(
        session, workspace_id=conversation.workspace_id, conversation_ids=[conversation.id]
    ).get(conversation.id)
    product_line = conversation.custom_fields.get("product_line")
    facts: dict[str, Any] = {
        "language": conversation.language or (last.language if last else None) or customer.language,
        "market": customer.market,
        "channel": conversation.channel.value,
        "inbox_id": str(conversation.inbox_id) if conversation.inbox_id else None,
        "vip_tier": customer.vip_tier.value,
        "segment": list(customer.tags),
        "tag": list(conversation.tags),
        "intent": last.intent if last else None,
        "sentiment": last.sentiment.value if last and last.sentiment else None,
        "anger": last.anger if last else None,
        "priority": conversation.priority.value,
        "is_complaint": conversation.is_complaint,
        "product_line": str(product_line) if product_line is not None else None,
    }
    return facts, VIP_RANK[customer.vip_tier]


def _enqueue(
    session: Session,
    entry: RoutingEntry,
    queue_id: uuid.UUID,
    rule: str,
    reason: QueueReason,
    previous_queue: uuid.UUID | None,
    now: datetime,
) -> None:
    entry.queue_id, entry.rule, entry.state, entry.queued_at = queue_id, rule, EntryState.WAITING, now
    session.flush()
    queue = session.get(RoutingQueue, queue_id)
    conversations.record_decision(
        session,
        workspace_id=entry.workspace_id,
        conversation_id=entry.conversation_id,
        kind=TimelineKind.ROUTED,
        details={
            "action": "queued",
            "queue_id": str(queue_id),
            "queue": queue.name if queue else None,
            "rule": rule,
            "previous_queue_id": str(previous_queue) if previous_queue else None,
        },
        reason=reason.value,
    )
    publish(
        session,
        ConversationQueued(
            workspace_id=entry.workspace_id,
            conversation_id=entry.conversation_id,
            queue_id=queue_id,
            previous_queue_id=previous_queue,
            rule=rule,
            reason=reason,
        ),
    )


def _need(queue: RoutingQueue, entry: RoutingEntry) -> Need:
    vip = entry.vip_rank >= VIP_SKILL_FROM
    levels = list(Level)
    min_level = queue.min_level
    if vip and levels.index(Level(queue.vip_min_level)) > levels.index(Level(min_level)):
        min_level = queue.vip_min_level
    return Need(
        channel=entry.channel,
        language=entry.language if queue.require_language else None,
        min_proficiency=queue.min_proficiency,
        product_line=entry.product_line,
        complaint=entry.is_complaint,
        vip=vip,
        min_level=min_level,
    )


def _candidates(session: Session, agent_ids: list[uuid.UUID]) -> dict[uuid.UUID, Candidate]:
    if not agent_ids:
        return {}
    rows = session.scalars(select(RoutingProfile).where(RoutingProfile.agent_id.in_(agent_ids)))
    loads = _loads(session, agent_ids)
    return {
        r.agent_id: Candidate(
            agent_id=r.agent_id,
            presence=Presence(r.presence),
            level=r.level,
            languages=dict(r.languages),
            product_lines=frozenset(r.product_lines),
            channels=frozenset(r.channels),
            complaints=r.complaints,
            vip=r.vip,
            capacity=dict(r.capacity),
            load=loads.get(r.agent_id, {}),
            last_assigned_at=r.last_assigned_at,
        )
        for r in rows
    }


def _line(session: Session, queue_id: uuid.UUID, limit: int) -> list[RoutingEntry]:
    """Waiting conversations of a queue in service order: priority, VIP tier, then longest waiting."""
    return list(
        session.scalars(
            select(RoutingEntry)
            .where(RoutingEntry.queue_id == queue_id, RoutingEntry.state == EntryState.WAITING)
            .order_by(
                RoutingEntry.priority_rank.desc(),
                RoutingEntry.vip_rank.desc(),
                RoutingEntry.waiting_since,
                RoutingEntry.id,
            )
            .limit(limit)
        )
    )


def dispatch_queue(
    session: Session, *, workspace_id: uuid.UUID, queue_id: uuid.UUID, limit: int = DISPATCH_BATCH
) -> int:
    """Assign waiting conversations of a queue in service order while agents have capacity; how many."""
    queue = _queue_row(session, workspace_id, queue_id)
    if queue.strategy == Strategy.MANUAL or not queue.is_active:
        return 0
    line = _line(session, queue.id, limit)
    if not line:
        return 0
    members = _candidates(session, _members(session, queue.id))
    pool = CandidatePool(members.values())
    assigned = 0
    for entry in line:
        if not any(c.presence == Presence.ONLINE and c.free(entry.channel) > 0 for c in members.values()):
            break
        decision = pool.choose(
            Strategy(queue.strategy),
            _need(queue, entry),
            cursor=queue.last_agent_id,
            excluded=frozenset(uuid.UUID(a) for a in entry.excluded),
        )
        if decision.agent_id is None:
            continue
        _assign(session, queue, entry, decision)
        pool.book(decision.agent_id, entry.channel, clock.now())
        assigned += 1
    session.flush()
    return assigned


def _assign(session: Session, queue: RoutingQueue, entry: RoutingEntry, decision: Decision) -> None:
    now = clock.now()
    assert decision.agent_id is not None
    entry.state, entry.assignee_id, entry.assigned_at, entry.accepted_at = (
        EntryState.ASSIGNED,
        decision.agent_id,
        now,
        None,
    )
    if entry.first_assignee_id is None:
        entry.first_assignee_id, entry.first_queue_id, entry.first_strategy = (
            decision.agent_id,
            queue.id,
            queue.strategy,
        )
    queue.last_agent_id = decision.agent_id
    profile = session.get(RoutingProfile, decision.agent_id)
    if profile is not None:
        profile.last_assigned_at = now
    session.flush()
    conversations.record_decision(
        session,
        workspace_id=entry.workspace_id,
        conversation_id=entry.conversation_id,
        kind=TimelineKind.ROUTED,
        details={
            "action": "assigned",
            "queue_id": str(queue.id),
            "queue": queue.name,
            "rule": entry.rule,
            "waited_seconds": round((now - clock.as_utc(entry.waiting_since)).total_seconds(), 3),
            **decision.why(),
        },
        reason=decision.strategy.value,
    )
    conversations.assign_conversation(
        session,
        workspace_id=entry.workspace_id,
        conversation_id=entry.conversation_id,
        data=AssignIn(assignee_id=decision.agent_id),
        actor=SYSTEM,
    )


def _dispatch_for_agent(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    """Capacity of an agent may have freed: dispatch every queue they serve."""
    queue_ids = list(
        session.scalars(
            select(QueueMember.queue_id).where(
                QueueMember.agent_id == agent_id, QueueMember.workspace_id == workspace_id
            )
        )
    )
    for queue_id in sorted(queue_ids):
        dispatch_queue(session, workspace_id=workspace_id, queue_id=queue_id)


def pull_next(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, queue_id: uuid.UUID | None = None
) -> EntryOut:
    """An agent takes the first waiting conversation they can serve (manual queues; any queue they serve)."""
    profile = _profile_row(session, workspace_id, agent_id)
    member_of = set(session.scalars(select(QueueMember.queue_id).where(QueueMember.agent_id == agent_id)))
    if queue_id is not None:
        _queue_row(session, workspace_id, queue_id)
        if queue_id not in member_of:
            raise Conflict("the agent does not serve this queue", code="not_a_member")
        member_of = {queue_id}
    candidate = _candidates(session, [agent_id])[agent_id]
    if profile.presence != Presence.ONLINE:
        candidate.presence = Presence.ONLINE  # pulling is being available
    best: tuple[tuple[Any, ...], RoutingEntry, RoutingQueue, Decision] | None = None
    for qid in sorted(member_of):
        queue = _queue_row(session, workspace_id, qid)
        for entry in _line(session, qid, DISPATCH_BATCH):
            decision = choose_agent(
                Strategy.SKILLS_BEST_MATCH,
                _need(queue, entry),
                [candidate],
                excluded=frozenset(uuid.UUID(a) for a in entry.excluded),
            )
            if decision.agent_id is None:
                continue
            key = (-entry.priority_rank, -entry.vip_rank, clock.as_utc(entry.waiting_since), entry.id)
            if best is None or key < best[0]:
                best = (key, entry, queue, decision)
            break
    if best is None:
        raise Conflict("nothing is waiting that this agent can take", code="nothing_waiting")
    _, entry, queue, decision = best
    _assign(session, queue, entry, Decision(agent_id, Strategy.MANUAL, 1, [], {}))
    entry.accepted_at = clock.now()
    session.flush()
    return EntryOut.model_validate(entry)


def accept_conversation(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, agent_id: uuid.UUID
) -> EntryOut:
    """The assignee accepts an offered conversation (stops the queue's accept timer)."""
    entry = _entry_or_404(session, workspace_id, conversation_id)
    if entry.state != EntryState.ASSIGNED or entry.assignee_id != agent_id:
        raise Conflict("the conversation is not offered to this agent", code="not_offered")
    entry.accepted_at = entry.accepted_at or clock.now()
    session.flush()
    return EntryOut.model_validate(entry)


def record_reply(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, agent_id: uuid.UUID
) -> None:
    """An agent replied: the assignee's reply counts as accepting."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is not None and entry.assignee_id == agent_id and entry.accepted_at is None:
        entry.accepted_at = clock.now()
        session.flush()


def transfer_conversation(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    data: TransferIn,
    actor: Actor,
) -> EntryOut:
    """Hand a conversation to another agent or a queue with a reason; counted in the accuracy report."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    entry = _entry_row(session, workspace_id, conversation_id)
    now = clock.now()
    if entry is None:
        entry = _adopt(session, workspace_id, conversation_id, now)
    if entry.state == EntryState.DONE:
        raise Conflict("the conversation is resolved", code="conversation_resolved")
    from_agent, from_queue = entry.assignee_id, entry.queue_id
    if data.agent_id is not None:
        if data.agent_id == from_agent:
            raise Conflict("the conversation is already with this agent", code="same_assignee")
        profile = _profile_row(session, workspace_id, data.agent_id)
        if profile.presence == Presence.OFFLINE:
            raise Conflict("the agent is offline", code="agent_offline")
        entry.state, entry.assignee_id, entry.assigned_at, entry.accepted_at = (
            EntryState.ASSIGNED,
            data.agent_id,
            now,
            None,
        )
        if entry.first_assignee_id is None:
            entry.first_assignee_id = data.agent_id
        profile.last_assigned_at = now
        conversations.assign_conversation(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            data=AssignIn(assignee_id=data.agent_id),
            actor=actor,
        )
    else:
        assert data.queue_id is not None
        _queue_row(session, workspace_id, data.queue_id)
        entry.assignee_id, entry.assigned_at, entry.accepted_at = None, None, None
        if from_agent is not None:
            conversations.assign_conversation(
                session,
                workspace_id=workspace_id,
                conversation_id=conversation_id,
                data=AssignIn(assignee_id=None),
                actor=actor,
            )
    if from_agent is not None:
        entry.transfers += 1
    session.add(
        RoutingTransfer(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            from_agent_id=from_agent,
            to_agent_id=data.agent_id,
            from_queue_id=from_queue,
            to_queue_id=data.queue_id,
            reason=data.reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    conversations.record_decision(
        session,
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        kind=TimelineKind.ROUTED,
        details={
            "action": "transferred",
            "from_agent_id": str(from_agent) if from_agent else None,
            "to_agent_id": str(data.agent_id) if data.agent_id else None,
            "to_queue_id": str(data.queue_id) if data.queue_id else None,
            "note": data.reason,
        },
        reason="transfer",
        actor=actor,
    )
    publish(
        session,
        ConversationTransferred(
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            from_agent_id=from_agent,
            to_agent_id=data.agent_id,
            from_queue_id=from_queue,
            to_queue_id=data.queue_id,
            reason=data.reason,
            actor_id=actor.id,
        ),
    )
    if data.queue_id is not None:
        _enqueue(session, entry, data.queue_id, "transfer", QueueReason.TRANSFER, from_queue, now)
        dispatch_queue(session, workspace_id=workspace_id, queue_id=data.queue_id)
    if from_agent is not None:
        _dispatch_for_agent(session, workspace_id, from_agent)
    session.flush()
    return EntryOut.model_validate(entry)


def _adopt(
    session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID, now: datetime
) -> RoutingEntry:
    """An entry for a conversation that was assigned by hand, outside any queue."""
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    entry = RoutingEntry(
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        channel=conversation.channel.value,
        language=conversation.language,
        is_complaint=conversation.is_complaint,
        priority_rank=PRIORITY_RANK[conversation.priority],
        vip_rank=0,
        waiting_since=conversation.created_at,
        queued_at=now,
        excluded=[],
        transfers=0,
        reroutes=0,
        overflows=0,
        state=EntryState.ASSIGNED if conversation.assignee_id else EntryState.WAITING,
        assignee_id=conversation.assignee_id,
        assigned_at=now if conversation.assignee_id else None,
        first_assignee_id=conversation.assignee_id,
        first_strategy="direct" if conversation.assignee_id else None,
    )
    session.add(entry)
    session.flush()
    return entry


def reroute_conversation(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, reason: QueueReason, note: str
) -> bool:
    """Offer an assigned conversation to another agent of its queue; False if it is not assigned."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is None or entry.state != EntryState.ASSIGNED or entry.queue_id is None:
        return False
    _requeue(session, entry, reason, note)
    return True


def _requeue(session: Session, entry: RoutingEntry, reason: QueueReason, note: str) -> None:
    """Back to the line of its queue, the previous agent left out; then dispatch."""
    previous = entry.assignee_id
    now = clock.now()
    if previous is not None and str(previous) not in entry.excluded:
        entry.excluded = [*entry.excluded, str(previous)]
    entry.assignee_id, entry.assigned_at, entry.accepted_at = None, None, None
    entry.reroutes += 1
    assert entry.queue_id is not None
    conversations.assign_conversation(
        session,
        workspace_id=entry.workspace_id,
        conversation_id=entry.conversation_id,
        data=AssignIn(assignee_id=None),
        actor=SYSTEM,
    )
    queue = session.get(RoutingQueue, entry.queue_id)
    conversations.record_decision(
        session,
        workspace_id=entry.workspace_id,
        conversation_id=entry.conversation_id,
        kind=TimelineKind.ROUTED,
        details={
            "action": "rerouted",
            "from_agent_id": str(previous) if previous else None,
            "why": note,
            "queue_id": str(entry.queue_id),
            "queue": queue.name if queue else None,
        },
        reason=reason.value,
    )
    _enqueue(session, entry, entry.queue_id, entry.rule, reason, entry.queue_id, now)
    dispatch_queue(session, workspace_id=entry.workspace_id, queue_id=entry.queue_id)


def _reroute_agent(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID, note: str) -> int:
    entries = list(
        session.scalars(
            select(RoutingEntry)
            .where(
                RoutingEntry.workspace_id == workspace_id,
                RoutingEntry.assignee_id == agent_id,
                RoutingEntry.state == EntryState.ASSIGNED,
                RoutingEntry.queue_id.is_not(None),
            )
            .order_by(RoutingEntry.waiting_since, RoutingEntry.id)
        )
    )
    for entry in entries:
        _requeue(session, entry, QueueReason.REROUTE, note)
    return len(entries)


def record_assignment(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    previous_assignee_id: uuid.UUID | None,
) -> None:
    """An assignment made outside routing is followed (a change of agent counts as a transfer)."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is None or entry.assignee_id == assignee_id or entry.state == EntryState.DONE:
        return
    current = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    if current.assignee_id != assignee_id:
        return  # a stale event: a later assignment (routing's own, say) is already in place
    now = clock.now()
    if assignee_id is None:
        entry.assignee_id, entry.assigned_at, entry.state = None, None, EntryState.WAITING
        entry.queued_at = now
    else:
        if previous_assignee_id is not None:
            entry.transfers += 1
        entry.state, entry.assignee_id, entry.assigned_at, entry.accepted_at = (
            EntryState.ASSIGNED,
            assignee_id,
            now,
            now,
        )
        if entry.first_assignee_id is None:
            entry.first_assignee_id, entry.first_queue_id = assignee_id, entry.queue_id
            entry.first_strategy = "direct"
    session.flush()
    if previous_assignee_id is not None:
        _dispatch_for_agent(session, workspace_id, previous_assignee_id)


def record_priority(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, priority: Priority
) -> None:
    """The priority changed: the waiting conversation moves in its line."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is not None:
        entry.priority_rank = PRIORITY_RANK[priority]
        session.flush()
        if entry.state == EntryState.WAITING and entry.queue_id is not None:
            dispatch_queue(session, workspace_id=workspace_id, queue_id=entry.queue_id)


def record_resolution(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, at: datetime
) -> None:
    """The conversation was resolved: its agent's capacity frees and their queues are dispatched."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is None or entry.state == EntryState.DONE:
        return
    agent = entry.assignee_id
    entry.state, entry.resolved_at, entry.resolved_by_id = EntryState.DONE, at, agent
    session.flush()
    if agent is not None:
        _dispatch_for_agent(session, workspace_id, agent)


def record_reopen(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """A resolved conversation reopened: back with its agent, or in its queue's line."""
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is None or entry.state != EntryState.DONE:
        return
    entry.resolved_at = entry.resolved_by_id = None
    if entry.assignee_id is not None:
        entry.state = EntryState.ASSIGNED
    else:
        entry.state, entry.queued_at = EntryState.WAITING, clock.now()
    session.flush()
    if entry.state == EntryState.WAITING and entry.queue_id is not None:
        dispatch_queue(session, workspace_id=workspace_id, queue_id=entry.queue_id)


def get_entry(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> EntryOut:
    """A conversation's routing state (404 `not_routed` when routing never saw it)."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    return EntryOut.model_validate(_entry_or_404(session, workspace_id, conversation_id))


def _entry_row(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> RoutingEntry | None:
    return session.scalar(
        select(RoutingEntry).where(
            RoutingEntry.workspace_id == workspace_id, RoutingEntry.conversation_id == conversation_id
        )
    )


def _entry_or_404(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> RoutingEntry:
    entry = _entry_row(session, workspace_id, conversation_id)
    if entry is None:
        raise NotFound("routing has not handled this conversation", code="not_routed")
    return entry


# --- the sweep ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What one routing sweep did."""

    auto_away: int
    accept_timeouts: int
    overflows: int
    assigned: int


def sweep(session: Session, *, workspace_id: uuid.UUID) -> SweepResult:
    """Auto-away quiet agents, re-route unaccepted offers, overflow long waits, dispatch every queue."""
    now = clock.now()
    quiet_seconds = get_settings(session, workspace_id=workspace_id).auto_away_seconds
    quiet = (
        []
        if quiet_seconds is None
        else list(
            session.scalars(
                select(RoutingProfile.agent_id).where(
                    RoutingProfile.workspace_id == workspace_id,
                    RoutingProfile.presence == Presence.ONLINE,
                    RoutingProfile.last_seen_at <= now - timedelta(seconds=quiet_seconds),
                )
            )
        )
    )
    for agent_id in quiet:
        set_presence(
            session, workspace_id=workspace_id, agent_id=agent_id, presence=Presence.AWAY, automatic=True
        )
    queues = {
        q.id: q
        for q in session.scalars(
            select(RoutingQueue).where(
                RoutingQueue.workspace_id == workspace_id, RoutingQueue.is_active.is_(True)
            )
        )
    }
    timeouts = 0
    for queue in queues.values():
        if queue.accept_timeout_seconds is None:
            continue
        stale = list(
            session.scalars(
                select(RoutingEntry).where(
                    RoutingEntry.queue_id == queue.id,
                    RoutingEntry.state == EntryState.ASSIGNED,
                    RoutingEntry.accepted_at.is_(None),
                    RoutingEntry.assigned_at <= now - timedelta(seconds=queue.accept_timeout_seconds),
                )
            )
        )
        for entry in stale:
            _requeue(session, entry, QueueReason.REROUTE, "not_accepted_in_time")
            timeouts += 1
    overflows = 0
    for queue in queues.values():
        if queue.overflow_queue_id is None or queue.overflow_after_seconds is None:
            continue
        waited = list(
            session.scalars(
                select(RoutingEntry).where(
                    RoutingEntry.queue_id == queue.id,
                    RoutingEntry.state == EntryState.WAITING,
                    RoutingEntry.queued_at <= now - timedelta(seconds=queue.overflow_after_seconds),
                )
            )
        )
        for entry in waited:
            entry.overflows += 1
            _enqueue(session, entry, queue.overflow_queue_id, entry.rule, QueueReason.OVERFLOW, queue.id, now)
            overflows += 1
    assigned = sum(dispatch_queue(session, workspace_id=workspace_id, queue_id=qid) for qid in sorted(queues))
    session.flush()
    return SweepResult(len(quiet), timeouts, overflows, assigned)


def workspaces_to_sweep(session: Session) -> list[uuid.UUID]:
    """Workspaces with a routing queue (the periodic sweep visits each in its own transaction)."""
    return list(session.scalars(select(RoutingQueue.workspace_id).distinct()))


# --- the report --------------------------------------------------------------------------------


def routing_report(
    session: Session, *, workspace_id: uuid.UUID, since: datetime | None = None, until: datetime | None = None
) -> ReportOut:
    """Share resolved by the first assignee without transfer, by queue and strategy, over a period."""
    query = select(RoutingEntry).where(
        RoutingEntry.workspace_id == workspace_id, RoutingEntry.state == EntryState.DONE
    )
    if since is not None:
        query = query.where(RoutingEntry.resolved_at >= since)
    if until is not None:
        query = query.where(RoutingEntry.resolved_at < until)
    names = dict(
        session.execute(
            select(RoutingQueue.id, RoutingQueue.name).where(RoutingQueue.workspace_id == workspace_id)
        )
        .tuples()
        .all()
    )
    groups: dict[tuple[uuid.UUID | None, str | None], list[int]] = {}
    for entry in session.scalars(query):
        counts = groups.setdefault((entry.first_queue_id, entry.first_strategy), [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += int(
            entry.transfers == 0
            and entry.first_assignee_id is not None
            and entry.resolved_by_id == entry.first_assignee_id
        )
        counts[2] += entry.transfers
        counts[3] += entry.reroutes
        counts[4] += entry.overflows
    rows = [
        ReportRow(
            queue_id=queue_id,
            queue_name=names.get(queue_id) if queue_id else None,
            strategy=strategy,
            resolved=c[0],
            resolved_by_first_assignee=c[1],
            accuracy=_share(c[1], c[0]),
            transfers=c[2],
            reroutes=c[3],
            overflows=c[4],
        )
        for (queue_id, strategy), c in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))
    ]
    total, first = sum(r.resolved for r in rows), sum(r.resolved_by_first_assignee for r in rows)
    return ReportOut(
        since=since,
        until=until,
        resolved=total,
        resolved_by_first_assignee=first,
        accuracy=_share(first, total),
        rows=rows,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
