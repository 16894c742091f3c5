"""The pure rule engine: operators, all/any, order with effects, own-action guard, explanations."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.automation.engine import Action, Condition, Rule, evaluate, holds
from kefu.automation.enums import ActionType, Operator, Trigger
from kefu.automation.service import compile_rule

OPENED = frozenset({Trigger.CONVERSATION_OPENED})
FACTS: dict[str, Any] = {
    "conversation.priority": "normal",
    "conversation.tags": ["vip"],
    "conversation.channel": "chat",
    "conversation.complaint_amount": 620.0,
    "message.text": "The parcel is LATE again",
    "customer.vip_tier": "gold",
}


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("conversation.channel", Operator.EQ, "chat", True),
        ("conversation.channel", Operator.NE, "chat", False),
        ("conversation.channel", Operator.IN, ["chat", "line"], True),
        ("conversation.channel", Operator.NOT_IN, ["chat", "line"], False),
        ("conversation.tags", Operator.IN, ["vip", "press"], True),
        ("conversation.tags", Operator.CONTAINS, "vip", True),
        ("conversation.tags", Operator.NOT_CONTAINS, "vip", False),
        ("message.text", Operator.CONTAINS, "late", True),
        ("conversation.complaint_amount", Operator.GT, 500, True),
        ("conversation.complaint_amount", Operator.LTE, 500, False),
        ("conversation.priority", Operator.GTE, "high", False),
        ("conversation.priority", Operator.LT, "high", True),
        ("customer.vip_tier", Operator.GTE, "silver", True),
        ("customer.vip_tier", Operator.GT, "platinum", False),
        ("message.intent", Operator.EXISTS, None, False),
        ("message.intent", Operator.NOT_EXISTS, None, True),
        ("message.intent", Operator.EQ, "refund", False),
        ("message.intent", Operator.NOT_IN, ["refund"], False),
        ("conversation.complaint_amount", Operator.GT, "abc", False),
        ("conversation.tags", Operator.GT, 1, False),
    ],
)
def test_operators(field: str, op: Operator, value: Any, expected: bool) -> None:
    assert holds(Condition(field, op, value), FACTS) is expected


def test_booleans_are_not_numbers() -> None:
    assert holds(Condition("x", Operator.EQ, True), {"x": 1}) is False
    assert holds(Condition("x", Operator.EQ, False), {"x": False}) is True


def _rule(
    rule_id: str,
    *actions: Action,
    all_: tuple[Condition, ...] = (),
    any_: tuple[Condition, ...] = (),
    triggers: frozenset[Trigger] = OPENED,
) -> Rule:
    return Rule(rule_id, rule_id, triggers, all_, any_, actions)


def test_all_and_any() -> None:
    chat = Condition("conversation.channel", Operator.EQ, "chat")
    big = Condition("conversation.complaint_amount", Operator.GT, 1000)
    vip = Condition("conversation.tags", Operator.CONTAINS, "vip")
    fired = evaluate(
        [
            _rule("all-hold", all_=(chat, vip)),
            _rule("all-fail", all_=(chat, big)),
            _rule("any-holds", all_=(chat,), any_=(big, vip)),
            _rule("any-fails", any_=(big,)),
            _rule("no-conditions"),
        ],
        FACTS,
    )
    assert [v.rule_id for v in fired] == ["all-hold", "any-holds", "no-conditions"]


def test_later_rules_see_earlier_effects_and_triggers_filter() -> None:
    raise_ = _rule("raise", Action(ActionType.SET_PRIORITY, {"priority": "high"}))
    tag_high = _rule(
        "tag-high",
        Action(ActionType.ADD_TAGS, {"tags": ["hot"]}),
        all_=(Condition("conversation.priority", Operator.EQ, "high"),),
    )
    elsewhere = _rule("on-breach", triggers=frozenset({Trigger.SLA_BREACHED}))
    verdicts = evaluate([raise_, tag_high, elsewhere], FACTS, trigger=Trigger.CONVERSATION_OPENED)
    assert [v.rule_id for v in verdicts] == ["raise", "tag-high"]
    assert verdicts[0].changes[0]["fields"] == {"conversation.priority": {"from": "normal", "to": "high"}}
    assert verdicts[1].changes[0]["fields"]["conversation.tags"]["to"] == ["vip", "hot"]
    assert FACTS["conversation.priority"] == "normal"  # the caller's facts are not changed
    reversed_order = evaluate([tag_high, raise_], FACTS, trigger=Trigger.CONVERSATION_OPENED)
    assert [v.rule_id for v in reversed_order] == ["raise"]


def test_a_rule_does_not_react_to_its_own_action_and_explain_says_why() -> None:
    rules = [
        _rule("self", Action(ActionType.ADD_TAGS, {"tags": ["x"]})),
        _rule("other", all_=(Condition("conversation.channel", Operator.EQ, "email"),)),
        _rule("breach", triggers=frozenset({Trigger.SLA_BREACHED})),
    ]
    assert evaluate(rules, FACTS, caused_by="self", trigger=Trigger.CONVERSATION_OPENED) == []
    explained = evaluate(rules, FACTS, caused_by="self", trigger=Trigger.CONVERSATION_OPENED, explain=True)
    assert [(v.rule_id, v.fires, v.reason) for v in explained] == [
        ("self", False, "own_action"),
        ("other", False, "conditions_fail"),
        ("breach", False, "trigger_not_listened"),
    ]
    check = explained[1].checks[0]
    assert (check.field, check.actual, check.holds) == ("conversation.channel", "chat", False)


def test_escalate_raises_never_lowers_and_marks_escalated() -> None:
    escalate = _rule("esc", Action(ActionType.ESCALATE, {"priority": "high"}))
    second = _rule(
        "again",
        Action(ActionType.ESCALATE, {"priority": "high"}),
        all_=(Condition("conversation.escalated", Operator.EQ, False),),
    )
    verdicts = evaluate([escalate, second], {**FACTS, "conversation.escalated": False})
    assert [v.rule_id for v in verdicts] == ["esc"]
    urgent = evaluate([escalate], {**FACTS, "conversation.priority": "urgent"})
    assert "conversation.priority" not in urgent[0].changes[0]["fields"]
    done = {**FACTS, "conversation.priority": "urgent", "conversation.tags": ["escalated"]}
    assert evaluate([escalate], done) == []
    explained = evaluate([escalate], done, explain=True)
    assert (explained[0].reason, explained[0].changes[0]["noop"]) == ("no_change", True)


def test_compile_rule_from_stored_json() -> None:
    rule = compile_rule(
        "r1",
        "Angry",
        ["message_analysed"],
        {"all": [{"field": "message.angry", "op": "eq", "value": True}], "any": []},
        [{"type": "set_priority", "priority": "urgent"}],
    )
    assert rule.triggers == frozenset({Trigger.MESSAGE_ANALYSED})
    fired = evaluate([rule], {"message.angry": True}, trigger=Trigger.MESSAGE_ANALYSED)
    assert fired[0].changes[0]["fields"]["conversation.priority"]["to"] == "urgent"
