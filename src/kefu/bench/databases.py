"""Throw-away benchmark databases: a temporary SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.db.engine import make_engine, make_session_factory, normalise_url
from kefu.db.metadata import target_metadata


@dataclass(frozen=True)
class BenchTenant:
    """The workspace the benchmark writes into and an admin token for HTTP calls."""

    workspace_id: uuid.UUID
    admin_id: uuid.UUID
    token: str


@contextmanager
def bench_database(work_dir: Path, base_url: str | None, name: str) -> Iterator[str]:
    """Yield the URL of an empty database with Kefu's schema; dropped afterwards on PostgreSQL.

    Without `base_url` it is an SQLite file in `work_dir`; with a PostgreSQL URL it is a new
    database `<name of base>_<name>` on that server.
    """
    if base_url is None:
        url = f"sqlite:///{(work_dir / f'{name}.db').resolve()}"
        _create_schema(url)
        yield url
        return
    server = make_url(normalise_url(base_url))
    database = f"{server.database}_{name}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = server.set(database=database).render_as_string(hide_password=False)
    try:
        _create_schema(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _create_schema(url: str) -> None:
    engine = make_engine(url)
    target_metadata.create_all(engine)
    engine.dispose()


def create_bench_tenant(url: str) -> BenchTenant:
    """Create the benchmark workspace with an admin agent and an API token."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            workspace = accounts.create_workspace(session, name="Bench")
            admin = accounts.create_agent(
                session, workspace_id=workspace.id,
                data=AgentIn(email="admin@bench.kefu.dev", display_name="Bench admin", role=Role.ADMIN),
            )
            issued = accounts.issue_api_token(
                session, workspace_id=workspace.id, agent_id=admin.id, name="bench"
            )
            session.commit()
            return BenchTenant(workspace.id, admin.id, issued.token)
    finally:
        engine.dispose()
