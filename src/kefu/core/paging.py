"""Opaque cursors for keyset pagination with stable ordering."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from kefu.core.errors import ValidationFailed

T = TypeVar("T")

MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    """One page of results and the cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    """Encode the sort key of the last row as an opaque url-safe string."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """Decode a cursor made by `encode_cursor`; a malformed cursor is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("malformed cursor", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed("malformed cursor", code="invalid_cursor")
    return values
