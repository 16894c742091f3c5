"""`kefu train language`: build the Latin-script word table and fit how its evidence combines.

Everything is fitted on training material only (SIB-200 train+dev, IndoNLU SmSA/EmoT training
splits, Malaya tweets with odd ids, Bitext/Banking77 training splits, SLURP devel, NTC-SCV train,
wordfreq's word lists); the evaluation suites in `kefu.nlp.evaluation.language` are never read.

1. Word columns: log-frequencies from wordfreq's "small" lists (CC BY-SA 4.0) for the four
   target languages and ten other Latin-script languages.
2. Two Indonesian-vs-Malay naive-Bayes tables whose word probabilities are smoothed towards
   wordfreq's: "formal" from the parallel SIB-200 sentences, "informal" from chat-register text
   (source- and class-balanced; English-looking Malaya tweets dropped).
3. id/ms weights: logistic regression on out-of-fold scores (5 folds, SIB grouped by parallel
   sentence) of SIB sentences, informal fragments and long informal texts, one fit for short
   (< 8 words) and one for longer texts, class- and source-balanced.
4. Group weights (en / id+ms / vi / other): grid search of the full detector on held-out
   fragments and sentences of the four Latin-script languages; the "other" penalty is the
   smallest that keeps target-language texts called "other" at or below 0.5 %.

The `X as X` imports re-export the run-time names the CLI needs, so it imports only nlp's
tools packages.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kefu.nlp.language.model import (
    CLIP,
    COLUMNS,
    LATIN_WORD_RE,
    OTHER_COLUMNS,
    PARAMS_FILE,
    TARGET_COLUMNS,
    WORDS_FILE,
    GroupWeights,
    LatinModel,
    latin_words,
)
from kefu.nlp.language.model import artifact_dir as artifact_dir

SEED = 5
FOLDS = 5
FLOOR = 1e-7
PRIOR_STRENGTH = 0.7
SMOOTHING = 0.01
TOKEN_MASS = 20_000.0
OTHER_TOP_WORDS = 8_000
SHORT_WORDS = 8
FRAGMENTS_PER_SOURCE = 1_500
LONG_PER_SOURCE = 800
MAX_FALSE_OTHER = 0.005
GROUP_GRID_WORDS = (0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5)
GROUP_GRID_LINGUA = (0.0, 0.25, 0.5, 1.0)
OTHER_PENALTIES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
# Relative weight of the formal (SIB) sentences against each informal source when fitting the
# id/ms weights for longer texts (chosen on out-of-fold accuracy: SIB 0.974 vs 0.969 at 4,
# informal long texts about 1 point lower).
LONG_FORMAL_MASS = 16.0
WORDFREQ_VERSION = "3.1.1"


@dataclass(frozen=True)
class Doc:
    """One training text: its Latin words, language, source name and cross-validation fold."""

    words: tuple[str, ...]
    lang: str
    source: str
    fold: int


def train_language_model(root: Path, out: Path, *, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build table + weights from the shared data in `root`; write them to the folder `out`."""
    docs = read_training_docs(root)
    log(f"read {len(docs)} training texts")
    lang_columns = wordfreq_columns()
    idms_docs = [
        d for d in docs if d.lang in ("id", "ms") and not _english_looking(d.words, lang_columns)
    ]
    formal = fit_idms_table([d for d in idms_docs if d.source == "sib"])
    informal = fit_idms_table([d for d in idms_docs if d.source != "sib"])
    words, table, unknown = _assemble(lang_columns, formal, informal)
    table = table.astype(np.float16)
    short, long, cv = fit_idms_weights(idms_out_of_fold(idms_docs))
    log("id/ms out-of-fold accuracy: " + ", ".join(f"{k}={v:.4f}" for k, v in cv.items()))
    params: dict[str, Any] = {
        "columns": list(COLUMNS),
        "unknown": unknown,
        "short_words": SHORT_WORDS,
        "idms_short": short,
        "idms_long": long,
        # Placeholder until the grid search below replaces it.
        "groups": {"words": 0.0, "lingua": 0.0, "other_penalty": 0.0},
    }
    groups, dev = fit_group_weights(LatinModel(words, table, params), group_dev_set(docs))
    params["groups"] = groups
    log(f"group weights {groups}; dev accuracy {dev['accuracy']:.4f}, other {dev['other']:.4f}")
    params["fitted"] = {"idms_out_of_fold_accuracy": cv, "group_dev": dev}
    params["provenance"] = PROVENANCE
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / WORDS_FILE, words=np.asarray(words), table=table)
    (out / PARAMS_FILE).write_text(json.dumps(params, indent=1, sort_keys=True) + "\n", "utf-8")
    return {"words": len(words), "idms_cv": cv, "group_dev": dev}


PROVENANCE = {
    "sib200": "SIB-200 (FLORES-200 text, CC BY-SA 4.0) train+dev of ind_Latn, zsm_Latn, "
    "eng_Latn, vie_Latn",
    "indonlu": "IndoNLU SmSA train, EmoT train+valid (Apache-2.0)",
    "malaya": "Malaya supervised_twitter (odd ids) and supervised_twitter_politics "
    "(Apache-2.0 when committed; contains some Indonesian/English tweets)",
    "english": "Bitext customer-service train (CDLA-Sharing-1.0), Banking77 train (CC BY 4.0), "
    "SLURP devel text (CC BY 4.0)",
    "vietnamese": "NTC-SCV train (Apache-2.0)",
    "wordfreq": f"wordfreq {WORDFREQ_VERSION} small word lists (data CC BY-SA 4.0)",
}


def read_training_docs(root: Path) -> list[Doc]:
    """All training texts as Latin words with language, source and fold (seeded)."""
    from kefu.nlp.evaluation.language import read_plain_column, read_rows

    rng = random.Random(SEED)
    docs: list[Doc] = []

    def add(texts: Iterable[str], lang: str, source: str) -> None:
        for text in texts:
            words = tuple(latin_words(text))
            if words:
                docs.append(Doc(words, lang, source, rng.randrange(FOLDS)))

    base = root / "sib200"
    for lang, folder in (("id", "ind_Latn"), ("ms", "zsm_Latn"), ("en", "eng_Latn"), ("vi", "vie_Latn")):
        for split in ("train", "dev"):
            for row in read_rows(base / folder / f"{split}.tsv", delimiter="\t"):
                words = tuple(latin_words(row["text"]))
                docs.append(Doc(words, lang, "sib", int(row["index_id"]) % FOLDS))
    add(read_plain_column(root / "indonlu_smsa" / "train_preprocess.tsv", 0), "id", "smsa")
    for split in ("train", "valid"):
        emot = read_rows(root / "indonlu_emot" / f"{split}_preprocess.csv")
        add((r["tweet"] for r in emot), "id", "emot")
    tweets = read_rows(root / "malay_sentiment" / "supervised_twitter.tsv", delimiter="\t")
    add((r["text"] for r in tweets if r["id"].isdigit() and int(r["id"]) % 2 == 1), "ms", "tweets")
    politics = read_rows(root / "malay_sentiment" / "supervised_twitter_politics.tsv", delimiter="\t")
    add((r["text"] for r in politics), "ms", "politics")
    add((r["utterance"] for r in read_rows(root / "bitext_cs_intent" / "train.csv")), "en", "bitext")
    add((r["text"] for r in read_rows(root / "banking77" / "train.csv")), "en", "banking77")
    with (root / "slurp" / "devel.jsonl").open(encoding="utf-8") as fh:
        add((json.loads(line)["sentence"] for line in fh if line.strip()), "en", "slurp")
    add((r["text"] for r in read_rows(root / "vi_ntc_scv_sentiment" / "train.csv")), "vi", "ntc")
    return docs


def wordfreq_columns() -> dict[str, np.ndarray]:
    """word -> log-frequency per language column (target lists whole, others their top words)."""
    import wordfreq

    floor = math.log(FLOOR)
    langs = TARGET_COLUMNS + OTHER_COLUMNS
    columns: dict[str, np.ndarray] = {}
    for j, lang in enumerate(langs):
        freqs = wordfreq.get_frequency_dict(lang, wordlist="small")
        ranked = sorted(freqs.items(), key=lambda kv: -kv[1])
        if lang in OTHER_COLUMNS:
            ranked = ranked[:OTHER_TOP_WORDS]
        merged: defaultdict[str, float] = defaultdict(float)
        for word, freq in ranked:
            word = unicodedata.normalize("NFC", word.lower())
            if not LATIN_WORD_RE.fullmatch(word):
                continue
            merged[word] += freq
            if lang == "vi":
                plain = _strip_diacritics(word)
                if plain != word:
                    merged[plain] += freq
        for word, freq in merged.items():
            row = columns.setdefault(word, np.full(len(langs), floor, dtype=np.float32))
            row[j] = math.log(max(freq, FLOOR))
    return columns


def _strip_diacritics(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class IdMsTable:
    """Malay-over-Indonesian log-odds per word, and the value for words never seen."""

    log_odds: dict[str, float]
    unknown: float


def fit_idms_table(docs: Sequence[Doc]) -> IdMsTable:
    """Naive Bayes over word counts, each source's mass balanced, smoothed towards wordfreq."""
    import wordfreq

    prior = {lang: wordfreq.get_frequency_dict(lang, wordlist="small") for lang in ("id", "ms")}
    source_tokens: Counter[tuple[str, str]] = Counter()
    for d in docs:
        source_tokens[(d.lang, d.source)] += len(d.words)
    sources = {lang: [s for (g, s) in source_tokens if g == lang] for lang in ("id", "ms")}
    counts: dict[str, defaultdict[str, float]] = {"id": defaultdict(float), "ms": defaultdict(float)}
    for d in docs:
        share = TOKEN_MASS / len(sources[d.lang]) / source_tokens[(d.lang, d.source)]
        for w in d.words:
            counts[d.lang][w] += share
    lam = PRIOR_STRENGTH * TOKEN_MASS
    den = TOKEN_MASS + lam + 1.0

    def log_p(lang: str, word: str) -> float:
        pseudo = lam * max(prior[lang].get(word, 0.0), FLOOR) + SMOOTHING
        return math.log((counts[lang].get(word, 0.0) + pseudo) / den)

    vocab = set(counts["id"]) | set(counts["ms"]) | set(prior["id"]) | set(prior["ms"])
    vocab = {w for w in vocab if LATIN_WORD_RE.fullmatch(w)}
    # Both classes carry the same mass and prior weight, so an unseen word is neutral.
    return IdMsTable({w: log_p("ms", w) - log_p("id", w) for w in sorted(vocab)}, 0.0)


def idms_score(table: IdMsTable, words: Iterable[str]) -> float:
    """Summed log-odds of `words` under `table`."""
    return sum(table.log_odds.get(w, table.unknown) for w in words)


def _assemble(
    lang_columns: dict[str, np.ndarray], formal: IdMsTable, informal: IdMsTable
) -> tuple[list[str], np.ndarray, list[float]]:
    """One sorted word list and its (words x columns) table; plus the unknown-word row."""
    floor = math.log(FLOOR)
    n_lang = len(TARGET_COLUMNS) + len(OTHER_COLUMNS)
    words = sorted(set(lang_columns) | set(formal.log_odds) | set(informal.log_odds))
    table = np.empty((len(words), len(COLUMNS)), dtype=np.float32)
    blank = np.full(n_lang, floor, dtype=np.float32)
    for i, w in enumerate(words):
        table[i, :n_lang] = lang_columns.get(w, blank)
        table[i, n_lang] = formal.log_odds.get(w, formal.unknown)
        table[i, n_lang + 1] = informal.log_odds.get(w, informal.unknown)
    unknown = [floor] * n_lang + [formal.unknown, informal.unknown]
    return words, table, unknown


@dataclass(frozen=True)
class OofItem:
    """An id/ms evaluation text with its out-of-fold evidence."""

    lang: str
    group: str
    n_words: int
    features: tuple[float, float, float, float]


def idms_out_of_fold(docs: Sequence[Doc]) -> list[OofItem]:
    """Out-of-fold (formal, informal, lexicon, lingua) evidence of SIB, fragments and long texts."""
    from kefu.nlp.language.detector import lexicon_evidence, lingua_detector, lingua_values

    rng = random.Random(SEED)
    evaluation: list[tuple[tuple[str, ...], Doc, str]] = []
    for d in docs:
        if d.source == "sib":
            evaluation.append((d.words, d, "sib"))
    for source in sorted({d.source for d in docs if d.source != "sib"}):
        own = [d for d in docs if d.source == source]
        fragments = [(f, d) for d in own for f in _fragments(d.words, rng)]
        rng.shuffle(fragments)
        evaluation += [(f, d, source) for f, d in fragments[:FRAGMENTS_PER_SOURCE]]
        long = [d for d in own if len(d.words) >= SHORT_WORDS]
        rng.shuffle(long)
        evaluation += [(d.words, d, source + "_long") for d in long[:LONG_PER_SOURCE]]
    lingua = lingua_detector()
    items: list[OofItem] = []
    for fold in range(FOLDS):
        train = [d for d in docs if d.fold != fold]
        formal = fit_idms_table([d for d in train if d.source == "sib"])
        informal = fit_idms_table([d for d in train if d.source != "sib"])
        for words, doc, group in evaluation:
            if doc.fold != fold:
                continue
            ms_lex, id_lex, _ = lexicon_evidence(list(words))
            values = lingua_values(lingua, " ".join(words))
            lingua_odds = math.log((values.get("ms", 0.0) + 1e-4) / (values.get("id", 0.0) + 1e-4))
            feats = (idms_score(formal, words), idms_score(informal, words), ms_lex - id_lex, lingua_odds)
            items.append(OofItem(doc.lang, group, len(words), feats))
    return items


def _fragments(words: Sequence[str], rng: random.Random) -> list[tuple[str, ...]]:
    """One window of 2-6 consecutive words of a text, as in a short chat message."""
    if len(words) < 2:
        return []
    size = min(len(words), rng.randint(2, 6))
    start = rng.randrange(len(words) - size + 1)
    return [tuple(words[start : start + size])]


def fit_idms_weights(
    items: Sequence[OofItem],
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Balanced logistic regressions for short and long texts; out-of-fold accuracy per group."""
    from sklearn.linear_model import LogisticRegression

    x = np.clip(np.asarray([i.features for i in items]), -CLIP, CLIP)
    y = np.asarray([i.lang == "ms" for i in items], dtype=int)
    groups = [i.group for i in items]
    short = np.asarray([i.n_words < SHORT_WORDS for i in items])
    fitted: list[dict[str, float]] = []
    for bucket in (short, ~short):
        weights = _balanced_weights(items, bucket)
        used = list(range(x.shape[1]))
        while True:
            model = LogisticRegression(C=1.0).fit(
                x[bucket][:, used], y[bucket], sample_weight=weights[bucket]
            )
            if min(model.coef_[0]) >= 0:
                break
            # Evidence for Malay must not count against Malay: drop it and refit.
            used.pop(int(np.argmin(model.coef_[0])))
        coef = dict(zip(used, model.coef_[0], strict=True))
        fitted.append(
            {name: round(float(coef.get(k, 0.0)), 4) for k, name in enumerate(_FEATURES)}
            | {"bias": round(float(model.intercept_[0]), 4)}
        )
    right = Counter[str]()
    total = Counter[str]()
    for bucket, params in ((short, fitted[0]), (~short, fitted[1])):
        w = np.asarray([params["formal"], params["informal"], params["lexicon"], params["lingua"]])
        scores = x @ w + params["bias"]
        for k in np.flatnonzero(bucket):
            total[groups[k]] += 1
            right[groups[k]] += int((scores[k] > 0) == bool(y[k]))
    cv = {g: round(right[g] / total[g], 4) for g in sorted(total)}
    return fitted[0], fitted[1], cv


_FEATURES = ("formal", "informal", "lexicon", "lingua")


def _balanced_weights(items: Sequence[OofItem], bucket: np.ndarray) -> np.ndarray:
    """Each (group, language) gets equal mass inside a bucket; SIB weighs more for long texts."""
    keys = [(i.group, i.lang) for i in items]
    sizes = Counter(k for k, b in zip(keys, bucket, strict=True) if b)
    weights = np.zeros(len(items))
    for n, (key, inside) in enumerate(zip(keys, bucket, strict=True)):
        if inside:
            mass = LONG_FORMAL_MASS if key[0] == "sib" else 1.0
            weights[n] = mass / sizes[key]
    return weights / weights[bucket].mean()


def _english_looking(words: Sequence[str], lang_columns: dict[str, np.ndarray]) -> bool:
    """True when English word frequencies explain the text better than Indonesian/Malay ones."""
    en, idn, ms = (TARGET_COLUMNS.index(c) for c in ("en", "id", "ms"))
    blank = np.full(len(TARGET_COLUMNS) + len(OTHER_COLUMNS), math.log(FLOOR), dtype=np.float32)
    rows = np.asarray([lang_columns.get(w, blank) for w in words], dtype=np.float64)
    sums = rows.sum(axis=0)
    return bool(sums[en] > max(sums[idn], sums[ms]))


def group_dev_set(docs: Sequence[Doc]) -> list[tuple[list[str], str]]:
    """Fragments and whole texts of every Latin-script training source (seeded sample)."""
    rng = random.Random(SEED + 1)
    dev: list[tuple[list[str], str]] = []
    for source in sorted({d.source for d in docs}):
        own = [d for d in docs if d.source == source]
        rng.shuffle(own)
        for lang in sorted({d.lang for d in own}):
            mine = [d for d in own if d.lang == lang]
            dev += [(list(f), lang) for d in mine[:FRAGMENTS_PER_SOURCE] for f in _fragments(d.words, rng)]
            dev += [(list(d.words), lang) for d in mine[:LONG_PER_SOURCE]]
    return dev


def fit_group_weights(
    model: LatinModel, dev: Sequence[tuple[list[str], str]]
) -> tuple[dict[str, float], dict[str, float]]:
    """Grid search of word/lingua weights; the "other" penalty keeps false "other" rare."""
    from kefu.nlp.language.detector import OTHER, VI_ONLY_RE, LanguageDetector

    detector = LanguageDetector(model=model)
    latin = [(w, g) for w, g in dev if not any(VI_ONLY_RE.search(x) for x in w)]
    parts = [detector.latin_components(w) for w, _ in latin]
    gold = [g for _, g in latin]
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for words, lingua in itertools.product(GROUP_GRID_WORDS, GROUP_GRID_LINGUA):
        for penalty in OTHER_PENALTIES:
            weights = GroupWeights(words=words, lingua=lingua, other_penalty=penalty)
            guesses = [detector.decide(p, weights=weights).lang for p in parts]
            other = sum(g == OTHER for g in guesses) / len(guesses)
            if other > MAX_FALSE_OTHER:
                continue
            accuracy = sum(g == y for g, y in zip(guesses, gold, strict=True)) / len(gold)
            if best is None or accuracy > best[0]:
                chosen = {"words": words, "lingua": lingua, "other_penalty": penalty}
                measured = {"accuracy": round(accuracy, 4), "other": round(other, 4), "n": len(gold)}
                best = (accuracy, chosen, measured)
            break
    if best is None:
        raise RuntimeError("no group weights keep false 'other' under the limit")
    return best[1], best[2]
