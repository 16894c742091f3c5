"""The caller's workspace: read by everyone, settings changed by admins, validated."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from tests.accounts.conftest import MakeMember
from tests.conftest import Tenant


def test_admin_reads_and_changes_workspace_settings(api: TestClient, tenant: Tenant) -> None:
    before = api.get("/api/v1/workspace").json()
    assert before["id"] == str(tenant.workspace_id)
    assert (before["default_language"], before["timezone"]) == ("en", "UTC")
    response = api.patch(
        "/api/v1/workspace",
        json={"name": "  Acme 客服中心 ", "default_language": "ID", "timezone": "Asia/Jakarta"},
    )
    assert response.status_code == 200
    after = api.get("/api/v1/workspace").json()
    assert (after["name"], after["default_language"], after["timezone"]) == (
        "Acme 客服中心", "id", "Asia/Jakarta"
    )
    assert after["slug"] == before["slug"]


def test_other_roles_read_but_may_not_change(
    client: TestClient, tenant: Tenant, make_member: MakeMember
) -> None:
    for role in (Role.SUPERVISOR, Role.AGENT, Role.QA_INSPECTOR):
        member = make_member(role)
        assert client.get("/api/v1/workspace", headers=member.headers).status_code == 200
        response = client.patch("/api/v1/workspace", json={"name": "Mine"}, headers=member.headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def test_workspaces_see_only_themselves(api: TestClient, other_tenant: Tenant) -> None:
    mine = api.get("/api/v1/workspace").json()
    theirs = api.get("/api/v1/workspace", headers=other_tenant.headers).json()
    assert mine["id"] != theirs["id"] and theirs["id"] == str(other_tenant.workspace_id)


INVALID_SETTINGS = [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"timezone": "asia/jakarta"}, "timezone"),
    ({"timezone": ""}, "timezone"),
    ({"default_language": "xx"}, "default_language"),
    ({"default_language": "english"}, "default_language"),
    ({"name": "   "}, "name"),
    ({"name": "a" * 201}, "name"),
    ({"name": "bad\x00name"}, "name"),
    ({"name": None}, "name"),
    ({"slug": "new-slug"}, "slug"),
]


def test_invalid_settings_are_422_with_the_field_path(api: TestClient) -> None:
    for body, field in INVALID_SETTINGS:
        response = api.patch("/api/v1/workspace", json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert [d["loc"] for d in error["details"]] == [["body", field]], body
    assert api.get("/api/v1/workspace").json()["timezone"] == "UTC"
