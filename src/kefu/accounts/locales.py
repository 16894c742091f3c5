"""Validated inputs of the accounts domain: ISO 639-1 language codes, IANA time zones, clean text."""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo

from kefu.core.text import BIDI_CONTROLS

ISO_639_1 = frozenset({
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
})
_MULTILINE_ALLOWED = frozenset("\n\t")


def language_code(value: str) -> str:
    """Normalise an ISO 639-1 code (`ZH` -> `zh`); anything else is a ValueError."""
    code = value.strip().lower()
    if code not in ISO_639_1:
        raise ValueError("must be an ISO 639-1 language code such as 'en', 'zh', 'id'")
    return code


def language_codes(values: list[str]) -> list[str]:
    """Normalise a list of ISO 639-1 codes, dropping duplicates but keeping order."""
    return list(dict.fromkeys(language_code(value) for value in values))


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value: str) -> str:
    """Accept an IANA time zone name known to this system (e.g. `Asia/Jakarta`)."""
    if value not in _time_zones():
        raise ValueError("must be an IANA time zone name such as 'Asia/Shanghai' or 'UTC'")
    return value


def single_line(value: str) -> str:
    """Strip a one-line text and refuse control characters and lone surrogates."""
    return _clean(value.strip(), allowed=frozenset())


def multi_line(value: str) -> str:
    """Strip a free text and refuse control characters (except newline and tab) and lone surrogates."""
    return _clean(value.strip(), allowed=_MULTILINE_ALLOWED)


def secret_text(value: str) -> str:
    """A password as typed: kept verbatim, but it must be storable and hashable text."""
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError("must not contain control characters or invalid unicode")
    return value


def _clean(value: str, *, allowed: frozenset[str]) -> str:
    for char in value:
        if char not in allowed and (unicodedata.category(char) in {"Cc", "Cs"} or char in BIDI_CONTROLS):
            raise ValueError("must not contain control or bidi-override characters or invalid unicode")
    return value
