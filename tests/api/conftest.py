"""API-wide fixtures: outbound HTTP answered locally, and SQLite made as strict as PostgreSQL about NUL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from kefu.config.settings import Settings
from kefu.core.clock import FrozenClock
from kefu.jobs.runtime import RuntimeMode
from kefu.wiring import Container, build_container
from tests.conftest import TEST_RESOLVER

NUL_REFUSED = "PostgreSQL text fields cannot contain NUL (0x00) bytes"


def _accept(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="ok")


def _refuse_nul_like_postgresql(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    """PostgreSQL refuses NUL in text and `\\u0000` in JSONB, which SQLite stores: refuse them too."""
    rows = parameters if executemany else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and ("\x00" in value or "\\u0000" in value) for value in values):
            raise ValueError(NUL_REFUSED)


@pytest.fixture
def container(database_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[Container]:
    """The shared container; webhook deliveries go to a local receiver that answers 200."""
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", run_worker=False)
    built = build_container(settings, mode=RuntimeMode.INLINE, http_transport=httpx.MockTransport(_accept),
                            resolver=TEST_RESOLVER)
    if built.engine.dialect.name == "sqlite":
        event.listen(built.engine, "before_cursor_execute", _refuse_nul_like_postgresql)
    yield built
    built.close()
