"""Chat-text normalisation: NFKC, lowercase, elongation squeeze, emoji spacing."""

from __future__ import annotations

import re
import unicodedata

# Emoji and pictographs: symbols, dingbats, pictographs, emoticons, transport, supplemental.
EMOJI_CLASS = (
    "\u2600-\u27bf"
    "\u2b00-\u2bff"
    "\U0001f000-\U0001faff"
)
EMOJI_RE = re.compile(f"[{EMOJI_CLASS}]")

# Invisible joiners, variation selectors, skin-tone modifiers, BOM: dropped.
_INVISIBLE_RE = re.compile("[\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff\U0001f3fb-\U0001f3ff]")
_THAI_CHAR_RE = re.compile("[\u0e00-\u0e7f]")
# NFKC splits sara am (ำ) into nikhahit + sara aa; put it back so Thai dictionaries match.
_SARA_AM_RE = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
# A Thai character (letter, vowel, tone mark) typed 3+ times is elongation: keep one.
_THAI_RUN_RE = re.compile("([\u0e00-\u0e7f])\\1{2,}")
# Mai yamok (ๆ, "repeat") typed several times, with or without spaces: keep one.
_MAI_YAMOK_RE = re.compile("ๆ(?:\\s*ๆ)+")
# Any other non-digit, non-space character typed 3+ times: keep two ("sooooo" -> "soo").
_CHAR_RUN_RE = re.compile(r"([^\d\s])\1{2,}")
# A two-letter unit repeated 3+ times ("hahahaha", "wkwkwkwk"): keep two units.
_UNIT_RUN_RE = re.compile(r"([^\W\d_]{2})\1{2,}")
# Thai laughter "5555…" / "๕๕๕…" in Thai text, unless it is an amount (adjacent digits,
# a currency sign before or a currency word after).
_THAI_LAUGH_RE = re.compile(
    r"(?<![\d.,฿$])(?:5{3,}|๕{3,})\+*(?![\d.,])(?!\s*(?:บาท|baht|thb|บ\.|฿|k\b))"
)
_SPACE_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return `text` NFKC-normalised, lowercased, with elongations squeezed and emoji spaced.

    Idempotent: `normalise(normalise(t)) == normalise(t)`. Digits are never squeezed (amounts
    and order numbers survive) except Thai laughter ("55555" -> "555") inside Thai text.
    Emoji are kept as separate tokens (runs of the same emoji squeezed to two).
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _INVISIBLE_RE.sub("", text)
    if _THAI_CHAR_RE.search(text):
        text = _SARA_AM_RE.sub("\\1\u0e33", text)
        text = _THAI_RUN_RE.sub(r"\1", text)
        text = _MAI_YAMOK_RE.sub("ๆ", text)
        text = _THAI_LAUGH_RE.sub("555", text)
    text = _CHAR_RUN_RE.sub(r"\1\1", text)
    text = _UNIT_RUN_RE.sub(r"\1\1", text)
    if EMOJI_RE.search(text):
        text = EMOJI_RE.sub(r" \g<0> ", text)
    return _SPACE_RE.sub(" ", text).strip()
