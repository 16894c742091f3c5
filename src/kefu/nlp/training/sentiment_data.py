"""Readers for the shared sentiment and emotion data sets, mapped to negative/neutral/positive.

Each corpus is read in place from the shared data folder and returned as fixed train/test splits
(official splits where they exist, otherwise a seeded stratified split that never changes).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kefu.nlp.text.labelled import Example
from kefu.nlp.training.datasets import shared_data_dir

SPLIT_SEED = 13

_LABEL_ALIASES = {
    "negative": "negative", "neg": "negative", "-1": "negative", "bad": "negative",
    "neutral": "neutral", "neu": "neutral", "0": "neutral", "none": "neutral", "q": "neutral",
    "positive": "positive", "pos": "positive", "1": "positive", "good": "positive",
}


class DataUnavailableError(FileNotFoundError):
    """A shared data set is not where the data root says it should be."""


def canonical_label(raw: str, *, binary: bool = False) -> str:
    """Map a raw sentiment label (pos/neg/neutral/1/0/-1 ...) to negative/neutral/positive.

    With ``binary`` the labels are read as 0 = negative, 1 = positive (the usual binary encoding).
    """
    key = raw.strip().lower()
    if binary and key in {"0", "1"}:
        return "positive" if key == "1" else "negative"
    if key not in _LABEL_ALIASES:
        raise ValueError(f"unknown sentiment label {raw!r}")
    return _LABEL_ALIASES[key]


@dataclass(frozen=True)
class Corpus:
    """A labelled data set split into train and test, with its language and licence."""

    name: str
    lang: str
    licence: str
    shippable: bool
    train: list[Example]
    test: list[Example]


def _path(root: Path, *parts: str) -> Path:
    path = root.joinpath(*parts)
    if not path.is_file():
        raise DataUnavailableError(f"missing data file {path}")
    return path


def _csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _split(examples: list[Example], test_fraction: float) -> tuple[list[Example], list[Example]]:
    """Seeded stratified split: the same rows land in test on every run."""
    by_label: dict[str, list[Example]] = {}
    for ex in examples:
        by_label.setdefault(ex.label, []).append(ex)
    rng = random.Random(SPLIT_SEED)
    train: list[Example] = []
    test: list[Example] = []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda e: e.text)
        rng.shuffle(group)
        cut = round(len(group) * test_fraction)
        test.extend(group[:cut])
        train.extend(group[cut:])
    return train, test


def _dedupe(examples: Iterable[Example]) -> list[Example]:
    seen: set[str] = set()
    out: list[Example] = []
    for ex in examples:
        if ex.text and ex.text not in seen:
            seen.add(ex.text)
            out.append(ex)
    return out


def load_smsa(root: Path) -> Corpus:
    """IndoNLU SmSA (id, Apache-2.0): train+valid for training, the official test split."""

    def read(name: str) -> list[Example]:
        with _path(root, "indonlu_smsa", name).open(encoding="utf-8") as fh:
            rows = [line.rstrip("\n").rsplit("\t", 1) for line in fh if line.strip()]
        return [Example(text, canonical_label(label)) for text, label in rows]

    train = read("train_preprocess.tsv") + read("valid_preprocess.tsv")
    return Corpus("smsa", "id", "Apache-2.0", True, train, read("test_preprocess.tsv"))


def load_wisesight(root: Path) -> Corpus:
    """Wisesight (th, CC0): train+valid for training, official test; questions count as neutral."""

    def read(name: str) -> list[Example]:
        with _path(root, "wisesight_sentiment", name).open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        return [Example(r["texts"].strip(), canonical_label(r["category"])) for r in rows]

    train = read("train.jsonl") + read("valid.jsonl")
    return Corpus("wisesight", "th", "CC0-1.0", True, train, read("test.jsonl"))


def load_wisesight_4class(root: Path) -> Corpus:
    """Wisesight with its own four classes (pos/neu/neg/q) for comparison with published numbers."""

    def read(name: str) -> list[Example]:
        with _path(root, "wisesight_sentiment", name).open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        return [Example(r["texts"].strip(), r["category"]) for r in rows]

    train = read("train.jsonl") + read("valid.jsonl")
    return Corpus("wisesight4", "th", "CC0-1.0", True, train, read("test.jsonl"))


def load_ntc_scv(root: Path) -> Corpus:
    """NTC-SCV (vi, Apache-2.0, binary); word-segmentation underscores become spaces."""

    def read(name: str) -> list[Example]:
        rows = _csv_rows(_path(root, "vi_ntc_scv_sentiment", name))
        return [Example(r["text"].replace("_", " ").strip(), r["label"]) for r in rows]

    return Corpus("ntc_scv", "vi", "Apache-2.0", True, read("train.csv"), read("test.csv"))


def load_zh_reviews(root: Path) -> Corpus:
    """Chinese reviews (no licence stated: evaluation only); seeded 90/10 split of three files."""
    examples: list[Example] = []
    for name in ("waimai_10k.csv", "ChnSentiCorp_htl_all.csv", "online_shopping_10_cats.csv"):
        for row in _csv_rows(_path(root, "zh_review_sentiment", name)):
            text = (row.get("review") or "").strip()
            if text:
                examples.append(Example(text, canonical_label(row["label"], binary=True)))
    train, test = _split(_dedupe(examples), 0.1)
    return Corpus("zh_reviews", "zh", "none stated", False, train, test)


def load_malay(root: Path) -> Corpus:
    """Malay twitter + news sentiment (Apache-2.0 when committed, licence file later deleted).

    Seeded 80/20 split. Not shipped by default: the source no longer carries a licence.
    """
    examples: list[Example] = []
    for name in ("supervised_twitter.tsv", "supervised_twitter_politics.tsv"):
        for row in _csv_rows(_path(root, "malay_sentiment", name), delimiter="\t"):
            if row.get("sentiment") and row.get("text"):
                examples.append(Example(row["text"].strip(), canonical_label(row["sentiment"])))
    for row in _csv_rows(_path(root, "malay_sentiment", "news_sentiment_v2.csv")):
        if row.get("label") and row.get("text"):
            examples.append(Example(row["text"].strip(), canonical_label(row["label"])))
    train, test = _split(_dedupe(examples), 0.2)
    return Corpus("malay", "ms", "Apache-2.0 at commit time; removed later", False, train, test)


def load_aivivn(root: Path) -> Corpus:
    """AIVIVN 2019 (vi, no licence: evaluation only); every labelled row is test data."""
    rows = _csv_rows(_path(root, "vi_aivivn_sentiment", "train.csv"))
    test = [
        Example(r["text"].strip(), "negative" if r["label"] == "1" else "positive") for r in rows
    ]
    return Corpus("aivivn", "vi", "none stated (closed)", False, [], test)


def load_emot(root: Path) -> Corpus:
    """IndoNLU EmoT (id, Apache-2.0): five emotions, train+valid for training, official test."""

    def read(name: str) -> list[Example]:
        rows = _csv_rows(_path(root, "indonlu_emot", name))
        return [Example(r["tweet"].strip(), r["label"]) for r in rows]

    train = read("train_preprocess.csv") + read("valid_preprocess.csv")
    return Corpus("emot", "id", "Apache-2.0", True, train, read("test_preprocess.csv"))


SENTIMENT_CORPORA: dict[str, Callable[[Path], Corpus]] = {
    "smsa": load_smsa,
    "wisesight": load_wisesight,
    "ntc_scv": load_ntc_scv,
    "zh_reviews": load_zh_reviews,
    "malay": load_malay,
    "aivivn": load_aivivn,
}
"""Sentiment corpora by suite name (three-way labels)."""


def load_corpus(name: str, root: Path | None = None) -> Corpus:
    """Load the sentiment corpus called ``name`` from ``root`` (default: ``shared_data_dir()``)."""
    loaders: dict[str, Callable[[Path], Corpus]] = {
        **SENTIMENT_CORPORA, "wisesight4": load_wisesight_4class, "emot": load_emot,
    }
    if name not in loaders:
        raise ValueError(f"unknown corpus {name!r}; expected one of {sorted(loaders)}")
    return loaders[name](root or shared_data_dir())
