"""Query planning controls for statements with long parameter lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session


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
