"""OpenID Connect single sign-on, end to end against a fake identity provider on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.sso.models import OidcProvider
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_agent
from tests.security.conftest import AppFactory
from tests.security.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdp, serve

SSO = "/api/v1/sso/oidc"


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    """The fake identity provider, serving on 127.0.0.1 for the test."""
    provider = FakeIdp()
    server, thread = serve(provider)
    yield provider
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def kefu(make_api: AppFactory) -> tuple[TestClient, Container, Tenant]:
    """Kefu allowed to call loopback (the fake provider), real network stack, admin client."""
    return make_api(allow_private_outbound=True)


def _slug(api: TestClient) -> str:
    slug: str = api.get("/api/v1/workspace").json()["slug"]
    return slug


def _configure(api: TestClient, idp: FakeIdp, **fields: Any) -> dict[str, Any]:
    body = {"issuer": idp.base_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **fields}
    response = api.put(SSO, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def browsers() -> Iterator[list[TestClient]]:
    """Browsers opened by the test (each with its own cookie jar), closed at the end."""
    opened: list[TestClient] = []
    yield opened
    for browser in opened:
        browser.__exit__(None, None, None)


def _browser(container: Container, opened: list[TestClient]) -> TestClient:
    """A fresh browser on the app (no cookies)."""
    client = TestClient(create_app(container, start_worker=False))
    client.__enter__()
    opened.append(client)
    return client


def _sign_in(browser: TestClient, slug: str, next_path: str = "/inbox") -> tuple[httpx.Response, str]:
    """Start at Kefu, follow the provider's sign-in, come back; returns Kefu's callback answer and its URL."""
    start = browser.get(f"/api/v1/auth/oidc/{slug}/login", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 302, start.text
    at_idp = httpx.get(start.headers["location"], follow_redirects=False)  # over the loopback network
    assert at_idp.status_code == 302
    callback = at_idp.headers["location"]
    return browser.get(callback, follow_redirects=False), callback


def test_admin_configures_the_provider_and_the_secret_stays_sealed(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp
) -> None:
    api, container, tenant = kefu
    missing = api.get(SSO)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "sso_not_configured"
    with capture_events(container, 1, of_type="sso.provider_configured"):
        shown = _configure(
            api, idp, jit_provisioning=True, default_role="supervisor", allowed_domains=["Acme.com"]
        )
    assert shown["client_secret_set"] is True and "client_secret" not in shown
    assert shown["scopes"] == ["openid", "email", "profile"] and shown["allowed_domains"] == ["acme.com"]
    assert shown["redirect_uri"] == f"http://testserver/api/v1/auth/oidc/{_slug(api)}/callback"
    with container.session_factory() as session:
        stored = session.scalars(select(OidcProvider.client_secret)).one()
    assert stored.startswith("kefu1:") and CLIENT_SECRET not in stored
    kept = api.put(SSO, json={"issuer": idp.base_url, "client_id": CLIENT_ID})  # no secret: keep it
    assert kept.json()["client_secret_set"] is True
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    assert api.get(SSO, headers=agent.headers).status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"issuer": "http://169.254.169.254/latest"}, "url_not_allowed"),
        ({"issuer": "ftp://idp.example.com"}, "validation_error"),
        ({"default_role": "admin"}, "validation_error"),
    ],
)
def test_bad_provider_settings_are_refused(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, body: dict[str, Any], code: str
) -> None:
    api, _container, _tenant = kefu
    response = api.put(SSO, json={"issuer": idp.base_url, "client_id": CLIENT_ID, **body})
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_existing_agent_signs_in_by_verified_email_then_by_subject(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, browsers: list[TestClient]
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    agent = make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("idp-user-1", "Sam@Acme.com")
    browser = _browser(container, browsers)
    with capture_events(container, 1, of_type="sso.logged_in") as events:
        answer, _ = _sign_in(browser, _slug(api), "/inbox?view=mine")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/inbox?view=mine"
    assert "httponly" in answer.headers["set-cookie"].lower()
    assert idp.pkce_checked == 1
    me = browser.get("/api/v1/auth/session").json()
    assert me["agent"]["id"] == str(agent.agent_id) and me["principal"]["via"] == "session"
    assert events[0].payload["linked"] is True and events[0].payload["provisioned"] is False

    idp.users["idp-user-1"]["email"] = "sam.lee@elsewhere.example"  # the link by subject now decides
    again, _ = _sign_in(_browser(container, browsers), _slug(api))
    assert again.status_code == 303


def test_unknown_user_is_refused_without_jit_and_provisioned_with_it(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, browsers: list[TestClient]
) -> None:
    api, container, _tenant = kefu
    _configure(api, idp)
    idp.add_user("new-1", "newbie@acme.com", name="Nia Newbie")
    refused, _ = _sign_in(_browser(container, browsers), _slug(api))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "sso_agent_refused"

    _configure(api, idp, jit_provisioning=True, default_role="supervisor")
    with capture_events(container, of_type="agent.created") as created:
        answer, _ = _sign_in(_browser(container, browsers), _slug(api))
    assert answer.status_code == 303
    assert len(created) == 1 and created[0].payload["role"] == "supervisor"
    agents = api.get("/api/v1/agents", params={"q": "newbie"}).json()["items"]
    assert [(a["email"], a["display_name"], a["role"]) for a in agents] == [
        ("newbie@acme.com", "Nia Newbie", "supervisor")
    ]


@pytest.mark.parametrize(
    ("user", "settings"),
    [
        ({"email": "eve@evil.example"}, {"jit_provisioning": True, "allowed_domains": ["acme.com"]}),
        ({"email": "sam@acme.com", "verified": False}, {"jit_provisioning": True}),
    ],
)
def test_domain_and_unverified_email_are_refused(
    kefu: tuple[TestClient, Container, Tenant],
    idp: FakeIdp,
    user: dict[str, Any],
    settings: dict[str, Any],
    browsers: list[TestClient],
) -> None:
    api, container, tenant = kefu
    make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    _configure(api, idp, **settings)
    idp.add_user("u-1", **user)
    answer, _ = _sign_in(_browser(container, browsers), _slug(api))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "sso_agent_refused"


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("nonce", "another-nonce"),
        ("aud", "someone-else"),
        ("iss", "https://impostor.example"),
        ("exp", 1_000_000_000),
        ("signature", None),
    ],
)
def test_id_tokens_that_do_not_prove_the_sign_in_are_refused(
    kefu: tuple[TestClient, Container, Tenant],
    idp: FakeIdp,
    knob: str,
    value: Any,
    browsers: list[TestClient],
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("u-1", "sam@acme.com")
    if knob == "signature":
        idp.sign_with_unknown_key = True
    else:
        idp.token_claims[knob] = value
    browser = _browser(container, browsers)
    answer, _ = _sign_in(browser, _slug(api))
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "sso_failed" and "set-cookie" not in answer.headers
    if knob != "signature":
        assert answer.json()["error"]["details"]["claims"] == [knob]


def test_state_is_single_use_and_expires(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, clock: FrozenClock, browsers: list[TestClient]
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("u-1", "sam@acme.com")
    browser = _browser(container, browsers)
    first, callback = _sign_in(browser, _slug(api))
    assert first.status_code == 303
    replay = browser.get(callback, follow_redirects=False)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "sso_failed"
    forged = browser.get(f"/api/v1/auth/oidc/{_slug(api)}/callback", params={"code": "x", "state": "forged"})
    assert forged.status_code == 401

    start = browser.get(f"/api/v1/auth/oidc/{_slug(api)}/login", follow_redirects=False)
    at_idp = httpx.get(start.headers["location"], follow_redirects=False)
    clock.advance(minutes=11)
    late = browser.get(at_idp.headers["location"], follow_redirects=False)
    assert late.status_code == 401 and "too long" in late.json()["error"]["message"]


def test_callback_in_another_browser_is_refused(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, browsers: list[TestClient]
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("u-1", "sam@acme.com")
    attacker, victim = _browser(container, browsers), _browser(container, browsers)
    start = attacker.get(f"/api/v1/auth/oidc/{_slug(api)}/login", follow_redirects=False)
    assert (
        "kefu_oidc_state=" in start.headers["set-cookie"]
        and "httponly" in start.headers["set-cookie"].lower()
    )
    callback = httpx.get(start.headers["location"], follow_redirects=False).headers["location"]
    planted = victim.get(
        callback, follow_redirects=False
    )  # login CSRF: the attacker's sign-in, the victim's browser
    assert planted.status_code == 401 and "not started in this browser" in planted.json()["error"]["message"]
    assert attacker.get(callback, follow_redirects=False).status_code == 303  # the state was not used up


def test_provider_error_and_open_redirects(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, browsers: list[TestClient]
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("u-1", "sam@acme.com")
    browser = _browser(container, browsers)
    answer, _ = _sign_in(browser, _slug(api), next_path="//evil.example/steal")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    start = browser.get(f"/api/v1/auth/oidc/{_slug(api)}/login", follow_redirects=False)
    state = httpx.URL(start.headers["location"]).params["state"]
    denied = browser.get(
        f"/api/v1/auth/oidc/{_slug(api)}/callback", params={"error": "access_denied", "state": state}
    )
    assert denied.status_code == 401 and denied.json()["error"]["details"] == {"error": "access_denied"}


def test_inactive_agent_unknown_workspace_and_unreachable_provider(
    kefu: tuple[TestClient, Container, Tenant], idp: FakeIdp, browsers: list[TestClient]
) -> None:
    api, container, tenant = kefu
    _configure(api, idp)
    agent = make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    assert api.post(f"/api/v1/agents/{agent.agent_id}/deactivate").status_code == 200
    idp.add_user("u-1", "sam@acme.com")
    answer, _ = _sign_in(_browser(container, browsers), _slug(api))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "sso_agent_refused"

    browser = _browser(container, browsers)
    unknown = browser.get("/api/v1/auth/oidc/no-such-workspace/login", follow_redirects=False)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "sso_not_configured"
    api.put(SSO, json={"issuer": "http://127.0.0.1:9", "client_id": CLIENT_ID})  # nothing listens on port 9
    down = browser.get(f"/api/v1/auth/oidc/{_slug(api)}/login", follow_redirects=False)
    assert down.status_code == 502 and down.json()["error"]["code"] == "sso_provider_unavailable"
    assert api.delete(SSO).status_code == 204
    assert browser.get(f"/api/v1/auth/oidc/{_slug(api)}/login", follow_redirects=False).status_code == 404
