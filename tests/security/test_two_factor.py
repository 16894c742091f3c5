"""Two-factor authentication: TOTP enrolment, login with a code or a recovery code, no replay, the
workspace requirement for admins and supervisors, and the console login asking for the code."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kefu.accounts import twofactor
from kefu.accounts.enums import Role
from kefu.accounts.models import TwoFactor
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import PASSWORD, Member, make_agent

LOGIN = "/api/v1/auth/login"


def _code(secret: str, clock: FrozenClock, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps)


def _enrol(api: TestClient, headers: dict[str, str], clock: FrozenClock) -> tuple[str, list[str]]:
    setup = api.post("/api/v1/me/two-factor/setup", headers=headers)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/Kefu:")
    enabled = api.post("/api/v1/me/two-factor/enable", json={"code": _code(secret, clock)}, headers=headers)
    assert enabled.status_code == 200, enabled.text
    codes = enabled.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    clock.advance(seconds=30)  # the enrolment code's step is used up
    return secret, codes


def _login(client: TestClient, email: str, **extra: Any) -> Any:
    return client.post(LOGIN, json={"email": email, "password": PASSWORD, **extra})


@pytest.fixture
def member(container: Container, tenant: Tenant) -> Member:
    return make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT, email="ana@acme.kefu.dev")


def test_login_asks_for_the_code_then_accepts_it_once(
    api: TestClient, container: Container, member: Member, clock: FrozenClock
) -> None:
    secret, _ = _enrol(api, member.headers, clock)
    assert api.get("/api/v1/me/two-factor", headers=member.headers).json() == {
        "enabled": True, "enabled_at": "2026-03-02T09:00:00Z", "recovery_codes_left": 10, "required": False,
    }
    with TestClient(create_app(container, start_worker=False)) as browser:
        missing = _login(browser, member.email)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "two_factor_required"
        wrong = _login(browser, member.email, totp_code="000000")
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_two_factor_code"
        code = _code(secret, clock)
        ok = _login(browser, member.email, totp_code=code)
        assert ok.status_code == 200, ok.text
        replay = _login(browser, member.email, totp_code=code)
        assert replay.status_code == 401 and replay.json()["error"]["code"] == "invalid_two_factor_code"
        drift = _login(browser, member.email, totp_code=_code(secret, clock, steps=1))
        assert drift.status_code == 200, drift.text  # one step of clock drift is tolerated
        assert _login(browser, member.email, totp_code=_code(secret, clock, steps=3)).status_code == 401
    audit = api.get("/api/v1/audit/events", params={"target_id": str(member.agent_id)}).json()["items"]
    seen = [(row["action"], row["details"].get("reason") or row["details"].get("method")) for row in audit]
    assert seen[:6] == [
        ("auth.login_failed", "two_factor"), ("auth.login_succeeded", "password+totp"),
        ("auth.login_failed", "two_factor"), ("auth.login_succeeded", "password+totp"),
        ("auth.login_failed", "two_factor"), ("two_factor.enabled", None),
    ]


def test_a_recovery_code_works_once(
    api: TestClient, container: Container, member: Member, clock: FrozenClock
) -> None:
    _, codes = _enrol(api, member.headers, clock)
    with TestClient(create_app(container, start_worker=False)) as browser:
        assert _login(browser, member.email, recovery_code=codes[0].upper()).status_code == 200
        again = _login(browser, member.email, recovery_code=codes[0])
        assert again.json()["error"]["code"] == "invalid_two_factor_code"
    assert api.get("/api/v1/me/two-factor", headers=member.headers).json()["recovery_codes_left"] == 9


def test_enrolment_needs_a_valid_first_code_and_disabling_needs_password_and_code(
    api: TestClient, member: Member, clock: FrozenClock
) -> None:
    api.post("/api/v1/me/two-factor/setup", headers=member.headers)
    bad = api.post("/api/v1/me/two-factor/enable", json={"code": "123456"}, headers=member.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_two_factor_code"
    assert api.get("/api/v1/me/two-factor", headers=member.headers).json()["enabled"] is False
    secret, _ = _enrol(api, member.headers, clock)
    again = api.post("/api/v1/me/two-factor/setup", headers=member.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "two_factor_enabled"
    wrong = api.post("/api/v1/me/two-factor/disable", headers=member.headers,
                     json={"password": "nope", "code": _code(secret, clock)})
    assert wrong.json()["error"]["code"] == "wrong_password"
    off = api.post("/api/v1/me/two-factor/disable", headers=member.headers,
                   json={"password": PASSWORD, "code": _code(secret, clock)})
    assert off.status_code == 204, off.text
    assert api.get("/api/v1/me/two-factor", headers=member.headers).json()["enabled"] is False


def test_the_secret_is_sealed_at_rest(
    api: TestClient, container: Container, member: Member, clock: FrozenClock
) -> None:
    secret, _ = _enrol(api, member.headers, clock)
    with container.session_factory() as session:
        row = session.get(TwoFactor, member.agent_id)
        assert row is not None and secret not in row.sealed_secret
        assert twofactor.secret_of(row, container.secret_box) == secret


def test_a_workspace_can_require_two_factor_for_admins_and_supervisors(
    api: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    refused = api.patch("/api/v1/workspace", json={"two_factor_required": True})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "two_factor_not_enabled"
    _enrol(api, api.headers, clock)
    assert api.patch("/api/v1/workspace", json={"two_factor_required": True}).json()["two_factor_required"]
    supervisor = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    with TestClient(create_app(container, start_worker=False)) as browser:
        session = _login(browser, supervisor.email)
        assert session.status_code == 200 and session.json()["two_factor_setup_required"] is True
        csrf = {"X-CSRF-Token": session.json()["csrf_token"]}
        blocked = browser.get("/api/v1/customers")
        assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "two_factor_setup_required"
        assert browser.get("/inbox", follow_redirects=False).status_code == 303  # no console page either
        with pytest.raises(WebSocketDisconnect), browser.websocket_connect("/realtime"):
            pass
        assert browser.get("/api/v1/me/two-factor").json()["required"] is True
        _enrol(browser, csrf, clock)
        assert browser.get("/api/v1/customers").status_code == 200
        locked_in = browser.post("/api/v1/me/two-factor/disable", headers=csrf, json={
            "password": PASSWORD, "code": "123456"})
        assert locked_in.json()["error"]["code"] == "two_factor_required_by_workspace"
    with TestClient(create_app(container, start_worker=False)) as browser:
        plain = _login(browser, agent.email)  # agents are not covered by the requirement
        assert plain.status_code == 200 and plain.json()["two_factor_setup_required"] is False
    changed = {"action": "workspace.settings_changed"}
    settings = api.get("/api/v1/audit/events", params=changed).json()["items"]
    assert settings[0]["details"] == {"two_factor_required": True}


def test_an_admin_resets_a_lost_device(
    api: TestClient, container: Container, member: Member, clock: FrozenClock
) -> None:
    _enrol(api, member.headers, clock)
    assert api.delete(f"/api/v1/agents/{member.agent_id}/two-factor").status_code == 204
    with TestClient(create_app(container, start_worker=False)) as browser:
        assert _login(browser, member.email).status_code == 200
    actions = [row["action"] for row in api.get("/api/v1/audit/events").json()["items"]]
    assert "two_factor.reset" in actions


def test_console_login_asks_for_the_code(
    api: TestClient, container: Container, member: Member, clock: FrozenClock
) -> None:
    secret, _ = _enrol(api, member.headers, clock)
    with TestClient(create_app(container, start_worker=False)) as browser:
        page = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        form = {"email": member.email, "password": PASSWORD, "csrf_token": token.group(1)}
        first = browser.post("/login", data=form, follow_redirects=False)
        assert first.status_code == 401 and 'name="two_factor_code"' in first.text
        done = browser.post("/login", data={**form, "two_factor_code": _code(secret, clock)},
                            follow_redirects=False)
        assert done.status_code == 303, done.text
        assert browser.get("/inbox").status_code == 200


def test_totp_matches_the_rfc_6238_test_vector() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC's key "12345678901234567890"
    # RFC 6238 appendix B, SHA-1, T = 59 s -> 94287082 (8 digits); the last six digits are the 6-digit code
    assert twofactor.code_at(secret, 59 // 30) == "287082"
