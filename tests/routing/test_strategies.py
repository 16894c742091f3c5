"""Unit tests of the routing algorithms: rule matching, eligibility, skill fit and the four strategies."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kefu.routing.enums import Presence, Strategy
from kefu.routing.strategies import (
    Candidate,
    CandidatePool,
    Need,
    QueueRules,
    choose_agent,
    condition_holds,
    ineligible,
    match_queue,
    skill_fit,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def _agent(n: int, **fields: object) -> Candidate:
    values: dict[str, object] = {
        "agent_id": _id(n),
        "presence": Presence.ONLINE,
        "level": "intermediate",
        "languages": {"en": 5},
        "product_lines": frozenset(),
        "channels": frozenset(),
        "complaints": False,
        "vip": False,
        "capacity": {"chat": 5},
    }
    values.update(fields)
    return Candidate(**values)  # type: ignore[arg-type]


CHAT_EN = Need(channel="chat", language="en")


def test_conditions_over_lists_numbers_and_flags() -> None:
    facts = {"language": "th", "tag": ["refund", "vip"], "anger": 0.8, "is_complaint": True, "market": None}
    assert condition_holds({"field": "language", "op": "eq", "value": "TH"}, facts)
    assert condition_holds({"field": "tag", "op": "in", "value": ["refund"]}, facts)
    assert not condition_holds({"field": "tag", "op": "not_in", "value": ["vip", "x"]}, facts)
    assert condition_holds({"field": "anger", "op": "gte", "value": 0.7}, facts)
    assert not condition_holds({"field": "anger", "op": "lte", "value": 0.7}, facts)
    assert not condition_holds(
        {"field": "sentiment", "op": "gte", "value": 0.1}, facts
    )  # missing is no number
    assert condition_holds({"field": "is_complaint", "op": "eq", "value": True}, facts)
    assert condition_holds({"field": "market", "op": "ne", "value": "ID"}, facts)


def test_first_queue_by_position_then_its_first_matching_rule() -> None:
    thai = {"name": "thai", "conditions": [{"field": "language", "op": "eq", "value": "th"}]}
    everyone = {"name": "all", "conditions": []}
    queues = [
        QueueRules(_id(2), 1, [everyone]),
        QueueRules(_id(1), 0, [{"conditions": [{"field": "language", "op": "eq", "value": "vi"}]}, thai]),
    ]
    match = match_queue(queues, {"language": "th"})
    assert match is not None and (match.queue_id, match.rule_index, match.rule_name) == (_id(1), 1, "thai")
    fallback = match_queue(queues, {"language": "en"})
    assert fallback is not None and (fallback.queue_id, fallback.rule_name) == (_id(2), "all")
    assert match_queue([QueueRules(_id(3), 0, [])], {}) is None


@pytest.mark.parametrize(
    ("fields", "need", "reason"),
    [
        ({"presence": Presence.AWAY}, CHAT_EN, "away"),
        ({"presence": Presence.BUSY}, CHAT_EN, "busy"),
        ({"presence": Presence.OFFLINE}, CHAT_EN, "offline"),
        ({"channels": frozenset({"email"})}, CHAT_EN, "no_channel"),
        ({"load": {"chat": 5}}, CHAT_EN, "at_capacity"),
        ({"capacity": {"email": 20}}, CHAT_EN, "at_capacity"),
        ({"languages": {"en": 2}}, Need(channel="chat", language="en", min_proficiency=3), "no_language"),
        ({}, Need(channel="chat", product_line="loans"), "no_product_line"),
        ({}, Need(channel="chat", complaint=True), "no_complaint_handling"),
        ({}, Need(channel="chat", vip=True), "no_vip"),
        ({}, Need(channel="chat", min_level="senior"), "level_too_low"),
        ({}, CHAT_EN, None),
    ],
)
def test_eligibility_names_the_first_reason(
    fields: dict[str, object], need: Need, reason: str | None
) -> None:
    assert ineligible(_agent(1, **fields), need) == reason


def test_skills_best_match_fit_then_load_then_longest_idle() -> None:
    need = Need(channel="chat", language="th", product_line="cards")
    native = _agent(1, languages={"th": 5}, product_lines=frozenset({"cards"}))
    fluent = _agent(2, languages={"th": 4}, product_lines=frozenset({"cards"}))
    assert skill_fit(native, need) > skill_fit(fluent, need)
    decision = choose_agent(Strategy.SKILLS_BEST_MATCH, need, [fluent, native])
    assert decision.agent_id == native.agent_id
    assert decision.runners_up == [{"agent_id": str(fluent.agent_id), "lost": "lower_skill_fit"}]
    loaded = _agent(3, languages={"th": 5}, product_lines=frozenset({"cards"}), load={"chat": 3})
    idle_long = _agent(4, languages={"th": 5}, product_lines=frozenset({"cards"}), last_assigned_at=T0)
    idle_short = _agent(
        5, languages={"th": 5}, product_lines=frozenset({"cards"}), last_assigned_at=T0 + timedelta(minutes=5)
    )
    decision = choose_agent(Strategy.SKILLS_BEST_MATCH, need, [loaded, idle_short, idle_long])
    assert decision.agent_id == idle_long.agent_id
    assert {r["agent_id"]: r["lost"] for r in decision.runners_up} == {
        str(idle_short.agent_id): "less_idle",
        str(loaded.agent_id): "more_loaded",
    }


def test_least_loaded_compares_load_share_of_capacity() -> None:
    small = _agent(1, capacity={"chat": 2}, load={"chat": 1})  # 50 %
    big = _agent(2, capacity={"chat": 10}, load={"chat": 3})  # 30 %
    decision = choose_agent(Strategy.LEAST_LOADED, CHAT_EN, [small, big])
    assert decision.agent_id == big.agent_id and decision.runners_up[0]["lost"] == "more_loaded"


def test_round_robin_continues_after_the_cursor_and_wraps() -> None:
    agents = [_agent(n) for n in (3, 1, 2)]
    assert choose_agent(Strategy.ROUND_ROBIN, CHAT_EN, agents).agent_id == _id(1)
    turn = choose_agent(Strategy.ROUND_ROBIN, CHAT_EN, agents, cursor=_id(1))
    assert turn.agent_id == _id(2) and [r["agent_id"] for r in turn.runners_up] == [str(_id(3)), str(_id(1))]
    assert choose_agent(Strategy.ROUND_ROBIN, CHAT_EN, agents, cursor=_id(3)).agent_id == _id(1)
    skipping = choose_agent(
        Strategy.ROUND_ROBIN, CHAT_EN, agents, cursor=_id(1), excluded=frozenset({_id(2)})
    )
    assert skipping.agent_id == _id(3) and skipping.ineligible == {"excluded": 1}


def test_manual_and_nobody_eligible_choose_nobody() -> None:
    manual = choose_agent(Strategy.MANUAL, CHAT_EN, [_agent(1)])
    assert manual.agent_id is None and manual.considered == 1
    nobody = choose_agent(
        Strategy.LEAST_LOADED, CHAT_EN, [_agent(1, presence=Presence.AWAY), _agent(2, load={"chat": 5})]
    )
    assert nobody.agent_id is None and nobody.ineligible == {"away": 1, "at_capacity": 1}
    assert nobody.why()["agent_id"] is None


def test_the_choice_is_always_an_eligible_agent_and_never_worse_than_another() -> None:
    """Random pools: the chosen agent is eligible and no eligible agent beats it on the strategy's key."""
    rng = random.Random(7)
    for _ in range(300):
        pool = [
            _agent(
                n,
                presence=rng.choice(list(Presence)),
                languages={
                    "en": rng.randint(1, 5),
                    **({"th": rng.randint(1, 5)} if rng.random() < 0.5 else {}),
                },
                capacity={"chat": rng.randint(0, 4)},
                load={"chat": rng.randint(0, 4)},
                level=rng.choice(["junior", "intermediate", "senior"]),
                last_assigned_at=T0 + timedelta(seconds=rng.randint(0, 100)),
            )
            for n in range(1, rng.randint(2, 12))
        ]
        need = Need(
            channel="chat", language=rng.choice(["en", "th"]), min_level=rng.choice(["junior", "senior"])
        )
        eligible = [c for c in pool if ineligible(c, need) is None]
        for strategy in (Strategy.LEAST_LOADED, Strategy.SKILLS_BEST_MATCH, Strategy.ROUND_ROBIN):
            decision = choose_agent(strategy, need, pool)
            assert (decision.agent_id is None) == (not eligible)
            assert decision.considered == len(pool)
            assert sum(decision.ineligible.values()) == len(pool) - len(eligible)
            if not eligible:
                continue
            chosen = next(c for c in pool if c.agent_id == decision.agent_id)
            assert ineligible(chosen, need) is None
            if strategy == Strategy.LEAST_LOADED:
                assert chosen.load_share("chat") == min(c.load_share("chat") for c in eligible)
            if strategy == Strategy.SKILLS_BEST_MATCH:
                assert skill_fit(chosen, need) == max(skill_fit(c, need) for c in eligible)


def test_the_vectorised_pool_decides_exactly_as_choose_agent() -> None:
    """Contract of the fast path: same agent, runners-up, reasons and counts on random pools and needs."""
    rng = random.Random(11)
    for _ in range(200):
        size = rng.randint(1, 40)
        pool = [
            _agent(
                rng.randint(1, 10_000) * 100 + n,
                presence=rng.choice([Presence.ONLINE] * 3 + list(Presence)),
                languages={
                    lang: rng.randint(1, 5)
                    for lang in rng.sample(["en", "th", "vi", "zh"], rng.randint(1, 3))
                },
                product_lines=frozenset(rng.sample(["cards", "loans", "orders"], rng.randint(0, 2))),
                channels=frozenset(rng.choice([[], ["chat"], ["email"]])),
                complaints=rng.random() < 0.5,
                vip=rng.random() < 0.4,
                capacity={"chat": rng.randint(0, 3)},
                load={"chat": rng.randint(0, 3)},
                level=rng.choice(["junior", "intermediate", "senior"]),
                last_assigned_at=rng.choice([None, T0 + timedelta(seconds=rng.randint(0, 20))]),
            )
            for n in range(size)
        ]
        fast = CandidatePool(pool)
        for _ in range(5):
            need = Need(
                channel="chat",
                language=rng.choice([None, "en", "th", "ms"]),
                min_proficiency=rng.randint(1, 4),
                product_line=rng.choice([None, "cards", "loans"]),
                complaint=rng.random() < 0.3,
                vip=rng.random() < 0.3,
                min_level=rng.choice(["junior", "intermediate", "senior"]),
            )
            excluded = frozenset(c.agent_id for c in rng.sample(pool, rng.randint(0, min(3, size))))
            cursor = rng.choice([None, rng.choice(pool).agent_id, _id(rng.randint(1, 10**6))])
            for strategy in Strategy:
                plain = choose_agent(strategy, need, pool, cursor=cursor, excluded=excluded)
                vector = fast.choose(strategy, need, cursor=cursor, excluded=excluded)
                assert vector == plain, (strategy, need)
            winner = choose_agent(Strategy.SKILLS_BEST_MATCH, need, pool)
            if winner.agent_id is not None:
                fast.book(winner.agent_id, "chat", T0 + timedelta(seconds=rng.randint(21, 40)))
