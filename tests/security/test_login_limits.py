"""Item 3: login limits per account (backoff across every IP) and per IP; forwarding headers only from
trusted proxies (KEFU_TRUSTED_PROXIES), never from whoever sends them."""

from __future__ import annotations

import uvicorn
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from kefu.accounts.ratelimit import backoff_seconds
from kefu.accounts.schemas import LoginLimits
from kefu.cli import UVICORN_OPTIONS
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.web.proxy_headers import TrustedProxyHeaders, parse_networks
from kefu.wiring import Container
from tests.security.conftest import AppFactory

LOGIN = "/api/v1/auth/login"
EMAIL = "admin@security-0.kefu.dev"
PASSWORD = "correct horse battery"


def _client(container: Container, host: str) -> TestClient:
    return TestClient(create_app(container, start_worker=False), client=(host, 40000))


def _attempt(container: Container, host: str, password: str = "wrong guess", **headers: str) -> int:
    with _client(container, host) as client:
        response = client.post(LOGIN, json={"email": EMAIL, "password": password}, headers=headers)
    return response.status_code


def test_rotating_client_addresses_does_not_escape_the_account_backoff(
    make_api: AppFactory, clock: FrozenClock
) -> None:
    api, container, _ = make_api(login_account_free_failures=3, login_attempts_per_minute=100)
    assert [_attempt(container, f"203.0.113.{n}") for n in range(3)] == [401, 401, 401]
    with _client(container, "203.0.113.50") as client:
        held = client.post(LOGIN, json={"email": EMAIL, "password": "another guess"})
    assert held.status_code == 429, held.text
    assert held.json()["error"]["details"] == {"retry_after_seconds": 1, "scope": "account"}
    assert held.headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert _attempt(container, "203.0.113.51") == 401  # the fourth failure: the next wait doubles
    assert _attempt(container, "203.0.113.52") == 429
    clock.advance(seconds=1)
    assert _attempt(container, "203.0.113.53", PASSWORD) == 429  # even the right password waits
    clock.advance(seconds=1)
    assert _attempt(container, "203.0.113.54", PASSWORD) == 200
    assert _attempt(container, "203.0.113.55") == 401  # a success clears the account's failures
    throttled = api.get("/api/v1/audit/events", params={"action": "auth.account_throttled"}).json()["items"]
    assert [row["client_ip"] for row in throttled] == ["203.0.113.2"]  # the third failure started it


def test_one_client_ip_spraying_many_accounts_is_limited(make_api: AppFactory) -> None:
    _api, container, _ = make_api(login_ip_attempts_per_minute=3)
    with _client(container, "198.51.100.7") as client:
        codes = [
            client.post(LOGIN, json={"email": f"user{n}@example.com", "password": "Winter2026!"}).status_code
            for n in range(4)
        ]
    assert codes == [401, 401, 401, 429]
    assert _attempt(container, "198.51.100.8") == 401  # another address is not held back


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(make_api: AppFactory) -> None:
    _api, container, _ = make_api(login_attempts_per_minute=3, login_account_free_failures=100)
    codes = [_attempt(container, "127.0.0.1", **{"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_forwarded_client_ip_is_believed_only_from_trusted_proxies(make_api: AppFactory) -> None:
    api, container, _ = make_api(trusted_proxies="10.0.0.0/8, 127.0.0.1")
    _attempt(container, "10.1.2.3", **{"X-Forwarded-For": "6.6.6.6, 192.0.2.44, 10.9.9.9"})
    _attempt(container, "203.0.113.9", **{"X-Forwarded-For": "192.0.2.99"})
    failed = api.get("/api/v1/audit/events", params={"action": "auth.login_failed"}).json()["items"]
    # newest first: the untrusted peer keeps its own address; behind the proxy, the rightmost
    # untrusted hop is the client (6.6.6.6 is what the client wrote itself)
    assert [row["client_ip"] for row in failed] == ["203.0.113.9", "192.0.2.44"]


def test_kefu_serve_does_not_let_uvicorn_trust_forwarding_headers(container: Container) -> None:
    config = uvicorn.Config(create_app(container, start_worker=False), **UVICORN_OPTIONS)
    config.load()
    layers, app = [], config.loaded_app
    while hasattr(app, "app"):
        layers.append(type(app))
        app = app.app
    assert ProxyHeadersMiddleware not in layers


def test_backoff_doubles_after_the_free_failures_and_is_capped() -> None:
    limits = LoginLimits(account_free_failures=5, account_max_backoff_seconds=900)
    assert [backoff_seconds(n, limits) for n in (0, 4, 5, 6, 7, 10, 14, 15, 40)] == [
        0, 0, 1, 2, 4, 32, 512, 900, 900,
    ]


def test_trusted_proxy_parsing_and_matching() -> None:
    middleware = TrustedProxyHeaders(
        lambda *_: None, trusted="10.0.0.0/8,::1, 192.168.1.5"  # type: ignore[arg-type]
    )
    assert len(parse_networks(" 10.0.0.0/8 , ::1 ")) == 2
    assert all(middleware.trusted(host) for host in ("10.200.1.1", "::1", "192.168.1.5"))
    assert not middleware.trusted("192.168.1.6") and not middleware.trusted("not-an-ip")
