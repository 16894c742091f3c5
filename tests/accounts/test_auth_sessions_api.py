"""Console sessions: login, the session cookie, CSRF, logout, expiry and the login rate limit."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from kefu.accounts import passwords
from kefu.accounts.dependencies import SESSION_COOKIE
from kefu.accounts.enums import Role
from kefu.accounts.schemas import LoginIn, PasswordChange
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.wiring import Container, build_container
from tests.accounts.conftest import PASSWORD, MakeMember, admin_email, log_in
from tests.conftest import Tenant

LOGIN = "/api/v1/auth/login"


def test_login_sets_an_httponly_lax_cookie_and_returns_the_session(
    browser: TestClient, tenant: Tenant
) -> None:
    response = browser.post(LOGIN, json={"email": "ADMIN@acme-service.kefu.dev", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["principal"] == {
        "workspace_id": str(tenant.workspace_id), "agent_id": str(tenant.admin_id),
        "role": "admin", "via": "session", "session_id": body["principal"]["session_id"],
        "restricted": False,
    }
    assert body["workspace"]["slug"] == "acme-service"
    assert body["csrf_token"] and body["expires_at"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Max-Age=1209600" in cookie and "Secure" not in cookie
    secret = browser.cookies[SESSION_COOKIE]
    assert secret not in response.text

    session = browser.get("/api/v1/auth/session")
    assert session.status_code == 200
    assert session.json()["csrf_token"] == body["csrf_token"]
    assert browser.get("/api/v1/me").json()["id"] == str(tenant.admin_id)


def test_cookie_is_secure_when_configured(
    browser: TestClient, tenant: Tenant, container: Container
) -> None:
    container.settings.cookie_secure = True
    response = browser.post(LOGIN, json={"email": admin_email(), "password": PASSWORD})
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_credentials_get_one_answer(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    for body in (
        {"email": admin_email(), "password": "wrong password"},
        {"email": "nobody@acme-service.kefu.dev", "password": PASSWORD},
        {"email": admin_email(), "password": PASSWORD, "workspace": "other-corp"},
    ):
        response = browser.post(LOGIN, json=body)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
        assert response.json()["error"]["message"] == "invalid email or password"
        assert SESSION_COOKIE not in browser.cookies


def test_unknown_email_still_costs_a_password_check(
    browser: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real_verify = passwords._verify

    def counting_verify(password_hash: str, password: str) -> bool:
        checks.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "_verify", counting_verify)
    browser.post(LOGIN, json={"email": "ghost@nowhere.kefu.dev", "password": PASSWORD})
    browser.post(LOGIN, json={"email": admin_email(), "password": "not the password"})
    assert len(checks) == 2
    assert all(h.startswith("$argon2id$") for h in checks)


def test_session_requires_csrf_header_on_unsafe_methods(browser: TestClient, tenant: Tenant) -> None:
    csrf = log_in(browser, admin_email())
    team = {"name": "Tier 1", "kind": "tier"}
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
        response = browser.post("/api/v1/teams", json=team, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
    assert browser.patch("/api/v1/workspace", json={"name": "X"}).status_code == 403
    assert browser.delete(f"/api/v1/tokens/{tenant.admin_id}").status_code == 403
    assert browser.get("/api/v1/teams").json()["items"] == []
    created = browser.post("/api/v1/teams", json=team, headers=csrf)
    assert created.status_code == 201


def test_token_requests_need_no_csrf_and_win_over_a_cookie(
    browser: TestClient, tenant: Tenant, make_member: MakeMember
) -> None:
    agent = make_member(Role.AGENT)
    log_in(browser, agent.email)
    response = browser.post("/api/v1/teams", json={"name": "Tier 2"}, headers=tenant.headers)
    assert response.status_code == 201
    assert browser.get("/api/v1/me", headers=tenant.headers).json()["id"] == str(tenant.admin_id)
    bad_token = browser.get("/api/v1/me", headers={"Authorization": "Bearer kefu_nope"})
    assert bad_token.status_code == 401


def test_logout_ends_the_session_even_for_a_copied_cookie(
    browser: TestClient, tenant: Tenant, new_client: Callable[[], TestClient]
) -> None:
    csrf = log_in(browser, admin_email())
    secret = browser.cookies[SESSION_COOKIE]
    assert browser.post("/api/v1/auth/logout").status_code == 403
    response = browser.post("/api/v1/auth/logout", headers=csrf)
    assert response.status_code == 204
    assert SESSION_COOKIE in response.headers["set-cookie"]
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get("/api/v1/auth/session").status_code == 401
    thief = new_client()
    thief.cookies.set(SESSION_COOKIE, secret)
    assert thief.get("/api/v1/me").status_code == 401


def test_sessions_are_independent_and_expire(
    new_client: Callable[[], TestClient], tenant: Tenant, clock: FrozenClock, container: Container
) -> None:
    laptop, phone = new_client(), new_client()
    csrf = log_in(laptop, admin_email())
    log_in(phone, admin_email())
    assert laptop.post("/api/v1/auth/logout", headers=csrf).status_code == 204
    assert phone.get("/api/v1/me").status_code == 200
    clock.advance(seconds=container.settings.session_max_age_seconds - 1)
    assert phone.get("/api/v1/me").status_code == 200
    clock.advance(seconds=2)
    assert phone.get("/api/v1/me").status_code == 401


def test_token_caller_sees_session_without_csrf_token(api: TestClient, tenant: Tenant) -> None:
    body = api.get("/api/v1/auth/session").json()
    assert body["principal"]["via"] == "token"
    assert body["csrf_token"] is None
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 200


def test_same_email_in_two_workspaces_needs_the_slug(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    email = "shared@kefu.dev"
    make_member(Role.AGENT, email=email)
    make_member(Role.SUPERVISOR, email=email, workspace_id=other_tenant.workspace_id)
    ambiguous = browser.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert ambiguous.status_code == 409
    assert ambiguous.json()["error"]["code"] == "workspace_required"
    assert ambiguous.json()["error"]["details"]["workspaces"] == ["acme-service", "other-corp"]
    assert SESSION_COOKIE not in browser.cookies
    log_in(browser, email, workspace="other-corp")
    me = browser.get("/api/v1/me").json()
    assert (me["workspace_id"], me["role"]) == (str(other_tenant.workspace_id), "supervisor")


def test_same_email_with_different_passwords_logs_into_the_matching_workspace(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant, make_member: MakeMember
) -> None:
    email = "twice@kefu.dev"
    make_member(Role.AGENT, email=email, password="first password!")
    make_member(Role.AGENT, email=email, password="second password!",
                workspace_id=other_tenant.workspace_id)
    log_in(browser, email, password="second password!")
    assert browser.get("/api/v1/me").json()["workspace_id"] == str(other_tenant.workspace_id)


def test_login_rate_limit_per_email_and_ip(
    browser: TestClient, tenant: Tenant, container: Container, clock: FrozenClock
) -> None:
    container.settings.login_attempts_per_minute = 3
    wrong = {"email": admin_email(), "password": "guess"}
    for _ in range(3):
        assert browser.post(LOGIN, json=wrong).status_code == 401
    clock.advance(seconds=10)
    limited = browser.post(LOGIN, json={"email": admin_email(), "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "50"
    other_email = browser.post(LOGIN, json={"email": "other@acme-service.kefu.dev", "password": "x"})
    assert other_email.status_code == 401
    clock.advance(seconds=49)
    assert browser.post(LOGIN, json=wrong).headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert browser.post(LOGIN, json={"email": admin_email(), "password": PASSWORD}).status_code == 200


def test_success_resets_the_failure_count(
    browser: TestClient, tenant: Tenant, container: Container
) -> None:
    container.settings.login_attempts_per_minute = 3
    wrong = {"email": admin_email(), "password": "guess"}
    for _ in range(2):
        browser.post(LOGIN, json=wrong)
    log_in(browser, admin_email())
    for _ in range(2):
        assert browser.post(LOGIN, json=wrong).status_code == 401


def test_rate_limit_is_shared_by_separate_processes(
    tenant: Tenant, container: Container, clock: FrozenClock
) -> None:
    container.settings.login_attempts_per_minute = 2
    second = build_container(container.settings.model_copy(), mode=container.runtime.mode)
    try:
        with TestClient(create_app(container, start_worker=False)) as one, TestClient(
            create_app(second, start_worker=False)
        ) as two:
            wrong = {"email": admin_email(), "password": "guess"}
            assert one.post(LOGIN, json=wrong).status_code == 401
            assert two.post(LOGIN, json=wrong).status_code == 401
            assert one.post(LOGIN, json=wrong).status_code == 429
            assert two.post(LOGIN, json=wrong).status_code == 429
    finally:
        second.close()


def test_secrets_never_reach_logs_or_error_bodies(
    browser: TestClient, api: TestClient, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kefu")
    caplog.set_level(logging.DEBUG, logger="fastapi")
    bodies = [
        browser.post(LOGIN, json={"email": admin_email(), "password": "Sup3r-Secret-Guess"}).text,
        browser.post(LOGIN, json={"email": admin_email(), "password": "Sup3r-Secret-Guess" * 20}).text,
        browser.post(LOGIN, json={"email": "not-an-email", "password": "Sup3r-Secret-Guess"}).text,
        browser.get("/api/v1/me", headers={"Authorization": "Bearer kefu_Sup3r-Secret-Guess"}).text,
        api.post("/api/v1/me/password", json={"current_password": "Sup3r-Secret-Guess",
                                              "new_password": "short"}).text,
        api.post("/api/v1/me/password", json={"current_password": "Sup3r-Secret-Guess",
                                              "new_password": "long enough new"}).text,
    ]
    log_in(browser, admin_email())
    bodies.append(browser.get("/api/v1/auth/session").text)
    bodies.append(repr(LoginIn(email=admin_email(), password="Sup3r-Secret-Guess")))
    bodies.append(repr(PasswordChange(current_password=PASSWORD, new_password="Sup3r-Secret-Guess")))
    for text in [*bodies, caplog.text]:
        assert "Sup3r-Secret-Guess" not in text
        assert PASSWORD not in text
        assert tenant.token not in text
        assert browser.cookies[SESSION_COOKIE] not in text
