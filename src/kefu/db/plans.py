"""Query planning controls for statements with long parameter lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

IN_CHUNK = 1000
"""Values per IN list, far below the parameter limits of SQLite (32,766) and PostgreSQL (65,535)."""
T = TypeVar("T")


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in slices of at most IN_CHUNK, one IN list each."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


@contextmanager
def custom_plans(session: Session) -> Iterator[None]:
    """On PostgreSQL, plan the block's statements for their actual parameters.

    psycopg prepares a statement run five times and PostgreSQL may then keep a generic plan, in
    which `IN (<one parameter per value>)` compares every row scanned with the whole list (no
    hashing of parameters): an import batch took ten times longer from its sixth run on. A custom
    plan hashes the list or probes the index. SET LOCAL ends with the (sub)transaction.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    yield
    if postgresql:
        session.execute(text("SET LOCAL plan_cache_mode = DEFAULT"))
