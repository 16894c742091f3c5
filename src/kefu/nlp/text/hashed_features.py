"""Hashed character and word n-gram features, identical at training and prediction time.

Features are hashed with CRC-32 (stable across processes, unlike ``hash``), counted once per
text (binary) and L2-normalised, so a linear head is a lookup-and-sum over a weight matrix.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp

from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.tokenise import tokenise


@dataclass(frozen=True)
class HashedFeatures:
    """Feature recipe: hashing width, character n-gram range, optional word uni/bigrams."""

    n_features: int = 2**18
    char_min: int = 1
    char_max: int = 4
    words: bool = True

    def __post_init__(self) -> None:
        if self.n_features & (self.n_features - 1):
            raise ValueError("n_features must be a power of two")

    def tokens(self, text: str, lang: str) -> list[str]:
        """Feature strings of ``text``: padded character n-grams, then word n-grams."""
        normal = normalise(text)
        padded = f" {normal} "
        out = [
            "c" + padded[i : i + n]
            for n in range(self.char_min, self.char_max + 1)
            for i in range(len(padded) - n + 1)
        ]
        if self.words:
            words = tokenise(normal, lang, normalised=True)
            out.extend("w" + w for w in words)
            out.extend(f"b{a} {b}" for a, b in pairwise(words))
        return out

    def indices(self, text: str, lang: str) -> np.ndarray:
        """Sorted unique hashed column indices of ``text``."""
        mask = self.n_features - 1
        hashed = [zlib.crc32(token.encode("utf-8")) & mask for token in self.tokens(text, lang)]
        return np.unique(np.asarray(hashed, dtype=np.int64))

    def matrix(self, texts: Sequence[str], lang: str) -> sp.csr_matrix:
        """Binary, row-L2-normalised sparse matrix of shape (len(texts), n_features)."""
        indptr = [0]
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for text in texts:
            cols = self.indices(text, lang)
            columns.append(cols)
            values.append(np.full(len(cols), 1.0 / np.sqrt(max(len(cols), 1)), np.float32))
            indptr.append(indptr[-1] + len(cols))
        return sp.csr_matrix(
            (np.concatenate(values) if values else np.zeros(0, np.float32),
             np.concatenate(columns) if columns else np.zeros(0, np.int64),
             np.asarray(indptr)),
            shape=(len(texts), self.n_features),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready recipe."""
        return asdict(self)
