"""The endpoint API: admins only, validated input (422s, never 500s), secrets shown once, paging."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.webhooks import service
from kefu.webhooks.signing import verify_signature
from kefu.wiring import Container
from tests.conftest import Tenant, make_tenant
from tests.webhooks.conftest import HOOK_URL, WIDGET_EVENT, Receiver, create_endpoint, emit

ENDPOINTS = "/api/v1/webhooks/endpoints"


def test_secret_is_shown_on_create_and_rotate_only(api: TestClient) -> None:
    created = create_endpoint(api, description="CRM sync 客服")
    assert created["secret"].startswith("whsec_")
    assert created["secret_hint"] == "…" + created["secret"][-4:]
    assert created["event_types"] == [WIDGET_EVENT] and created["is_active"] is True
    shown = api.get(f"{ENDPOINTS}/{created['id']}").json()
    listed = api.get(ENDPOINTS).json()["items"]
    for body in (shown, *listed):
        assert "secret" not in body and created["secret"] not in str(body)
    rotated = api.post(f"{ENDPOINTS}/{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in {created["secret"], None}


def test_rotated_secret_signs_beside_the_old_one_during_the_grace_only(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver, clock: FrozenClock
) -> None:
    created = create_endpoint(api)
    old = created["secret"]
    new = api.post(
        f"{ENDPOINTS}/{created['id']}/rotate-secret", json={"grace_seconds": 3600}
    ).json()["secret"]
    emit(container, tenant.workspace_id)
    during = receiver.requests[-1]
    assert verify_signature(new, during.headers["kefu-signature"], during.body)
    assert verify_signature(old, during.headers["kefu-signature"], during.body)
    clock.advance(seconds=3601)
    emit(container, tenant.workspace_id)
    after = receiver.requests[-1]
    assert verify_signature(new, after.headers["kefu-signature"], after.body)
    assert not verify_signature(old, after.headers["kefu-signature"], after.body)


def test_update_changes_fields_and_subscriptions(
    api: TestClient, container: Container, tenant: Tenant, receiver: Receiver
) -> None:
    created = create_endpoint(api)
    changed = api.patch(
        f"{ENDPOINTS}/{created['id']}",
        json={"url": "http://hooks2.example.com:8080/in?s=k", "event_types": ["webhook_endpoint.disabled"]},
    )
    assert changed.status_code == 200
    assert changed.json()["url"] == "http://hooks2.example.com:8080/in?s=k"
    assert changed.json()["description"] == ""
    emit(container, tenant.workspace_id)
    assert receiver.requests == []


def test_event_types_lists_what_may_be_subscribed(api: TestClient) -> None:
    names = api.get("/api/v1/webhooks/event-types").json()["event_types"]
    assert names[0] == "*"
    assert {WIDGET_EVENT, "webhook_endpoint.disabled"} <= set(names)


INVALID_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"url": "ftp://files.example.com/x"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://user:pw@example.com/hook"}, "url"),
    ({"url": "https://token@example.com/hook"}, "url"),
    ({"url": "https:///nohost"}, "url"),
    ({"url": "https://example.com:99999/x"}, "url"),
    ({"url": "https://exa mple.com/x"}, "url"),
    ({"url": "https://example.com/\x00"}, "url"),
    ({"url": "https://example.com/" + "a" * 3000}, "url"),
    ({"url": "example.com/hook"}, "url"),
    ({"url": 42}, "url"),
    ({"event_types": []}, "event_types"),
    ({"event_types": ["conversation.exploded"]}, "event_types"),
    ({"event_types": ["*", WIDGET_EVENT]}, "event_types"),
    ({"event_types": ["x" * 81]}, "event_types"),
    ({"event_types": [WIDGET_EVENT] * 101}, "event_types"),
    ({"event_types": "*"}, "event_types"),
    ({"description": "d" * 501}, "description"),
    ({"description": "nul\x00byte"}, "description"),
    ({"is_active": "maybe"}, "is_active"),
    ({"secret": "mine"}, "secret"),
]

BAD_QUERIES = [
    ("get", f"{ENDPOINTS}/not-a-uuid"),
    ("get", f"{ENDPOINTS}?limit=0"),
    ("get", f"{ENDPOINTS}?limit=201"),
    ("get", f"{ENDPOINTS}?cursor=%%%"),
    ("get", f"{ENDPOINTS}?cursor=WyJub3QtYS11dWlkIl0"),
    ("get", "/api/v1/webhooks/deliveries?status=lost"),
    ("get", "/api/v1/webhooks/deliveries?endpoint_id=123"),
    ("get", "/api/v1/webhooks/deliveries?event_type=a%00b"),
    ("post", "/api/v1/webhooks/deliveries/xyz/redeliver"),
]


def test_invalid_endpoints_are_422_with_the_field(api: TestClient) -> None:
    endpoint_id = create_endpoint(api)["id"]
    for body, field in INVALID_FIELDS:
        payload = {"url": HOOK_URL, "event_types": [WIDGET_EVENT], **body}
        for response in (
            api.post(ENDPOINTS, json=payload),
            api.patch(f"{ENDPOINTS}/{endpoint_id}", json=body),
        ):
            assert response.status_code == 422, (body, response.text)
            error = response.json()["error"]
            assert error["code"] == "validation_error"
            assert any(field in detail["loc"] for detail in error["details"]), (body, error)
    assert len(api.get(ENDPOINTS).json()["items"]) == 1


def test_bad_ids_filters_and_cursors_are_422(api: TestClient) -> None:
    for method, path in BAD_QUERIES:
        response = getattr(api, method)(path)
        assert response.status_code == 422, (path, response.text)


def test_rotate_grace_is_bounded_and_bodies_must_be_json(api: TestClient) -> None:
    endpoint_id = create_endpoint(api)["id"]
    rotate = f"{ENDPOINTS}/{endpoint_id}/rotate-secret"
    assert api.post(rotate, json={"grace_seconds": 8 * 24 * 3600}).status_code == 422
    assert api.post(rotate, json={"grace_seconds": -1}).status_code == 422
    assert api.post(rotate, json={"grace_seconds": 0}).json()["previous_secret_expires_at"] is None
    garbled = api.post(ENDPOINTS, content=b"{not json", headers={"content-type": "application/json"})
    assert garbled.status_code == 422


def test_only_admins_manage_webhooks(client: TestClient, container: Container, api: TestClient) -> None:
    endpoint_id = create_endpoint(api)["id"]
    supervisor = make_tenant(container, "Supervised", role=Role.SUPERVISOR)
    for method, path in [
        ("get", ENDPOINTS),
        ("post", ENDPOINTS),
        ("get", "/api/v1/webhooks/deliveries"),
        ("get", "/api/v1/webhooks/event-types"),
        ("post", f"{ENDPOINTS}/{endpoint_id}/ping"),
    ]:
        response = getattr(client, method)(path, headers=supervisor.headers)
        assert response.status_code == 403, (method, path)
    assert client.get(ENDPOINTS, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_endpoints_of_another_workspace_are_404(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    endpoint_id = create_endpoint(api)["id"]
    foreign = other_tenant.headers
    assert client.get(ENDPOINTS, headers=foreign).json()["items"] == []
    for method, path in [
        ("get", f"{ENDPOINTS}/{endpoint_id}"),
        ("patch", f"{ENDPOINTS}/{endpoint_id}"),
        ("delete", f"{ENDPOINTS}/{endpoint_id}"),
        ("post", f"{ENDPOINTS}/{endpoint_id}/rotate-secret"),
        ("post", f"{ENDPOINTS}/{endpoint_id}/ping"),
    ]:
        kwargs: dict[str, Any] = {"json": {}} if method == "patch" else {}
        response = getattr(client, method)(path, headers=foreign, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    assert api.get(f"{ENDPOINTS}/{endpoint_id}").status_code == 200


def test_lists_page_newest_first_with_cursors(
    api: TestClient, container: Container, tenant: Tenant
) -> None:
    ids = [create_endpoint(api, f"https://h{n}.example.com/")["id"] for n in range(3)]
    first = api.get(ENDPOINTS, params={"limit": 2}).json()
    second = api.get(ENDPOINTS, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [e["id"] for e in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None

    for n in range(3):
        emit(container, tenant.workspace_id, sku=f"s{n}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4, "endpoint_id": ids[1]}
        page = api.get(
            "/api/v1/webhooks/deliveries", params=params | ({"cursor": cursor} if cursor else {})
        ).json()
        seen += [d["id"] for d in page["items"]]
        assert all(d["endpoint_id"] == ids[1] for d in page["items"])
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == 3 and seen == sorted(seen, reverse=True)
    assert len(api.get("/api/v1/webhooks/deliveries", params={"limit": 200}).json()["items"]) == 9
    by_type = api.get("/api/v1/webhooks/deliveries", params={"event_type": "webhook.ping"}).json()
    assert by_type["items"] == []


def test_a_workspace_may_not_exceed_the_endpoint_limit(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_ENDPOINTS_PER_WORKSPACE", 3)
    for n in range(3):
        create_endpoint(api, f"https://h{n}.example.com/")
    response = api.post(ENDPOINTS, json={"url": HOOK_URL, "event_types": ["*"]})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_endpoints"
