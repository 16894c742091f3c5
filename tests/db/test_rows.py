"""`insert_rows` stores what the ORM stores, on both backends and on each of its paths (COPY included);
JSON is written by `dumps_json` (orjson)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from psycopg.adapt import PyFormat
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine, Table, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations.enums import (
    ActorKind,
    Channel,
    ConversationStatus,
    Direction,
    Priority,
    Sentiment,
    TimelineKind,
)
from kefu.conversations.models import Conversation, Message, TimelineEntry
from kefu.core.clock import FrozenClock
from kefu.core.ids import new_id
from kefu.customers.enums import IdentityKind, VipTier
from kefu.customers.models import Customer, CustomerIdentity
from kefu.db.base import Base
from kefu.db.engine import dumps_json, make_engine, make_session_factory
from kefu.db.outbox import OutboxEvent
from kefu.db.rows import COPY_MIN_ROWS, insert_rows

TRICKY = "tab\there, line\nbreak\r, back\\slash, \\N, 中文, ภาษาไทย, tiếng Việt, 😀"
"""Text with what COPY escapes (tab, newlines, backslash, its NULL marker) and other scripts."""
AT = datetime(2026, 1, 5, 17, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
"""A time with microseconds in another zone (stored as UTC)."""
PATHS = {"execute": 1, "executemany": 2, "copy": COPY_MIN_ROWS}
"""Rows per insert_rows call that take each path (COPY only on PostgreSQL; executemany on SQLite)."""
WORLD_TEXT = {
    "中文": "退款申请 「已处理」", "ไทย": "คืนเงิน", "tiếng Việt": "hoàn tiền (e\u0301 combining: é)",
    "العربية": "استرداد", "emoji": "😀👍🏽", "escapes": "quote\" back\\slash / tab\t nl\n \u2028\u2029 \x7f",
    "nested": {"标签": ["vip", "退款", "ภาษาไทย"], "n": [1, 2.5, None, True]},
}
"""JSON with non-ASCII keys and values (astral, combining, right-to-left) and what JSON escapes."""


@dataclass(frozen=True)
class World:
    """Parents the rows under test refer to."""

    workspace_id: uuid.UUID
    customer_id: uuid.UUID
    conversation_id: uuid.UUID


@dataclass(frozen=True)
class Case:
    """A model, its values for every column but the key, and the columns each filler row must vary."""

    model: type[Base]
    values: Callable[[World], dict[str, Any]]
    unique: tuple[str, ...] = ()


def _conversation(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "customer_id": world.customer_id, "channel": Channel.EMAIL,
        "inbox_id": uuid.UUID(int=7), "subject": TRICKY, "status": ConversationStatus.SNOOZED,
        "snoozed_until": AT + timedelta(days=1), "priority": Priority.URGENT, "assignee_id": None,
        "team_id": None, "tags": ["vip", "退款", 'quote"d'],
        "custom_fields": {"order": "A-1", "nested": {"n": 1.5, "list": [1, None, True]}, "text": TRICKY},
        "language": "zh-Hant", "is_complaint": True, "complaint_amount": Decimal("1234.56"),
        "complaint_currency": "SGD", "first_response_at": AT, "resolved_at": None,
        "last_message_at": AT + timedelta(microseconds=1), "inbound_count": 3, "outbound_count": 0,
        "note_count": 2**31 - 1, "reopen_count": 1, "created_at": AT, "updated_at": AT + timedelta(hours=1),
    }  # fmt: skip


def _conversation_with_json_null(world: World) -> dict[str, Any]:
    return {**_conversation(world), "custom_fields": None, "tags": [], "is_complaint": False,
            "complaint_amount": None, "first_response_at": None, "language": None}  # fmt: skip


def _message(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "conversation_id": world.conversation_id,
        "direction": Direction.OUTBOUND, "author_kind": ActorKind.AGENT, "author_id": uuid.UUID(int=42),
        "text": TRICKY, "attachments": [{"name": "r.pdf", "size": 10, "url": "https://x.example/r?a=1&b=2"}],
        "external_id": "ext-1", "language": "th", "intent": "refund", "intent_confidence": 0.1 + 0.2,
        "sentiment": Sentiment.NEGATIVE, "sentiment_score": -0.75, "anger": 1e-7, "angry": True,
        "abusive": False, "abuse_categories": ["insult"], "analysed_at": AT, "created_at": AT,
        "updated_at": AT,
    }  # fmt: skip


def _timeline(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "conversation_id": world.conversation_id,
        "kind": TimelineKind.STATUS_CHANGED, "actor_kind": ActorKind.SYSTEM, "actor_id": None,
        "before": {"status": "open", "snoozed_until": None}, "after": {"status": "resolved", "note": TRICKY},
        "reason": "imported", "created_at": AT,
    }  # fmt: skip


def _customer(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "name": TRICKY, "language": "vi", "market": "VN",
        "vip_tier": VipTier.NONE, "custom_fields": {"crm": {"id": 42, "tier": "gold"}},
        "merged_into_id": world.customer_id, "merged_at": AT, "created_at": AT, "updated_at": AT,
    }  # fmt: skip


def _identity(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "customer_id": world.customer_id, "kind": IdentityKind.EMAIL,
        "value": "ann@example.com", "verified": True, "verified_at": AT, "created_at": AT,
    }  # fmt: skip


def _outbox(world: World) -> dict[str, Any]:
    return {
        "workspace_id": world.workspace_id, "event_type": "conversation.imported",
        "payload": {"conversation_id": str(world.conversation_id), "text": TRICKY, "n": [1, 2.5, None]},
        "occurred_at": AT, "dispatched_at": None, "next_attempt_at": AT, "attempts": 2, "last_error": TRICKY,
    }  # fmt: skip


CASES = {
    "conversation": Case(Conversation, _conversation),
    "conversation-json-null": Case(Conversation, _conversation_with_json_null),
    "message": Case(Message, _message, unique=("external_id",)),
    "timeline": Case(TimelineEntry, _timeline),
    "customer": Case(Customer, _customer),
    "identity": Case(CustomerIdentity, _identity, unique=("value",)),
    "outbox": Case(OutboxEvent, _outbox),
}


@pytest.fixture
def engine(database_url: str, clock: FrozenClock) -> Iterator[Engine]:
    """An engine on a clean database of each backend (defaults read the frozen clock)."""
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database."""
    with make_session_factory(engine)() as db:
        yield db


@pytest.fixture
def world(session: Session) -> World:
    """A workspace with a customer and a conversation, committed."""
    workspace = accounts.create_workspace(session, name="Rows")
    customer = Customer(workspace_id=workspace.id)
    session.add(customer)
    session.flush()
    conversation = Conversation(
        workspace_id=workspace.id, customer_id=customer.id, channel=Channel.CHAT, last_message_at=AT
    )
    session.add(conversation)
    session.commit()
    return World(workspace.id, customer.id, conversation.id)


@pytest.fixture
def inserts(engine: Engine) -> list[str]:
    """The INSERT statements the engine sends to cursors (COPY goes around them)."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT"):
            seen.append(statement)

    return seen


def _table(model: type[Base]) -> Table:
    table: Table = model.__table__  # type: ignore[assignment]
    return table


def _raw(session: Session, table: Table, key: Any) -> dict[str, Any]:
    """The stored row as the driver returns it (no SQLAlchemy type processing), with each column's
    nullness (PostgreSQL returns JSON null and SQL NULL alike as None)."""
    quote = session.get_bind().dialect.identifier_preparer.quote
    nulls = ", ".join(f"{quote(c.name)} IS NULL AS {quote(c.name + '_is_null')}" for c in table.columns)
    literal = f"'{key.hex}'" if isinstance(key, uuid.UUID) else str(int(key))  # hex matches on both backends
    sql = f"SELECT *, {nulls} FROM {table.name} WHERE id = {literal}"
    (row,) = session.connection().exec_driver_sql(sql).mappings().all()
    return dict(row)


def _key(row: Base) -> Any:
    identity = inspect(row).identity
    assert identity is not None
    return identity[0]


def _comparable(row: dict[str, Any], unique: tuple[str, ...]) -> dict[str, Any]:
    """Every column but the key and those a unique constraint makes differ."""
    return {name: value for name, value in row.items() if name != "id" and name not in unique}


def _filler(values: dict[str, Any], unique: tuple[str, ...], n: int) -> dict[str, Any]:
    """The values with the unique columns made distinct."""
    return {**values, **{name: f"{values[name]}-{n}" for name in unique}}


@pytest.fixture
def engine_inserts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The INSERT statements handed to the engine's exec_driver_sql (no listener: nothing is observed)."""
    seen: list[str] = []
    through_engine = Connection.exec_driver_sql

    def record(connection: Connection, statement: str, *args: Any, **kwargs: Any) -> Any:
        if statement.startswith("INSERT"):
            seen.append(statement)
        return through_engine(connection, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "exec_driver_sql", record)
    return seen


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES)
def test_stores_what_the_orm_stores(session: Session, world: World, case: str, path: str) -> None:
    model, values, unique = CASES[case].model, CASES[case].values(world), CASES[case].unique
    table = _table(model)
    orm_row = model(**_filler(values, unique, 0))
    session.add(orm_row)
    session.flush()
    rows = [values] + [_filler(values, unique, n) for n in range(1, PATHS[path])]
    serial = table.c.id.default is None  # the database numbers the rows (outbox)
    if not serial:
        rows = [{"id": new_id(), **row} for row in rows]
    last_id = session.scalar(select(func.max(table.c.id))) if serial else None
    count = session.scalar(select(func.count()).select_from(table)) or 0

    insert_rows(session, table, rows)

    session.commit()
    assert session.scalar(select(func.count()).select_from(table)) == count + len(rows)
    first = _raw(session, table, (last_id or 0) + 1 if serial else rows[0]["id"])
    assert {name: first[name] for name in unique} == {name: values[name] for name in unique}
    assert _comparable(first, unique) == _comparable(_raw(session, table, _key(orm_row)), unique)


@pytest.mark.parametrize("path", PATHS)
def test_cursor_listeners_see_one_insert_per_call_but_copy(
    session: Session, engine: Engine, world: World, inserts: list[str], path: str
) -> None:
    table = _table(TimelineEntry)
    rows = [{"id": new_id(), **_timeline(world)} for _ in range(PATHS[path])]

    insert_rows(session, table, rows)  # the listener is told of it, on whichever path it takes

    session.commit()
    copied = path == "copy" and engine.dialect.name == "postgresql"
    assert len([s for s in inserts if s.startswith(f"INSERT INTO {table.name} (")]) == (0 if copied else 1)
    assert session.scalar(select(func.count()).select_from(table)) == len(rows)


@pytest.mark.parametrize("path", ["execute", "executemany"])
def test_without_listeners_sqlite_inserts_go_around_the_engine(
    session: Session, engine: Engine, world: World, engine_inserts: list[str], path: str
) -> None:
    table = _table(TimelineEntry)
    rows = [{"id": new_id(), **_timeline(world)} for _ in range(PATHS[path])]

    insert_rows(session, table, rows)

    session.commit()
    assert len(engine_inserts) == (0 if engine.dialect.name == "sqlite" else 1)
    assert session.scalar(select(func.count()).select_from(table)) == len(rows)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["execute", "executemany"])
def test_a_duplicate_key_on_the_sqlite_cursor_is_the_engines_integrity_error(
    session: Session, world: World, engine_inserts: list[str], path: str
) -> None:
    table = _table(TimelineEntry)
    kept = {"id": new_id(), **_timeline(world)}
    insert_rows(session, table, [kept])
    batch = [{**kept, "id": new_id()} for _ in range(PATHS[path] - 1)] + [kept]  # the primary key again

    with pytest.raises(IntegrityError) as raised, session.begin_nested():
        insert_rows(session, table, batch)

    assert isinstance(raised.value.orig, sqlite3.IntegrityError)
    assert raised.value.statement is not None and raised.value.statement.startswith("INSERT INTO")
    assert engine_inserts == []  # raised on the driver's cursor, wrapped as the engine wraps
    assert session.scalars(select(table.c.id)).all() == [kept["id"]]
    insert_rows(session, table, batch[:-1])  # after the savepoint's rollback the transaction goes on
    session.add(TimelineEntry(**{**_timeline(world), "reason": "by the ORM"}))
    session.commit()
    assert session.scalar(select(func.count()).select_from(table)) == PATHS[path] + 1


@pytest.mark.parametrize("path", PATHS)
def test_json_with_non_ascii_text_round_trips(
    session: Session, engine: Engine, world: World, path: str
) -> None:
    table = _table(TimelineEntry)
    rows = [{"id": new_id(), **_timeline(world), "before": WORLD_TEXT, "after": {"text": TRICKY}}
            for _ in range(PATHS[path])]

    insert_rows(session, table, rows)
    session.commit()
    session.expunge_all()

    for entry in session.scalars(select(TimelineEntry)):
        assert (entry.before, entry.after) == (WORLD_TEXT, {"text": TRICKY})
    stored = _raw(session, table, rows[0]["id"])["before"]
    if engine.dialect.name == "sqlite":  # stored as text: UTF-8, not \u escapes
        assert "退款申请" in stored and "😀" in stored
        stored = json.loads(stored)
    assert stored == WORLD_TEXT


@pytest.mark.parametrize(
    "value",
    [{}, [], None, True, 0.1 + 0.2, -(2**63), 2**64 - 1, 1e-7, 1e22, "", TRICKY, WORLD_TEXT,
     {"status": "open", "tags": ["vip"], "assignee_id": None, "score": 0.75}, [ActorKind.AGENT, (1, 2)]],
)
def test_dumps_json_gives_what_json_dumps_gives_as_json(value: Any) -> None:
    text = dumps_json(value)

    assert isinstance(text, str)
    assert json.loads(text) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    "value", [{2: "int key", None: "null key", True: "bool key", 1.5: "float key"}, {ActorKind.AGENT: 1},
              [2**64], [-(2**63) - 1], [np.float64(0.5)]],
)
def test_dumps_json_gives_json_dumps_text_where_orjson_refuses(value: Any) -> None:
    assert dumps_json(value) == json.dumps(value)


@pytest.mark.parametrize("value", [{"at": AT}, {"amount": Decimal("1.5")}, {"ids": {1, 2}}])
def test_dumps_json_refuses_what_json_dumps_refuses(value: Any) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_json(value)


def test_the_engines_write_json_with_dumps_json(session: Session, engine: Engine) -> None:
    assert engine.dialect._json_serializer is dumps_json  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":  # psycopg's Jsonb dumper of the connection calls it
        driver_connection = session.connection().connection.driver_connection
        dumper = driver_connection.adapters.get_dumper(Jsonb, PyFormat.BINARY)(Jsonb)  # type: ignore[union-attr]
        assert dumper.dump(Jsonb(WORLD_TEXT)) == b"\x01" + dumps_json(WORLD_TEXT).encode()


@pytest.mark.parametrize("generated", [False, True], ids=["list", "generator"])
@pytest.mark.parametrize("path", PATHS)
def test_left_out_columns_get_their_python_defaults(
    session: Session, world: World, clock: FrozenClock, path: str, generated: bool
) -> None:
    given = {"workspace_id": world.workspace_id, "conversation_id": world.conversation_id,
             "direction": Direction.INBOUND, "author_kind": ActorKind.CUSTOMER}  # fmt: skip
    orm_row = Message(**given)  # id, text, attachments, abuse_categories and times by default
    session.add(orm_row)
    session.flush()
    table = _table(Message)

    rows = [given] * PATHS[path]
    insert_rows(session, table, (row for row in rows) if generated else rows)
    session.commit()

    ids = session.scalars(select(table.c.id).where(table.c.id != orm_row.id)).all()
    assert len(set(ids)) == PATHS[path]
    expected = _comparable(_raw(session, table, orm_row.id), ())
    assert expected["text"] == ""
    stored = session.get(Message, ids[-1])
    assert stored is not None
    assert stored.created_at == clock.now()
    for row_id in ids:
        assert _comparable(_raw(session, table, row_id), ()) == expected


@pytest.mark.parametrize("path", PATHS)
def test_a_duplicate_key_is_an_integrity_error_and_the_savepoint_rolls_back(
    session: Session, world: World, path: str
) -> None:
    table = _table(CustomerIdentity)
    kept = {**_identity(world), "id": new_id(), "value": "kept@example.com"}
    insert_rows(session, table, [kept])
    batch = [{**_identity(world), "id": new_id(), "value": f"{n}@example.com"} for n in range(PATHS[path])]
    batch[-1]["id"] = kept["id"]  # the last row collides: the ones before it reached the database

    with pytest.raises(IntegrityError), session.begin_nested():
        insert_rows(session, table, batch)

    assert session.scalars(select(table.c.value)).all() == ["kept@example.com"]
    insert_rows(session, table, batch[:-1])  # the transaction goes on
    session.commit()
    assert session.scalar(select(func.count()).select_from(table)) == PATHS[path]


@pytest.mark.parametrize("path", PATHS)
def test_a_value_its_type_rejects_raises_the_encoders_error(
    session: Session, world: World, path: str
) -> None:
    table = _table(CustomerIdentity)
    batch = [{**_identity(world), "id": new_id(), "value": f"{n}@example.com"} for n in range(PATHS[path])]
    batch[-1]["created_at"] = AT.replace(tzinfo=None)  # naive: UTCDateTime refuses it

    with pytest.raises(ValueError, match="naive datetime"), session.begin_nested():
        insert_rows(session, table, batch)

    insert_rows(session, table, batch[:-1])  # after the savepoint's rollback the transaction goes on
    session.commit()
    assert session.scalar(select(func.count()).select_from(table)) == PATHS[path] - 1


@pytest.mark.parametrize("path", ["execute", "executemany"])
def test_a_cursor_listener_does_not_change_what_runs(
    session: Session, engine: Engine, world: World, engine_inserts: list[str], inserts: list[str], path: str
) -> None:
    """Tracing sees the INSERT, and on SQLite it still runs on the driver's cursor, not the engine."""
    table = _table(TimelineEntry)
    rows = [{"id": new_id(), **_timeline(world)} for _ in range(PATHS[path])]

    insert_rows(session, table, rows)

    session.commit()
    assert len(engine_inserts) == (0 if engine.dialect.name == "sqlite" else 1)
    assert [s.split(" (", 1)[0] for s in inserts] == [f"INSERT INTO {table.name}"]
    assert session.scalar(select(func.count()).select_from(table)) == len(rows)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["execute", "executemany"])
def test_listeners_get_the_parameters_and_after_execute_as_from_the_engine(
    session: Session, engine: Engine, world: World, path: str
) -> None:
    table = _table(TimelineEntry)
    rows = [{"id": new_id(), **_timeline(world)} for _ in range(PATHS[path])]
    seen: list[tuple[str, str, bool, int]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        seen.append(("before", statement, many, len(parameters) if many else 1))

    @event.listens_for(engine, "after_cursor_execute")
    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        seen.append(("after", statement, many, len(parameters) if many else 1))

    insert_rows(session, table, rows)

    inserts = [entry for entry in seen if entry[1].startswith(f"INSERT INTO {table.name} (")]
    many, count = len(rows) > 1, len(rows)
    assert [(kind, m, n) for kind, _, m, n in inserts] == [("before", many, count), ("after", many, count)]
