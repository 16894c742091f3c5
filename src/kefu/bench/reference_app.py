"""The bare reference endpoint: FastAPI, one JSON body, one row inserted per request, nothing else.

It shares the web stack (uvicorn, FastAPI, Pydantic, a sync endpoint in the thread pool) and the
database durability settings with Kefu, so the ratio Kefu/reference measures what the platform
adds on top of "parse, insert, answer".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

DATABASE_ENV = "KEFU_BENCH_REFERENCE_DB"
TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_reference (id VARCHAR(36) PRIMARY KEY, body TEXT)"
)


class ReferenceIn(BaseModel):
    """Loosely the shape of a new conversation: who wrote, on which channel, what."""

    customer: dict[str, Any] = Field(default_factory=dict)
    message: dict[str, Any] = Field(default_factory=dict)
    channel: str | None = None
    subject: str | None = None


class _Connections:
    """One database connection per server thread, opened lazily."""

    def __init__(self, target: str) -> None:
        self._target = target
        self._local = threading.local()

    @property
    def is_postgres(self) -> bool:
        """True when the target is a PostgreSQL URL rather than an SQLite file path."""
        return self._target.startswith("postgresql")

    def get(self) -> Any:
        """This thread's connection (autocommit: each insert is its own transaction)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> Any:
        if self.is_postgres:
            import psycopg

            return psycopg.connect(self._target.replace("postgresql+psycopg", "postgresql"),
                                   autocommit=True)
        conn = sqlite3.connect(self._target, isolation_level=None, check_same_thread=False,
                               timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn


def prepare_reference_database(target: str) -> None:
    """Create the reference table (SQLite file path or PostgreSQL URL)."""
    conn = _Connections(target).get()
    conn.execute(TABLE_DDL)
    conn.close()


def create_reference_app(target: str | None = None) -> FastAPI:
    """The reference app; the database comes from the argument or KEFU_BENCH_REFERENCE_DB."""
    connections = _Connections(target or os.environ[DATABASE_ENV])
    placeholder = "%s" if connections.is_postgres else "?"
    insert = f"INSERT INTO bench_reference (id, body) VALUES ({placeholder}, {placeholder})"
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        """Readiness probe."""
        return {"status": "ok"}

    @app.post("/reference", status_code=201)
    def create(data: ReferenceIn) -> dict[str, str]:
        """Insert one row holding the body and answer its id."""
        row_id = str(uuid.uuid4())
        connections.get().execute(insert, (row_id, data.model_dump_json()))
        return {"id": row_id}

    return app
