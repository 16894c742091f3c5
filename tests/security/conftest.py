"""Security fixtures: apps built with chosen settings, resolver and outbound transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kefu.config.settings import Settings
from kefu.core.clock import FrozenClock
from kefu.jobs.runtime import RuntimeMode
from kefu.main import create_app
from kefu.outbound.client import Resolver
from kefu.wiring import Container, build_container
from tests.conftest import TEST_RESOLVER, Tenant, make_tenant

AppFactory = Callable[..., tuple[TestClient, Container, Tenant]]


@pytest.fixture
def make_api(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> Iterator[AppFactory]:
    """Build an admin-authenticated client over a container with the given settings."""
    built: list[tuple[TestClient, Container]] = []

    def factory(
        *,
        resolver: Resolver = TEST_RESOLVER,
        transport: httpx.BaseTransport | None = None,
        client_address: tuple[str, int] = ("testclient", 50000),
        **settings: Any,
    ) -> tuple[TestClient, Container, Tenant]:
        config = Settings(
            database_url=database_url, data_dir=tmp_path / f"data{len(built)}", run_worker=False,
            **settings,
        )
        container = build_container(
            config, mode=RuntimeMode.INLINE, http_transport=transport, resolver=resolver
        )
        tenant = make_tenant(container, f"Security {len(built)}")
        client = TestClient(create_app(container, start_worker=False), client=client_address)
        client.__enter__()
        client.headers.update(tenant.headers)
        built.append((client, container))
        return client, container, tenant

    yield factory
    for client, container in built:
        client.__exit__(None, None, None)
        container.close()
