"""Rules for customer attributes: names, languages, markets, tags and bounded custom fields.

Each rule returns the canonical value or raises PydanticCustomError with a stable error type, so
API clients get a 422 with the field path and a code.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

from pydantic_core import PydanticCustomError

from kefu.core.text import BIDI_CONTROLS

MAX_NAME_LENGTH = 200
MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_CUSTOM_FIELDS = 50
MAX_FIELD_KEY_LENGTH = 64
MAX_CUSTOM_FIELDS_BYTES = 8192
MAX_FIELD_DEPTH = 4

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$")
_MARKET_RE = re.compile(r"^[A-Z]{2}$")
_LINE_BREAKS = str.maketrans("", "", "\n\r\t")


def has_forbidden_characters(text: str) -> bool:
    """True for control characters, lone surrogates (they cannot be stored everywhere) or bidi overrides."""
    return any(unicodedata.category(ch) in {"Cc", "Cs"} or ch in BIDI_CONTROLS for ch in text)


def clean_text(value: str, *, max_length: int, code: str = "invalid_text") -> str:
    """Stripped text without control characters and at most `max_length` long."""
    text = value.strip()
    if has_forbidden_characters(text):
        raise PydanticCustomError(code, "control or bidi-override characters are not allowed")
    if len(text) > max_length:
        raise PydanticCustomError(code, "at most {max_length} characters", {"max_length": max_length})
    return text


def normalise_name(value: str | None) -> str | None:
    """A display name, or None when blank."""
    if value is None:
        return None
    return clean_text(value, max_length=MAX_NAME_LENGTH, code="invalid_name") or None


def normalise_language(value: str | None) -> str | None:
    """A lowercase language tag such as zh, en, id, vi, th, ms or zh-hant."""
    if value is None:
        return None
    tag = value.strip().lower().replace("_", "-")
    if not _LANGUAGE_RE.match(tag):
        raise PydanticCustomError("invalid_language", "expected a language tag such as 'zh' or 'en'")
    return tag


def normalise_market(value: str | None) -> str | None:
    """An uppercase ISO 3166-1 alpha-2 country code such as CN, ID, VN, TH or MY."""
    if value is None:
        return None
    code = value.strip().upper()
    if not _MARKET_RE.match(code):
        raise PydanticCustomError("invalid_market", "expected a two-letter country code such as 'ID'")
    return code


def normalise_tag(value: str) -> str:
    """A tag (segment): NFKC, stripped, lowercase, 1 to 64 characters."""
    tag = clean_text(
        unicodedata.normalize("NFKC", value), max_length=MAX_TAG_LENGTH, code="invalid_tag"
    ).lower()
    if not tag:
        raise PydanticCustomError("invalid_tag", "a tag may not be empty")
    return tag


def normalise_tags(values: list[str]) -> list[str]:
    """Distinct normalised tags, sorted; at most MAX_TAGS."""
    tags = sorted({normalise_tag(value) for value in values})
    if len(tags) > MAX_TAGS:
        raise PydanticCustomError("too_many_tags", "at most {limit} tags", {"limit": MAX_TAGS})
    return tags


def check_custom_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A JSON object of at most 50 keys and 8 KB, nested at most 4 deep, storable on every backend."""
    if len(fields) > MAX_CUSTOM_FIELDS:
        raise PydanticCustomError(
            "too_many_custom_fields", "at most {limit} custom fields", {"limit": MAX_CUSTOM_FIELDS}
        )
    for key in fields:
        if not key.strip() or len(key) > MAX_FIELD_KEY_LENGTH or has_forbidden_characters(key):
            raise PydanticCustomError(
                "invalid_custom_field_key", "keys are 1 to 64 characters without control characters"
            )
    _check_json_value(fields, depth=0)
    size = len(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_CUSTOM_FIELDS_BYTES:
        raise PydanticCustomError(
            "custom_fields_too_large", "custom fields take at most {limit} bytes as JSON",
            {"limit": MAX_CUSTOM_FIELDS_BYTES},
        )
    return fields


def _check_json_value(value: Any, *, depth: int) -> None:
    if depth > MAX_FIELD_DEPTH:
        raise PydanticCustomError("custom_fields_too_deep", "custom fields nest at most 4 levels")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json_value(key, depth=depth + 1)
            _check_json_value(item, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_value(item, depth=depth + 1)
    elif isinstance(value, str):
        if has_forbidden_characters(value.translate(_LINE_BREAKS)):
            raise PydanticCustomError("invalid_custom_field_value", "control characters are not allowed")
    elif isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("invalid_custom_field_value", "numbers must be finite")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise PydanticCustomError("invalid_custom_field_value", "integers must fit in 64 bits")


def sanitise_name(value: str | None) -> str | None:
    """A display name learned from a channel: control characters dropped, cut to length, never an error."""
    if value is None:
        return None
    kept = "".join(
        ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cs"} and ch not in BIDI_CONTROLS
    )
    return kept.strip()[:MAX_NAME_LENGTH].strip() or None
