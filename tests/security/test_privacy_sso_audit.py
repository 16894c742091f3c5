"""Data-protection and single sign-on actions leave audit rows, read through `GET /api/v1/audit/events`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.privacy.tasks import apply_retention_job
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import API, make_agent, make_conversation
from tests.security.conftest import AppFactory
from tests.security.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdp, serve

EVENTS = f"{API}/audit/events"
SSO = f"{API}/sso/oidc"


def _rows(api: TestClient, **params: str) -> list[dict[str, Any]]:
    response = api.get(EVENTS, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_an_erasure_and_provider_changes_appear_in_the_audit_log(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    customer_id = make_conversation(api, email="ann@example.com")["customer_id"]
    supervisor = make_agent(container, workspace_id=tenant.workspace_id, role=Role.SUPERVISOR)
    erased = api.post(
        f"{API}/privacy/customers/{customer_id}/erase",
        json={"reason": "DSR from Ann Tan"},
        headers=supervisor.headers,
    )
    assert erased.status_code == 200, erased.text
    assert api.post(f"{API}/privacy/customers/{customer_id}/erase").json()["already_erased"] is True
    configured = api.put(SSO, json={
        "issuer": "https://idp.example.com", "client_id": "kefu", "client_secret": "s3cret-value",
        "allowed_domains": ["acme.com"],
    })
    assert configured.status_code == 200, configured.text
    provider_id = configured.json()["id"]
    assert api.delete(SSO).status_code == 204

    [erasure] = _rows(api, action="customer.erased")  # the repeated request erased nothing: no row
    assert erasure["actor_kind"] == "agent" and erasure["actor_id"] == str(supervisor.agent_id)
    assert (erasure["target_kind"], erasure["target_id"]) == ("customer", customer_id)
    assert erasure["details"] == {
        "erasure_id": erased.json()["id"], "identities_removed": 1, "conversations_redacted": 1,
        "messages_redacted": 1,
    }
    assert "Ann" not in str(erasure)  # the free-text reason stays in the erasure record only

    changes = _rows(api, target_id=provider_id)
    assert [row["action"] for row in changes] == ["sso.provider_removed", "sso.settings_changed"]
    assert {row["actor_id"] for row in changes} == {str(tenant.admin_id)}
    assert changes[1]["target_kind"] == "sso_provider"
    assert changes[1]["details"] == {
        "created": True, "issuer": "https://idp.example.com", "client_id": "kefu",
        "jit_provisioning": False, "default_role": "agent", "allowed_domains": ["acme.com"],
        "is_active": True, "client_secret_changed": True,
    }
    assert "s3cret-value" not in str(changes)
    assert changes[0]["details"] == {"issuer": "https://idp.example.com"}


def test_exports_and_retention_are_audited(api: TestClient, tenant: Tenant, container: Container,
                                           clock: FrozenClock) -> None:
    opened = make_conversation(api, email="bob@example.com")
    assert api.get(f"{API}/privacy/customers/{opened['customer_id']}/export").status_code == 200
    assert api.patch(f"{API}/privacy/settings", json={"retention_days": 30}).status_code == 200
    clock.advance(days=40)
    assert apply_retention_job(container.session_factory)() == 1

    [applied, settings, exported] = _rows(api, target_id=str(tenant.workspace_id)) + _rows(
        api, action="customer.exported"
    )
    assert exported["target_id"] == opened["customer_id"] and exported["details"] == {"conversations": 1}
    assert exported["actor_id"] == str(tenant.admin_id)
    assert settings["action"] == "retention.settings_changed" and settings["actor_id"] == str(tenant.admin_id)
    assert settings["details"] == {"retention_days": 30, "retention_action": "redact"}
    assert applied["action"] == "retention.applied" and applied["actor_kind"] == "system"
    assert applied["details"]["conversations"] == 1 and applied["details"]["action"] == "redact"


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    """The fake identity provider on a loopback port."""
    provider = FakeIdp()
    server, thread = serve(provider)
    yield provider
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_single_sign_on_login_is_audited(make_api: AppFactory, idp: FakeIdp) -> None:
    api, container, tenant = make_api(allow_private_outbound=True)
    body = {"issuer": idp.base_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    assert api.put(SSO, json=body).status_code == 200
    agent = make_agent(container, workspace_id=tenant.workspace_id, email="sam@acme.com")
    idp.add_user("idp-user-1", "sam@acme.com")
    slug = api.get(f"{API}/workspace").json()["slug"]
    with TestClient(create_app(container, start_worker=False)) as browser:
        start = browser.get(f"{API}/auth/oidc/{slug}/login", follow_redirects=False)
        at_idp = httpx.get(start.headers["location"], follow_redirects=False)
        assert browser.get(at_idp.headers["location"], follow_redirects=False).status_code == 303
    [login] = _rows(api, action="sso.login_succeeded")
    assert login["actor_kind"] == "agent" and login["actor_id"] == str(agent.agent_id)
    assert (login["target_kind"], login["target_id"]) == ("agent", str(agent.agent_id))
    assert login["details"]["method"] == "oidc" and login["details"]["linked"] is True
    assert login["details"]["provisioned"] is False
