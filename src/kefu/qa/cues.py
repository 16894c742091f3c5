"""Per-language cue lexicons (greeting, apology, solution …) and where they occur in a text."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from kefu.qa.enums import Cue

LANGUAGES = ("en", "zh", "id", "vi", "th", "ms")
FALLBACK_LANGUAGE = "en"


@cache
def _compiled(lang: str) -> dict[str, re.Pattern[str]]:
    """The lexicon of `lang`, each cue's patterns joined into one case-insensitive regex."""
    raw = json.loads(resources.files("kefu.qa.lexicons").joinpath(f"{lang}.json").read_text("utf-8"))
    return {cue: compile_patterns(patterns) for cue, patterns in raw.items()}


def compile_patterns(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of `patterns`."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def lexicon_language(lang: str | None) -> str:
    """The lexicon used for a conversation language (English for languages without one)."""
    base = (lang or FALLBACK_LANGUAGE).split("-")[0].lower()
    return base if base in LANGUAGES else FALLBACK_LANGUAGE


def cue_pattern(cue: Cue, lang: str | None) -> re.Pattern[str]:
    """The compiled pattern of one cue in a language."""
    return _compiled(lexicon_language(lang))[cue.value]


def find_cue(cue: Cue, lang: str | None, text: str) -> tuple[int, int] | None:
    """The first (start, end) span of `cue` in `text`, or None."""
    match = cue_pattern(cue, lang).search(text)
    return match.span() if match else None
