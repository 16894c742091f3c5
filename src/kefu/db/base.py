"""Declarative base with a constraint naming convention, shared column types and mixins."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from kefu.core import clock
from kefu.core.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Reject naive datetimes; store UTC."""
        return None if value is None else _utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, go straight to the text SQLAlchemy's DATETIME stores (a third of the cost)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        last: tuple[object, str | None] = (object(), None)

        def process(value: datetime | None) -> str | None:
            nonlocal last
            seen, text = last
            if value is not seen:  # the rows of one change share one `now`: encode it once
                text = None if value is None else _naive_utc_text(value)
                last = (value, text)  # swapped whole: threads sharing it at worst miss
            return text

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC datetimes."""
        return None if value is None else clock.as_utc(value)


def _naive_utc_text(value: datetime) -> str:
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSONType}


class IdMixin:
    """A time-ordered UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    """Creation and update times from the injected clock."""

    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=lambda: clock.now(), onupdate=lambda: clock.now()
    )


class WorkspaceScoped:
    """Rows that belong to one workspace; sessions bound to a workspace only ever see theirs."""

    workspace_index: ClassVar[bool] = True
    """Whether `workspace_id` gets an index of its own: not where a composite index starts with it."""

    @declared_attr
    def workspace_id(cls) -> Mapped[uuid.UUID]:
        """Owning workspace."""
        return mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=cls.workspace_index)
