"""Evaluating intent models: accuracy, macro-F1, per-class figures and out-of-scope detection.

The `X as X` imports re-export the run-time names the CLI needs, so it imports only nlp's
tools packages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kefu.nlp.intent.model import UNKNOWN, IntentConfig, IntentModel
from kefu.nlp.intent.model import IntentModelError as IntentModelError
from kefu.nlp.intent.model import load_default_intent_model as load_default_intent_model
from kefu.nlp.metrics import EvalReport, classification_report
from kefu.nlp.text.labelled import Example
from kefu.nlp.text.labelled import LabelledFileError as LabelledFileError
from kefu.nlp.text.labelled import read_examples as read_examples

OOS_PRECISION = 0.95
"""In-scope precision (and recall) at which the recall of unknowns is reported."""


@dataclass(frozen=True)
class IntentEvaluation:
    """An evaluation report plus how long training and prediction took."""

    report: EvalReport
    train_seconds: float
    predict_ms_per_message: float


def train_and_evaluate(
    train: Sequence[Example],
    test: Sequence[Example],
    *,
    unknown_label: str | None = None,
    config: IntentConfig | None = None,
    seed: int = 0,
    test_groups: Sequence[str] | None = None,
) -> IntentEvaluation:
    """Fit on `train`, predict `test`; rows labelled `unknown_label` are out of scope.

    With `test_groups` (a group such as the language for each test row) the accuracy of each
    group is added.
    """
    start = time.perf_counter()
    model = IntentModel.fit(
        [_as_unknown(e, unknown_label) for e in train], seed=seed, config=config
    )
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = evaluate(model, [_as_unknown(e, unknown_label) for e in test],
                      out_of_scope=unknown_label is not None, groups=test_groups)
    per_message = (time.perf_counter() - start) * 1000 / max(len(test), 1)
    report.extra["train_seconds"] = round(train_seconds, 2)
    report.extra["predict_ms_per_message"] = round(per_message, 3)
    return IntentEvaluation(report, train_seconds, per_message)


def evaluate(
    model: IntentModel,
    test: Sequence[Example],
    *,
    out_of_scope: bool,
    groups: Sequence[str] | None = None,
) -> EvalReport:
    """Classification report of `model` on `test`.

    With `out_of_scope` the test holds "unknown" rows: the report scores the model's own
    decisions (threshold included) and adds the OOS figures. Without it the test is closed-set,
    as in the published benchmarks: the report scores each message's best intent, and
    `accuracy_with_unknown` / `unknown_rate` show what the threshold would cost there.
    `groups` (one per row, e.g. the language) adds per-group accuracies.
    """
    texts = [e.text for e in test]
    gold = [e.label for e in test]
    decided = [p.label for p in model.predict_many(texts)]
    scores = model.score(texts)
    probs = scores.probabilities
    closed = [model.labels[i] for i in probs.argmax(axis=1)]
    report = classification_report(gold, decided if out_of_scope else closed)
    inside = [i for i, g in enumerate(gold) if g != UNKNOWN]
    report.extra["closed_set_accuracy"] = _accuracy(closed, gold, inside)
    report.extra["accuracy_with_unknown"] = _accuracy(decided, gold, range(len(gold)))
    report.extra["unknown_rate"] = round(decided.count(UNKNOWN) / max(len(decided), 1), 6)
    report.extra["fast_path_share"] = round(float(scores.fast.mean()) if len(texts) else 0.0, 6)
    if out_of_scope:
        in_scope = [i for i, label in enumerate(model.labels) if label != UNKNOWN]
        report.extra.update(oos_figures(gold, decided, probs[:, in_scope].max(axis=1)))
    for group in sorted(set(groups or [])):
        rows = [i for i, row_group in enumerate(groups or []) if row_group == group]
        report.extra[f"accuracy_{group}"] = _accuracy(decided, gold, rows)
        report.extra[f"closed_set_accuracy_{group}"] = _accuracy(
            closed, gold, [i for i in rows if gold[i] != UNKNOWN]
        )
    return report


def _accuracy(predicted: Sequence[str], gold: Sequence[str], rows: Sequence[int]) -> float:
    return round(sum(predicted[i] == gold[i] for i in rows) / max(len(rows), 1), 6)


def oos_figures(
    gold: Sequence[str], predicted: Sequence[str], confidence: np.ndarray
) -> dict[str, float]:
    """Out-of-scope figures of one run, plus two threshold sweeps on the test set itself.

    In-scope precision is the share of answered (not "unknown") messages that are in scope.
    `unknown_recall_at_95_precision`: unknown recall at the lowest confidence threshold whose
    answered messages are at least 95 % in scope. `unknown_recall_at_95_in_scope_recall`:
    unknown recall at the threshold that still answers 95 % of in-scope messages. Both sweep
    on test data, so they bound what the model's own threshold (chosen without it) can reach.
    """
    g = np.array(gold)
    p = np.array(predicted)
    unknown = g == UNKNOWN
    answered = p != UNKNOWN
    figures = {
        "in_scope_accuracy": _share(p[~unknown] == g[~unknown]),
        "unknown_recall": _share(~answered[unknown]),
        "in_scope_precision": _share(~unknown[answered]),
        **_sweeps(confidence, unknown),
    }
    return {k: round(v, 6) for k, v in figures.items()}


def _sweeps(confidence: np.ndarray, unknown: np.ndarray) -> dict[str, float]:
    """Unknown recall at 95 % in-scope precision and at 95 % in-scope recall."""
    if not unknown.any() or unknown.all():
        return {}
    order = np.argsort(-confidence, kind="stable")
    inside_answered = np.cumsum(~unknown[order])
    precision = inside_answered / np.arange(1, len(order) + 1)
    recall_unknown = 1.0 - np.cumsum(unknown[order]) / unknown.sum()
    ties = np.r_[confidence[order][1:] < confidence[order][:-1], True]
    at_precision = np.flatnonzero(ties & (precision >= OOS_PRECISION))
    at_recall = np.flatnonzero(ties & (inside_answered >= OOS_PRECISION * (~unknown).sum()))
    return {
        "unknown_recall_at_95_precision":
            float(recall_unknown[at_precision[-1]]) if len(at_precision) else 0.0,
        "unknown_recall_at_95_in_scope_recall": float(recall_unknown[at_recall[0]]),
    }


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _as_unknown(example: Example, unknown_label: str | None) -> Example:
    if unknown_label is not None and example.label == unknown_label:
        return Example(example.text, UNKNOWN)
    return example


def single_message_latency(model: IntentModel, texts: Sequence[str]) -> dict[str, float]:
    """Per-message `predict` latency in ms (p50/p90/p99/mean) on texts the caches never saw."""
    warm = [f"warm-up {i}" for i in range(20)]
    for text in warm:
        model.predict(text)
    timings = []
    for text in texts:
        start = time.perf_counter()
        model.predict(text)
        timings.append((time.perf_counter() - start) * 1000)
    p50, p90, p99 = np.percentile(timings, [50, 90, 99])
    return {
        "n": float(len(timings)),
        "p50_ms": round(float(p50), 3),
        "p90_ms": round(float(p90), 3),
        "p99_ms": round(float(p99), 3),
        "mean_ms": round(float(np.mean(timings)), 3),
    }
