"""Ensemble weights, confidence calibration and the out-of-scope threshold of an intent model.

All three are fitted on held-out scores (cross-validation folds of the training examples):
the weights and temperature minimise the negative log-likelihood of the softmax of the
weighted head scores; the threshold is the lowest confidence at which the answered held-out
messages are right often enough, counting messages of intents held out of training
("pseudo-unknowns") as wrong whenever they are answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

_MASKED = -1e9


@dataclass(frozen=True)
class HeldOut:
    """Held-out scores of every head on validation rows, with what the fold model knew.

    `gold` is the column of the true label, or -1 for a pseudo-unknown (its intent was left
    out of that fold's training). `known` marks the columns the fold model was trained on.
    """

    lexical: np.ndarray
    embedding: list[np.ndarray]
    known: np.ndarray
    coverage: np.ndarray
    gold: np.ndarray


@dataclass(frozen=True)
class Calibration:
    """Head weights (temperature folded in) and confidence thresholds of both regimes.

    `lexical_weight` and `embedding_weights` weigh the heads when the lexical vocabulary
    covers the message; `fallback_weights` weigh the embedding heads alone (a message in a
    language the examples never used). Logits are interpolated by lexical coverage, and so
    is the threshold.
    """

    lexical_weight: float
    embedding_weights: tuple[float, ...]
    fallback_weights: tuple[float, ...]
    threshold: float
    fallback_threshold: float

    def logits(
        self, lexical: np.ndarray, embedding: Sequence[np.ndarray], coverage: np.ndarray
    ) -> np.ndarray:
        """Combine head scores (rows = messages) into calibrated logits."""
        full = self.lexical_weight * lexical + _weighted(self.embedding_weights, embedding)
        fallback = _weighted(self.fallback_weights, embedding)
        cov = coverage[:, None]
        return cov * full + (1.0 - cov) * fallback

    def thresholds(self, coverage: np.ndarray) -> np.ndarray:
        """Out-of-scope confidence threshold for each message, by its lexical coverage."""
        return coverage * self.threshold + (1.0 - coverage) * self.fallback_threshold


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_calibration(
    held: HeldOut, *, target_precision: float, unknown_share: float
) -> Calibration:
    """Fit weights on the in-scope held-out rows, then thresholds on all of them."""
    inside = held.gold >= 0
    fallback = _fit_weights(
        [e[inside] for e in held.embedding], held.known[inside], held.gold[inside]
    )
    cov = held.coverage[:, None]
    full_inputs = [cov[inside] * held.lexical[inside]] + [
        cov[inside] * e[inside] for e in held.embedding
    ]
    offset = (1.0 - cov[inside]) * _weighted(fallback, [e[inside] for e in held.embedding])
    full = _fit_weights(full_inputs, held.known[inside], held.gold[inside], offset=offset)
    partial = Calibration(full[0], full[1:], fallback, 0.0, 0.0)
    logits = partial.logits(held.lexical, held.embedding, held.coverage)
    fallback_logits = _weighted(fallback, held.embedding)
    threshold = choose_threshold(
        _masked(logits, held.known), held.gold, target_precision, unknown_share
    )
    fallback_threshold = choose_threshold(
        _masked(fallback_logits, held.known), held.gold, target_precision, unknown_share
    )
    return Calibration(full[0], full[1:], fallback, threshold, fallback_threshold)


def choose_threshold(
    logits: np.ndarray, gold: np.ndarray, target_precision: float, unknown_share: float
) -> float:
    """Lowest confidence whose answered messages are right at least `target_precision` of the time.

    Pseudo-unknown rows (gold -1) are reweighted to make up `unknown_share` of the validation
    mass. When no threshold reaches the target, the one with the best answered precision wins.
    """
    probs = softmax(logits)
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold
    unknown = gold < 0
    weight = np.ones(len(gold))
    n_unknown, n_inside = int(unknown.sum()), int((~unknown).sum())
    if n_unknown and n_inside and 0.0 < unknown_share < 1.0:
        weight[unknown] = unknown_share / (1.0 - unknown_share) * n_inside / n_unknown
    order = np.argsort(-conf, kind="stable")
    good = np.cumsum((weight * correct)[order])
    total = np.cumsum(weight[order])
    precision = good / total
    # Only thresholds between distinct confidences can be chosen: take the last of each tie.
    distinct = np.r_[conf[order][1:] < conf[order][:-1], True]
    candidates = np.flatnonzero(distinct)
    reaching = candidates[precision[candidates] >= target_precision]
    pick = reaching[-1] if len(reaching) else candidates[np.argmax(precision[candidates])]
    return float(conf[order][pick])


def _weighted(weights: Sequence[float], scores: Sequence[np.ndarray]) -> np.ndarray:
    return sum((w * s for w, s in zip(weights, scores, strict=True)), np.zeros_like(scores[0]))


def _masked(logits: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, logits, _MASKED)


def _fit_weights(
    inputs: Sequence[np.ndarray],
    known: np.ndarray,
    gold: np.ndarray,
    *,
    offset: np.ndarray | None = None,
) -> tuple[float, ...]:
    """Non-negative weights of `inputs` minimising the softmax negative log-likelihood."""
    rows = np.arange(len(gold))
    base = np.zeros_like(inputs[0]) if offset is None else offset

    def loss(log_w: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.exp(log_w)
        logits = _masked(base + _weighted(w, inputs), known)
        probs = softmax(logits)
        nll = -np.log(np.maximum(probs[rows, gold], 1e-12)).mean()
        # d nll / d w_i = mean(E_p[s_i] - s_i[gold]); chain rule through exp.
        grad = np.array(
            [
                ((probs * np.where(known, x, 0.0)).sum(axis=1) - x[rows, gold]).mean()
                for x in inputs
            ]
        )
        return float(nll), grad * w

    result = minimize(loss, np.zeros(len(inputs)), jac=True, method="L-BFGS-B",
                      bounds=[(-8.0, 6.0)] * len(inputs))
    return tuple(float(v) for v in np.exp(result.x))
