"""Language identification for zh, en, id, vi, th, ms (+ "other") on short chat messages.

Script decides first (Thai script -> th, Han -> zh, kana/hangul/other scripts -> other,
Vietnamese-only letters -> vi). Latin text goes to lingua (bundled n-gram models, offline),
restricted to en/id/ms/vi plus a few confusers that stand for "other". Indonesian vs Malay is
then arbitrated by summing log-odds: lingua's (scaled, clipped), a trained word/bigram table
(language_model), a curated chat lexicon (lexicons/language.json) and the context in
`LanguageHints` (customer's language, market country, earlier messages).
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

from kefu.nlp.language_model import features, load_id_ms_table, score
from kefu.nlp.normalise import normalise
from kefu.nlp.tokenise import tokenise

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
_LATIN_RE = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff]")
_LATIN_WORD_RE = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff]+")
# Letters that only Vietnamese uses among the languages we meet (ă đ ơ ư + the
# Latin Extended Additional tone-marked vowels).
_VI_ONLY_RE = re.compile("[ăđơư\u1ea0-\u1ef9]")
# Noise that says nothing about language: links, e-mail addresses, @handles, #tags.
_NOISE_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")
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
class _Tuning:
    """Weights of the evidence combined for Latin-script text (log-odds units)."""

    lingua_idms_scale: float = 0.5
    lingua_idms_clip: float = 4.0
    table_scale: float = 0.25
    lexicon_scale: float = 1.0
    lexicon_group_boost: float = 0.7
    customer_boost: float = 1.6
    previous_boost: float = 0.5
    country_boost: float = 0.7
    idms_customer: float = 2.0
    idms_previous: float = 0.6
    idms_previous_cap: float = 1.8
    idms_country: float = 1.5
    confuser_penalty: float = 1.5


class LanguageDetector:
    """Script rules + lingua + id/ms lexicon; build once and reuse (the models load on build)."""

    def __init__(self, *, confusers: tuple[str, ...] = CONFUSERS, tuning: _Tuning | None = None):
        """Build the lingua detector for en/id/ms/vi + `confusers` with preloaded models."""
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = LINGUA_LANGUAGES + confusers
        isos = [getattr(IsoCode639_1, c.upper()) for c in codes]
        self._lingua: LinguaDetector = (
            LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
            .with_preloaded_language_models()
            .build()
        )
        self._confusers = frozenset(confusers)
        self._t = tuning or _Tuning()
        self._lexicon = _lexicon()
        self._table = load_id_ms_table()

    def detect(self, text: str, *, hints: LanguageHints | None = None) -> LanguageGuess:
        """Detect the language of one message."""
        norm = _NOISE_RE.sub(" ", normalise(text))
        thai = len(_THAI_RE.findall(norm)) * _THAI_WEIGHT
        han = len(_HAN_RE.findall(norm)) * _HAN_WEIGHT
        kana_hangul = len(_KANA_HANGUL_RE.findall(norm)) * _HAN_WEIGHT
        other = len(_OTHER_SCRIPT_RE.findall(norm))
        latin_words = _LATIN_WORD_RE.findall(norm)
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
        vi_words = sum(1 for w in latin_words if _VI_ONLY_RE.search(w))
        if vi_words >= 1 and vi_words >= _VI_WORD_SHARE * len(latin_words):
            return LanguageGuess("vi", 0.99 if vi_words >= 2 else 0.9, "script")
        return self._latin(" ".join(latin_words), hints)

    def _latin(self, text: str, hints: LanguageHints | None) -> LanguageGuess:
        t = self._t
        values = {
            cv.language.iso_code_639_1.name.lower(): cv.value
            for cv in self._lingua.compute_language_confidence_values(text)
        }
        tokens = tokenise(text, "ms", normalised=True)
        ms_evidence, id_evidence, vi_evidence = self._lexicon_evidence(tokens)
        groups = {
            "en": math.log(values.get("en", 0.0) + _EPS),
            "vi": math.log(values.get("vi", 0.0) + _EPS) + t.lexicon_group_boost * vi_evidence,
            "idms": math.log(values.get("id", 0.0) + values.get("ms", 0.0) + _EPS)
            + t.lexicon_group_boost * (ms_evidence + id_evidence),
            OTHER: math.log(sum(values.get(c, 0.0) for c in self._confusers) + _EPS)
            - t.confuser_penalty,
        }
        if hints is not None:
            self._apply_hints(groups, hints)
        best = max(groups, key=groups.__getitem__)
        group_p = _softmax_top(groups, best)
        if best != "idms":
            return LanguageGuess(best, group_p, "statistical")
        lingua_odds = math.log((values.get("ms", 0.0) + _EPS) / (values.get("id", 0.0) + _EPS))
        log_odds = (
            t.lingua_idms_scale * max(-t.lingua_idms_clip, min(t.lingua_idms_clip, lingua_odds))
            + t.table_scale * score(self._table, features(text, normalised=True))
            + t.lexicon_scale * (ms_evidence - id_evidence)
            + (self._idms_hint(hints) if hints is not None else 0.0)
        )
        p_ms = 1.0 / (1.0 + math.exp(-log_odds))
        lang = "ms" if log_odds > 0 else "id"
        return LanguageGuess(lang, group_p * max(p_ms, 1.0 - p_ms), "statistical")

    def _lexicon_evidence(self, tokens: list[str]) -> tuple[float, float, float]:
        """Curated evidence for Malay, Indonesian and diacritic-less Vietnamese."""
        grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
        ms_lex, id_lex, vi_lex = self._lexicon
        return (
            sum(ms_lex.get(g, 0.0) for g in grams),
            sum(id_lex.get(g, 0.0) for g in grams),
            sum(vi_lex.get(g, 0.0) for g in grams),
        )

    def _apply_hints(self, groups: dict[str, float], hints: LanguageHints) -> None:
        t = self._t

        def boost(lang: str, amount: float) -> None:
            key = "idms" if lang in ("id", "ms") else lang
            if key in groups:
                groups[key] += amount

        if hints.customer_language:
            boost(hints.customer_language, t.customer_boost)
        for lang in set(hints.previous):
            boost(lang, t.previous_boost)
        for lang in COUNTRY_LANGUAGES.get((hints.country or "").upper(), ()):
            boost(lang, t.country_boost)

    def _idms_hint(self, hints: LanguageHints) -> float:
        t = self._t
        side = {"ms": 1.0, "id": -1.0}
        score = side.get(hints.customer_language or "", 0.0) * t.idms_customer
        previous = sum(side.get(lang, 0.0) for lang in hints.previous) * t.idms_previous
        score += max(-t.idms_previous_cap, min(t.idms_previous_cap, previous))
        market = COUNTRY_LANGUAGES.get((hints.country or "").upper(), ())
        if "ms" in market:
            score += t.idms_country
        elif "id" in market:
            score -= t.idms_country
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


@cache
def get_language_detector() -> LanguageDetector:
    """The process-wide detector (built on first use; call early to preload)."""
    return LanguageDetector()


def detect_language(text: str, *, hints: LanguageHints | None = None) -> LanguageGuess:
    """Detect the language of `text` with the shared detector."""
    return get_language_detector().detect(text, hints=hints)
