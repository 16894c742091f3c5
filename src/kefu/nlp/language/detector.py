"""Language identification for zh, en, id, vi, th, ms (+ "other") on short chat messages.

Script decides first (Thai script -> th, Han -> zh, kana/hangul/other scripts -> other,
Vietnamese-only letters -> vi). Latin-script text is scored per group (en, id+ms, vi, other)
from the shipped word table (`language_model`: wordfreq unigram log-probabilities), lingua's
low-accuracy trigram models (offline; en/id/ms/vi plus confusers that stand for "other") and a
curated chat lexicon (lexicons/language.json). Indonesian vs Malay is then decided by the fitted
combination of two naive-Bayes word tables (formal and informal register), the lexicon and
lingua, plus the context in `LanguageHints` (customer's language, market country, earlier
messages). Weights come from `kefu train language` (see artifacts/language/MODEL_CARD.md).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from kefu.nlp.language.model import (
    LATIN_WORD_RE,
    GroupWeights,
    LatinModel,
    clean,
    load_latin_model,
)

if TYPE_CHECKING:
    from lingua import LanguageDetector as LinguaDetector

SUPPORTED_LANGUAGES = ("zh", "en", "id", "vi", "th", "ms")
OTHER = "other"
LOW_CONFIDENCE = 0.6
LINGUA_LANGUAGES = ("en", "id", "ms", "vi")
CONFUSERS = ("tl", "es", "fr", "de")

# Markets and the target languages spoken there (ISO 3166-1 alpha-2).
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "MY": ("ms", "en", "zh"),
    "BN": ("ms", "en"),
    "SG": ("en", "zh", "ms"),
    "ID": ("id",),
    "TH": ("th",),
    "VN": ("vi",),
    "CN": ("zh",),
    "TW": ("zh",),
    "HK": ("zh", "en"),
    "MO": ("zh",),
    "PH": ("en",),
}

_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_THAI_RE = re.compile("[\u0e00-\u0e7f]")
_KANA_HANGUL_RE = re.compile("[\u3040-\u30ff\u1100-\u11ff\uac00-\ud7af]")
_OTHER_SCRIPT_RE = re.compile(
    "[\u0370-\u03ff\u0400-\u052f\u0590-\u06ff\u0700-\u08ff\u0900-\u0dff\u0e80-\u0eff"
    "\u1000-\u109f\u1780-\u17ff]"
)
# Letters that only Vietnamese uses among the languages we meet (ă đ ơ ư + the
# Latin Extended Additional tone-marked vowels).
VI_ONLY_RE = re.compile("[ăđơư\u1ea0-\u1ef9]")
# Chinese and Thai characters outweigh Latin letters: brand names in Latin script are common
# inside Chinese and Thai messages, while a non-speaker rarely types those scripts.
_HAN_WEIGHT = 3.0
_THAI_WEIGHT = 3.0
_VI_WORD_SHARE = 0.3
_EPS = 1e-4


@dataclass(frozen=True)
class LanguageHints:
    """Context for a message: the customer's known language, market country, earlier messages."""

    customer_language: str | None = None
    country: str | None = None
    previous: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageGuess:
    """Detected language ("zh", "en", "id", "vi", "th", "ms" or "other") with confidence 0-1."""

    lang: str
    confidence: float
    method: str

    @property
    def low_confidence(self) -> bool:
        """True when the guess should not be trusted on its own (e.g. route to a human)."""
        return self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class HintWeights:
    """How much context moves the decision (log-odds units)."""

    lexicon_group_boost: float = 0.7
    customer_boost: float = 1.6
    previous_boost: float = 0.5
    country_boost: float = 0.7
    idms_customer: float = 2.0
    idms_previous: float = 0.6
    idms_previous_cap: float = 1.8
    idms_country: float = 1.5


@dataclass(frozen=True)
class LatinComponents:
    """Evidence for one Latin-script text before the group weights are applied."""

    loglik: dict[str, float]
    lingua: dict[str, float]
    lexicon: dict[str, float]
    idms_log_odds: float


class LanguageDetector:
    """Script rules + word table + lingua (low-accuracy mode) + lexicon; build once, reuse."""

    def __init__(self, *, model: LatinModel | None = None, hints: HintWeights | None = None):
        """Use the shipped word model and lingua's trigram models (both load here)."""
        self._lingua = lingua_detector()
        self._model = model or load_latin_model()
        self._h = hints or HintWeights()

    def detect(self, text: str, *, hints: LanguageHints | None = None) -> LanguageGuess:
        """Detect the language of one message."""
        norm = clean(text)
        thai = len(_THAI_RE.findall(norm)) * _THAI_WEIGHT
        han = len(_HAN_RE.findall(norm)) * _HAN_WEIGHT
        kana_hangul = len(_KANA_HANGUL_RE.findall(norm)) * _HAN_WEIGHT
        other = len(_OTHER_SCRIPT_RE.findall(norm))
        latin_words = LATIN_WORD_RE.findall(norm)
        latin = sum(len(w) for w in latin_words)
        top = max(thai, han, kana_hangul, other, latin)
        if top == 0:
            return _from_hints(hints)
        if top == thai:
            return LanguageGuess("th", _script_confidence(thai, latin + han + other), "script")
        if top == han:
            return LanguageGuess("zh", _script_confidence(han, latin + thai + other), "script")
        if top in (kana_hangul, other):
            return LanguageGuess(OTHER, _script_confidence(top, latin + thai + han), "script")
        vi_words = sum(1 for w in latin_words if VI_ONLY_RE.search(w))
        if vi_words >= 1 and vi_words >= _VI_WORD_SHARE * len(latin_words):
            return LanguageGuess("vi", 0.99 if vi_words >= 2 else 0.9, "script")
        return self.decide(self.latin_components(latin_words), hints)

    def latin_components(self, words: list[str]) -> LatinComponents:
        """Word-table, lingua and lexicon evidence of a Latin-script text (its words)."""
        evidence = self._model.evidence(words)
        values = lingua_values(self._lingua, " ".join(words))
        ms_lex, id_lex, vi_lex = lexicon_evidence(words)
        lingua_odds = math.log((values.get("ms", 0.0) + _EPS) / (values.get("id", 0.0) + _EPS))
        top = max(evidence.group_loglik.values())
        return LatinComponents(
            loglik={g: v - top for g, v in evidence.group_loglik.items()},
            lingua={
                "en": math.log(values.get("en", 0.0) + _EPS),
                "vi": math.log(values.get("vi", 0.0) + _EPS),
                "idms": math.log(values.get("id", 0.0) + values.get("ms", 0.0) + _EPS),
                OTHER: math.log(sum(values.get(c, 0.0) for c in CONFUSERS) + _EPS),
            },
            lexicon={"en": 0.0, "vi": vi_lex, "idms": ms_lex + id_lex, OTHER: 0.0},
            idms_log_odds=self._model.idms_log_odds(
                evidence, lexicon=ms_lex - id_lex, lingua=lingua_odds
            ),
        )

    def group_scores(
        self, parts: LatinComponents, weights: GroupWeights | None = None
    ) -> dict[str, float]:
        """Score per group (en, idms, vi, other) from the text alone."""
        w = weights or self._model.groups
        scores = {
            g: w.words * parts.loglik[g]
            + w.lingua * parts.lingua[g]
            + self._h.lexicon_group_boost * parts.lexicon[g]
            for g in parts.loglik
        }
        scores[OTHER] -= w.other_penalty
        return scores

    def decide(
        self,
        parts: LatinComponents,
        hints: LanguageHints | None = None,
        weights: GroupWeights | None = None,
    ) -> LanguageGuess:
        """Turn the evidence (and context) into a guess."""
        groups = self.group_scores(parts, weights)
        if hints is not None:
            self._apply_hints(groups, hints)
        best = max(groups, key=groups.__getitem__)
        group_p = _softmax_top(groups, best)
        if best != "idms":
            return LanguageGuess(best, group_p, "statistical")
        log_odds = parts.idms_log_odds + (self._idms_hint(hints) if hints is not None else 0.0)
        p_ms = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, log_odds))))
        lang = "ms" if log_odds > 0 else "id"
        return LanguageGuess(lang, group_p * max(p_ms, 1.0 - p_ms), "statistical")

    def _apply_hints(self, groups: dict[str, float], hints: LanguageHints) -> None:
        h = self._h

        def boost(lang: str, amount: float) -> None:
            key = "idms" if lang in ("id", "ms") else lang
            if key in groups:
                groups[key] += amount

        if hints.customer_language:
            boost(hints.customer_language, h.customer_boost)
        for lang in set(hints.previous):
            boost(lang, h.previous_boost)
        for lang in COUNTRY_LANGUAGES.get((hints.country or "").upper(), ()):
            boost(lang, h.country_boost)

    def _idms_hint(self, hints: LanguageHints) -> float:
        h = self._h
        side = {"ms": 1.0, "id": -1.0}
        score = side.get(hints.customer_language or "", 0.0) * h.idms_customer
        previous = sum(side.get(lang, 0.0) for lang in hints.previous) * h.idms_previous
        score += max(-h.idms_previous_cap, min(h.idms_previous_cap, previous))
        market = COUNTRY_LANGUAGES.get((hints.country or "").upper(), ())
        if "ms" in market:
            score += h.idms_country
        elif "id" in market:
            score -= h.idms_country
        return score


def _script_confidence(main: float, rest: float) -> float:
    return round(min(0.99, 0.5 + 0.5 * main / (main + rest)), 4)


def _softmax_top(scores: dict[str, float], best: str) -> float:
    top = scores[best]
    return 1.0 / sum(math.exp(s - top) for s in scores.values())


def _from_hints(hints: LanguageHints | None) -> LanguageGuess:
    """No letters at all (emoji, digits, punctuation): fall back on context, low confidence."""
    if hints is not None:
        lang = hints.customer_language or (hints.previous[-1] if hints.previous else None)
        if lang in SUPPORTED_LANGUAGES:
            return LanguageGuess(lang, 0.3, "hint")
    return LanguageGuess(OTHER, 0.0, "none")


@cache
def _lexicon() -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    path = resources.files("kefu.nlp").joinpath("lexicons/language.json")
    raw = json.loads(path.read_text("utf-8"))
    return dict(raw["ms"]), dict(raw["id"]), dict(raw["vi_plain"])


def lexicon_evidence(words: list[str]) -> tuple[float, float, float]:
    """Curated evidence (words and word pairs) for Malay, Indonesian, plain Vietnamese."""
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    ms_lex, id_lex, vi_lex = _lexicon()
    return (
        sum(ms_lex.get(g, 0.0) for g in grams),
        sum(id_lex.get(g, 0.0) for g in grams),
        sum(vi_lex.get(g, 0.0) for g in grams),
    )


@cache
def lingua_detector() -> LinguaDetector:
    """lingua in low-accuracy (trigram) mode for en/id/ms/vi + confusers, models preloaded."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = [getattr(IsoCode639_1, c.upper()) for c in LINGUA_LANGUAGES + CONFUSERS]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def lingua_values(detector: LinguaDetector, text: str) -> dict[str, float]:
    """lingua's confidence per lower-case ISO 639-1 code."""
    return {
        cv.language.iso_code_639_1.name.lower(): cv.value
        for cv in detector.compute_language_confidence_values(text)
    }


@cache
def get_language_detector() -> LanguageDetector:
    """The process-wide detector (built on first use; call early to preload)."""
    return LanguageDetector()


def detect_language(text: str, *, hints: LanguageHints | None = None) -> LanguageGuess:
    """Detect the language of `text` with the shared detector."""
    return get_language_detector().detect(text, hints=hints)
