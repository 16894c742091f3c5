"""Item 5: the session cookie is Secure on HTTPS requests and when KEFU_PUBLIC_URL is https."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kefu.main import create_app
from tests.security.conftest import AppFactory


def _login_cookie(client: TestClient) -> str:
    client.headers.pop("Authorization", None)
    email = "admin@security-0.kefu.dev"
    response = client.post("/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 200, response.text
    return response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("public_url", "https", "secure"),
    [(None, False, False), (None, True, True), ("https://kefu.example.com", False, True),
     ("http://localhost:8000", False, False)],
)
def test_session_cookie_secure_flag(
    make_api: AppFactory, public_url: str | None, https: bool, secure: bool
) -> None:
    _api, container, _ = make_api(public_url=public_url)
    client = TestClient(
        create_app(container, start_worker=False),
        base_url="https://testserver" if https else "http://testserver",
    )
    with client:
        cookie = _login_cookie(client)
    assert ("; secure" in cookie.lower()) is secure
    assert "httponly" in cookie.lower()
