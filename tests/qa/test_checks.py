"""The default scorecard's checks and scoring on hand-written transcripts (one rule per test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.qa.checks import luhn_valid
from kefu.qa.engine import evaluate, score_outcomes
from kefu.qa.enums import Outcome
from kefu.qa.scorecards import DEFAULT_CHECK_IDS, ScorecardDefinition, default_definition
from kefu.qa.transcript import build_transcript

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _outcomes(language: str, turns: list[tuple[str, str]], *, complaint: bool = False, gap: int = 20) -> dict:
    messages = [(role, text, T0 + timedelta(seconds=i * gap), None) for i, (role, text) in enumerate(turns)]
    scored = evaluate(
        build_transcript(id="t", language=language, messages=messages, is_complaint=complaint),
        default_definition(),
    )
    return {r.check_id: r for _, r in scored.results}


def test_default_scorecard_has_the_stable_check_ids() -> None:
    ids = [c.id for d in default_definition().dimensions for c in d.checks]
    assert sorted(ids) == sorted(DEFAULT_CHECK_IDS)


def test_refund_before_apology_in_a_complaint_fails_with_both_spans() -> None:
    results = _outcomes(
        "en",
        [
            ("customer", "My parcel is late again, this is unacceptable!"),
            ("agent", "Hello. I'll issue a refund to your card now."),
            ("agent", "I'm sorry about the delay."),
        ],
        complaint=True,
    )
    check = results["apology_before_solution"]
    assert check.outcome == Outcome.FAILED
    assert [s.label for s in check.evidence] == ["solution", "apology"]
    assert [s.turn for s in check.evidence] == [1, 2]
    assert check.evidence[0].text.lower().startswith("i'll issue")


def test_apology_first_passes_and_the_rule_skips_non_complaints() -> None:
    ok = _outcomes(
        "zh", [("customer", "包裹还没到！"), ("agent", "非常抱歉，我马上为您办理退款。")], complaint=True
    )
    assert ok["apology_before_solution"].outcome == Outcome.PASSED
    plain = _outcomes("zh", [("customer", "怎么用优惠券？"), ("agent", "您可以在结算页选择优惠券。")])
    assert plain["apology_before_solution"].outcome == Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("language", "restate", "solution", "confirm"),
    [
        (
            "en",
            "Just to confirm, you were charged twice?",
            "I will refund the second charge.",
            "Does that help?",
        ),
        (
            "vi",
            "Em xin xác nhận lại: anh bị trừ tiền hai lần?",
            "Em sẽ hoàn tiền lần trừ thứ hai.",
            "Anh có hài lòng không?",
        ),
        ("th", "ขอทวนนะคะ ถูกตัดเงินสองครั้งใช่ไหม", "จะคืนเงินให้ค่ะ", "แบบนี้โอเคไหมคะ"),
    ],
)
def test_three_step_confirmation_needs_the_order(
    language: str, restate: str, solution: str, confirm: str
) -> None:
    ordered = _outcomes(
        language, [("customer", "?"), ("agent", restate), ("agent", solution), ("agent", confirm)]
    )
    assert ordered["three_step_confirmation"].outcome == Outcome.PASSED
    solved_first = _outcomes(
        language, [("customer", "?"), ("agent", solution), ("agent", restate), ("agent", confirm)]
    )
    assert solved_first["three_step_confirmation"].outcome == Outcome.FAILED
    assert "restated" in solved_first["three_step_confirmation"].detail


def test_first_response_time_measures_the_first_wait() -> None:
    slow = _outcomes("id", [("customer", "Halo?"), ("agent", "Halo kak, ada yang bisa saya bantu?")], gap=75)
    assert slow["first_response_time"].outcome == Outcome.FAILED
    assert slow["first_response_time"].value == 75
    fast = _outcomes("id", [("customer", "Halo?"), ("agent", "Halo kak!")], gap=10)
    assert fast["first_response_time"].outcome == Outcome.PASSED


def test_sensitive_data_is_a_luhn_valid_card_or_a_shared_password() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    card = _outcomes("en", [("customer", "?"), ("agent", "Your card is 4111-1111-1111-1111.")])
    assert card["sensitive_data"].outcome == Outcome.FAILED
    order = _outcomes("en", [("customer", "?"), ("agent", "Your order 4111111111111112 shipped.")])
    assert order["sensitive_data"].outcome == Outcome.PASSED
    password = _outcomes("ms", [("customer", "?"), ("agent", "Kata laluan baru anda ialah Rahsia123")])
    assert password["sensitive_data"].outcome == Outcome.FAILED


def test_rudeness_and_forbidden_phrases_are_only_the_agents() -> None:
    customer_rude = _outcomes(
        "en", [("customer", "Calm down? It's your fault!"), ("agent", "Hello, let me help.")]
    )
    assert customer_rude["rudeness"].outcome == Outcome.PASSED
    assert customer_rude["forbidden_phrase"].outcome == Outcome.PASSED
    agent_rude = _outcomes("id", [("customer", "?"), ("agent", "Kan sudah saya bilang, baca dong.")])
    assert agent_rude["rudeness"].outcome == Outcome.FAILED


def test_auto_fail_zeroes_the_score_and_not_applicable_checks_do_not_count() -> None:
    definition = default_definition()
    passed = {c.id: Outcome.PASSED for d in definition.dimensions for c in d.checks}
    assert score_outcomes(definition, passed)[0] == 100.0
    assert score_outcomes(definition, {**passed, "sensitive_data": Outcome.FAILED})[:2] == (0.0, True)
    partial = score_outcomes(definition, {**passed, "first_response_time": Outcome.NOT_APPLICABLE})
    assert partial[0] == 100.0 and partial[2]["response_speed"] is None
    greeting_failed = score_outcomes(definition, {**passed, "greeting": Outcome.FAILED})
    assert greeting_failed[2]["service_attitude"] == round(100 * 8 / 9, 2)


def test_a_check_for_other_languages_is_not_applicable() -> None:
    raw = default_definition().model_dump()
    raw["dimensions"][0]["checks"][0]["languages"] = ["zh"]
    messages = [("customer", "hi", T0, None), ("agent", "Let me check.", T0, None)]
    scored = evaluate(
        build_transcript(id="t", language="en", messages=messages), ScorecardDefinition.model_validate(raw)
    )
    assert dict((r.check_id, r.outcome) for _, r in scored.results)["greeting"] == Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    "bad",
    [
        {"dimensions": []},
        {"dimensions": [{"id": "a", "name": "A", "weight": 1, "checks": [{"id": "x", "kind": "phrase"}]}]},
        {
            "dimensions": [
                {
                    "id": "a",
                    "name": "A",
                    "weight": 1,
                    "checks": [{"id": "x", "kind": "timing", "params": {"colour": 1}}],
                }
            ]
        },
        {
            "dimensions": [
                {
                    "id": "a",
                    "name": "A",
                    "weight": 1,
                    "checks": [{"id": "x", "kind": "phrase", "params": {"patterns": {"en": ["("]}}}],
                }
            ]
        },
    ],
)
def test_invalid_definitions_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        ScorecardDefinition.model_validate(bad)


def _timing(spec_params: dict, waits: list[tuple[str, int]], deadlines: tuple = ()) -> object:
    from kefu.qa.checks import check_timing
    from kefu.qa.scorecards import CheckSpec

    messages = [(role, "text", T0 + timedelta(seconds=at), None) for role, at in waits]
    transcript = build_transcript(id="t", language="en", messages=messages, deadlines=deadlines)
    return check_timing(CheckSpec(id="t", kind="timing", params=spec_params), transcript)


def test_timing_uses_the_applied_sla_deadline_over_the_fixed_target() -> None:
    from kefu.qa.transcript import Deadline

    turns = [("customer", 0), ("agent", 45), ("customer", 100), ("agent", 400)]
    fixed = _timing({"metric": "first_response", "target_seconds": 60}, turns)
    assert fixed.outcome == Outcome.PASSED and "fixed target" in fixed.detail
    # the SLA gave 30 s: the 45 s reply was late
    tight = (Deadline("first_response", T0, T0 + timedelta(seconds=30), 30),)
    late = _timing({"metric": "first_response", "target_seconds": 60}, turns, tight)
    assert late.outcome == Outcome.FAILED and "applied SLA of 30 s" in late.detail
    # business hours moved the deadline to the next morning: 45 s is in time although 60 s was not
    overnight = (Deadline("first_response", T0, T0 + timedelta(hours=14), 300),)
    assert _timing({"target_seconds": 10}, turns, overnight).outcome == Outcome.PASSED
    # longest gap: the next-response cycle that started at 100 s was due at 400 s → in time; at 350 s → late
    cycles = (
        Deadline("first_response", T0, T0 + timedelta(seconds=60), 60),
        Deadline("next_response", T0 + timedelta(seconds=100), T0 + timedelta(seconds=400), 300),
    )
    assert _timing({"metric": "longest_gap", "target_seconds": 60}, turns, cycles).outcome == Outcome.PASSED
    strict = (
        cycles[0],
        Deadline("next_response", T0 + timedelta(seconds=100), T0 + timedelta(seconds=350), 250),
    )
    failed = _timing({"metric": "longest_gap"}, turns, strict)
    assert failed.outcome == Outcome.FAILED and failed.value == 300 and failed.evidence[0].turn == 2
