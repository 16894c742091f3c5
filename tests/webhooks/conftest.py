"""Webhook fixtures: a recording receiver behind httpx.MockTransport, a test event, helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from kefu.config.settings import Settings
from kefu.core.clock import FrozenClock
from kefu.core.events import DomainEvent
from kefu.db.outbox import publish
from kefu.jobs.runtime import RuntimeMode
from kefu.webhooks.tasks import DeliveryJobs
from kefu.wiring import Container, build_container
from tests.conftest import TEST_RESOLVER

WIDGET_EVENT = "testwidget.shipped"
HOOK_URL = "https://hooks.example.com/kefu"

Outcome = int | type[httpx.TransportError]


class WidgetShipped(DomainEvent):
    """Test-only event standing in for any domain's event."""

    event_type: ClassVar[str] = WIDGET_EVENT
    sku: str
    quantity: int = 1


@dataclass
class Received:
    """One request the receiver saw."""

    url: str
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        """The decoded JSON body."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers webhook POSTs from a plan (status codes or transport errors), then `default`."""

    plan: list[Outcome] = field(default_factory=list)
    default: int = 200
    answer: str = '{"ok":true}'
    requests: list[Received] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """MockTransport handler."""
        self.requests.append(Received(str(request.url), request.headers, request.read()))
        outcome = self.plan.pop(0) if self.plan else self.default
        if isinstance(outcome, int):
            return httpx.Response(outcome, text=self.answer)
        raise outcome("simulated network failure", request=request)

    def to(self, url: str) -> list[Received]:
        """Requests sent to one URL."""
        return [r for r in self.requests if r.url == url]


@pytest.fixture
def receiver() -> Receiver:
    """The fake receiving side of every webhook in the test."""
    return Receiver()


@pytest.fixture
def container(
    database_url: str, tmp_path: Path, clock: FrozenClock, receiver: Receiver
) -> Iterator[Container]:
    """The shared container, but with outbound HTTP going to the recording receiver."""
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", run_worker=False)
    built = build_container(
        settings, mode=RuntimeMode.INLINE, http_transport=httpx.MockTransport(receiver.handle),
        resolver=TEST_RESOLVER,
    )
    yield built
    built.close()


@pytest.fixture
def sweep(container: Container) -> DeliveryJobs:
    """The delivery jobs as a freshly started worker sees them; call `.retry_due()` to sweep."""
    assert container.secret_box is not None
    return DeliveryJobs(
        container.session_factory,
        container.runtime.enqueue,
        timeout_seconds=container.settings.webhook_timeout_seconds,
        policy=container.outbound,
        box=container.secret_box,
        transport=container.http_transport,
    )


def emit(container: Container, workspace_id: Any, sku: str = "SKU-1") -> None:
    """Publish a WidgetShipped event and commit (the inline relay delivers it at once)."""
    with container.session_factory() as session:
        publish(session, WidgetShipped(workspace_id=workspace_id, sku=sku, quantity=2))
        session.commit()


def create_endpoint(api: TestClient, url: str = HOOK_URL, **fields: Any) -> dict[str, Any]:
    """Create an endpoint through the API (subscribed to the test event unless told otherwise)."""
    body = {"url": url, "event_types": [WIDGET_EVENT], **fields}
    response = api.post("/api/v1/webhooks/endpoints", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
