"""API-wide fixtures: a container whose outbound HTTP (webhooks) answers locally, never the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kefu.config.settings import Settings
from kefu.core.clock import FrozenClock
from kefu.jobs.runtime import RuntimeMode
from kefu.wiring import Container, build_container


def _accept(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="ok")


@pytest.fixture
def container(database_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[Container]:
    """The shared container, but webhook deliveries go to a local receiver that answers 200."""
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", run_worker=False)
    built = build_container(settings, mode=RuntimeMode.INLINE, http_transport=httpx.MockTransport(_accept))
    yield built
    built.close()
