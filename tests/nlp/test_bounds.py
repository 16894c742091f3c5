"""Bounded analysis: adversarial texts are squeezed and capped, and one analysis stays fast."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from kefu.nlp.analyzer import Analyzer, load_analyzer
from kefu.nlp.intent.model import load_default_intent_model
from kefu.nlp.language.detector import get_language_detector
from kefu.nlp.text.bounds import ANALYSED_CHARS, EMOJI_RUN, MODEL_CHARS, bound_text
from kefu.nlp.text.normalise import EMOJI_RE

LIMIT_SECONDS = 0.5
"""The unbounded analysis took 31.7 s for 10,000 emoji and 0.8 s for 2,000."""


@pytest.fixture(scope="module")
def warm() -> Iterator[Analyzer]:
    """The default analyzer with every model loaded (loading is not analysis time)."""
    analyzer = load_analyzer()
    model = load_default_intent_model()
    for text in ("Where is my parcel? 😡 I ordered it two weeks ago", "我的订单在哪里", "พัสดุอยู่ไหน"):
        analyzer.analyse(text, intent_model=model)
    yield analyzer


def _timed(analyzer: Analyzer, text: str) -> float:
    start = time.perf_counter()
    analyzer.analyse(text, intent_model=load_default_intent_model())
    return time.perf_counter() - start


def test_ordinary_chat_is_not_changed() -> None:
    text = "Hi!! my order #100000 is late 😡😡 can you check? Thanks 🙏"
    bounded = bound_text(text)
    assert (bounded.text, bounded.model_text, bounded.bounded) == (text, text, False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("😀" * 10_000, "😀😀😀"),
        ("no!!!!!!!!!!", "no!!!"),
        ("sooooooooo bad", "sooo bad"),
        ("hahahahahahahaha", "hahaha"),
        ("😀a" * 5_000, "😀a😀a😀a"),
        ("bad bad bad bad bad bad", "bad bad bad bad"),
        ("order 1111111111 and 10000000", "order 1111111111 and 10000000"),
    ],
)
def test_runs_are_squeezed_but_digits_are_kept(raw: str, expected: str) -> None:
    assert bound_text(raw).text == expected


def test_a_flood_of_different_emoji_keeps_only_the_first_few() -> None:
    rng = random.Random(7)
    flood = "help " + " ".join(chr(rng.randrange(0x1F600, 0x1F650)) for _ in range(1_500)) + " now"
    bounded = bound_text(flood)
    assert len(EMOJI_RE.findall(bounded.text)) == EMOJI_RUN
    assert bounded.text.startswith("help ") and bounded.text.endswith(" now") and bounded.bounded


def test_long_texts_are_capped_for_each_stage() -> None:
    text = " ".join(f"parcel{n}" for n in range(3_000))
    bounded = bound_text(text)
    assert len(bounded.text) == ANALYSED_CHARS and len(bounded.model_text) == MODEL_CHARS
    assert text.startswith(bounded.text) and bounded.bounded


@pytest.mark.parametrize(
    "text",
    [
        "😡" * 10_000,
        "🙏😀🤬" * 3_333,
        "x😀" * 10_000,
        "!" * 20_000,
        " ".join(["terrible", "not", "good", "kind", "of", "sort", "of"] * 2_800)[:20_000],
        "退款" * 10_000,
        "แย่มาก " * 2_800,
    ],
    ids=["emoji", "emoji-mix", "alternating", "punctuation", "vader-words", "zh", "th"],
)
def test_one_adversarial_analysis_takes_under_half_a_second(warm: Analyzer, text: str) -> None:
    assert _timed(warm, text) < LIMIT_SECONDS


def test_the_analysis_of_a_bounded_text_says_so(warm: Analyzer) -> None:
    result = warm.analyse("😀" * 10_000 + " refund", intent_model=load_default_intent_model())
    assert result.bounded is True and result.skipped == ()
    plain = warm.analyse("where is my refund", intent_model=load_default_intent_model())
    assert plain.bounded is False


class _Clock:
    """A timer that advances by `step` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class _Model:
    def __init__(self) -> None:
        self.calls = 0

    def predict(self, text: str, lang: str | None = None) -> object:
        self.calls += 1
        raise AssertionError("a model ran after the budget was spent")


def test_models_not_yet_run_are_skipped_once_the_budget_is_spent() -> None:
    intent, mood = _Model(), _Model()
    analyzer = Analyzer(
        detector=get_language_detector(), intent_model=intent, sentiment_model=mood,  # type: ignore[arg-type]
        budget_seconds=0.05, timer=_Clock(step=0.1),
    )
    result = analyzer.analyse("where is my refund?")
    assert result.skipped == ("intent", "sentiment")
    assert (result.intent, result.sentiment, result.anger) == (None, None, None)
    assert result.language == "en" and (intent.calls, mood.calls) == (0, 0)
