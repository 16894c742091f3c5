"""Abuse detection for human review: profanity, insults, threats and extortion phrasing.

Curated per-language lexicons (lexicons/abuse.json) are matched on normalised tokens: an entry
must equal one to three consecutive tokens, so "操" does not fire inside "操作" nor "สัด" inside
"สัดส่วน". Latin-script tokens are also de-obfuscated ("f*ck", "a$$", "sh1t", "f.u.c.k",
"fuuuck"). Threat and extortion phrasing ("refund or I will post ...", 不赔钱就曝光,
"kalau tak refund aku tularkan") are regular expressions on the normalised text.

A result only ever flags a message for a person to look at; mild venting ("this is damn slow")
is reported as `profanity_mild` and does not flag on its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.tokenise import tokenise

WORD_CATEGORIES = ("profanity_mild", "profanity", "insult")
PATTERN_CATEGORIES = ("threat", "extortion")
CATEGORY_WEIGHT = {
    "profanity_mild": 0.2,
    "profanity": 0.5,
    "insult": 0.55,
    "threat": 0.85,
    "extortion": 0.8,
}
FLAGGING = frozenset({"profanity", "insult", "threat", "extortion"})
_UNSPACED = frozenset({"zh", "th"})
_MAX_GRAM = 3

# Latin-script tokens keep the symbols used to disguise words; Chinese/Thai runs split them.
_RAW_TOKEN_RE = re.compile(r"(?:[^\W\u3400-\u9fff\uf900-\ufaff\u0e00-\u0e7f]|[*$@!#.+|])+")
_LEET = str.maketrans({"@": "a", "4": "a", "$": "s", "5": "s", "0": "o", "1": "i", "!": "i",
                       "|": "i", "3": "e", "7": "t", "+": "t"})
_OBFUSCATED_RE = re.compile(r"[*$@!#.+|0-9]")
_DOUBLE_RE = re.compile(r"(\w)\1+")


@dataclass(frozen=True)
class AbuseResult:
    """Whether to flag a message for review, which categories fired, a 0-1 score, the terms."""

    flagged: bool
    categories: tuple[str, ...]
    score: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, str]
    wildcard_candidates: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


def detect_abuse(
    text: str, lang: str, *, normalised: bool = False, tokens: list[str] | None = None
) -> AbuseResult:
    """Profanity / insult / threat / extortion found in `text` written in `lang`.

    Pass `normalised=True` (and the `tokenise` output for `lang` as `tokens`) when the caller
    already has them, to skip doing that work twice.
    """
    norm = text if normalised else normalise(text)
    hits: dict[str, str] = {}
    latin_grams: set[str] | None = None
    wildcards = _wildcard_tokens(norm) if "*" in norm else []
    for code in _languages_to_check(lang):
        lexicon = _lexicon(code)
        if code in _UNSPACED:
            grams = _grams(norm, code, tokens if code == lang else None)
        else:
            latin_grams = grams = latin_grams if latin_grams is not None else _grams(norm, code)
        for gram in lexicon.words.keys() & grams:
            hits.setdefault(gram, lexicon.words[gram])
        for token in wildcards if code not in _UNSPACED else ():
            match = _wildcard_match(token, lexicon)
            if match is not None:
                hits.setdefault(match[0], match[1])
        for category, pattern in lexicon.patterns:
            found = pattern.search(norm)
            if found is not None:
                hits.setdefault(found.group(0), category)
    categories = tuple(c for c in CATEGORY_WEIGHT if c in hits.values())
    keep = 1.0
    for category in categories:
        keep *= 1.0 - CATEGORY_WEIGHT[category]
    return AbuseResult(
        flagged=bool(FLAGGING.intersection(categories)),
        categories=categories,
        score=round(1.0 - keep, 4),
        terms=tuple(hits),
    )


def _languages_to_check(lang: str) -> tuple[str, ...]:
    """The message's language plus English (code-mixing); Indonesian and Malay together."""
    if lang in ("id", "ms"):
        return ("id", "ms", "en")
    if lang in ("zh", "th", "vi"):
        return (lang, "en")
    return ("en",)


def _grams(norm: str, lang: str, given: list[str] | None = None) -> set[str]:
    """Token 1-3-grams: concatenated for Chinese/Thai, space-joined with variants elsewhere."""
    if lang in _UNSPACED:
        tokens = given if given is not None else tokenise(norm, lang, normalised=True)
        joiner = ""
    else:
        tokens = [v for raw in _RAW_TOKEN_RE.findall(norm) for v in _variants(raw)[:1]]
        joiner = " "
    grams: set[str] = set()
    for n in range(1, _MAX_GRAM + 1):
        grams.update(joiner.join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    if lang not in _UNSPACED:
        grams.update(v for raw in _RAW_TOKEN_RE.findall(norm) for v in _variants(raw)[1:])
    return grams


def _variants(raw: str) -> list[str]:
    """A raw token cleaned of edge punctuation, then de-leeted and de-doubled spellings."""
    token = raw.strip(".!#+|")
    if not token:
        return [raw]
    variants = [token]
    if _OBFUSCATED_RE.search(token) and any(c.isalpha() for c in token):
        plain = token.replace(".", "").translate(_LEET)
        if "*" not in plain:
            variants.append(plain)
    variants.append(_DOUBLE_RE.sub(r"\1", variants[-1]))
    return variants


def _wildcard_tokens(norm: str) -> list[str]:
    return [t.strip(".!#") for t in _RAW_TOKEN_RE.findall(norm) if "*" in t.strip("*")]


def _wildcard_match(token: str, lexicon: _Lexicon) -> tuple[str, str] | None:
    """Match a token like "f*ck" or "a**hole" (each * one letter) against single words."""
    plain = token.replace(".", "").translate(_LEET)
    pattern = re.compile("".join("[a-z]" if c == "*" else re.escape(c) for c in plain))
    for word, category in lexicon.wildcard_candidates:
        if len(word) == len(plain) and pattern.fullmatch(word):
            return word, category
    return None


@cache
def _lexicon(lang: str) -> _Lexicon:
    raw = _raw_lexicon()[lang]
    words = {
        normalise(term): category for category in WORD_CATEGORIES for term in raw[category]
    }
    candidates = tuple(
        (w, c) for w, c in words.items() if c != "profanity_mild" and w.isalpha()
    )
    patterns = tuple(
        (category, re.compile(p)) for category in PATTERN_CATEGORIES for p in raw[category]
    )
    return _Lexicon(words, candidates, patterns)


@cache
def _raw_lexicon() -> dict[str, dict[str, list[str]]]:
    path = resources.files("kefu.nlp").joinpath("lexicons/abuse.json")
    data: dict[str, dict[str, list[str]]] = json.loads(path.read_text("utf-8"))
    data.pop("_about", None)
    return data
