"""Latin-script language evidence: per-word log-probabilities per language and id-vs-ms scorers.

One shipped table (artifacts/language/latin_words.npz) holds, for every known word, its
log-probability under unigram models of English, Indonesian, Malay, Vietnamese (also keyed
without diacritics) and ten "other" Latin-script languages, plus two Indonesian-vs-Malay
log-odds columns: "formal" (trained on FLORES sentences) and "informal" (chat, tweets, reviews),
both smoothed towards wordfreq's word frequencies. latin_model.json holds the column names,
the value of unknown words and the fitted weights that combine the evidence. Training lives in
`kefu.nlp.training.language` (`kefu train language`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kefu.nlp.text.normalise import normalise

ARTIFACT_DIR = "artifacts/language"
WORDS_FILE = "latin_words.npz"
PARAMS_FILE = "latin_model.json"
TARGET_COLUMNS = ("en", "id", "ms", "vi")
OTHER_COLUMNS = ("es", "fr", "de", "pt", "it", "nl", "fil", "tr", "pl", "sv")
IDMS_COLUMNS = ("formal", "informal")
COLUMNS = TARGET_COLUMNS + OTHER_COLUMNS + IDMS_COLUMNS
GROUPS = ("en", "idms", "vi", "other")
# Evidence clipped before it is weighted, so one long sentence cannot saturate the logit.
CLIP = 10.0

# Noise that says nothing about language: links, e-mail addresses, @handles, #tags.
NOISE_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")
LATIN_WORD_RE = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff]+")


def clean(text: str) -> str:
    """Normalised text without links, addresses, handles and hashtags."""
    return NOISE_RE.sub(" ", normalise(text))


def latin_words(text: str) -> list[str]:
    """The Latin-script words of a raw text, as the detector sees them."""
    return LATIN_WORD_RE.findall(clean(text))


@dataclass(frozen=True)
class LatinEvidence:
    """Summed word evidence of one Latin-script text."""

    group_loglik: dict[str, float]
    formal: float
    informal: float
    n_words: int


@dataclass(frozen=True)
class IdMsWeights:
    """Logistic weights over (formal, informal, lexicon, lingua) id/ms evidence (positive: ms)."""

    formal: float
    informal: float
    lexicon: float
    lingua: float
    bias: float

    def log_odds(self, formal: float, informal: float, lexicon: float, lingua: float) -> float:
        """Combined Malay-over-Indonesian log-odds."""
        return (
            self.formal * _clip(formal)
            + self.informal * _clip(informal)
            + self.lexicon * _clip(lexicon)
            + self.lingua * _clip(lingua)
            + self.bias
        )


@dataclass(frozen=True)
class GroupWeights:
    """Weights of word evidence and lingua in the en / id+ms / vi / other decision."""

    words: float
    lingua: float
    other_penalty: float


class LatinModel:
    """Word table + fitted weights; `evidence` sums a text's words, `idms_log_odds` decides."""

    def __init__(self, words: list[str], table: np.ndarray, params: dict[str, Any]) -> None:
        """Wrap a (words, table) pair and the parameters stored beside it."""
        if list(params["columns"]) != list(COLUMNS):
            raise ValueError("artifact columns do not match this code")
        self._index = {w: i for i, w in enumerate(words)}
        unknown = np.asarray(params["unknown"], dtype=np.float32)[None, :]
        self._table = np.vstack([table.astype(np.float32), unknown])
        self._unknown_row = len(words)
        self._other = [COLUMNS.index(c) for c in OTHER_COLUMNS]
        self.short_words = int(params["short_words"])
        self.short = IdMsWeights(**params["idms_short"])
        self.long = IdMsWeights(**params["idms_long"])
        self.groups = GroupWeights(**params["groups"])
        self.params = params

    def evidence(self, words: list[str]) -> LatinEvidence:
        """Summed per-language log-likelihoods and id/ms log-odds of `words`."""
        rows = [self._index.get(w, self._unknown_row) for w in words]
        sums = self._table[rows].sum(axis=0, dtype=np.float64) if rows else np.zeros(len(COLUMNS))
        col = {c: float(sums[i]) for i, c in enumerate(COLUMNS)}
        idms = float(np.logaddexp(col["id"], col["ms"])) - math.log(2.0)
        other = max(float(sums[i]) for i in self._other)
        return LatinEvidence(
            group_loglik={"en": col["en"], "idms": idms, "vi": col["vi"], "other": other},
            formal=col["formal"],
            informal=col["informal"],
            n_words=len(words),
        )

    def idms_log_odds(self, ev: LatinEvidence, *, lexicon: float, lingua: float) -> float:
        """Malay-over-Indonesian log-odds from the text alone (no context hints)."""
        weights = self.short if ev.n_words < self.short_words else self.long
        return weights.log_odds(ev.formal, ev.informal, lexicon, lingua)


def _clip(value: float) -> float:
    return max(-CLIP, min(CLIP, value))


def artifact_dir() -> Path:
    """Where the shipped table and parameters live inside the installed package."""
    return Path(str(resources.files("kefu.nlp").joinpath(ARTIFACT_DIR)))


def read_latin_model(directory: Path) -> LatinModel:
    """Load a table + parameters pair written by `kefu train language`."""
    with np.load(directory / WORDS_FILE, allow_pickle=False) as npz:
        words = npz["words"].tolist()
        table = npz["table"]
    params = json.loads((directory / PARAMS_FILE).read_text("utf-8"))
    return LatinModel(words, table, params)


@cache
def load_latin_model() -> LatinModel:
    """The shipped model (loaded once)."""
    return read_latin_model(artifact_dir())
