"""The one keyset pager: every row once across pages, ties broken by the last key, bad cursors a 422."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from kefu.core.errors import ValidationFailed
from kefu.core.paging import encode_cursor
from kefu.db.base import UTCDateTime
from kefu.db.paging import keyset_page


class _Base(DeclarativeBase):
    pass


class Row(_Base):
    __tablename__ = "rows"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[Session]:
    """Ten rows in pairs sharing a time, ids increasing."""
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as opened:
        opened.add_all(
            Row(id=uuid.UUID(int=n + 1), at=START + timedelta(minutes=n // 2)) for n in range(10)
        )
        opened.commit()
        yield opened
    engine.dispose()


def _walk(session: Session, keys: list[Any], *, newest_first: bool, limit: int = 3) -> list[int]:
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = keyset_page(
            session, select(Row), keys, limit=limit, cursor=cursor,
            out=lambda row: row.id.int, newest_first=newest_first,
        )
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_time_then_id_newest_first_visits_every_row_once_across_ties(session: Session) -> None:
    assert _walk(session, [Row.at, Row.id], newest_first=True) == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


def test_id_oldest_first(session: Session) -> None:
    assert _walk(session, [Row.id], newest_first=False, limit=4) == list(range(1, 11))


def test_the_last_page_has_no_cursor(session: Session) -> None:
    page = keyset_page(session, select(Row), [Row.id], limit=10, cursor=None, out=lambda row: row.id)
    assert len(page.items) == 10 and page.next_cursor is None


@pytest.mark.parametrize(
    ("keys", "cursor"),
    [
        ("id", "not-base64!"),
        ("id", encode_cursor(["not a uuid"])),
        ("at_id", encode_cursor(["yesterday", str(uuid.UUID(int=1))])),
        ("at_id", encode_cursor([START.isoformat()])),
    ],
)
def test_a_malformed_cursor_is_a_422(session: Session, keys: str, cursor: str) -> None:
    columns = [Row.id] if keys == "id" else [Row.at, Row.id]
    with pytest.raises(ValidationFailed) as raised:
        keyset_page(session, select(Row), columns, limit=3, cursor=cursor, out=lambda row: row)
    assert raised.value.code == "invalid_cursor"


@pytest.mark.parametrize("limit", [0, 201])
def test_a_limit_out_of_range_is_a_422(session: Session, limit: int) -> None:
    with pytest.raises(ValidationFailed):
        keyset_page(session, select(Row), [Row.id], limit=limit, cursor=None, out=lambda row: row)
