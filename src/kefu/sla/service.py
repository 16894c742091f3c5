"""Write path and reads of the sla domain: calendars, policies, applied SLAs and the breach sweep."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.conversations import service as conversations
from kefu.conversations.enums import Channel, ConversationStatus, Priority, TimelineKind
from kefu.conversations.schemas import SYSTEM, ConversationOut
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound
from kefu.customers import service as customers
from kefu.db.outbox import publish_many
from kefu.db.scoped import get_scoped
from kefu.sla.calendar import BusinessCalendar
from kefu.sla.enums import (
    ConditionField,
    ConditionOp,
    EscalationAction,
    EscalationTrigger,
    Market,
    Metric,
    TargetState,
)
from kefu.sla.events import SlaEscalated
from kefu.sla.models import ConversationSla, SlaCalendar, SlaPolicy, SlaTarget
from kefu.sla.schemas import (
    AppliedTargetOut,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    ConversationSlaOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
)
from kefu.sla.sweep import SweepResult, sweep_batch

UNFINISHED = (TargetState.ACTIVE, TargetState.PAUSED)
CUSTOMER_FIELDS = {ConditionField.VIP_TIER, ConditionField.MARKET}
SWEEP_BATCH = 5000


# --- calendars ---------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def market_holidays(market: Market) -> tuple[dict[str, str], ...]:
    """The public holidays shipped for a market (`sla/holidays/<market>.json`)."""
    text = resources.files("kefu.sla").joinpath("holidays", f"{market.value.lower()}.json").read_text("utf-8")
    return tuple(json.loads(text)["holidays"])


def create_calendar(session: Session, *, workspace_id: uuid.UUID, data: CalendarIn) -> CalendarOut:
    """Create a business calendar (copying the market's shipped holidays when none are given)."""
    if data.holidays is not None:
        holidays = [h.model_dump(mode="json") for h in data.holidays]
    else:
        holidays = list(market_holidays(data.market)) if data.market else []
    row = SlaCalendar(
        workspace_id=workspace_id,
        name=data.name,
        timezone=data.timezone,
        market=data.market.value if data.market else None,
        hours=data.hours,
        holidays=_sorted(holidays),
    )
    session.add(row)
    session.flush()
    return CalendarOut.model_validate(row)


def list_calendars(session: Session, *, workspace_id: uuid.UUID) -> list[CalendarOut]:
    """Calendars of the workspace, oldest first."""
    rows = session.scalars(
        select(SlaCalendar).where(SlaCalendar.workspace_id == workspace_id).order_by(SlaCalendar.id)
    )
    return [CalendarOut.model_validate(r) for r in rows]


def get_calendar(session: Session, *, workspace_id: uuid.UUID, calendar_id: uuid.UUID) -> CalendarOut:
    """One calendar of the workspace or NotFound."""
    return CalendarOut.model_validate(_calendar_row(session, workspace_id, calendar_id))


def update_calendar(
    session: Session, *, workspace_id: uuid.UUID, calendar_id: uuid.UUID, data: CalendarPatch
) -> CalendarOut:
    """Change a calendar's name, zone, hours or holidays; deadlines already set stay as computed."""
    row = _calendar_row(session, workspace_id, calendar_id)
    for key in data.model_fields_set:
        value = getattr(data, key)
        if value is None:
            continue
        if key == "holidays":
            value = _sorted([h.model_dump(mode="json") for h in data.holidays or []])
        setattr(row, key, value)
    session.flush()
    return CalendarOut.model_validate(row)


def delete_calendar(session: Session, *, workspace_id: uuid.UUID, calendar_id: uuid.UUID) -> None:
    """Delete a calendar no policy uses (409 `calendar_in_use` otherwise)."""
    row = _calendar_row(session, workspace_id, calendar_id)
    used = session.scalar(
        select(SlaPolicy.id)
        .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.calendar_id == row.id)
        .limit(1)
    )
    if used is not None:
        raise Conflict(
            "a policy uses this calendar", code="calendar_in_use", details={"policy_id": str(used)}
        )
    session.delete(row)
    session.flush()


def business_calendar(row: SlaCalendar) -> BusinessCalendar:
    """The arithmetic calendar of a stored calendar."""
    return _built(
        row.id,
        row.updated_at,
        row.timezone,
        json.dumps(row.hours, sort_keys=True),
        tuple(h["date"] for h in row.holidays),
    )


def business_deadline(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    calendar_id: uuid.UUID | None,
    start: datetime,
    seconds: float,
) -> datetime:
    """The moment `seconds` of working time after `start` on a calendar (wall-clock time without one)."""
    if calendar_id is None:
        return clock.as_utc(start) + timedelta(seconds=seconds)
    calendar = business_calendar(_calendar_row(session, workspace_id, calendar_id))
    return calendar.add_business_seconds(start, seconds)


@lru_cache(maxsize=256)
def _built(
    _id: uuid.UUID, _version: datetime, timezone: str, hours: str, holidays: tuple[str, ...]
) -> BusinessCalendar:
    return BusinessCalendar.from_hours(timezone, json.loads(hours), [date.fromisoformat(d) for d in holidays])


def _calendar_row(session: Session, workspace_id: uuid.UUID, calendar_id: uuid.UUID) -> SlaCalendar:
    return get_scoped(session, SlaCalendar, calendar_id, workspace_id=workspace_id, what="calendar")


def _sorted(holidays: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted({h["date"]: h for h in holidays}.values(), key=lambda h: h["date"])


# --- policies ----------------------------------------------------------------------------------


def create_policy(session: Session, *, workspace_id: uuid.UUID, data: PolicyIn) -> PolicyOut:
    """Create an SLA policy; it applies to conversations opened from now on."""
    if data.calendar_id is not None:
        _calendar_row(session, workspace_id, data.calendar_id)
    row = SlaPolicy(workspace_id=workspace_id, **data.model_dump(mode="json"))
    row.calendar_id = data.calendar_id
    session.add(row)
    session.flush()
    return PolicyOut.model_validate(row)


def list_policies(session: Session, *, workspace_id: uuid.UUID) -> list[PolicyOut]:
    """Policies of the workspace in the order they are tried."""
    return [PolicyOut.model_validate(r) for r in _policies(session, workspace_id, active_only=False)]


def get_policy(session: Session, *, workspace_id: uuid.UUID, policy_id: uuid.UUID) -> PolicyOut:
    """One policy of the workspace or NotFound."""
    return PolicyOut.model_validate(_policy_row(session, workspace_id, policy_id))


def update_policy(
    session: Session, *, workspace_id: uuid.UUID, policy_id: uuid.UUID, data: PolicyPatch
) -> PolicyOut:
    """Change a policy; applied SLAs are recomputed on their conversation's next priority or status change."""
    row = _policy_row(session, workspace_id, policy_id)
    given = data.model_dump(mode="json", include=data.model_fields_set)
    if "calendar_id" in given:
        if data.calendar_id is not None:
            _calendar_row(session, workspace_id, data.calendar_id)
        row.calendar_id = data.calendar_id
        del given["calendar_id"]
    checked = PolicyIn.model_validate(
        {
            **PolicyOut.model_validate(row).model_dump(
                mode="json", include=set(PolicyIn.model_fields) - {"calendar_id"}
            ),
            **given,
        }
    )
    for key, value in given.items():
        if value is not None:
            setattr(row, key, checked.model_dump(mode="json")[key])
    session.flush()
    return PolicyOut.model_validate(row)


def delete_policy(session: Session, *, workspace_id: uuid.UUID, policy_id: uuid.UUID) -> None:
    """Delete a policy; SLAs already applied keep their deadlines (their policy id becomes null)."""
    session.delete(_policy_row(session, workspace_id, policy_id))
    session.flush()


def _policy_row(session: Session, workspace_id: uuid.UUID, policy_id: uuid.UUID) -> SlaPolicy:
    return get_scoped(session, SlaPolicy, policy_id, workspace_id=workspace_id, what="SLA policy")


def _policies(session: Session, workspace_id: uuid.UUID, *, active_only: bool = True) -> list[SlaPolicy]:
    query = select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id)
    if active_only:
        query = query.where(SlaPolicy.is_active.is_(True))
    return list(session.scalars(query.order_by(SlaPolicy.position, SlaPolicy.id)))


def condition_holds(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether one policy condition holds for a conversation's facts (tags: any of them)."""
    field, op, value = ConditionField(condition["field"]), ConditionOp(condition["op"]), condition["value"]
    have = facts.get(field.value)
    haves = {str(h).lower() for h in have} if isinstance(have, list) else {str(have).lower()}
    wanted = {str(v).lower() for v in value} if isinstance(value, list) else {str(value).lower()}
    hit = bool(haves & wanted)
    return hit if op in {ConditionOp.EQ, ConditionOp.IN} else not hit


def select_policy(policies: list[SlaPolicy], facts: dict[str, Any]) -> SlaPolicy | None:
    """The first policy (by position) whose conditions all hold."""
    for policy in policies:
        if all(condition_holds(c, facts) for c in policy.conditions):
            return policy
    return None


def _facts(session: Session, conversation: ConversationOut, policies: list[SlaPolicy]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "channel": conversation.channel.value,
        "priority": conversation.priority.value,
        "inbox_id": str(conversation.inbox_id) if conversation.inbox_id else None,
        "language": conversation.language,
        "tag": list(conversation.tags),
        "is_complaint": conversation.is_complaint,
    }
    if any(c["field"] in CUSTOMER_FIELDS for p in policies for c in p.conditions):
        customer = customers.get_customer(
            session, workspace_id=conversation.workspace_id, customer_id=conversation.customer_id
        )
        facts["vip_tier"], facts["market"] = customer.vip_tier.value, customer.market
    return facts


# --- applied SLAs ------------------------------------------------------------------------------


@dataclass
class _Applied:
    """An applied SLA with its policy and calendar, loaded for one change."""

    sla: ConversationSla
    policy: SlaPolicy | None
    calendar: BusinessCalendar | None
    targets: list[SlaTarget]

    def current(self, metric: Metric) -> SlaTarget | None:
        """The latest cycle of a metric."""
        rows = [t for t in self.targets if t.metric == metric]
        return max(rows, key=lambda t: t.cycle) if rows else None


def apply_sla(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    """Apply the first matching policy to a conversation and start its targets; False if already applied."""
    if _sla_row(session, workspace_id, conversation_id) is not None:
        return False
    _apply(session, workspace_id, conversation_id)
    return True


def _loaded(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> _Applied:
    """The applied SLA, applying it first when this event arrived before `conversation.opened` was handled."""
    return _applied(session, workspace_id, conversation_id) or _apply(session, workspace_id, conversation_id)


def record_customer_message(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, at: datetime
) -> None:
    """A customer wrote: after an agent reply, a new next-response cycle starts."""
    applied = _loaded(session, workspace_id, conversation_id)
    if applied.sla.closed_at is not None:
        return
    waiting = applied.current(Metric.NEXT_RESPONSE)
    replied = applied.sla.last_reply_at is not None and applied.sla.last_reply_at <= at
    if replied and (waiting is None or waiting.state not in UNFINISHED):
        _start(session, applied, Metric.NEXT_RESPONSE, at, (waiting.cycle + 1) if waiting else 1)
    session.flush()


def record_agent_reply(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, at: datetime
) -> None:
    """An agent replied: first and next response are met, the periodic-update clock restarts."""
    applied = _loaded(session, workspace_id, conversation_id)
    if applied.sla.closed_at is not None:
        return
    applied.sla.last_reply_at = max(applied.sla.last_reply_at or at, at)
    for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.PERIODIC_UPDATE):
        target = applied.current(metric)
        if target is not None and target.state in UNFINISHED and target.started_at <= at:
            _finish(target, TargetState.MET, at)
    update_target = applied.current(Metric.PERIODIC_UPDATE)
    if update_target is None or update_target.met_at == at:
        _start(
            session, applied, Metric.PERIODIC_UPDATE, at, (update_target.cycle + 1) if update_target else 1
        )
    session.flush()


def change_priority(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """The priority changed: choose the policy again and recompute every unfinished deadline."""
    applied = _loaded(session, workspace_id, conversation_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    policies = _policies(session, workspace_id)
    policy = select_policy(policies, _facts(session, conversation, policies))
    applied.sla.priority, applied.sla.policy_id = conversation.priority, policy.id if policy else None
    applied.policy, applied.calendar = policy, _policy_calendar(session, policy)
    for target in applied.targets:
        if target.state not in UNFINISHED:
            continue
        spec = _spec(policy, target.metric, applied.sla.priority, applied.sla.channel)
        if spec is None:
            _finish(target, TargetState.CANCELLED, None)
            continue
        target.target_seconds, target.business_hours = spec["seconds"], spec["business_hours"]
        _schedule(target, applied)
    session.flush()


def change_status(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    status: ConversationStatus,
    at: datetime,
) -> None:
    """Pause on the policy's pause statuses (hold time accumulated on resume); reopen restarts resolution."""
    applied = _loaded(session, workspace_id, conversation_id)
    sla = applied.sla
    if status in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED):
        _close(applied, at)
    elif sla.closed_at is not None:
        sla.closed_at = None
        previous = applied.current(Metric.RESOLUTION)
        _start(session, applied, Metric.RESOLUTION, at, (previous.cycle + 1) if previous else 1)
    pauses = applied.policy is not None and status.value in applied.policy.pause_statuses
    if pauses and sla.paused_since is None and sla.closed_at is None:
        sla.paused_since = at
        for target in applied.targets:
            if target.state == TargetState.ACTIVE:
                target.state, target.check_at = TargetState.PAUSED, None
    elif not pauses and sla.paused_since is not None:
        for target in applied.targets:
            if target.state == TargetState.PAUSED:
                held_from = max(sla.paused_since, target.started_at)
                target.paused_seconds += _measure(applied, target, held_from, at)
                target.state = TargetState.ACTIVE
                _schedule(target, applied)
        sla.paused_since = None
    session.flush()


def resolve(session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, at: datetime) -> None:
    """The conversation was resolved: resolution is met, every other running target stops."""
    applied = _loaded(session, workspace_id, conversation_id)
    if applied.sla.closed_at is None:
        _close(applied, at)
    session.flush()


def get_conversation_sla(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationSlaOut:
    """The applied SLA of a conversation of the workspace (404 `sla_not_applied` before it is applied)."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    applied = _applied(session, workspace_id, conversation_id)
    if applied is None:
        raise NotFound("no SLA has been applied to this conversation yet", code="sla_not_applied")
    sla = applied.sla
    return ConversationSlaOut(
        conversation_id=conversation_id,
        policy_id=sla.policy_id,
        policy_name=applied.policy.name if applied.policy else None,
        priority=sla.priority,
        channel=sla.channel,
        paused_since=sla.paused_since,
        applied_at=sla.applied_at,
        targets=[
            AppliedTargetOut.model_validate(t)
            for t in sorted(applied.targets, key=lambda t: (list(Metric).index(t.metric), t.cycle))
        ],
    )


def _apply(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> _Applied:
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    policies = _policies(session, workspace_id)
    policy = select_policy(policies, _facts(session, conversation, policies))
    now = clock.now()
    sla = ConversationSla(
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        policy_id=policy.id if policy else None,
        priority=conversation.priority,
        channel=conversation.channel,
        applied_at=now,
    )
    session.add(sla)
    session.flush()
    applied = _Applied(sla, policy, _policy_calendar(session, policy), [])
    sla.last_reply_at = conversation.first_response_at
    _start(session, applied, Metric.FIRST_RESPONSE, conversation.created_at, 1)
    _start(session, applied, Metric.RESOLUTION, conversation.created_at, 1)
    first = applied.current(Metric.FIRST_RESPONSE)
    if first is not None and conversation.first_response_at is not None:
        _finish(first, TargetState.MET, conversation.first_response_at)
    if conversation.status in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED):
        _close(applied, conversation.resolved_at or now)
        return applied
    if policy is not None and conversation.status.value in policy.pause_statuses:
        sla.paused_since = now
        for target in applied.targets:
            target.state, target.check_at = TargetState.PAUSED, None
    session.flush()
    return applied


def _applied(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> _Applied | None:
    sla = _sla_row(session, workspace_id, conversation_id)
    if sla is None:
        return None
    policy = session.get(SlaPolicy, sla.policy_id) if sla.policy_id else None
    targets = list(session.scalars(select(SlaTarget).where(SlaTarget.conversation_sla_id == sla.id)))
    return _Applied(sla, policy, _policy_calendar(session, policy), targets)


def _sla_row(session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID) -> ConversationSla | None:
    return session.scalar(
        select(ConversationSla).where(
            ConversationSla.workspace_id == workspace_id, ConversationSla.conversation_id == conversation_id
        )
    )


def _policy_calendar(session: Session, policy: SlaPolicy | None) -> BusinessCalendar | None:
    if policy is None or policy.calendar_id is None:
        return None
    row = session.get(SlaCalendar, policy.calendar_id)
    return business_calendar(row) if row is not None else None


def _spec(
    policy: SlaPolicy | None, metric: Metric, priority: Priority, channel: Channel
) -> dict[str, Any] | None:
    """The most specific target of a metric: channel and priority, channel, priority, neither."""
    if policy is None:
        return None
    best: tuple[int, dict[str, Any]] | None = None
    for target in policy.targets:
        if target["metric"] != str(metric) or target.get("priority") not in (None, str(priority)):
            continue
        if target.get("channel") not in (None, str(channel)):
            continue
        rank = 2 * (target.get("channel") is not None) + (target.get("priority") is not None)
        if best is None or rank > best[0]:
            best = (rank, target)
    return best[1] if best else None


def _start(session: Session, applied: _Applied, metric: Metric, at: datetime, cycle: int) -> None:
    spec = _spec(applied.policy, metric, applied.sla.priority, applied.sla.channel)
    if spec is None:
        return
    target = SlaTarget(
        workspace_id=applied.sla.workspace_id,
        conversation_sla_id=applied.sla.id,
        conversation_id=applied.sla.conversation_id,
        metric=metric,
        cycle=cycle,
        target_seconds=spec["seconds"],
        business_hours=spec["business_hours"],
        state=TargetState.PAUSED if applied.sla.paused_since else TargetState.ACTIVE,
        started_at=at,
        paused_seconds=0.0,
    )
    _schedule(target, applied)
    session.add(target)
    applied.targets.append(target)


def _schedule(target: SlaTarget, applied: _Applied) -> None:
    """Deadline and warning time of a target from its start, length, hold time and calendar."""
    percent = applied.policy.warning_percent if applied.policy else 80
    warn_seconds = round(target.target_seconds * percent / 100)
    calendar = applied.calendar if target.business_hours else None
    if calendar is not None:
        target.due_at = calendar.add_business_seconds(
            target.started_at, target.target_seconds + target.paused_seconds
        )
        target.warn_at = calendar.add_business_seconds(
            target.started_at, warn_seconds + target.paused_seconds
        )
    else:
        target.due_at = target.started_at + timedelta(seconds=target.target_seconds + target.paused_seconds)
        target.warn_at = target.started_at + timedelta(seconds=warn_seconds + target.paused_seconds)
    target.check_at = _next_check(target)


def _next_check(target: SlaTarget) -> datetime | None:
    if target.state != TargetState.ACTIVE:
        return None
    if target.warned_at is None:
        return target.warn_at
    return target.due_at if target.breached_at is None else None


def _measure(applied: _Applied, target: SlaTarget, start: datetime, end: datetime) -> float:
    calendar = applied.calendar if target.business_hours else None
    if calendar is not None:
        return calendar.business_seconds_between(start, end)
    return max((end - start).total_seconds(), 0.0)


def _finish(target: SlaTarget, state: TargetState, at: datetime | None) -> None:
    target.state, target.check_at = state, None
    if state == TargetState.MET:
        target.met_at = at


def _close(applied: _Applied, at: datetime) -> None:
    for target in applied.targets:
        if target.state in UNFINISHED:
            _finish(
                target, TargetState.MET if target.metric == Metric.RESOLUTION else TargetState.CANCELLED, at
            )
    applied.sla.closed_at, applied.sla.paused_since = at, None


# --- escalations ------------------------------------------------------------------------------


def escalate(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID,
    target_id: uuid.UUID,
    policy_id: uuid.UUID | None,
    metric: Metric,
    cycle: int,
    due_at: datetime,
    trigger: EscalationTrigger,
) -> int:
    """Run the policy's escalation levels for a raised warning or breach; how many actions fired.

    Levels fire in order, each action once: notifications name their recipients in `sla.escalated`,
    `raise_priority` moves the conversation one step up, `reassign` is carried out by routing.
    """
    policy = session.get(SlaPolicy, policy_id) if policy_id else None
    if policy is None or policy.workspace_id != workspace_id or not policy.escalations:
        return 0
    levels = sorted(
        (e for e in policy.escalations if e["on"] == trigger and e.get("metric") in (None, str(metric))),
        key=lambda e: e["level"],
    )
    if not levels:
        return 0
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    events: list[SlaEscalated] = []
    for escalation in levels:
        for name in escalation["actions"]:
            action = EscalationAction(name)
            if action == EscalationAction.RAISE_PRIORITY:
                _raise_priority(session, conversation)
            events.append(
                SlaEscalated(
                    workspace_id=workspace_id, conversation_id=conversation_id, target_id=target_id,
                    policy_id=policy.id, metric=metric, cycle=cycle, due_at=due_at, trigger=trigger,
                    level=escalation["level"], action=action,
                    recipient_ids=_recipients(session, conversation, action),
                )
            )
    conversations.record_decision(
        session,
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        kind=TimelineKind.ESCALATED,
        details={
            "metric": str(metric),
            "trigger": str(trigger),
            "policy_id": str(policy.id),
            "levels": [
                {"level": e.level, "action": str(e.action), "recipient_ids": _ids(e.recipient_ids)}
                for e in events
            ],
        },
        reason=f"sla_{trigger}",
    )
    publish_many(session, events)
    session.flush()
    return len(events)


def _ids(values: list[uuid.UUID]) -> list[str]:
    return [str(v) for v in values]


def _raise_priority(session: Session, conversation: ConversationOut) -> None:
    order = list(Priority)
    current = conversations.get_conversation(
        session, workspace_id=conversation.workspace_id, conversation_id=conversation.id
    ).priority
    if order.index(current) < len(order) - 1:
        conversations.set_priority(
            session, workspace_id=conversation.workspace_id, conversation_id=conversation.id,
            priority=order[order.index(current) + 1], actor=SYSTEM,
        )


def _recipients(session: Session, conversation: ConversationOut, action: EscalationAction) -> list[uuid.UUID]:
    """Whom a notify action addresses: the assignee, the team's supervisors (else all), the admins."""
    ws = conversation.workspace_id
    if action == EscalationAction.NOTIFY_ASSIGNEE:
        return [conversation.assignee_id] if conversation.assignee_id else []
    if action == EscalationAction.NOTIFY_TEAM_LEAD:
        if conversation.team_id is not None:
            members = accounts.list_agent_ids_of_team(session, workspace_id=ws, team_id=conversation.team_id)
            leads = [
                a for a in members
                if accounts.get_agent(session, workspace_id=ws, agent_id=a).role == Role.SUPERVISOR
            ]
            if leads:
                return leads
        return _with_role(session, ws, Role.SUPERVISOR)
    if action == EscalationAction.NOTIFY_MANAGER:
        return _with_role(session, ws, Role.ADMIN)
    return []


def _with_role(session: Session, workspace_id: uuid.UUID, role: Role) -> list[uuid.UUID]:
    page = accounts.list_agents(session, workspace_id=workspace_id, role=role, active=True, limit=200)
    return sorted(a.id for a in page.items)


# --- the sweep ---------------------------------------------------------------------------------


def sweep_due(session: Session, *, limit: int = SWEEP_BATCH) -> SweepResult:
    """Raise `sla.warning` and `sla.breached` for targets whose time has come, each once (any workspace).

    Set-based (`sla.sweep`): rows are leased with `SKIP LOCKED` on PostgreSQL, so concurrent sweeps
    share the work.
    """
    return sweep_batch(session, now=clock.now(), limit=limit)
