"""Property-based fuzzing of the HTTP API: never a 5xx for anything a client sends, one error shape.

The schemathesis run covers every operation of the app's own OpenAPI document (documented responses
checked against their schemas); the hypothesis run aims hostile JSON at the core write endpoints,
starting from valid bodies so the values reach the services and the database.
"""

from __future__ import annotations

import copy as copy_module
import json
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant

FUZZ_CONFIG: dict[str, Any] = {
    "seed": 20261122,
    "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        # The JSON Schema is looser than the validators (language codes, "omit rather than null"),
        # and Pydantic's lax mode coerces (0 -> false) by design: acceptance is not the promise here.
        "positive_data_acceptance": {"enabled": False},
        "negative_data_rejection": {"enabled": False},
    },
    "operations": [
        {
            # /customers/{customer_id} matches these literal paths too, so an undeclared method on
            # them answers 422 (not a UUID) rather than 405.
            "include-path": [
                "/api/v1/customers/resolve", "/api/v1/customers/lookup", "/api/v1/conversations/import"
            ],
            "checks": {
                "unsupported_method": {"enabled": False},
                "allow_header_conformance": {"enabled": False},
            },
        }
    ],
}


def _assert_error_shape(body: Any) -> None:
    """The one JSON error shape; validation errors carry field paths."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, body
    assert isinstance(error["code"], str) and isinstance(error["message"], str), body
    if error["code"] == "validation_error" and isinstance(error["details"], list):
        assert all(isinstance(item.get("loc"), list) for item in error["details"]), body


@pytest.fixture
def api_schema(container: Container, tenant: Tenant) -> OpenApiSchema:
    """The app's own OpenAPI document, loaded in-process; every request carries the admin's token."""
    app = create_app(container, start_worker=False)
    config = schemathesis.Config.from_dict(
        {**FUZZ_CONFIG, "headers": {"Authorization": f"Bearer {tenant.token}"}}
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


# SQLite only, deliberately: a run takes about a minute per backend. The SQLite of these tests refuses
# NUL as PostgreSQL does (conftest.py), and the hostile-JSON tests below run on both backends.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@schema.parametrize()
def test_no_client_input_causes_a_server_error(case: Case) -> None:
    response = case.call()
    case.validate_response(response)
    if response.status_code >= 400:
        _assert_error_shape(response.json())


def _characters() -> st.SearchStrategy[str]:
    """Any code point, lone surrogates and NUL included."""
    return st.characters(exclude_categories=()) | st.characters(categories=["Cs"]) | st.just("\x00")


HOSTILE_TEXT = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\ud800", "\udfff\ud800", "\u202e", "\ufeff", "%_' OR 1=1 --",
     "💥" * 300, "x" * 256, "é" * 5_000, "x" * 100_000]
)  # fmt: skip
PRINTABLE = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs", "Cf"]), max_size=300)
TEXT = PRINTABLE | st.text(_characters(), max_size=40) | HOSTILE_TEXT
SCALARS = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | TEXT
)
CLASSIC: list[Any] = ["a\x00b", "\udfff", "x" * 70_000, "\u202e💥", 2**64, 1e308, None, {"a": [{"b": None}]}]
"""Values every field must survive: NUL, a lone surrogate, huge, bidi and emoji, overflow, wrong shapes."""
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=16,
)

ATTACHMENT = {"name": "a.png", "content_type": "image/png", "size": 1, "url": "https://x.co/a.png"}


@dataclass(frozen=True)
class Target:
    """A write endpoint, a valid body for it and the places a hostile value may be put."""

    method: str
    path: str
    base: dict[str, Any]
    holes: tuple[tuple[str | int, ...], ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


TARGETS = [
    Target("POST", "/api/v1/customers", {
        "name": "Ana", "language": "en", "market": "ID", "vip_tier": "gold", "tags": ["vip"],
        "custom_fields": {"plan": "pro"}, "identities": [{"kind": "email", "value": "ana@example.com"}],
    }, (("name",), ("language",), ("market",), ("vip_tier",), ("tags",), ("tags", 0), ("custom_fields",),
        ("custom_fields", "plan"), ("identities",), ("identities", 0, "kind"), ("identities", 0, "value"),
        ("identities", 0, "verified"))),
    Target("PATCH", "/api/v1/customers/{customer_id}", {
        "name": "Ana B", "tags": ["vip"], "custom_fields": {"plan": "max"},
    }, (("name",), ("language",), ("market",), ("vip_tier",), ("tags",), ("tags", 0), ("custom_fields",),
        ("custom_fields", "plan"))),
    Target("POST", "/api/v1/conversations", {
        "customer": {"identities": [{"kind": "email", "value": "bo@example.com"}], "name": "Bo"},
        "channel": "chat", "subject": "Help", "priority": "high", "language": "en", "tags": ["t"],
        "custom_fields": {"k": "v"}, "message": {"text": "Hello", "attachments": [ATTACHMENT]},
    }, (("customer",), ("customer", "identities", 0, "value"), ("customer", "name"), ("customer_id",),
        ("channel",), ("inbox_id",), ("subject",), ("priority",), ("language",), ("tags", 0),
        ("custom_fields",), ("custom_fields", "k"), ("message",), ("message", "text"),
        ("message", "external_id"), ("message", "attachments", 0, "name"),
        ("message", "attachments", 0, "url"), ("message", "attachments", 0, "size"))),
    Target("POST", "/api/v1/conversations/{conversation_id}/messages", {
        "kind": "reply", "text": "Hi", "attachments": [ATTACHMENT],
    }, (("kind",), ("text",), ("language",), ("external_id",), ("attachments",),
        ("attachments", 0, "content_type"), ("attachments", 0, "url"))),
    Target("POST", "/api/v1/nlp/intents/examples", {
        "examples": [{"text": "where is my refund", "label": "refund", "language": "en"}],
    }, (("examples",), ("examples", 0), ("examples", 0, "text"), ("examples", 0, "label"),
        ("examples", 0, "language"))),
]  # fmt: skip


def _with_value(body: Any, hole: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of `body` with `value` put at `hole` (a key or list index path)."""
    if not hole:
        return value
    copy = copy_module.deepcopy(body)
    parent = copy
    for step in hole[:-1]:
        parent = parent[step]
    parent[hole[-1]] = value
    return copy


@st.composite
def hostile_bodies(draw: st.DrawFn, target: Target) -> bytes:
    """The valid body with one hostile value, or any JSON at all, or bytes that are not JSON."""
    kind = draw(st.sampled_from(["hole", "hole", "hole", "extra", "any", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=64) | st.sampled_from([b"", b"{", b"[" * 50_000, b'{"a":' * 2_000]))
    if kind == "any":
        body = draw(JSON_VALUES)
    elif kind == "extra":
        body = {**target.base, draw(TEXT): draw(JSON_VALUES)}
    else:
        value = draw(st.one_of(st.sampled_from(CLASSIC), PRINTABLE, TEXT, JSON_VALUES))
        body = _with_value(target.base, draw(st.sampled_from(target.holes)), value)
    return json.dumps(body, ensure_ascii=True).encode()


def _send(api: TestClient, target: Target, ids: dict[str, str], body: bytes) -> None:
    """Send one body; the answer is a success or a 4xx in the one error shape, never a 5xx."""
    response = api.request(target.method, target.path.format(**ids), content=body,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code < 500, (body[:200], response.text[:300])
    if response.status_code >= 400:
        _assert_error_shape(response.json())


@pytest.fixture
def existing(api: TestClient) -> dict[str, str]:
    """Ids of a customer and a conversation to aim the update endpoints at."""
    created = api.post("/api/v1/conversations", json={
        "customer": {"identities": [{"kind": "email", "value": "existing@example.com"}]},
        "message": {"text": "first"},
    })  # fmt: skip
    assert created.status_code == 201, created.text
    return {"customer_id": created.json()["customer_id"], "conversation_id": created.json()["id"]}


@pytest.mark.parametrize("target", TARGETS, ids=str)
@settings(
    max_examples=60, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(data=st.data())
def test_write_endpoints_answer_hostile_json_with_a_4xx_never_a_5xx(
    api: TestClient, existing: dict[str, str], target: Target, data: st.DataObject
) -> None:
    _send(api, target, existing, data.draw(hostile_bodies(target), label="body"))


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_every_field_of_the_write_endpoints_survives_the_classic_hostile_values(
    api: TestClient, existing: dict[str, str], target: Target
) -> None:
    for hole in target.holes:
        for value in CLASSIC:
            _send(api, target, existing, json.dumps(_with_value(target.base, hole, value)).encode())
