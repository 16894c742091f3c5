"""Alembic environment: migrates the database named in the config or KEFU_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kefu.db.engine import make_engine
from kefu.db.metadata import target_metadata

config = context.config


def run_migrations() -> None:
    """Run migrations online against the configured URL (or a connection passed in)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
