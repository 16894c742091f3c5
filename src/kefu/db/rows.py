"""Pre-encoded inserts: rows reach the driver as tuples, each value encoded once by its column's type.

`insert_rows` stores exactly what an ORM flush or a Core insert of the same values stores (the
encoders are the column types' own bind processors, Python-side column defaults fill missing
keys), without the per-statement and per-row work of the unit of work and of SQL compilation.
It runs through the session's connection, so it joins the current transaction and savepoint,
and the engine's events and error wrapping (IntegrityError stays IntegrityError) still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Encoder = Callable[[Any], Any]

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@dataclass(frozen=True)
class _Plan:
    """The SQL and the per-column work of inserting rows with a given set of keys into a table."""

    sql: str
    keys: tuple[str, ...]
    makers: tuple[Callable[[], Any], ...]
    """Python defaults of the columns the rows leave out, in column order after the given keys."""
    encoders: tuple[Encoder | None, ...]

    def encode(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """The row as the driver's parameter tuple."""
        values = [row[key] for key in self.keys]
        values.extend(make() for make in self.makers)
        return tuple(
            value if encoder is None or value is None else encoder(value)
            for value, encoder in zip(values, self.encoders, strict=True)
        )


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that share one set of keys (one executemany; a single row is one execute).

    A column the rows leave out gets its Python-side default, or else its server default/NULL.
    """
    if not rows:
        return
    connection = session.connection()
    plan = _plan(connection.dialect, table, tuple(rows[0]))
    if len(rows) == 1:
        connection.exec_driver_sql(plan.sql, plan.encode(rows[0]))
    else:
        connection.exec_driver_sql(plan.sql, [plan.encode(row) for row in rows])


@lru_cache(maxsize=512)
def _plan(dialect: Dialect, table: Table, given: tuple[str, ...]) -> _Plan:
    placeholder = _PLACEHOLDERS.get(dialect.paramstyle)
    if placeholder is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle!r} is not supported")
    unknown = set(given) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no columns {sorted(unknown)}")
    defaulted = [c for c in table.columns if c.key not in given and _has_python_default(c)]
    columns = [table.c[key] for key in given] + defaulted
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join(placeholder for _ in columns)})"
    )
    return _Plan(
        sql=sql,
        keys=given,
        makers=tuple(_maker(column) for column in defaulted),
        encoders=tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns),
    )


def _has_python_default(column: Column[Any]) -> bool:
    default = column.default
    return default is not None and bool(default.is_scalar or default.is_callable)


def _maker(column: Column[Any]) -> Callable[[], Any]:
    default: Any = column.default
    if default.is_callable:
        function = default.arg
        return lambda: function(None)  # SQLAlchemy wraps zero-argument callables to take a context
    value = default.arg
    return lambda: value
