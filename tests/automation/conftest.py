"""Automation fixtures: outbound HTTP (the webhook action) goes to a recording receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kefu.config.settings import Settings
from kefu.core.clock import FrozenClock
from kefu.jobs.runtime import RuntimeMode
from kefu.wiring import Container, build_container
from tests.conftest import TEST_RESOLVER


@pytest.fixture
def received() -> list[dict[str, Any]]:
    """Bodies POSTed by the webhook action, in order."""
    return []


@pytest.fixture
def container(
    database_url: str, tmp_path: Path, clock: FrozenClock, received: list[dict[str, Any]]
) -> Iterator[Container]:
    """The shared container, with outbound HTTP answered by a MockTransport that records bodies."""

    def handle(request: httpx.Request) -> httpx.Response:
        received.append({"url": str(request.url), **json.loads(request.content)})
        return httpx.Response(204)

    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", run_worker=False)
    built = build_container(
        settings, mode=RuntimeMode.INLINE, http_transport=httpx.MockTransport(handle), resolver=TEST_RESOLVER
    )
    yield built
    built.close()
