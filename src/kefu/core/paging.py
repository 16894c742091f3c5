"""Opaque cursors for keyset pagination with stable ordering."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from kefu.core.errors import ValidationFailed

T = TypeVar("T")

MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
"""The page-size query parameter of every list endpoint: 1..MAX_LIMIT, anything else a 422 (never clamped)."""
Cursor = Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")]
"""The cursor query parameter of every list endpoint (a malformed one is a 422 `invalid_cursor`)."""


class Page(BaseModel, Generic[T]):
    """One page of results and the cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None = None


def checked_limit(limit: int) -> int:
    """A page size within 1..MAX_LIMIT, else a 422: the one limit policy, for services called directly."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


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


def decode_id_cursor(cursor: str) -> uuid.UUID:
    """Decode a one-id cursor (lists ordered by a time-ordered id); a malformed one is a 422."""
    (value,) = decode_cursor(cursor, size=1)
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed("malformed cursor", code="invalid_cursor") from exc
