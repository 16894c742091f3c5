"""Language-ID evaluation: accuracy/F1 with id/ms confusion and latency, and built-in suites.

Suites are read in place from the shared data directory:

- `sib200`: FLORES sentences of SIB-200, parallel in all six languages (formal, easy mode).
- `short`: short informal fragments (2-6 words, 3-12 Chinese characters, 4-30 Thai
  characters) cut from held-out splits of the customer-service / review / social-media sets,
  a seeded sample per language. Nothing in it was used to train or tune language ID.

The `X as X` imports re-export the run-time names the CLI needs, so it imports only nlp's
tools packages.
"""

from __future__ import annotations

import csv
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from kefu.nlp.metrics import EvalReport, classification_report
from kefu.nlp.text.labelled import Example
from kefu.nlp.text.labelled import LabelledFileError as LabelledFileError
from kefu.nlp.text.labelled import read_examples as read_examples
from kefu.nlp.training.datasets import shared_data_dir

SIB200_FOLDERS = {
    "en": "eng_Latn",
    "zh": "zho_Hans",
    "id": "ind_Latn",
    "vi": "vie_Latn",
    "th": "tha_Thai",
    "ms": "zsm_Latn",
}
SUITES = ("sib200", "short")

_CLEAN_RE = re.compile(r"https?://\S+|\[url\]|\[username\]|@\w+|#\w+|&amp;|rt\b", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[.!?。！？;；\n]+")
_HAN_RE = re.compile("[\u4e00-\u9fff]")
_THAI_RE = re.compile("[\u0e00-\u0e7f]")


class SuiteDataError(FileNotFoundError):
    """The shared data directory or a dataset file needed by a suite is missing."""


# Market hint an inbox would carry for a customer of that language (used with --market-hint).
MARKET_OF = {"ms": "MY", "id": "ID"}


def evaluate_language(examples: Sequence[Example], *, market_hint: bool = False) -> EvalReport:
    """Detect every example's language and report accuracy, F1, id/ms confusion and latency.

    With `market_hint`, Malay and Indonesian examples carry the country of their market
    (MY / ID) as a hint, as an inbox configured for that market would.
    """
    from kefu.nlp.language.detector import LanguageHints, get_language_detector

    detector = get_language_detector()
    predicted: list[str] = []
    low = 0
    start = time.perf_counter()
    for ex in examples:
        country = MARKET_OF.get(ex.label) if market_hint else None
        hints = LanguageHints(country=country) if country else None
        guess = detector.detect(ex.text, hints=hints)
        predicted.append(guess.lang)
        low += guess.low_confidence
    elapsed = time.perf_counter() - start
    gold = [ex.label for ex in examples]
    report = classification_report(gold, predicted)
    n_id = gold.count("id")
    n_ms = gold.count("ms")
    pairs = list(zip(gold, predicted, strict=True))
    id_as_ms = sum(1 for g, p in pairs if g == "id" and p == "ms")
    ms_as_id = sum(1 for g, p in pairs if g == "ms" and p == "id")
    report.extra.update(
        {
            "id_as_ms": round(id_as_ms / n_id, 6) if n_id else 0.0,
            "ms_as_id": round(ms_as_id / n_ms, 6) if n_ms else 0.0,
            "id_as_ms_count": id_as_ms,
            "ms_as_id_count": ms_as_id,
            "low_confidence_share": round(low / len(examples), 6) if examples else 0.0,
            "mean_latency_us": round(elapsed / len(examples) * 1e6, 1) if examples else 0.0,
            "market_hint": market_hint,
        }
    )
    return report


def load_suite(name: str, *, per_language: int = 300, seed: int = 13) -> list[Example]:
    """Examples (text, language label) of the named built-in suite."""
    if name == "sib200":
        return sib200_suite()
    if name == "short":
        return short_suite(per_language=per_language, seed=seed)
    raise ValueError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")


def sib200_suite(*, splits: tuple[str, ...] = ("test",), root: Path | None = None) -> list[Example]:
    """SIB-200 sentences in the six languages (default: the 204-sentence test split each)."""
    base = (root or shared_data_dir()) / "sib200"
    examples: list[Example] = []
    for lang, folder in SIB200_FOLDERS.items():
        for split in splits:
            path = base / folder / f"{split}.tsv"
            for row in read_rows(path, delimiter="\t"):
                examples.append(Example(row["text"], lang))
    return examples


def short_suite(
    *, per_language: int = 300, seed: int = 13, root: Path | None = None
) -> list[Example]:
    """A seeded sample of short informal fragments per language from held-out splits."""
    base = root or shared_data_dir()
    examples: list[Example] = []
    for lang, source in _SHORT_SOURCES.items():
        fragments = sorted({f for text in source(base) for f in _fragments(text, lang)})
        rng = random.Random(f"{seed}-{lang}")
        rng.shuffle(fragments)
        examples.extend(Example(f, lang) for f in fragments[:per_language])
    return examples


def _fragments(text: str, lang: str) -> Iterator[str]:
    """Sentence pieces of `text` that are short enough for the short-text suite."""
    text = _CLEAN_RE.sub(" ", text.replace("_", " "))
    for piece in _SPLIT_RE.split(text):
        piece = " ".join(piece.split()).strip(" ,，、:-\"'()")
        if _is_short(piece, lang):
            yield piece


def _is_short(piece: str, lang: str) -> bool:
    if lang == "zh":
        return 3 <= len(_HAN_RE.findall(piece)) <= 12
    if lang == "th":
        return 4 <= len(_THAI_RE.findall(piece)) <= 30
    words = [w for w in piece.split() if any(c.isalpha() for c in w)]
    return 2 <= len(words) <= 6 and len(words) == len(piece.split())


def read_rows(path: Path, *, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows of a delimited file with a header row (SuiteDataError when it is missing)."""
    if not path.is_file():
        raise SuiteDataError(f"missing dataset file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def read_plain_column(path: Path, column: int, *, delimiter: str = "\t") -> list[str]:
    """One column of a header-less delimited file."""
    if not path.is_file():
        raise SuiteDataError(f"missing dataset file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.reader(fh, delimiter=delimiter) if len(row) > column]


def _jsonl_field(path: Path, field: str) -> list[str]:
    if not path.is_file():
        raise SuiteDataError(f"missing dataset file {path}")
    with path.open(encoding="utf-8") as fh:
        return [str(json.loads(line)[field]) for line in fh if line.strip()]


def _en(base: Path) -> list[str]:
    return (
        [r["utterance"] for r in read_rows(base / "bitext_cs_intent" / "test.csv")]
        + [r["text"] for r in read_rows(base / "banking77" / "test.csv")]
        + _jsonl_field(base / "slurp" / "test.jsonl", "sentence")
    )


def _th(base: Path) -> list[str]:
    return [r["texts"] for r in read_rows(base / "truevoice_intent" / "mari_test.csv")] + (
        _jsonl_field(base / "wisesight_sentiment" / "test.jsonl", "texts")
    )


def _id(base: Path) -> list[str]:
    smsa = base / "indonlu_smsa"
    return (
        read_plain_column(smsa / "test_preprocess.tsv", 0)
        + read_plain_column(smsa / "valid_preprocess.tsv", 0)
        + [r["tweet"] for r in read_rows(base / "indonlu_emot" / "test_preprocess.csv")]
    )


def _ms(base: Path) -> list[str]:
    """Malaya general tweets with an even id (odd ids are training material for language ID)."""
    path = base / "malay_sentiment" / "supervised_twitter.tsv"
    rows = read_rows(path, delimiter="\t")
    return [r["text"] for r in rows if r["id"].isdigit() and int(r["id"]) % 2 == 0]


def _vi(base: Path) -> list[str]:
    return [r["text"] for r in read_rows(base / "vi_ntc_scv_sentiment" / "test.csv")]


def _zh(base: Path) -> list[str]:
    return [r["review"] for r in read_rows(base / "zh_review_sentiment" / "waimai_10k.csv")]


_SHORT_SOURCES: dict[str, Callable[[Path], list[str]]] = {
    "en": _en,
    "zh": _zh,
    "id": _id,
    "vi": _vi,
    "th": _th,
    "ms": _ms,
}
