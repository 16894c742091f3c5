"""Scoring heads of intent models: linear, a small numpy MLP, and nearest-example similarity.

Every head maps feature rows to one score column per intent. A head trained without some
labels (a cross-validation fold that leaves intents out) scores those columns `ABSENT`. Heads
turn into plain arrays (`arrays`) and back (`head_from_arrays`), so a model stays pickle-free.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

ABSENT = -1e3
"""Score of a label the head never saw in training."""

HEAD_KINDS = ("linear", "mlp", "neighbours")
FEW_ROWS = 4
"""Up to this many rows (single messages), dense heads multiply without BLAS."""


class Head(Protocol):
    """Scores feature rows against every intent (one column per label)."""

    @property
    def kind(self) -> str:
        """Which head this is (one of HEAD_KINDS)."""
        ...

    def scores(self, x: np.ndarray | csr_matrix) -> np.ndarray:
        """Score rows of `x` against every intent."""
        ...

    def arrays(self) -> dict[str, np.ndarray]:
        """The head's parameters as named arrays (see `head_from_arrays`)."""
        ...


@dataclass(frozen=True)
class MlpSettings:
    """Shape and training schedule of an MLP head (Adam, cosine decay, dropout, smoothing)."""

    hidden: int = 512
    epochs: int = 20
    min_steps: int = 400
    batch: int = 256
    learning_rate: float = 4e-3
    dropout: float = 0.5
    label_smoothing: float = 0.1


@dataclass(frozen=True)
class LinearHead:
    """Linear scores `x @ weights + bias`, one column per intent."""

    weights: np.ndarray
    bias: np.ndarray
    kind: str = "linear"

    def scores(self, x: np.ndarray | csr_matrix) -> np.ndarray:
        """Score rows of `x` against every intent."""
        return np.asarray(x @ self.weights, dtype=np.float64) + self.bias

    def arrays(self) -> dict[str, np.ndarray]:
        """Weights and bias."""
        return {"weights": self.weights, "bias": self.bias}


@dataclass(frozen=True)
class MlpHead:
    """One hidden ReLU layer on the embedding scaled to unit variance per dimension."""

    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    kind: str = "mlp"

    def scores(self, x: np.ndarray | csr_matrix) -> np.ndarray:
        """Logits of every intent."""
        dense = np.asarray(x, dtype=np.float32) * np.float32(math.sqrt(self.hidden_weights.shape[0]))
        hidden = np.maximum(_product(dense, self.hidden_weights) + self.hidden_bias, 0.0)
        return np.asarray(_product(hidden, self.weights), dtype=np.float64) + self.bias

    def arrays(self) -> dict[str, np.ndarray]:
        """Both layers' weights and biases."""
        return {
            "hidden_weights": self.hidden_weights,
            "hidden_bias": self.hidden_bias,
            "weights": self.weights,
            "bias": self.bias,
        }


@dataclass(frozen=True)
class NeighbourHead:
    """Per intent, the cosine similarity of the nearest training example (rows are unit length).

    `vectors` are the training embeddings grouped by label; label `i` owns the rows
    `starts[i]` up to the next start (none when `starts[i]` is -1).
    """

    vectors: np.ndarray
    starts: np.ndarray
    kind: str = "neighbours"

    def scores(self, x: np.ndarray | csr_matrix) -> np.ndarray:
        """Best similarity to each intent's examples."""
        dense = np.asarray(x, dtype=np.float32)
        out = np.full((dense.shape[0], len(self.starts)), ABSENT)
        present = np.flatnonzero(self.starts >= 0)
        if len(present) and dense.shape[0]:
            similarity = _product(dense, self.vectors.T)
            out[:, present] = np.maximum.reduceat(similarity, self.starts[present], axis=1)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """Grouped training vectors (half precision) and group starts."""
        return {"vectors": self.vectors.astype(np.float16), "starts": self.starts}


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a @ b`, without BLAS for a few rows: its threads cost 1-5 ms a call on a busy host."""
    return np.einsum("ij,jk->ik", a, b) if a.shape[0] <= FEW_ROWS else a @ b


def head_from_arrays(kind: str, arrays: dict[str, np.ndarray]) -> Head:
    """Rebuild a head written by its `arrays`."""
    if kind == "linear":
        return LinearHead(arrays["weights"], arrays["bias"])
    if kind == "mlp":
        return MlpHead(arrays["hidden_weights"], arrays["hidden_bias"], arrays["weights"], arrays["bias"])
    if kind == "neighbours":
        return NeighbourHead(np.asarray(arrays["vectors"], dtype=np.float32), arrays["starts"])
    raise ValueError(f"unknown head kind {kind!r}; expected one of {', '.join(HEAD_KINDS)}")


def fit_head(
    kind: str,
    x: np.ndarray | csr_matrix,
    y: np.ndarray,
    n_labels: int,
    *,
    c: float = 1.0,
    mlp: MlpSettings | None = None,
    seed: int = 0,
) -> Head:
    """Train a head of `kind` on rows `x` with label columns `y`."""
    if kind == "linear":
        return fit_linear(x, y, n_labels, c, seed)
    if kind == "mlp":
        return fit_mlp(np.asarray(x), y, n_labels, mlp or MlpSettings(), seed)
    if kind == "neighbours":
        return fit_neighbours(np.asarray(x), y, n_labels)
    raise ValueError(f"unknown head kind {kind!r}; expected one of {', '.join(HEAD_KINDS)}")


def fit_linear(x: np.ndarray | csr_matrix, y: np.ndarray, n_labels: int, c: float,
               seed: int) -> LinearHead:
    """Fit a one-vs-rest linear SVM; columns of labels absent from `y` score very low."""
    present = np.unique(y)
    svm = LinearSVC(C=c, random_state=seed, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        svm.fit(x, y)
    coef = np.asarray(svm.coef_, dtype=np.float32)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if len(present) == 2:
        coef = np.vstack([-coef, coef])
        intercept = np.r_[-intercept, intercept]
    weights = np.zeros((x.shape[1], n_labels), dtype=np.float32)
    bias = np.full(n_labels, ABSENT)
    weights[:, present] = coef.T
    bias[present] = intercept
    return LinearHead(weights, bias)


def fit_neighbours(x: np.ndarray, y: np.ndarray, n_labels: int) -> NeighbourHead:
    """Keep the training vectors grouped by label (stable within a label)."""
    order = np.argsort(y, kind="stable")
    counts = np.bincount(y, minlength=n_labels)
    offsets = np.r_[0, np.cumsum(counts)[:-1]]
    starts = np.where(counts > 0, offsets, -1).astype(np.int64)
    vectors = np.ascontiguousarray(x[order], dtype=np.float32).astype(np.float16).astype(np.float32)
    return NeighbourHead(vectors, starts)


def fit_mlp(x: np.ndarray, y: np.ndarray, n_labels: int, settings: MlpSettings,
            seed: int) -> MlpHead:
    """Train the MLP with Adam on a seeded schedule; one BLAS thread, so runs are repeatable."""
    present = np.unique(y)
    compact = np.searchsorted(present, y)
    with threadpool_limits(limits=1, user_api="blas"):
        layers = _train_mlp(x, compact, len(present), settings, seed)
    hidden_weights, hidden_bias, out_weights, out_bias = layers
    weights = np.zeros((hidden_weights.shape[1], n_labels), dtype=np.float32)
    bias = np.full(n_labels, ABSENT)
    weights[:, present] = out_weights
    bias[present] = out_bias
    return MlpHead(hidden_weights, hidden_bias, weights, bias)


def _train_mlp(
    x: np.ndarray, y: np.ndarray, n_out: int, settings: MlpSettings, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mini-batch Adam on smoothed cross-entropy; returns (W1, b1, W2, b2) in float32."""
    rng = np.random.default_rng(seed)
    n, dim = x.shape
    inputs = np.ascontiguousarray(x, dtype=np.float32) * np.float32(math.sqrt(dim))
    hidden = settings.hidden
    params = [
        (rng.standard_normal((dim, hidden)) * math.sqrt(2.0 / dim)).astype(np.float32),
        np.zeros(hidden, dtype=np.float32),
        (rng.standard_normal((hidden, n_out)) * math.sqrt(1.0 / hidden)).astype(np.float32),
        np.zeros(n_out, dtype=np.float32),
    ]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    smooth = settings.label_smoothing
    targets = np.full((n, n_out), smooth / n_out, dtype=np.float32)
    targets[np.arange(n), y] += 1.0 - smooth
    per_epoch = math.ceil(n / settings.batch)
    epochs = max(settings.epochs, math.ceil(settings.min_steps / per_epoch))
    total = epochs * per_epoch
    keep = 1.0 - settings.dropout
    beta1, beta2 = 0.9, 0.999
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, settings.batch):
            rows = order[start : start + settings.batch]
            xb = inputs[rows]
            pre = xb @ params[0] + params[1]
            active = np.maximum(pre, 0.0)
            if settings.dropout > 0:
                mask = (rng.random(active.shape, dtype=np.float32) < keep) / np.float32(keep)
                active = active * mask
            logits = active @ params[2] + params[3]
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            delta = (probs - targets[rows]) / np.float32(len(rows))
            back = delta @ params[2].T
            if settings.dropout > 0:
                back *= mask
            back *= pre > 0
            grads = [xb.T @ back, back.sum(axis=0), active.T @ delta, delta.sum(axis=0)]
            step += 1
            rate = settings.learning_rate * 0.5 * (1.0 + math.cos(math.pi * step / total))
            correction1, correction2 = 1.0 - beta1**step, 1.0 - beta2**step
            for p, g, m, v in zip(params, grads, first, second, strict=True):
                m *= beta1
                m += (1.0 - beta1) * g
                v *= beta2
                v += (1.0 - beta2) * g * g
                p -= np.float32(rate / correction1) * m / (np.sqrt(v / np.float32(correction2)) + 1e-8)
    return params[0], params[1], params[2], params[3]
