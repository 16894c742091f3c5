"""Rule evaluation as a pure function: rules and a flat dict of facts in, verdicts out (no I/O).

Facts are keyed by dotted names (`conversation.priority`, `message.intent`,
`customer.vip_tier`, `conversation.custom_fields.product_line`). Rules are tried in order; a
rule whose conditions hold fires, and its actions' effects on the facts (a new priority, added
tags) are seen by the rules after it, as they will be once the actions run. A rule never reacts
to an event its own action caused (`caused_by`), and fires at most once per evaluation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kefu.automation.enums import ActionType, Operator, Trigger

PRIORITY_ORDER = ("low", "normal", "high", "urgent")
VIP_ORDER = ("none", "silver", "gold", "platinum")
ORDINAL_FIELDS: dict[str, tuple[str, ...]] = {
    "conversation.priority": PRIORITY_ORDER,
    "customer.vip_tier": VIP_ORDER,
}
"""Fields compared by rank rather than by spelling (`priority gte high` holds for urgent)."""
ESCALATED_TAG = "escalated"


@dataclass(frozen=True)
class Condition:
    """One comparison of a fact with a value; `test` is the comparison compiled once for the value."""

    field: str
    op: Operator
    value: Any = None
    test: Callable[[Any], bool] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _compile(self.field, self.op, self.value))


@dataclass(frozen=True)
class Action:
    """One action of a rule: its type and parameters (as validated by the API)."""

    type: ActionType
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A compiled rule: triggers, `all` conditions, `any` conditions (one must hold if given), actions."""

    id: str
    name: str
    triggers: frozenset[Trigger]
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Check:
    """A condition with the fact it saw and whether it held."""

    field: str
    op: Operator
    value: Any
    actual: Any
    holds: bool


@dataclass(frozen=True)
class Verdict:
    """What one rule does with the facts: whether it fires, why (its checks), and what it changes."""

    rule_id: str
    name: str
    fires: bool
    reason: str
    checks: tuple[Check, ...] = ()
    changes: tuple[dict[str, Any], ...] = ()


def _rank(name: str, value: Any) -> Any:
    order = ORDINAL_FIELDS.get(name)
    if order is not None and value in order:
        return order.index(value)
    return value


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[str, Any, Any], bool]:
    def check(name: str, actual: Any, expected: Any) -> bool:
        if actual is None or expected is None or isinstance(actual, (bool, list, dict)):
            return False
        left, right = _rank(name, actual), _rank(name, expected)
        try:
            return bool(op(left, right))
        except TypeError:
            return False

    return check


def _contains(_name: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return expected.casefold() in actual.casefold()
    if isinstance(actual, (list, tuple, set, frozenset)):
        return expected in actual
    return False


def _member(_name: str, actual: Any, expected: Any) -> bool:
    if not isinstance(expected, (list, tuple)):
        return False
    if isinstance(actual, (list, tuple)):
        return any(item in expected for item in actual)
    return actual in expected


def _equal(_name: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


OPERATORS: dict[Operator, Callable[[str, Any, Any], bool]] = {
    Operator.EQ: _equal,
    Operator.NE: lambda n, a, e: not _equal(n, a, e),
    Operator.IN: _member,
    Operator.NOT_IN: lambda n, a, e: a is not None and not _member(n, a, e),
    Operator.GT: _compare(lambda a, b: a > b),
    Operator.GTE: _compare(lambda a, b: a >= b),
    Operator.LT: _compare(lambda a, b: a < b),
    Operator.LTE: _compare(lambda a, b: a <= b),
    Operator.CONTAINS: _contains,
    Operator.NOT_CONTAINS: lambda n, a, e: not _contains(n, a, e),
    Operator.EXISTS: lambda _n, a, _e: a is not None and a != [] and a != "",
    Operator.NOT_EXISTS: lambda _n, a, _e: a is None or a == [] or a == "",
}


_NUMERIC: dict[Operator, Callable[[float, float], bool]] = {
    Operator.GT: float.__gt__,
    Operator.GTE: float.__ge__,
    Operator.LT: float.__lt__,
    Operator.LTE: float.__le__,
}


def _compile(name: str, op: Operator, expected: Any) -> Callable[[Any], bool]:
    """The comparison as a one-argument function; the common cases skip the generic dispatch."""
    if op is Operator.EQ and isinstance(expected, str):
        return lambda actual: actual == expected
    if op is Operator.IN and isinstance(expected, list) and all(isinstance(v, str) for v in expected):
        members = frozenset(expected)
        return lambda actual: (
            actual in members if isinstance(actual, str) else _member(name, actual, expected)
        )
    number = isinstance(expected, (int, float)) and not isinstance(expected, bool)
    if op in _NUMERIC and number and name not in ORDINAL_FIELDS:
        compare, bound = _NUMERIC[op], float(expected)
        return lambda actual: (
            isinstance(actual, (int, float))
            and not isinstance(actual, bool)
            and compare(float(actual), bound)
        )
    generic = OPERATORS[op]
    return lambda actual: generic(name, actual, expected)


def holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Whether one condition holds for the facts (a missing fact is None)."""
    return condition.test(facts.get(condition.field))


def matches(rule: Rule, facts: Mapping[str, Any]) -> bool:
    """Whether the rule's conditions hold: every `all`, and one `any` when there are some."""
    get = facts.get
    for condition in rule.all:
        if not condition.test(get(condition.field)):
            return False
    if not rule.any:
        return True
    return any(condition.test(get(condition.field)) for condition in rule.any)


def evaluate(
    rules: Sequence[Rule],
    facts: Mapping[str, Any],
    *,
    trigger: Trigger | frozenset[Trigger] | None = None,
    caused_by: str | None = None,
    explain: bool = False,
) -> list[Verdict]:
    """Verdicts of the rules in order, each seeing the effects of the firings before it.

    `trigger` is the event's trigger (or several: a complaint mark is also an update); a rule
    listening to none of them is passed over. A rule whose actions would all leave the
    conversation as it is does not fire (`no_change`), so an update it already made does not
    make it act again. Without `explain` only firing rules are returned,
    without their checks (the fast path); with it every rule gets a verdict and the checks that
    decided it (the dry run).
    """
    current = dict(facts)
    verdicts: list[Verdict] = []
    triggers = frozenset((trigger,)) if isinstance(trigger, Trigger) else trigger
    for rule in rules:
        if triggers is not None and rule.triggers.isdisjoint(triggers):
            if explain:
                verdicts.append(Verdict(rule.id, rule.name, False, "trigger_not_listened"))
            continue
        if caused_by is not None and rule.id == caused_by:
            if explain:
                verdicts.append(Verdict(rule.id, rule.name, False, "own_action"))
            continue
        if explain:
            checks = tuple(
                Check(c.field, c.op, c.value, current.get(c.field), holds(c, current))
                for c in (*rule.all, *rule.any)
            )
            fires = matches(rule, current)
        else:
            if not matches(rule, current):
                continue
            checks, fires = (), True
        changes = apply_effects(rule.actions, current) if fires else ()
        reason = "conditions_hold" if fires else "conditions_fail"
        if fires and changes and all(change.get("noop") for change in changes):
            fires, reason = False, "no_change"
        if fires or explain:
            verdicts.append(Verdict(rule.id, rule.name, fires, reason, checks, changes))
    return verdicts


STATE_ACTIONS = frozenset(
    {
        ActionType.ASSIGN,
        ActionType.SET_PRIORITY,
        ActionType.ADD_TAGS,
        ActionType.REMOVE_TAGS,
        ActionType.SET_FIELD,
        ActionType.SET_STATUS,
        ActionType.ESCALATE,
    }
)
"""Actions that only change the conversation's state: one that would change nothing is a no-op."""


def apply_effects(actions: Sequence[Action], facts: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Apply the actions' effects to the facts in place; returns one change description per action.

    A state action that would change nothing is described with `"noop": true`.
    """
    changes = []
    for action in actions:
        params = dict(action.params)
        change: dict[str, Any] = {"action": action.type.value, **params}
        if action.type is ActionType.SET_PRIORITY:
            _set(facts, change, "conversation.priority", params["priority"])
        elif action.type is ActionType.ASSIGN:
            if "agent_id" in params:
                _set(facts, change, "conversation.assignee_id", params["agent_id"])
            if "team_id" in params:
                _set(facts, change, "conversation.team_id", params["team_id"])
        elif action.type in (ActionType.ADD_TAGS, ActionType.REMOVE_TAGS):
            tags = list(facts.get("conversation.tags") or [])
            if action.type is ActionType.ADD_TAGS:
                new = tags + [t for t in params["tags"] if t not in tags]
            else:
                new = [t for t in tags if t not in params["tags"]]
            _set(facts, change, "conversation.tags", new)
        elif action.type is ActionType.SET_FIELD:
            _set(facts, change, f"conversation.custom_fields.{params['key']}", params.get("value"))
        elif action.type is ActionType.SET_STATUS:
            _set(facts, change, "conversation.status", params["status"])
        elif action.type is ActionType.ESCALATE:
            priority = params.get("priority", "high")
            if priority_level(facts.get("conversation.priority")) < priority_level(priority):
                _set(facts, change, "conversation.priority", priority)
            if params.get("team_id"):
                _set(facts, change, "conversation.team_id", params["team_id"])
            tags = list(facts.get("conversation.tags") or [])
            if ESCALATED_TAG not in tags:
                _set(facts, change, "conversation.tags", [*tags, ESCALATED_TAG])
            facts["conversation.escalated"] = True
        elif action.type is ActionType.SEND_MACRO:
            facts["conversation.idle_seconds"] = 0.0  # a reply was sent just now
        if action.type in STATE_ACTIONS and "fields" not in change:
            change["noop"] = True
        changes.append(change)
    return tuple(changes)


def priority_level(priority: Any) -> int:
    """Rank of a priority (-1 when unknown), to raise and never lower."""
    return PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else -1


def _set(facts: dict[str, Any], change: dict[str, Any], name: str, value: Any) -> None:
    before = facts.get(name)
    if before == value and type(before) is type(value):
        return
    change.setdefault("fields", {})[name] = {"from": before, "to": value}
    facts[name] = value
