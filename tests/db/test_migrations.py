"""Alembic migrations build, from an empty database, exactly the schema the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from kefu.db.engine import make_engine
from kefu.db.metadata import target_metadata
from kefu.db.migrate import upgrade


def _empty_database(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_empty_matches_models(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = _empty_database(request, tmp_path, backend)
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent: a second start-up migrates nothing
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, target_metadata)
        assert diff == []
    finally:
        engine.dispose()
        if backend == "postgresql":
            fresh = create_engine(url)
            with fresh.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            target_metadata.create_all(fresh)
            fresh.dispose()
