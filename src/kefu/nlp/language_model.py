"""Indonesian-vs-Malay word evidence: a naive-Bayes log-odds table, trained and loaded here.

The table maps words and word bigrams to log P(feature | ms) - log P(feature | id) with
binary (present/absent) features. It is trained on SIB-200 train+dev (formal, parallel id/zsm
sentences) plus a balanced informal sample (IndoNLU EmoT tweets for id, Malaya politics tweets
for ms), and shipped as artifacts/language/id_ms_words.json.gz.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from kefu.nlp.tokenise import tokenise

ARTIFACT = "artifacts/language/id_ms_words.json.gz"
ALPHA = 0.1
INFORMAL_ID_SAMPLE = 1000
SEED = 5


def features(text: str, *, normalised: bool = False) -> set[str]:
    """Binary features of a Latin-script text: its words and adjacent word pairs."""
    words = [t for t in tokenise(text, "ms", normalised=normalised) if t[0].isalpha()]
    feats = set(words)
    feats.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return feats


def fit_log_odds(
    examples: Iterable[tuple[str, str]], *, alpha: float = ALPHA
) -> dict[str, float]:
    """Naive-Bayes log-odds (ms over id) of every feature seen in `(text, "id"|"ms")` pairs."""
    counts: dict[str, Counter[str]] = {"ms": Counter(), "id": Counter()}
    docs: Counter[str] = Counter()
    for text, lang in examples:
        counts[lang].update(features(text))
        docs[lang] += 1
    vocab = set(counts["ms"]) | set(counts["id"])
    ms_den = docs["ms"] + 2 * alpha
    id_den = docs["id"] + 2 * alpha
    return {
        f: round(
            math.log((counts["ms"][f] + alpha) / ms_den)
            - math.log((counts["id"][f] + alpha) / id_den),
            3,
        )
        for f in sorted(vocab)
    }


def score(table: dict[str, float], feats: Iterable[str]) -> float:
    """Summed log-odds of `feats` (positive means Malay)."""
    return sum(table.get(f, 0.0) for f in feats)


def training_examples(root: Path) -> list[tuple[str, str]]:
    """The (text, lang) pairs the shipped table is trained on, read from the shared data dir."""
    from kefu.nlp.language_eval import sib200_suite, tsv_column

    sib = [
        (e.text, e.label)
        for e in sib200_suite(splits=("train", "dev"), root=root)
        if e.label in ("id", "ms")
    ]
    emot = tsv_column(root / "indonlu_emot" / "train_preprocess.csv", "tweet", delimiter=",")
    politics = tsv_column(root / "malay_sentiment" / "supervised_twitter_politics.tsv", "text")
    informal_id = random.Random(SEED).sample(emot, INFORMAL_ID_SAMPLE)
    return sib + [(t, "id") for t in informal_id] + [(t, "ms") for t in politics]


def train_and_save(root: Path, out: Path) -> dict[str, float]:
    """Train the table from the shared data and write it gzipped to `out`."""
    table = fit_log_odds(training_examples(root))
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        json.dump(table, fh, ensure_ascii=False, separators=(",", ":"))
    return table


def shipped_artifact_path() -> Path:
    """Where the shipped table lives inside the installed package."""
    return Path(str(resources.files("kefu.nlp").joinpath(ARTIFACT)))


@cache
def load_id_ms_table() -> dict[str, float]:
    """The shipped log-odds table (loaded once)."""
    with gzip.open(shipped_artifact_path(), "rt", encoding="utf-8") as fh:
        table: dict[str, float] = json.load(fh)
    return table


def accuracy(table: dict[str, float], examples: Sequence[tuple[str, str]]) -> float:
    """Share of `(text, lang)` pairs whose summed log-odds point to the right side."""
    right = sum((score(table, features(t)) > 0) == (lang == "ms") for t, lang in examples)
    return right / len(examples) if examples else 0.0
