"""Request bodies over the configured size are refused with a 413 in the one error shape."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant

LIMIT = 2_000
URL = "/api/v1/conversations"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def small(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    """An admin client of an app that accepts at most LIMIT bytes of body."""
    container.settings.max_request_bytes = LIMIT
    with TestClient(create_app(container, start_worker=False)) as client:
        client.headers.update(tenant.headers)
        yield client


def _body(size: int) -> bytes:
    """A valid new-conversation body of exactly `size` bytes."""

    def body(text: str) -> bytes:
        customer = {"identities": [{"kind": "email", "value": "big@example.com"}]}
        return json.dumps({"customer": customer, "message": {"text": text}}).encode()

    return body("x" * (size - len(body(""))))


def _assert_too_large(response_status: int, body: object) -> None:
    assert response_status == 413
    assert body == {"error": {"code": "payload_too_large", "message": "request body is too large",
                              "details": None}}  # fmt: skip


def test_a_declared_length_over_the_limit_is_refused_before_reading(small: TestClient) -> None:
    response = small.post(URL, content=_body(LIMIT + 1), headers=JSON)
    _assert_too_large(response.status_code, response.json())
    assert small.get(URL).json()["items"] == []


def test_a_streamed_body_is_cut_off_at_the_limit(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        body = _body(LIMIT * 3)
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    response = small.post(URL, content=chunks(), headers=JSON)
    _assert_too_large(response.status_code, response.json())
    assert small.get(URL).json()["items"] == []


def test_a_body_at_the_limit_is_accepted(small: TestClient) -> None:
    response = small.post(URL, content=_body(LIMIT), headers=JSON)
    assert response.status_code == 201, response.text


def test_the_default_limit_leaves_room_for_the_largest_valid_message(api: TestClient) -> None:
    text = "💥" * 20_000
    response = api.post("/api/v1/conversations", json={
        "customer": {"identities": [{"kind": "email", "value": "big@example.com"}]},
        "message": {"text": text},
    })  # fmt: skip
    assert response.status_code == 201, response.text[:300]
