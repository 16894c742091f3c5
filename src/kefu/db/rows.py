"""Pre-encoded inserts: rows reach the driver as plain values, each encoded once by its column's type.

`insert_rows` stores exactly what an ORM flush or a Core insert of the same values stores (the
encoders are the column types' own bind processors, or equivalents that give the same values,
and Python-side column defaults fill missing keys), without the per-statement and per-row work
of the unit of work and of SQL compilation. It runs on the session's connection, so it joins the
current transaction and savepoint, and the engine's error wrapping (IntegrityError stays
IntegrityError, disconnects invalidate the connection) still applies. On PostgreSQL (psycopg) a
batch of COPY_MIN_ROWS or more goes through COPY FROM STDIN, which bypasses the engine's
cursor-execute events; a smaller one is one multi-row INSERT. On SQLite the INSERT runs on the
driver's cursor, around the engine's execution context (tens of microseconds per statement),
whether or not anything listens: cursor-execute listeners and echo logging are told of it as the
engine would tell them (without an execution context), so tracing or APM sees the statement and
never changes what runs.

`RowTemplate` builds the rows of the fast paths from the table itself: every column, the given
values and the rest from the column definitions, so a column added to a model is written by every
builder without being listed there.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, Connection, DateTime, Enum, Table, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeEngine

Encoder = Callable[[Any], Any]

COPY_MIN_ROWS = 50
"""From this many rows PostgreSQL gets them through COPY: about half the work per row of an
executemany, for the client and for the server; fewer rows go in one multi-row INSERT."""
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@dataclass(frozen=True)
class _Plan:
    """The SQL and the per-column work of inserting rows with a given set of keys into a table."""

    sql: str
    """An INSERT with one placeholder per column, or a COPY FROM STDIN of the same columns."""
    row_values: str
    """The INSERT's parenthesised placeholders of one row (empty for COPY)."""
    given: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    """The values of the given keys of a row, in their order."""
    makers: tuple[Callable[[], Any], ...]
    """Python defaults of the columns the rows leave out, in column order after the given keys."""
    encoders: tuple[tuple[int, Encoder], ...]
    """(position, encoder) of the columns whose values need encoding, None included (JSON's is 'null')."""
    skipping_none: tuple[tuple[int, Encoder], ...]
    """(position, encoder) of the columns whose encoder gives None for None: it is not asked then."""

    def encode(self, row: Mapping[str, Any]) -> list[Any]:
        """The row's values in column order, as the driver takes them."""
        values = list(self.given(row))
        for make in self.makers:
            values.append(make())
        for position, encoder in self.encoders:
            values[position] = encoder(values[position])
        for position, encoder in self.skipping_none:
            value = values[position]
            if value is not None:
                values[position] = encoder(value)
        return values

    def insert_many(self, count: int) -> str:
        """One INSERT of `count` rows: a multi-row VALUES list."""
        return self.sql + f", {self.row_values}" * (count - 1)


def insert_rows(session: Session, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert rows that share one set of keys (one executemany or COPY; a single row is one execute).

    A column the rows leave out gets its Python-side default, or else its server default/NULL.
    `rows` may be a generator: on the COPY path each row is then built as it is sent.
    """
    pending = iter(rows)
    head = list(islice(pending, COPY_MIN_ROWS))
    if not head:
        return
    connection = session.connection()
    dialect = connection.dialect
    copy = len(head) == COPY_MIN_ROWS and dialect.name == "postgresql" and dialect.driver == "psycopg"
    plan = _plan(dialect, table, tuple(head[0]), copy)
    if copy:
        _copy(connection, plan, chain(head, pending))
    elif dialect.name == "sqlite":
        _insert_on_cursor(connection, plan, head, pending)
    elif len(head) == 1:
        connection.exec_driver_sql(plan.sql, tuple(plan.encode(head[0])))
    elif dialect.name == "postgresql":  # one statement: psycopg's executemany runs a pipeline per call
        values = tuple(value for row in head for value in plan.encode(row))
        connection.exec_driver_sql(plan.insert_many(len(head)), values)
    else:
        connection.exec_driver_sql(plan.sql, [tuple(plan.encode(row)) for row in chain(head, pending)])


def _before_execute(
    connection: Connection, cursor: Any, statement: str, parameters: Any, many: bool
) -> tuple[str, Any]:
    """Tell the cursor-execute listeners and the echo log of a statement about to run on `cursor`.

    As the engine does, minus the execution context (listeners get None): listeners registered
    with retval=True may replace the statement and its parameters.
    """
    if connection._has_events or connection.engine._has_events:
        for listener in connection.dispatch.before_cursor_execute:
            statement, parameters = listener(connection, cursor, statement, parameters, None, many)
    if connection._echo:
        connection._log_info(statement)
        connection._log_info("[raw sql] %r", parameters)
    return statement, parameters


def _after_execute(connection: Connection, cursor: Any, statement: str, parameters: Any, many: bool) -> None:
    """Tell the after_cursor_execute listeners that the statement ran."""
    if connection._has_events or connection.engine._has_events:
        for listener in connection.dispatch.after_cursor_execute:
            listener(connection, cursor, statement, parameters, None, many)


def _insert_on_cursor(
    connection: Connection, plan: _Plan, head: list[Mapping[str, Any]], pending: Iterable[Mapping[str, Any]]
) -> None:
    """Run the INSERT on a driver cursor of the connection (in its transaction, which has begun).

    One row is one execute, more are one executemany; driver errors are wrapped as the engine does.
    """
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None  # the session's connection is checked out
    cursor = driver_connection.cursor()
    sql = plan.sql
    parameters: Any = None
    many = len(head) > 1
    try:
        if many:
            sql, parameters = _before_execute(
                connection, cursor, sql, [tuple(plan.encode(row)) for row in chain(head, pending)], many
            )
            cursor.executemany(sql, parameters)
        else:
            sql, parameters = _before_execute(connection, cursor, sql, tuple(plan.encode(head[0])), many)
            cursor.execute(sql, parameters)
        _after_execute(connection, cursor, sql, parameters, many)
    except connection.dialect.loaded_dbapi.Error as exc:
        connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)
    finally:
        cursor.close()


def first_row(
    connection: Connection, statement: Select[Any], params: Mapping[str, Any]
) -> Sequence[Any] | None:
    """The first row of a prepared SELECT (named bind parameters, none of them expanding), or None.

    On SQLite it runs on the driver's cursor, listened to or not (see `insert_rows`): parameters are
    encoded and columns decoded by their types' own processors, as the engine would, at a tenth of
    the cost of a compiled-cache lookup and an execution context. Elsewhere it goes through the engine.
    """
    query = _query(connection.dialect, statement) if connection.dialect.name == "sqlite" else None
    if query is None:
        return connection.execute(statement, params).first()
    values: Any = tuple(encode(params.get(name, default)) if encode else params.get(name, default)
                        for name, default, encode in query.binds)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    sql = query.sql
    try:
        sql, values = _before_execute(connection, cursor, sql, values, False)
        cursor.execute(sql, values)
        _after_execute(connection, cursor, sql, values, False)
        row = cursor.fetchone()
    except connection.dialect.loaded_dbapi.Error as exc:
        connection._handle_dbapi_exception(exc, sql, values, cursor, None)
    finally:
        cursor.close()
    if row is None:
        return None
    decoded = zip(row, query.decoders, strict=True)
    return tuple(decode(value) if decode else value for value, decode in decoded)


@dataclass(frozen=True)
class _Query:
    """A SELECT compiled for the driver: its SQL, its parameters in order and its column decoders."""

    sql: str
    binds: tuple[tuple[str, Any, Encoder | None], ...]
    """(name, value when not given, encoder) of each placeholder, in order."""
    decoders: tuple[Encoder | None, ...]


@lru_cache(maxsize=256)
def _query(dialect: Dialect, statement: Select[Any]) -> _Query | None:
    """The statement compiled for the dialect; None when it needs per-execution compilation."""
    compiled = statement.compile(dialect=dialect)
    names = compiled.positiontup
    if names is None or compiled.literal_execute_params or compiled.post_compile_params:
        return None
    binds = tuple(
        (name, compiled.binds[name].value, _encoder(compiled.binds[name].type, dialect, copy=False))
        for name in names
    )
    decoders = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    return _Query(compiled.string, binds, decoders)


def _copy(connection: Connection, plan: _Plan, rows: Iterable[Mapping[str, Any]]) -> None:
    """COPY the rows on the session's driver connection; driver errors are wrapped as the engine does.

    Rows are encoded as they are sent, so the server works while the client encodes; a value its
    type rejects ends the COPY with the encoder's error and, as a database error does, aborts the
    transaction (or savepoint).
    """
    encode = plan.encode
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(plan.sql) as copy:
            for row in rows:
                copy.write_row(encode(row))
    except connection.dialect.loaded_dbapi.Error as exc:
        connection._handle_dbapi_exception(exc, plan.sql, None, cursor, None)
    finally:
        cursor.close()


@lru_cache(maxsize=512)
def _plan(dialect: Dialect, table: Table, given: tuple[str, ...], copy: bool) -> _Plan:
    unknown = set(given) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no columns {sorted(unknown)}")
    defaulted = [c for c in table.columns if c.key not in given and _has_python_default(c)]
    columns = [table.c[key] for key in given] + defaulted
    preparer = dialect.identifier_preparer
    target = f"{preparer.format_table(table)} ({', '.join(preparer.quote(c.name) for c in columns)})"
    row_values = ""
    if copy:
        sql = f"COPY {target} FROM STDIN"
    else:
        placeholder = _PLACEHOLDERS.get(dialect.paramstyle)
        if placeholder is None:
            raise NotImplementedError(f"paramstyle {dialect.paramstyle!r} is not supported")
        row_values = f"({', '.join(placeholder for _ in columns)})"
        sql = f"INSERT INTO {target} VALUES {row_values}"
    encoders = [(position, _encoder(column.type, dialect, copy)) for position, column in enumerate(columns)]
    present = [(position, encoder) for position, encoder in encoders if encoder is not None]
    return _Plan(
        sql=sql,
        row_values=row_values,
        given=_getter(given),
        makers=tuple(_maker(column) for column in defaulted),
        encoders=tuple((position, encoder) for position, encoder in present if not _keeps_none(encoder)),
        skipping_none=tuple((position, encoder) for position, encoder in present if _keeps_none(encoder)),
    )


def _keeps_none(encoder: Encoder) -> bool:
    """Whether the encoder gives None for None (then None need not be encoded)."""
    try:
        return encoder(None) is None
    except Exception:  # an encoder that refuses None sees every value, None included
        return False


def _getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function of a row returning the values of `keys` as a tuple (itemgetter's, for two or more)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    return lambda row: tuple(row[key] for key in keys)


def _encoder(type_: TypeEngine[Any], dialect: Dialect, copy: bool) -> Encoder | None:
    """The column type's bind processor or a quicker equivalent; for COPY, JSON, UUIDs and datetimes as text.

    COPY reads every value as text: JSON is the text psycopg's Json/Jsonb wrappers would dump (the
    same serializer), UUIDs and datetimes the text psycopg would dump, made several times faster.
    Elsewhere UUIDs stored as text and enum members skip the bind processors' layers of calls.
    """
    impl = type_.dialect_impl(dialect)
    if copy and isinstance(impl, JSON):
        return JSON.bind_processor(impl, dialect)
    if type(impl) is Uuid and impl.as_uuid and not (dialect.supports_native_uuid and impl.native_uuid):
        return _uuid_hex  # what Uuid.bind_processor does where UUIDs are stored as 32 hex digits
    encoder: Encoder | None = impl.bind_processor(dialect)
    if encoder is not None and isinstance(impl, Enum) and impl.enum_class is not None:
        return _looking_up(encoder, {member: encoder(member) for member in impl.enum_class})
    stored = getattr(impl, "impl_instance", impl)  # a TypeDecorator's underlying type
    if copy:
        text = next((to_text for kind, to_text in _COPY_TEXT if isinstance(stored, kind)), None)
        if text is not None:
            encoder = text if encoder is None else _chain(encoder, text)
    if encoder is not None and isinstance(stored, DateTime):
        encoder = _reusing_last(encoder)
    return encoder


def _chain(first: Encoder, then: Encoder) -> Encoder:
    return lambda value: then(first(value))


def _reusing_last(encoder: Encoder) -> Encoder:
    """`encoder`, skipped when given the very object it encoded last (rows share one `now`).

    Only for immutable values; the (value, result) pair is swapped whole, so threads sharing a
    plan at worst miss.
    """
    last: tuple[Any, Any] = (object(), None)

    def encode(value: Any) -> Any:
        nonlocal last
        seen, encoded = last
        if value is not seen:
            encoded = encoder(value)
            last = (value, encoded)
        return encoded

    return encode


def _looking_up(encoder: Encoder, encoded: dict[Any, Any]) -> Encoder:
    """`encoder`, with its results for the keys of `encoded` read from there (None there: ask it)."""
    get = encoded.get

    def encode(value: Any) -> Any:
        result = get(value)
        return encoder(value) if result is None else result

    return encode


def _uuid_hex(value: Any) -> Any:
    # uuid.UUID.hex without the property call; %-formatting is the quickest of the ways to write it
    return None if value is None else "%032x" % value.int  # noqa: UP031


def _uuid_text(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _datetime_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


_COPY_TEXT: tuple[tuple[type[Any], Encoder], ...] = ((Uuid, _uuid_text), (DateTime, _datetime_text))


def _takes_no_arguments(function: Callable[..., Any]) -> bool:
    try:
        inspect.signature(function).bind()
    except (TypeError, ValueError):  # needs arguments, or a builtin without a signature
        return False
    return True


def _has_python_default(column: Column[Any]) -> bool:
    default = column.default
    return default is not None and bool(default.is_scalar or default.is_callable)


def _maker(column: Column[Any]) -> Callable[[], Any]:
    default: Any = column.default
    if default.is_callable:
        function = default.arg
        original = getattr(function, "__wrapped__", None)
        if original is not None and _takes_no_arguments(original):
            return original  # the zero-argument callable SQLAlchemy wrapped to take a context
        return lambda: function(None)
    value = default.arg
    return lambda: value


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a row given one set of keys lacks: the constant values and the defaults to call."""

    constants: dict[str, Any]
    makers: tuple[tuple[str, Callable[[], Any]], ...]


class RowTemplate:
    """Every column of a new row of one table: the values given, the rest from the column definitions.

    A column left out gets its Python-side default (a callable one is called for each row, as an
    ORM flush would), else None when it is nullable. One with neither, or whose default is the
    server's, must be given. A key that is not a column raises KeyError; a missing required column
    raises TypeError. The rows are what `insert_rows` takes, and what `XOut.model_validate` reads.
    What a given set of keys lacks is worked out once per set (a call site gives the same keys).
    """

    __slots__ = ("_shapes", "table")

    def __init__(self, table: Table) -> None:
        self.table = table
        self._shapes: dict[tuple[str, ...], _Shape] = {}

    @classmethod
    def of(cls, model: type[Any]) -> RowTemplate:
        """The template of a mapped class's table."""
        table: Table = model.__table__
        return cls(table)

    @property
    def columns(self) -> frozenset[str]:
        """The keys of every row: the table's column keys."""
        return frozenset(self.table.c.keys())

    def row(self, **values: Any) -> dict[str, Any]:
        """A new row with `values` and every other column from its definition (bind it once:
        `X_ROW = RowTemplate.of(X).row`, a bound method being quicker to call than an instance)."""
        keys = tuple(values)
        shape = self._shapes.get(keys)
        if shape is None:
            shape = self._shapes[keys] = self._shape(keys)
        values.update(shape.constants)  # `values` is this call's own dict: it becomes the row
        for key, make in shape.makers:
            values[key] = make()
        return values

    def _shape(self, given: tuple[str, ...]) -> _Shape:
        """What rows given these keys lack; KeyError for an unknown key, TypeError for a missing one."""
        unknown = set(given) - set(self.table.c.keys())
        if unknown:
            raise KeyError(f"{self.table.name} has no columns {sorted(unknown)}")
        constants: dict[str, Any] = {}
        makers: list[tuple[str, Callable[[], Any]]] = []
        for column in self.table.columns:
            if column.key in given:
                continue
            if _has_python_default(column):
                if column.default.is_callable:  # type: ignore[union-attr]
                    makers.append((column.key, _maker(column)))
                else:
                    constants[column.key] = _maker(column)()
            elif not column.nullable or column.server_default is not None:
                raise TypeError(f"a row of {self.table.name} needs {column.key}")
            else:
                constants[column.key] = None
        return _Shape(constants, tuple(makers))
