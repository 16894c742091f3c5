"""Intent-model heads (MLP, nearest example, linear), fast TF-IDF folds, older archives."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import numpy as np
import pytest

from kefu.nlp.intent.features import GramCounts, Vocabulary, text_grams
from kefu.nlp.intent.heads import (
    ABSENT,
    MlpSettings,
    fit_head,
    fit_mlp,
    fit_neighbours,
    head_from_arrays,
)
from kefu.nlp.intent.model import IntentConfig, IntentModel, IntentModelError
from kefu.nlp.text.labelled import Example


def _blobs(seed: int = 0, per_label: int = 40, dim: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated clusters of unit vectors."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 3.0
    y = np.repeat(np.arange(3), per_label)
    x = centres[y] + rng.normal(scale=0.5, size=(len(y), dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), y


SMALL = MlpSettings(hidden=32, epochs=5, min_steps=60, batch=16)


def test_mlp_learns_separable_clusters_and_is_repeatable() -> None:
    x, y = _blobs()
    head = fit_mlp(x, y, 3, SMALL, seed=0)
    assert (head.scores(x).argmax(axis=1) == y).mean() == 1.0
    again = fit_mlp(x, y, 3, SMALL, seed=0)
    assert np.array_equal(head.hidden_weights, again.hidden_weights)
    assert not np.array_equal(head.hidden_weights, fit_mlp(x, y, 3, SMALL, seed=1).hidden_weights)


def test_labels_missing_from_training_score_absent() -> None:
    x, y = _blobs()
    keep = y != 1
    for kind in ("linear", "mlp", "neighbours"):
        scores = fit_head(kind, x[keep], y[keep], 3, mlp=SMALL).scores(x)
        assert np.all(scores[:, 1] == ABSENT), kind
        assert scores[:, [0, 2]].min() > ABSENT, kind


def test_neighbour_head_scores_the_nearest_example_of_each_label() -> None:
    x, y = _blobs()
    head = fit_neighbours(x, y, 3)
    query = x[:5]
    expected = np.stack(
        [(query @ head.vectors[y[np.argsort(y, kind="stable")] == k].T).max(axis=1) for k in range(3)],
        axis=1,
    )
    assert np.allclose(head.scores(query), expected)
    assert np.allclose(head.scores(query)[:, 0], 1.0, atol=1e-3)  # each is its own neighbour


@pytest.mark.parametrize("kind", ["linear", "mlp", "neighbours"])
def test_heads_survive_their_arrays(kind: str) -> None:
    x, y = _blobs()
    head = fit_head(kind, x, y, 3, mlp=SMALL)
    restored = head_from_arrays(kind, head.arrays())
    assert np.array_equal(restored.scores(x), head.scores(x))


def test_fold_features_equal_a_vocabulary_built_on_the_fold() -> None:
    texts = ["I want a refund", "refund my order please", "where is my parcel", "parcel late",
             "我要退款", "ลืมรหัสผ่าน", "hello there", "", "refund refund refund"]
    docs = [text_grams(t) for t in texts]
    counts = GramCounts(docs)
    rows = np.array([0, 2, 3, 4, 6, 8])
    vocabulary, matrix = counts.features(rows, min_char_df=2)
    expected = Vocabulary.build([docs[i] for i in rows], min_char_df=2)
    assert vocabulary.words == expected.words
    assert vocabulary.chars == expected.chars
    assert np.array_equal(vocabulary.idf, expected.idf)
    assert np.allclose(matrix.toarray(), expected.transform(docs).toarray(), atol=1e-6)


EXAMPLES = [
    Example(text, label)
    for label, texts in {
        "refund": ["I want a refund", "give me my money back", "refund my order", "refund please",
                   "the refund never came", "money back please"],
        "password": ["I forgot my password", "reset my password", "can't log in",
                     "password not working", "new password please", "locked out of my account"],
        "delivery": ["where is my parcel", "track my package", "delivery is late",
                     "when will it arrive", "courier never came", "shipping status"],
    }.items()
    for text in texts
]


def _as_format_1(data: bytes) -> bytes:
    """Rewrite an archive's metadata as the first format wrote it (no embedding_heads)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    meta["format"] = 1
    del meta["config"]["embedding_heads"]
    for name in [k for k in meta["config"] if k.startswith("mlp_")]:
        del meta["config"][name]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, array in arrays.items():
            with out.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()


def test_format_1_archives_with_linear_embedding_heads_still_load() -> None:
    config = dataclasses.replace(IntentConfig(), embedding_heads=("linear",))
    model = IntentModel.fit(EXAMPLES, seed=0, config=config)
    restored = IntentModel.from_bytes(_as_format_1(model.to_bytes()))
    assert restored.config.embedding_heads == ("linear",)
    texts = ["refund please", "我要退款", "where's my parcel", "zzzz"]
    assert restored.predict_many(texts) == model.predict_many(texts)


def test_unknown_embedding_head_kind_is_rejected() -> None:
    with pytest.raises(IntentModelError):
        IntentModel.fit(EXAMPLES, config=dataclasses.replace(IntentConfig(), embedding_heads=("rbf",)))
