"""Security headers on API answers and pages; CORS is off unless KEFU_CORS_ORIGINS names origins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.security.conftest import AppFactory

PREFLIGHT = {"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE",
             "Access-Control-Request-Headers": "authorization"}


def test_api_answers_carry_a_deny_all_csp_and_are_not_cached(api: TestClient) -> None:
    for response in (api.get("/api/v1/workspace"), api.get("/api/v1/customers/not-an-id")):
        headers = response.headers
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"


def test_pages_and_the_api_docs_carry_the_console_csp(client: TestClient) -> None:
    for path in ("/login", "/api/docs"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_cors_is_off_by_default(api: TestClient) -> None:
    preflight = api.options("/api/v1/workspace", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in preflight.headers
    plain = api.get("/api/v1/workspace", headers={"Origin": "https://evil.example"})
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers


def test_cors_allows_only_the_configured_origins(make_api: AppFactory) -> None:
    api, _, _ = make_api(cors_origins="https://crm.example.com, https://shop.example.com")
    allowed = api.options("/api/v1/workspace", headers={**PREFLIGHT, "Origin": "https://crm.example.com"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://crm.example.com"
    refused = api.options("/api/v1/workspace", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in refused.headers
    read = api.get("/api/v1/workspace", headers={"Origin": "https://shop.example.com"})
    assert read.headers["access-control-allow-origin"] == "https://shop.example.com"
