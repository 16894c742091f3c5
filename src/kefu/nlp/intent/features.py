"""Lexical features for intent models: word uni/bigrams and in-word character n-grams, TF-IDF."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy.sparse import csr_matrix, hstack

from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.tokenise import tokenise

MAX_CHARS = 1000
"""Texts are cut to this many characters before featurising (bounds worst-case latency)."""

CHAR_NGRAMS = (2, 5)
"""Character n-gram sizes taken inside each space-separated piece padded with spaces."""

_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_THAI_RE = re.compile("[\u0e00-\u0e7f]")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Grams:
    """The word and character n-grams of one text (before vocabulary lookup)."""

    words: tuple[str, ...]
    unigrams: tuple[str, ...]
    chars: tuple[str, ...]


def script_language(text: str) -> str:
    """Guess the tokeniser language from the script: "zh" or "th" when that script dominates."""
    letters = len(_LETTER_RE.findall(text))
    if not letters:
        return "other"
    if len(_HAN_RE.findall(text)) * 2 > letters:
        return "zh"
    if len(_THAI_RE.findall(text)) * 2 > letters:
        return "th"
    return "other"


def text_grams(text: str, lang: str | None = None) -> Grams:
    """Normalise and tokenise `text`, returning its word uni/bigrams and character n-grams."""
    norm = normalise(text[:MAX_CHARS])
    tokens = tokenise(norm, lang or script_language(norm), normalised=True)
    bigrams = [f"{a} {b}" for a, b in pairwise(tokens)]
    chars: list[str] = []
    low, high = CHAR_NGRAMS
    for piece in norm.split():
        padded = f" {piece} "
        for n in range(low, high + 1):
            chars.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return Grams(tuple(tokens + bigrams), tuple(tokens), tuple(chars))


class Vocabulary:
    """Word and character n-gram columns with their IDF weights; maps grams to TF-IDF rows.

    The two blocks are weighted (sublinear TF times smoothed IDF) and L2-normalised separately,
    so each contributes equally however many n-grams a text has.
    """

    def __init__(self, words: Sequence[str], chars: Sequence[str], idf: np.ndarray) -> None:
        self.words = list(words)
        self.chars = list(chars)
        self.idf = np.asarray(idf, dtype=np.float32)
        self._word_index = {w: i for i, w in enumerate(self.words)}
        offset = len(self.words)
        self._char_index = {c: offset + i for i, c in enumerate(self.chars)}

    @property
    def size(self) -> int:
        """Number of feature columns."""
        return len(self.words) + len(self.chars)

    @classmethod
    def build(cls, docs: Sequence[Grams], *, min_char_df: int = 2) -> Vocabulary:
        """Collect the n-grams of `docs`; character n-grams need `min_char_df` documents."""
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for doc in docs:
            word_df.update(set(doc.words))
            char_df.update(set(doc.chars))
        words = sorted(word_df)
        chars = sorted(c for c, df in char_df.items() if df >= min_char_df)
        n = len(docs)
        df = np.array([word_df[w] for w in words] + [char_df[c] for c in chars], dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return cls(words, chars, idf)

    def transform(self, docs: Sequence[Grams]) -> csr_matrix:
        """TF-IDF rows (one per doc) over this vocabulary."""
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for doc in docs:
            for grams, index in ((doc.words, self._word_index), (doc.chars, self._char_index)):
                counts = Counter(index[g] for g in grams if g in index)
                if not counts:
                    continue
                cols = list(counts)
                weights = [(1.0 + math.log(counts[c])) * float(self.idf[c]) for c in cols]
                norm = math.sqrt(sum(w * w for w in weights))
                indices.extend(cols)
                values.extend(w / norm for w in weights)
            indptr.append(len(indices))
        return csr_matrix(
            (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(docs), self.size),
        )

    def coverage(self, doc: Grams) -> float:
        """Share of the text's word tokens that this vocabulary knows (0 for a text with none)."""
        if not doc.unigrams:
            return 0.0
        return sum(1 for t in doc.unigrams if t in self._word_index) / len(doc.unigrams)


class GramCounts:
    """N-gram counts of a fixed set of documents, for building TF-IDF rows of any subset fast.

    `Vocabulary.build` on a subset of the documents followed by `transform` of all of them
    gives the same rows as `features(subset)`, but this counts once and then only slices sparse
    matrices, so cross-validation folds cost little.
    """

    def __init__(self, docs: Sequence[Grams]) -> None:
        self.docs = list(docs)
        self.words, self._words = _count_matrix([d.words for d in docs])
        self.chars, self._chars = _count_matrix([d.chars for d in docs])
        self._word_seen = self._words.copy()
        self._word_seen.data[:] = 1.0
        self._char_seen = self._chars.copy()
        self._char_seen.data[:] = 1.0

    def features(self, rows: np.ndarray, *, min_char_df: int = 2) -> tuple[Vocabulary, csr_matrix]:
        """The vocabulary of documents `rows` and the TF-IDF rows of every document over it."""
        n = len(rows)
        word_df = np.asarray(self._word_seen[rows].sum(axis=0)).ravel()
        char_df = np.asarray(self._char_seen[rows].sum(axis=0)).ravel()
        word_cols = np.flatnonzero(word_df >= 1)
        char_cols = np.flatnonzero(char_df >= min_char_df)
        df = np.concatenate([word_df[word_cols], char_df[char_cols]]).astype(np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        vocabulary = Vocabulary(
            [self.words[i] for i in word_cols], [self.chars[i] for i in char_cols], idf
        )
        word_idf = vocabulary.idf[: len(word_cols)]
        char_idf = vocabulary.idf[len(word_cols) :]
        blocks = [
            _tfidf(self._words[:, word_cols], word_idf),
            _tfidf(self._chars[:, char_cols], char_idf),
        ]
        return vocabulary, hstack(blocks, format="csr", dtype=np.float32)


def _count_matrix(docs: Sequence[Sequence[str]]) -> tuple[list[str], csr_matrix]:
    """Sorted distinct grams and a document-by-gram count matrix."""
    names = sorted({g for doc in docs for g in doc})
    index = {g: i for i, g in enumerate(names)}
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    columns: list[int] = []
    for row, doc in enumerate(docs):
        columns.extend(index[g] for g in doc)
        indptr[row + 1] = len(columns)
    counts = csr_matrix(
        (np.ones(len(columns), dtype=np.float64), np.asarray(columns, dtype=np.int64), indptr),
        shape=(len(docs), len(names)),
    )
    counts.sum_duplicates()
    return names, counts


def _tfidf(counts: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """Sublinear TF times IDF, each row L2-normalised (rows with no gram stay empty)."""
    weighted = counts.tocsr(copy=True)
    weighted.data = (1.0 + np.log(weighted.data)) * idf.astype(np.float64)[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    weighted.data *= np.repeat(scale, np.diff(weighted.indptr))
    return weighted
