"""Whatever a client sends to the accounts API, it never gets a 5xx; errors keep the one JSON shape."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from kefu.accounts.dependencies import SESSION_COOKIE
from kefu.wiring import Container
from tests.accounts.conftest import log_in
from tests.conftest import Tenant

HOSTILE_STRINGS = ["\\u0000", "\\udfff\\ud800", "x" * 100_000, "💥" * 300, "%_' OR 1=1 --", "\u202e"]
ENDPOINTS = [
    ("POST", "/api/v1/auth/login", {"email": "admin@acme-service.kefu.dev", "password": "guess"}),
    ("POST", "/api/v1/agents", {"email": "new@acme.kefu.dev", "display_name": "N",
                                "password": "long enough pw", "languages": ["en"]}),
    ("PATCH", "/api/v1/workspace", {"name": "W", "default_language": "en", "timezone": "UTC"}),
    ("PATCH", "/api/v1/me", {"display_name": "D"}),
    ("POST", "/api/v1/me/password", {"current_password": "wrong", "new_password": "long enough pw"}),
    ("POST", "/api/v1/teams", {"name": "T", "kind": "qa", "description": "d"}),
    ("PATCH", "/api/v1/agents/{admin_id}", {"display_name": "A", "level": "senior"}),
    ("POST", "/api/v1/tokens", {"name": "T"}),
]
PLACEHOLDER = "__hostile__"


def _raw(value: str) -> str:
    """A JSON string literal whose escapes reach the server as written (lone surrogates too)."""
    if value.startswith("\\"):
        return f'"{value}"'
    return json.dumps(value)


def test_hostile_json_bodies_never_cause_a_5xx(
    api: TestClient, tenant: Tenant, container: Container
) -> None:
    container.settings.login_attempts_per_minute = 10_000
    literals = [_raw(v) for v in HOSTILE_STRINGS] + ["1e999", "[1]", "{}", "true"]
    for method, path, base in ENDPOINTS:
        bodies = ["", "{", "[]", "null", '{"a": ' * 50 + "1" + "}" * 50]
        for field in [*base, "agent_id"]:
            template = json.dumps({**base, field: PLACEHOLDER})
            bodies += [template.replace(f'"{PLACEHOLDER}"', literal) for literal in literals]
        url = path.format(admin_id=tenant.admin_id)
        for body in bodies:
            response = api.request(method, url, content=body.encode("utf-8", "surrogatepass"),
                                   headers={"Content-Type": "application/json"})
            assert response.status_code < 500, (url, body[:80], response.text[:200])
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "details"}


def test_hostile_paths_queries_and_credentials_never_cause_a_5xx(
    api: TestClient, browser: TestClient
) -> None:
    requests = [
        ("GET", f"/api/v1/agents/{'9' * 40}"), ("GET", "/api/v1/agents/%00"),
        ("GET", f"/api/v1/teams/{uuid.uuid4()}"), ("DELETE", f"/api/v1/tokens/{uuid.uuid4()}"),
        ("GET", "/api/v1/agents?limit=99999999999999999999"), ("GET", "/api/v1/agents?active=maybe"),
        ("GET", "/api/v1/agents?q=%00"), ("GET", "/api/v1/agents?q=%ED%A0%80"),
        ("GET", "/api/v1/agents?q=" + "a" * 5000), ("GET", "/api/v1/agents?cursor=" + "A" * 300),
        ("GET", "/api/v1/agents?cursor=bnVsbA"), ("GET", "/api/v1/agents?cursor=W251bGxd"),
        ("GET", "/api/v1/teams?kind=tier&cursor=WzEsMl0"), ("PUT", "/api/v1/workspace"),
    ]
    for method, url in requests:
        response = api.request(method, url)
        assert response.status_code < 500, (url, response.text[:200])
    credentials = [
        {"Authorization": "Bearer " + "k" * 10_000}, {"Authorization": "Bearer kefu_" + "x" * 300},
        {"Authorization": "Bearer"}, {"Authorization": "bearer  "}, {"Authorization": "Token abc"},
        {"Cookie": f"{SESSION_COOKIE}=" + "c" * 4000}, {"Cookie": f"{SESSION_COOKIE}=%00%ff"},
        {"Cookie": f"{SESSION_COOKIE}="},
    ]
    for headers in credentials:
        response = browser.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers


def test_cookie_session_with_odd_csrf_headers_is_403(browser: TestClient, tenant: Tenant) -> None:
    log_in(browser, "admin@acme-service.kefu.dev")
    for value in [b"", b" ", b"x" * 5000, "\u00e9t\u00e9".encode("latin-1"), b"\xff\xfe"]:
        response = browser.post("/api/v1/teams", json={"name": "T"}, headers={"X-CSRF-Token": value})
        assert response.status_code == 403
