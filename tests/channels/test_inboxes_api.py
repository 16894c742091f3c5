"""Inboxes over the API: provider settings, write-only secrets sealed at rest, webhook URLs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from kefu.wiring import Container
from tests.channels.conftest import FAKE_SECRET, create_inbox
from tests.conftest import Tenant, make_tenant

WHATSAPP = {
    "phone_number_id": "106540352242922",
    "access_token": "EAAG-secret-token",
    "app_secret": "app-secret-abc",
    "verify_token": "verify-me",
}


def test_create_answers_id_and_webhook_url_but_never_secrets(api: TestClient, container: Container) -> None:
    inbox = create_inbox(api, "fake", {"secret": FAKE_SECRET})
    assert inbox["webhook_url"] == f"/api/v1/channels/fake/{inbox['id']}/webhook"
    assert inbox["secrets_set"] == ["secret"]
    assert FAKE_SECRET not in str(inbox)
    assert inbox["settings"] == {"api_base_url": "http://fake-provider.invalid"}
    read = api.get(f"/api/v1/inboxes/{inbox['id']}").json()
    listed = api.get("/api/v1/inboxes").json()["items"]
    assert FAKE_SECRET not in str(read) + str(listed)
    with container.engine.connect() as conn:
        stored = conn.execute(text("SELECT settings, sealed_secrets FROM inboxes")).one()
    assert FAKE_SECRET not in str(stored[0]) + stored[1]


def test_settings_use_the_providers_names(api: TestClient) -> None:
    inbox = create_inbox(api, "whatsapp", {**WHATSAPP, "api_base_url": "http://127.0.0.1:9/graph"})
    assert inbox["settings"] == {
        "phone_number_id": "106540352242922",
        "api_base_url": "http://127.0.0.1:9/graph",
    }
    assert inbox["secrets_set"] == ["access_token", "app_secret", "verify_token"]
    missing = api.post(
        "/api/v1/inboxes", json={"channel": "whatsapp", "name": "x", "settings": {"access_token": "a"}}
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "missing_setting"
    unknown = api.post(
        "/api/v1/inboxes", json={"channel": "fake", "name": "x", "settings": {"secret": "s", "bogus": "1"}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["loc"] == ["settings", "bogus"]


def test_patch_replaces_a_secret_and_disable_switches_off(api: TestClient) -> None:
    inbox = create_inbox(api, "fake", {"secret": FAKE_SECRET})
    patched = api.patch(
        f"/api/v1/inboxes/{inbox['id']}", json={"name": "Renamed", "settings": {"secret": "new"}}
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Renamed"
    assert "new" not in str(patched.json()["settings"])
    disabled = api.post(f"/api/v1/inboxes/{inbox['id']}/disable")
    assert disabled.json()["is_active"] is False
    assert disabled.json()["disabled_at"] is not None
    assert api.patch(f"/api/v1/inboxes/{inbox['id']}", json={"is_active": True}).json()["is_active"] is True


def test_inboxes_are_private_to_their_workspace(
    api: TestClient, container: Container, other_tenant: Tenant
) -> None:
    inbox = create_inbox(api, "fake", {"secret": FAKE_SECRET})
    other = {"Authorization": f"Bearer {other_tenant.token}"}
    assert api.get(f"/api/v1/inboxes/{inbox['id']}", headers=other).status_code == 404
    assert api.get("/api/v1/inboxes", headers=other).json()["items"] == []


def test_only_admins_manage_inboxes(api: TestClient, container: Container) -> None:
    from kefu.accounts.enums import Role

    agent = make_tenant(container, "Agents Only", Role.AGENT)
    answer = api.post(
        "/api/v1/inboxes",
        json={"channel": "fake", "name": "x", "settings": {"secret": "s"}},
        headers={"Authorization": f"Bearer {agent.token}"},
    )
    assert answer.status_code == 403
