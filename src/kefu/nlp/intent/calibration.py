"""Ensemble weights, confidence calibration and the out-of-scope threshold of an intent model.

All three are fitted on held-out scores (cross-validation folds of the training examples,
where each fold also leaves a few intents out entirely: "pseudo-unknowns"). The weights, which
also set the temperature, minimise the cross-entropy of the softmax of the weighted head
scores against the true label (in scope) or the uniform distribution (pseudo-unknowns). The
threshold is the lowest confidence at which the answered held-out messages are right often
enough, counting a pseudo-unknown as wrong whenever it is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

_MASKED = -1e9
FAST_NEVER = 2.0
"""A fast-path threshold no probability reaches."""
FAST_MIN_COVERAGE = 0.8
"""The lexical head alone is trusted only on messages whose words it mostly knows."""
FAST_AGREEMENT = 0.99
"""Held-out share of fast-path answers that must equal the full ensemble's decision."""


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
    is the threshold. The fast path: when the lexical head alone (weighted by `fast_weight`)
    is at least `fast_threshold` confident on a well-covered message, its answer is taken
    without computing embeddings.
    """

    lexical_weight: float
    embedding_weights: tuple[float, ...]
    fallback_weights: tuple[float, ...]
    threshold: float
    fallback_threshold: float
    fast_weight: float = 1.0
    fast_threshold: float = FAST_NEVER

    def logits(
        self, lexical: np.ndarray, embedding: Sequence[np.ndarray], coverage: np.ndarray
    ) -> np.ndarray:
        """Combine head scores (rows = messages) into calibrated logits."""
        full = self.lexical_weight * lexical + _weighted(self.embedding_weights, embedding)
        fallback = _weighted(self.fallback_weights, embedding)
        cov = coverage[:, None]
        return cov * full + (1.0 - cov) * fallback

    def fast_probabilities(self, lexical: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from the lexical head alone."""
        return softmax(self.fast_weight * lexical)

    def thresholds(self, coverage: np.ndarray) -> np.ndarray:
        """Out-of-scope confidence threshold for each message, by its lexical coverage."""
        return coverage * self.threshold + (1.0 - coverage) * self.fallback_threshold


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_calibration(
    held: HeldOut,
    *,
    target_precision: float,
    unknown_share: float,
    unknown_column: int | None = None,
) -> Calibration:
    """Fit head weights, then the temperature, then a threshold per regime.

    The weights' ratios are fitted on the in-scope rows only (they decide which intent wins);
    a common scale per regime (the temperature) is then fitted on all rows, pseudo-unknowns
    included, so off-topic messages get low confidence. `unknown_column` is the column of the
    "unknown" label when the examples include it.
    """
    targets, row_weights = _targets(held, unknown_share)
    inside = held.gold >= 0
    in_targets, in_weights = targets[inside], row_weights[inside] / row_weights[inside].sum()
    emb_in = [e[inside] for e in held.embedding]
    fallback = _fit_weights(emb_in, held.known[inside], in_targets, in_weights)
    fallback_logits = _weighted(fallback, held.embedding)
    fallback_scale = _fit_weights([fallback_logits], held.known, targets, row_weights)[0]
    fallback = tuple(fallback_scale * w for w in fallback)
    cov = held.coverage[:, None]
    offset = (1.0 - cov) * _weighted(fallback, held.embedding)
    full = _fit_weights(
        [cov[inside] * held.lexical[inside]] + [cov[inside] * e for e in emb_in],
        held.known[inside],
        in_targets,
        in_weights,
        offset=offset[inside],
    )
    full_logits = cov * (full[0] * held.lexical + _weighted(full[1:], held.embedding))
    scale = _fit_weights([full_logits], held.known, targets, row_weights, offset=offset)[0]
    full = tuple(scale * w for w in full)
    partial = Calibration(full[0], full[1:], fallback, 0.0, 0.0)
    logits = partial.logits(held.lexical, held.embedding, held.coverage)
    fallback_logits = _weighted(fallback, held.embedding)
    threshold = choose_threshold(
        _masked(logits, held.known), held.gold, target_precision, unknown_share, unknown_column
    )
    fallback_threshold = choose_threshold(
        _masked(fallback_logits, held.known), held.gold, target_precision, unknown_share,
        unknown_column,
    )
    fast_weight = _fit_weights(
        [held.lexical[inside]], held.known[inside], in_targets, in_weights
    )[0]
    fast_weight *= _fit_weights([fast_weight * held.lexical], held.known, targets, row_weights)[0]
    row_thresholds = held.coverage * threshold + (1.0 - held.coverage) * fallback_threshold
    decided = _decisions(_masked(logits, held.known), row_thresholds, unknown_column)
    fast_threshold = _fast_threshold(
        _masked(fast_weight * held.lexical, held.known), decided, held.coverage, unknown_column
    )
    return Calibration(
        full[0], full[1:], fallback, threshold, fallback_threshold, fast_weight,
        max(fast_threshold, threshold),
    )


def _decisions(
    logits: np.ndarray, thresholds: np.ndarray, unknown_column: int | None
) -> np.ndarray:
    """Column each row is answered with, or -1 for "unknown"."""
    probs = softmax(logits)
    best = probs.argmax(axis=1)
    return np.where((probs.max(axis=1) >= thresholds) & (best != unknown_column), best, -1)


def _fast_threshold(
    logits: np.ndarray, decided: np.ndarray, coverage: np.ndarray, unknown_column: int | None
) -> float:
    """Lowest lexical-only confidence whose answers match the ensemble's often enough."""
    eligible = coverage >= FAST_MIN_COVERAGE
    if not eligible.any():
        return FAST_NEVER
    probs = softmax(logits[eligible])
    best = probs.argmax(axis=1)
    answer = np.where(best == unknown_column, -1, best)
    conf = probs.max(axis=1)
    order = np.argsort(-conf, kind="stable")
    agree = np.cumsum(answer[order] == decided[eligible][order]) / np.arange(1, len(order) + 1)
    ties = np.r_[conf[order][1:] < conf[order][:-1], True]
    ok = np.flatnonzero(ties & (agree >= FAST_AGREEMENT))
    return float(conf[order][ok[-1]]) if len(ok) else FAST_NEVER


def choose_threshold(
    logits: np.ndarray,
    gold: np.ndarray,
    target_precision: float,
    unknown_share: float,
    unknown_column: int | None = None,
) -> float:
    """Confidence threshold making the most right decisions with answers right often enough.

    A decision is right when an in-scope message gets its label, or an out-of-scope one
    (pseudo-unknown, gold -1, or an example labelled unknown) gets "unknown". Among the
    thresholds whose answered messages are right at least `target_precision` of the time, the
    one with the highest weighted accuracy wins (the highest accuracy overall if none does).
    Pseudo-unknown rows are reweighted to make up `unknown_share` of the validation mass.
    """
    probs = softmax(logits)
    conf = probs.max(axis=1)
    best = probs.argmax(axis=1)
    out_of_scope = (gold < 0) | (gold == unknown_column)
    says_unknown = best == unknown_column
    weight = np.ones(len(gold))
    n_unknown, n_inside = int((gold < 0).sum()), int((gold >= 0).sum())
    if n_unknown and n_inside and 0.0 < unknown_share < 1.0:
        weight[gold < 0] = unknown_share / (1.0 - unknown_share) * n_inside / n_unknown
    right_if_answered = np.where(says_unknown, out_of_scope, (best == gold) & ~out_of_scope)
    answers = ~says_unknown
    order = np.argsort(-conf, kind="stable")
    w = weight[order]
    right_answered = np.cumsum(w * right_if_answered[order] * answers[order])
    answered = np.cumsum(w * answers[order])
    rejected_right = (w * out_of_scope[order]).sum() - np.cumsum(w * out_of_scope[order] * answers[order])
    accuracy = (right_answered + rejected_right) / w.sum()
    precision = np.divide(right_answered, answered, out=np.ones_like(answered), where=answered > 0)
    # Only thresholds between distinct confidences can be chosen: take the last of each tie.
    candidates = np.flatnonzero(np.r_[conf[order][1:] < conf[order][:-1], True])
    allowed = candidates[precision[candidates] >= target_precision]
    pool = allowed if len(allowed) else candidates
    pick = pool[np.argmax(accuracy[pool])]
    return float(conf[order][pick])


def _weighted(weights: Sequence[float], scores: Sequence[np.ndarray]) -> np.ndarray:
    return sum((w * s for w, s in zip(weights, scores, strict=True)), np.zeros_like(scores[0]))


def _masked(logits: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, logits, _MASKED)


def _targets(held: HeldOut, unknown_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Soft targets and row weights for fitting the weights.

    In-scope rows aim at their label, smoothed as in Platt scaling (1 - 1/(n+2) on the gold
    label), so perfectly separated held-out data still gives a finite temperature.
    Pseudo-unknown rows aim at the uniform distribution over the labels their fold knew,
    weighted to make up `unknown_share` of the mass, so confidence stays low off-topic.
    """
    inside = held.gold >= 0
    n_inside = max(int(inside.sum()), 1)
    smoothing = 1.0 / (n_inside + 2)
    known_count = held.known.sum(axis=1, keepdims=True)
    uniform = held.known / known_count
    targets = np.where(held.known, smoothing / np.maximum(known_count - 1, 1), 0.0)
    rows = np.flatnonzero(inside)
    targets[rows, held.gold[rows]] = 1.0 - smoothing
    targets[~inside] = uniform[~inside]
    weights = np.ones(len(held.gold))
    n_unknown = int((~inside).sum())
    if n_unknown and 0.0 < unknown_share < 1.0:
        weights[~inside] = unknown_share / (1.0 - unknown_share) * n_inside / n_unknown
    return targets, weights / weights.sum()


def _fit_weights(
    inputs: Sequence[np.ndarray],
    known: np.ndarray,
    targets: np.ndarray,
    row_weights: np.ndarray,
    *,
    offset: np.ndarray | None = None,
) -> tuple[float, ...]:
    """Non-negative weights of `inputs` minimising the weighted softmax cross-entropy."""
    base = np.zeros_like(inputs[0]) if offset is None else offset
    masked_inputs = [np.where(known, x, 0.0) for x in inputs]

    def loss(log_w: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.exp(log_w)
        logits = _masked(base + _weighted(w, masked_inputs), known)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        ce = -(targets * np.where(known, log_probs, 0.0)).sum(axis=1)
        residual = (np.exp(log_probs) - targets) * row_weights[:, None]
        grad = np.array([(residual * x).sum() for x in masked_inputs])
        return float(row_weights @ ce), grad * w

    result = minimize(loss, np.zeros(len(inputs)), jac=True, method="L-BFGS-B",
                      bounds=[(-8.0, 6.0)] * len(inputs))
    return tuple(float(v) for v in np.exp(result.x))
