"""Write path and reads of automation rules: CRUD, evaluation on events and on time, dry run, loop protection.

`evaluate(rules, facts)` (re-exported from `engine`) is the pure matcher; `compile_rules` turns
stored or API-shaped rules into its input, so a benchmark can time rule evaluation alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.automation import facts as fact_sources
from kefu.automation.actions import rule_actor, run_actions
from kefu.automation.engine import Action, Condition, Rule, Verdict
from kefu.automation.engine import evaluate as evaluate
from kefu.automation.enums import ActionType, FiringOutcome, Operator, Trigger
from kefu.automation.events import RuleFired
from kefu.automation.exceptions import DuplicateRuleKey, RuleNotFound
from kefu.automation.followups import create_task as create_task
from kefu.automation.models import AutomationRule, RuleFiring
from kefu.automation.schemas import (
    CheckOut,
    DryRunIn,
    DryRunOut,
    FiringOut,
    RuleIn,
    RuleOut,
    RuleUpdate,
    VerdictOut,
    WebhookAction,
)
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, ConversationStatus, TimelineKind
from kefu.conversations.schemas import ConversationOut
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.db.outbox import publish
from kefu.outbound.client import OutboundPolicy
from kefu.webhooks import service as webhooks

LOOP_WINDOW = timedelta(hours=1)
MAX_RULE_FIRINGS_PER_CONVERSATION = 3
"""A rule acts on one conversation at most this often per `LOOP_WINDOW` (then it is suppressed)."""
MAX_FIRINGS_PER_CONVERSATION = 20
"""All rules together act on one conversation at most this often per `LOOP_WINDOW`."""
TIME_EVENT_ID = 0
"""The event id of a time rule's firing: a time rule fires at most once per conversation."""
TIME_BATCH = 500
ACTIVE_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.SNOOZED)
TIME_MAX_BATCHES = 20


# --- rules -------------------------------------------------------------------------------------


def _stored(data: RuleIn | RuleUpdate) -> dict[str, Any]:
    """The JSON columns of a rule from its validated input (fields given only)."""
    out: dict[str, Any] = {}
    given = data.model_fields_set
    for name in ("name", "position", "is_active"):
        if name in given and getattr(data, name) is not None:
            out[name] = getattr(data, name)
    if data.triggers is not None:
        out["triggers"] = [t.value for t in data.triggers]
    if data.conditions is not None and ("conditions" in given or isinstance(data, RuleIn)):
        out["conditions"] = data.conditions.model_dump(mode="json")
    if data.actions is not None:
        out["actions"] = [a.model_dump(mode="json", exclude_none=True) for a in data.actions]
    return out


def _check_urls(data: RuleIn | RuleUpdate, policy: OutboundPolicy | None) -> None:
    """Webhook actions must name a URL the outbound guard would call (422 `url_not_allowed`)."""
    for action in data.actions or ():
        if isinstance(action, WebhookAction):
            webhooks.check_endpoint_url(action.url, policy=policy or OutboundPolicy())


def create_rule(
    session: Session, *, workspace_id: uuid.UUID, data: RuleIn, policy: OutboundPolicy | None = None
) -> RuleOut:
    """Create a rule (a `key` must be unique in the workspace; webhook URLs are checked against `policy`)."""
    _check_urls(data, policy)
    if data.key is not None and _by_key(session, workspace_id, data.key) is not None:
        raise DuplicateRuleKey("a rule with this key exists", details={"key": data.key})
    row = AutomationRule(workspace_id=workspace_id, key=data.key, **_stored(data))
    session.add(row)
    session.flush()
    return RuleOut.model_validate(row)


def install_rules(session: Session, *, workspace_id: uuid.UUID, rules: Sequence[RuleIn]) -> list[RuleOut]:
    """Create the keyed rules that are missing (shipped defaults); existing ones are left as edited."""
    out = []
    for data in rules:
        assert data.key is not None
        row = _by_key(session, workspace_id, data.key)
        out.append(
            RuleOut.model_validate(row)
            if row is not None
            else create_rule(session, workspace_id=workspace_id, data=data)
        )
    return out


def list_rules(session: Session, *, workspace_id: uuid.UUID) -> list[RuleOut]:
    """Rules in execution order (position, then creation)."""
    return [RuleOut.model_validate(r) for r in _rules(session, workspace_id, active_only=False)]


def get_rule(session: Session, *, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> RuleOut:
    """One rule."""
    return RuleOut.model_validate(_row(session, workspace_id, rule_id))


def update_rule(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    rule_id: uuid.UUID,
    data: RuleUpdate,
    policy: OutboundPolicy | None = None,
) -> RuleOut:
    """Change a rule; a time rule keeps no other trigger, webhook URLs are checked against `policy`."""
    _check_urls(data, policy)
    row = _row(session, workspace_id, rule_id)
    values = _stored(data)
    triggers = values.get("triggers", row.triggers)
    if Trigger.TIME.value in triggers and len(triggers) > 1:
        raise ValidationFailed(
            "a time rule has no other trigger",
            details=[{"loc": ["body", "triggers"], "msg": "time stands alone"}],
        )
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    return RuleOut.model_validate(row)


def delete_rule(session: Session, *, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> None:
    """Delete a rule and its firing history (the timeline entries stay)."""
    session.delete(_row(session, workspace_id, rule_id))
    session.flush()


def list_firings(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, limit: int = 100
) -> list[FiringOut]:
    """The rule firings of a conversation, oldest first."""
    conversations.get_conversation(session, workspace_id=workspace_id, conversation_id=conversation_id)
    rows = session.scalars(
        select(RuleFiring)
        .where(RuleFiring.workspace_id == workspace_id, RuleFiring.conversation_id == conversation_id)
        .order_by(RuleFiring.id)
        .limit(limit)
    )
    return [FiringOut.model_validate(r) for r in rows]


def _row(session: Session, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> AutomationRule:
    row = session.get(AutomationRule, rule_id)
    if row is None or row.workspace_id != workspace_id:
        raise RuleNotFound("rule not found")
    return row


def _by_key(session: Session, workspace_id: uuid.UUID, key: str) -> AutomationRule | None:
    return session.scalar(
        select(AutomationRule).where(AutomationRule.workspace_id == workspace_id, AutomationRule.key == key)
    )


def _rules(
    session: Session, workspace_id: uuid.UUID | None, *, active_only: bool = True
) -> list[AutomationRule]:
    query = select(AutomationRule)
    if workspace_id is not None:
        query = query.where(AutomationRule.workspace_id == workspace_id)
    if active_only:
        query = query.where(AutomationRule.is_active.is_(True))
    return list(session.scalars(query.order_by(AutomationRule.position, AutomationRule.id)))


# --- compiling and evaluating -------------------------------------------------------------------


def compile_rule(
    rule_id: str,
    name: str,
    triggers: Iterable[str],
    conditions: Mapping[str, Any],
    actions: Iterable[Mapping[str, Any]],
) -> Rule:
    """The engine's form of one rule from its stored JSON (or the API's shape)."""

    def conds(items: Iterable[Mapping[str, Any]]) -> tuple[Condition, ...]:
        return tuple(Condition(c["field"], Operator(c["op"]), c.get("value")) for c in items)

    return Rule(
        id=rule_id,
        name=name,
        triggers=frozenset(Trigger(t) for t in triggers),
        all=conds(conditions.get("all", ())),
        any=conds(conditions.get("any", ())),
        actions=tuple(
            Action(ActionType(a["type"]), {k: v for k, v in a.items() if k != "type"}) for a in actions
        ),
    )


def compile_rules(rules: Iterable[RuleIn | RuleOut | AutomationRule]) -> list[Rule]:
    """Engine rules from API inputs or stored rules, in the order given."""
    out = []
    for index, rule in enumerate(rules):
        if isinstance(rule, RuleIn):
            stored = _stored(rule)
            out.append(
                compile_rule(
                    f"rule-{index}",
                    rule.name,
                    stored["triggers"],
                    stored.get("conditions", {}),
                    stored["actions"],
                )
            )
        else:
            out.append(compile_rule(str(rule.id), rule.name, rule.triggers, rule.conditions, rule.actions))
    return out


def referenced_fields(rules: Iterable[Rule]) -> frozenset[str]:
    """Every fact the rules' conditions name."""
    return frozenset(c.field for rule in rules for c in (*rule.all, *rule.any))


def dry_run(session: Session, *, workspace_id: uuid.UUID, data: DryRunIn) -> DryRunOut:
    """Which active rules would fire on the conversation for the trigger, why, and what they would change."""
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=data.conversation_id
    )
    rules = compile_rules(_rules(session, workspace_id))
    last = conversations.list_last_customer_messages(
        session, workspace_id=workspace_id, conversation_ids=[conversation.id]
    ).get(conversation.id)
    facts = fact_sources.gather(
        session,
        conversation=conversation,
        fields=referenced_fields(rules),
        message=None if last is None else last.model_dump(),
    )
    verdicts = evaluate(rules, facts, trigger=data.trigger, explain=True)
    return DryRunOut(
        conversation_id=conversation.id,
        trigger=data.trigger,
        facts=facts,
        rules=[
            VerdictOut(
                rule_id=uuid.UUID(v.rule_id),
                name=v.name,
                would_fire=v.fires,
                reason=v.reason,
                checks=[
                    CheckOut(field=c.field, op=c.op, value=c.value, actual=c.actual, holds=c.holds)
                    for c in v.checks
                ],
                changes=list(v.changes),
            )
            for v in verdicts
        ],
    )


# --- running on events and on time -------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """What happened to a conversation, as the rules see it."""

    triggers: frozenset[Trigger]
    event_id: int
    caused_by: uuid.UUID | None = None
    message: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] | None = None


def run_rules(
    session: Session, *, workspace_id: uuid.UUID, conversation_id: uuid.UUID, occurrence: Occurrence
) -> list[uuid.UUID]:
    """Evaluate the workspace's rules for one occurrence and run the firing ones; returns their ids."""
    stored = [
        r
        for r in _rules(session, workspace_id)
        if not occurrence.triggers.isdisjoint(Trigger(t) for t in r.triggers)
    ]
    if not stored:
        return []
    rules = compile_rules(stored)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    facts = fact_sources.gather(
        session,
        conversation=conversation,
        fields=referenced_fields(rules),
        message=occurrence.message,
        extra=occurrence.extra,
    )
    verdicts = evaluate(
        rules,
        facts,
        trigger=occurrence.triggers,
        caused_by=None if occurrence.caused_by is None else str(occurrence.caused_by),
    )
    return _fire(session, conversation, rules, verdicts, facts, occurrence)


def _fire(
    session: Session,
    conversation: ConversationOut,
    rules: list[Rule],
    verdicts: list[Verdict],
    facts: dict[str, Any],
    occurrence: Occurrence,
) -> list[uuid.UUID]:
    by_id = {rule.id: rule for rule in rules}
    fired = []
    for verdict in verdicts:
        if not verdict.fires:
            continue
        rule = by_id[verdict.rule_id]
        trigger = min(occurrence.triggers & rule.triggers)
        rule_id = uuid.UUID(rule.id)
        now = clock.now()
        if not _within_caps(session, conversation, rule_id, now):
            _suppress(session, conversation, rule_id, rule.name, trigger, occurrence.event_id, now)
            continue
        done = run_actions(
            session,
            rule_id=rule_id,
            conversation_id=conversation.id,
            workspace_id=conversation.workspace_id,
            actions=rule.actions,
            facts=facts,
        )
        session.add(
            RuleFiring(
                workspace_id=conversation.workspace_id,
                rule_id=rule_id,
                conversation_id=conversation.id,
                trigger=trigger.value,
                event_id=occurrence.event_id,
                outcome=FiringOutcome.FIRED.value,
                changes=done,
                fired_at=now,
            )
        )
        conversations.record_audit(
            session,
            workspace_id=conversation.workspace_id,
            conversation_id=conversation.id,
            kind=TimelineKind.RULE_FIRED,
            actor=rule_actor(rule_id),
            details={"rule_id": rule.id, "rule": rule.name, "trigger": trigger.value, "actions": done},
        )
        publish(
            session,
            RuleFired(
                workspace_id=conversation.workspace_id,
                rule_id=rule_id,
                conversation_id=conversation.id,
                trigger=trigger.value,
                event_id=occurrence.event_id,
                actions=[a.type.value for a in rule.actions],
            ),
        )
        fired.append(rule_id)
    session.flush()
    return fired


def _within_caps(session: Session, conversation: ConversationOut, rule_id: uuid.UUID, now: datetime) -> bool:
    """Loop protection: the rule's and all rules' recent firings on this conversation are under their caps."""
    since = now - LOOP_WINDOW
    rows = session.execute(
        select(RuleFiring.rule_id, func.count())
        .where(
            RuleFiring.conversation_id == conversation.id,
            RuleFiring.fired_at >= since,
            RuleFiring.outcome == FiringOutcome.FIRED.value,
        )
        .group_by(RuleFiring.rule_id)
    ).tuples()
    counts: dict[uuid.UUID, int] = {rule: int(count) for rule, count in rows}
    return (
        counts.get(rule_id, 0) < MAX_RULE_FIRINGS_PER_CONVERSATION
        and sum(counts.values()) < MAX_FIRINGS_PER_CONVERSATION
    )


def _suppress(
    session: Session,
    conversation: ConversationOut,
    rule_id: uuid.UUID,
    name: str,
    trigger: Trigger,
    event_id: int,
    now: datetime,
) -> None:
    """Record a suppressed match; the timeline hears of it once per rule, conversation and window."""
    noted = session.scalar(
        select(func.count()).where(
            RuleFiring.conversation_id == conversation.id,
            RuleFiring.rule_id == rule_id,
            RuleFiring.outcome == FiringOutcome.SUPPRESSED.value,
            RuleFiring.fired_at >= now - LOOP_WINDOW,
        )
    )
    session.add(
        RuleFiring(
            workspace_id=conversation.workspace_id,
            rule_id=rule_id,
            conversation_id=conversation.id,
            trigger=trigger.value,
            event_id=event_id,
            outcome=FiringOutcome.SUPPRESSED.value,
            changes=[],
            fired_at=now,
        )
    )
    if not noted:
        conversations.record_audit(
            session,
            workspace_id=conversation.workspace_id,
            conversation_id=conversation.id,
            kind=TimelineKind.RULE_FIRED,
            actor=rule_actor(rule_id),
            details={"rule_id": str(rule_id), "rule": name, "trigger": trigger.value, "actions": []},
            reason="loop_protection",
        )


def caused_by_rule(actor_kind: str | None, actor_id: uuid.UUID | None) -> uuid.UUID | None:
    """The rule behind an event, when a rule's action caused it (system actor carrying the rule's id)."""
    return actor_id if actor_kind == ActorKind.SYSTEM and actor_id is not None else None


def run_time_rules(session: Session, *, limit: int = TIME_BATCH) -> int:
    """Evaluate time rules on idle active conversations; each fires at most once per conversation."""
    by_workspace: dict[uuid.UUID, list[AutomationRule]] = {}
    for row in _rules(session, None):
        if Trigger.TIME.value in row.triggers:
            by_workspace.setdefault(row.workspace_id, []).append(row)
    fired = 0
    now = clock.now()
    for workspace_id, stored in by_workspace.items():
        rules = compile_rules(stored)
        idle = _least_idle_seconds(rules)
        after: tuple[datetime, uuid.UUID] | None = None
        for _ in range(TIME_MAX_BATCHES):
            page = conversations.list_idle_conversations(
                session,
                workspace_id=workspace_id,
                statuses=list(ACTIVE_STATUSES),
                last_message_before=now - timedelta(seconds=idle),
                limit=limit,
                after=after,
            )
            fired += _time_page(session, rules, page)
            if len(page) < limit:
                break
            after = (page[-1].last_message_at, page[-1].id)
    return fired


def _time_page(session: Session, rules: list[Rule], page: list[ConversationOut]) -> int:
    if not page:
        return 0
    done = set(
        session.execute(
            select(RuleFiring.rule_id, RuleFiring.conversation_id).where(
                RuleFiring.conversation_id.in_([c.id for c in page]),
                RuleFiring.event_id == TIME_EVENT_ID,
            )
        ).tuples()
    )
    fields = referenced_fields(rules)
    occurrence = Occurrence(triggers=frozenset({Trigger.TIME}), event_id=TIME_EVENT_ID)
    fired = 0
    for conversation in page:
        pending = [r for r in rules if (uuid.UUID(r.id), conversation.id) not in done]
        if not pending:
            continue
        facts = fact_sources.gather(session, conversation=conversation, fields=fields)
        verdicts = evaluate(pending, facts, trigger=Trigger.TIME)
        fired += len(_fire(session, conversation, pending, verdicts, facts, occurrence))
    return fired


def _least_idle_seconds(rules: list[Rule]) -> float:
    """The smallest idle time any time rule requires (0 when one requires none): the candidate cut-off."""
    least: float | None = None
    for rule in rules:
        needed = [
            float(c.value)
            for c in rule.all
            if c.field == "conversation.idle_seconds"
            and c.op in (Operator.GT, Operator.GTE)
            and isinstance(c.value, (int, float))
        ]
        if not needed:
            return 0.0
        least = max(needed) if least is None else min(least, max(needed))
    return least or 0.0
