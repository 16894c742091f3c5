"""Keyset pagination of ORM queries: the one pager of every list read (`core.paging` holds the cursor)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, Select, Uuid, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.paging import Page, checked_limit, decode_cursor, decode_id_cursor, encode_cursor

T = TypeVar("T")


def keyset_page(
    session: Session,
    query: Select[Any],
    keys: Sequence[InstrumentedAttribute[Any]],
    *,
    limit: int,
    cursor: str | None,
    out: Callable[[Any], T],
    newest_first: bool = True,
) -> Page[T]:
    """One page of `query` ordered by `keys` (the last one unique), and the cursor of the next page.

    The cursor carries the keys of the page's last row (UUIDs as text, times as UTC ISO 8601); a
    malformed one is a 422 `invalid_cursor`, a limit outside 1..MAX_LIMIT a 422. `out` turns each
    row into its answer shape.
    """
    limit = checked_limit(limit)
    if cursor:
        query = query.where(_after(keys, _decoded(keys, cursor), newest_first))
    order = [key.desc() if newest_first else key.asc() for key in keys]
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([_encoded(getattr(last, key.key)) for key in keys])
    return Page(items=[out(row) for row in rows[:limit]], next_cursor=next_cursor)


def _after(
    keys: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any], newest_first: bool
) -> ColumnElement[bool]:
    """Rows strictly past `values` in the order of `keys` (row-value comparison spelled out)."""
    key, value = keys[0], values[0]
    beyond = key < value if newest_first else key > value
    if len(keys) == 1:
        return beyond
    return or_(beyond, and_(key == value, _after(keys[1:], values[1:], newest_first)))


def _decoded(keys: Sequence[InstrumentedAttribute[Any]], cursor: str) -> list[Any]:
    if len(keys) == 1 and isinstance(keys[0].type, Uuid):
        return [decode_id_cursor(cursor)]
    raw = decode_cursor(cursor, size=len(keys))
    try:
        return [_value(key, value) for key, value in zip(keys, raw, strict=True)]
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("malformed cursor", code="invalid_cursor") from exc


def _value(key: InstrumentedAttribute[Any], raw: Any) -> Any:
    kind = getattr(key.type, "impl", key.type)  # a TypeDecorator's underlying type
    if isinstance(kind, DateTime):
        return clock.as_utc(datetime.fromisoformat(str(raw)))
    if isinstance(kind, Uuid):
        return uuid.UUID(str(raw))
    return raw


def _encoded(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.as_utc(value).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
