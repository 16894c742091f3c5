"""Engines and session factories for SQLite (WAL, embedded) and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kefu.db.group_commit import enable_group_commit
from kefu.db.write_gate import FifoLock, GatedConnection

SQLITE_BUSY_SECONDS = 30
_ORJSON_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""Datetimes and dataclasses are refused, as json.dumps refuses them, instead of turned into text."""


def dumps_json(value: Any) -> str:
    """The JSON text stored for a JSON column's value: orjson's, or json.dumps's where orjson refuses.

    The text is compact UTF-8 where json.dumps escapes non-ASCII, and equal to it as JSON. orjson
    refuses non-str dict keys, integers beyond 64 bits and float subclasses (numpy's), which
    json.dumps stores as before; what neither takes raises json.dumps's TypeError. Unlike json.dumps,
    orjson writes NaN and infinities as null and takes UUIDs and plain enums, which json.dumps refuses.
    """
    try:
        return orjson.dumps(value, option=_ORJSON_STRICT).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and real transactions.

    Statement parameters are never logged: they can hold session CSRF tokens and customer data.
    JSON values are written by `dumps_json` (on PostgreSQL, psycopg's Json/Jsonb dumpers call it).
    """
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    kwargs.setdefault("json_serializer", dumps_json)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("pool_use_lifo", True)  # the connection used last has the freshest page cache
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS,
                          "factory": GatedConnection},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas per connection; BEGIN IMMEDIATE behind the engine's write gate (kefu.db.write_gate).

    Savepoints keep their undo pages in memory (temp_store), which a group commit's members use.
    """
    gate = FifoLock()
    enable_group_commit(engine, gate, SQLITE_BUSY_SECONDS * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.gate = gate
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.connection.dbapi_connection.begin_immediate(SQLITE_BUSY_SECONDS)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory; objects stay readable after commit (the API serialises them then)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
