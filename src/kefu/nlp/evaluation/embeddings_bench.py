"""Per-language comparison of the bundled embedders: linear-probe quality and latency.

Quality: a logistic-regression head on each embedder's vectors, trained and tested per language on
SIB-200 topics (parallel text, all six languages) and on that language's sentiment corpus (seeded
subsample). Latency: one uncached sentence at a time, and batched, on that language's test texts.
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kefu.nlp.embeddings.embedder import available_embedders, get_embedder
from kefu.nlp.metrics import classification_report
from kefu.nlp.training.datasets import shared_data_dir
from kefu.nlp.training.sentiment_data import DataUnavailableError, load_corpus

SIB200_FOLDERS = {
    "en": "eng_Latn", "zh": "zho_Hans", "id": "ind_Latn",
    "vi": "vie_Latn", "th": "tha_Thai", "ms": "zsm_Latn",
}
SENTIMENT_CORPUS = {
    "zh": "zh_reviews", "id": "smsa", "vi": "ntc_scv", "th": "wisesight", "ms": "malay",
}
SEED = 13


@dataclass
class LanguageResult:
    """Probe scores and latency of every embedder for one language."""

    lang: str
    topic_accuracy: dict[str, float] = field(default_factory=dict)
    sentiment_macro_f1: dict[str, float] = field(default_factory=dict)
    single_ms_p50: dict[str, float] = field(default_factory=dict)
    batched_ms: dict[str, float] = field(default_factory=dict)


def _sib200(root: Path, lang: str, split: str) -> tuple[list[str], list[str]]:
    path = root / "sib200" / SIB200_FOLDERS[lang] / f"{split}.tsv"
    if not path.is_file():
        raise DataUnavailableError(f"missing data file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def _sample(
    texts: Sequence[str], labels: Sequence[str], limit: int
) -> tuple[list[str], list[str]]:
    order = list(range(len(texts)))
    random.Random(SEED).shuffle(order)
    keep = sorted(order[:limit])
    return [texts[i] for i in keep], [labels[i] for i in keep]


def _probe(
    name: str, train: tuple[list[str], list[str]], test: tuple[list[str], list[str]]
) -> tuple[float, float]:
    """Fit a logistic-regression head on ``name``'s vectors; return (accuracy, macro-F1)."""
    from sklearn.linear_model import LogisticRegression

    embedder = get_embedder(name)
    head = LogisticRegression(C=10.0, max_iter=3000, random_state=SEED)
    head.fit(embedder.embed(train[0]), train[1])
    predicted = [str(p) for p in head.predict(embedder.embed(test[0]))]
    report = classification_report(test[1], predicted)
    return report.accuracy, report.macro_f1


def _latency(name: str, texts: Sequence[str]) -> tuple[float, float]:
    """Median ms for one uncached sentence, and ms per sentence in one uncached batch."""
    embedder = get_embedder(name)
    embedder.embed(["warm up"])
    embedder.clear_cache()
    timings = []
    for text in texts:
        start = time.perf_counter()
        embedder.embed([text])
        timings.append((time.perf_counter() - start) * 1000)
    embedder.clear_cache()
    start = time.perf_counter()
    embedder.embed(list(texts))
    batched = (time.perf_counter() - start) * 1000 / max(len(texts), 1)
    embedder.clear_cache()
    return statistics.median(timings), batched


def run_benchmark(
    langs: Sequence[str],
    *,
    embedders: Sequence[str] | None = None,
    train_limit: int = 2000,
    test_limit: int = 1000,
    latency_sentences: int = 100,
    root: Path | None = None,
) -> list[LanguageResult]:
    """Measure each embedder per language; missing data sets are skipped."""
    root = root or shared_data_dir()
    names = list(embedders or available_embedders())
    results = []
    for lang in langs:
        result = LanguageResult(lang)
        topic_train, topic_test = _sib200(root, lang, "train"), _sib200(root, lang, "test")
        sentiment = None
        if lang in SENTIMENT_CORPUS:
            corpus = load_corpus(SENTIMENT_CORPUS[lang], root)
            sentiment = (
                _sample([e.text for e in corpus.train], [e.label for e in corpus.train],
                        train_limit),
                _sample([e.text for e in corpus.test], [e.label for e in corpus.test],
                        test_limit),
            )
        for name in names:
            result.topic_accuracy[name] = _probe(name, topic_train, topic_test)[0]
            if sentiment is not None:
                result.sentiment_macro_f1[name] = _probe(name, *sentiment)[1]
            sample = (sentiment[1][0] if sentiment else topic_test[0])[:latency_sentences]
            result.single_ms_p50[name], result.batched_ms[name] = _latency(name, sample)
            get_embedder(name).clear_cache()
        results.append(result)
    return results


def render(results: Sequence[LanguageResult]) -> str:
    """Table of the benchmark figures, one row per language and embedder."""
    lines = [
        f"{'lang':<5} {'embedder':<8} {'topic acc':>9} {'sent F1':>8} {'1 sent ms':>10} "
        f"{'batch ms':>9}"
    ]
    for r in results:
        for name in r.topic_accuracy:
            sentiment = r.sentiment_macro_f1.get(name)
            lines.append(
                f"{r.lang:<5} {name:<8} {r.topic_accuracy[name]:9.4f} "
                f"{(f'{sentiment:.4f}' if sentiment is not None else '-'):>8} "
                f"{r.single_ms_p50[name]:10.2f} {r.batched_ms[name]:9.2f}"
            )
    return "\n".join(lines)


def as_dicts(results: Sequence[LanguageResult]) -> list[dict[str, object]]:
    """JSON-ready form of the results."""
    return [
        {
            "lang": r.lang,
            "topic_accuracy": r.topic_accuracy,
            "sentiment_macro_f1": r.sentiment_macro_f1,
            "single_ms_p50": r.single_ms_p50,
            "batched_ms_per_sentence": r.batched_ms,
        }
        for r in results
    ]

