"""Merging customers: one customer, one history, an audit trail, and the old id still leads home."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomersMerged
from tests.conftest import Tenant

URL = "/api/v1/customers"


def create(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post(URL, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def merge(api: TestClient, *, source: str, target: str) -> dict[str, Any]:
    response = api.post(f"{URL}/{target}/merge", json={"source_id": source})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_merge_moves_everything_to_the_target_and_keeps_an_audit(
    api: TestClient, tenant: Tenant, delivered: list[EventEnvelope]
) -> None:
    wechat = create(
        api, vip_tier="gold", language="zh", tags=["vip"], custom_fields={"a": 1, "b": "source"},
        identities=[{"kind": "wechat", "value": "oMerge", "verified": True}],
    )
    phone = create(
        api, name="王芳", market="CN", vip_tier="silver", tags=["complaint"],
        custom_fields={"b": "target", "c": 3},
        identities=[{"kind": "phone", "value": "138 0013 8000"}, {"kind": "email", "value": "f@example.cn"}],
    )
    merged = merge(api, source=wechat["id"], target=phone["id"])
    assert merged["id"] == phone["id"]
    assert [(i["kind"], i["value"]) for i in merged["identities"]] == [
        ("wechat", "oMerge"), ("phone", "+8613800138000"), ("email", "f@example.cn"),
    ]
    assert merged["tags"] == ["complaint", "vip"]
    assert merged["custom_fields"] == {"a": 1, "b": "target", "c": 3}
    assert (merged["name"], merged["language"], merged["market"], merged["vip_tier"]) == (
        "王芳", "zh", "CN", "gold"
    )

    assert api.get(f"{URL}/{wechat['id']}").json() == merged
    tombstone = api.get(f"{URL}/{wechat['id']}", params={"follow_merges": False}).json()
    assert tombstone["merged_into_id"] == phone["id"] and tombstone["identities"] == []
    assert [item["id"] for item in api.get(URL).json()["items"]] == [phone["id"]]
    assert api.get(URL, params={"tag": "vip"}).json()["items"][0]["id"] == phone["id"]
    found = api.get(f"{URL}/lookup", params={"kind": "wechat", "value": "oMerge"}).json()
    assert found["id"] == phone["id"]
    resolved = api.post(f"{URL}/resolve", json={"identities": [{"kind": "wechat", "value": "oMerge"}]})
    assert resolved.json()["id"] == phone["id"]

    for customer in (phone, wechat):
        audit = api.get(f"{URL}/{customer['id']}/merges").json()
        assert audit["next_cursor"] is None
        (record,) = audit["items"]
        assert (record["source_customer_id"], record["target_customer_id"]) == (wechat["id"], phone["id"])
        assert record["actor_agent_id"] == str(tenant.admin_id)
        assert record["moved_identities"] == [{"kind": "wechat", "value": "oMerge", "verified": True}]
        assert (record["added_tags"], record["added_custom_fields"]) == (["vip"], ["a"])
    (event,) = [e.event for e in delivered if e.event_type == "customers.merged"]
    assert event == CustomersMerged(
        workspace_id=tenant.workspace_id, source_customer_id=uuid.UUID(wechat["id"]),
        target_customer_id=uuid.UUID(phone["id"]), actor_agent_id=tenant.admin_id,
    )


def test_chained_merges_lead_to_the_last_target(api: TestClient) -> None:
    first, second, third = (create(api, name=name) for name in ("first", "second", "third"))
    merge(api, source=first["id"], target=second["id"])
    merge(api, source=second["id"], target=third["id"])
    assert api.get(f"{URL}/{first['id']}").json()["id"] == third["id"]
    tombstone = api.get(f"{URL}/{first['id']}", params={"follow_merges": False}).json()
    assert tombstone["merged_into_id"] == third["id"]
    renamed = api.patch(f"{URL}/{first['id']}", json={"name": "renamed"}).json()
    assert (renamed["id"], renamed["name"]) == (third["id"], "renamed")
    assert [item["name"] for item in api.get(URL).json()["items"]] == ["renamed"]
    audit = api.get(f"{URL}/{second['id']}/merges").json()["items"]
    assert [(a["source_customer_id"], a["target_customer_id"]) for a in audit] == [
        (second["id"], third["id"]), (first["id"], second["id"])
    ]
    page = api.get(f"{URL}/{second['id']}/merges", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = api.get(f"{URL}/{second['id']}/merges", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [a["source_customer_id"] for a in rest["items"]] == [first["id"]]


def test_impossible_merges_are_refused(api: TestClient, client: TestClient, other_tenant: Tenant) -> None:
    one, two, three = create(api), create(api), create(api)
    to_self = api.post(f"{URL}/{one['id']}/merge", json={"source_id": one["id"]})
    assert (to_self.status_code, to_self.json()["error"]["code"]) == (409, "merge_into_self")
    merge(api, source=one["id"], target=two["id"])
    again = api.post(f"{URL}/{three['id']}/merge", json={"source_id": one["id"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "customer_merged")
    into_tombstone = api.post(f"{URL}/{one['id']}/merge", json={"source_id": three["id"]})
    assert (into_tombstone.status_code, into_tombstone.json()["error"]["code"]) == (409, "customer_merged")
    unknown = api.post(f"{URL}/{two['id']}/merge", json={"source_id": str(uuid.uuid4())})
    assert unknown.status_code == 404
    assert api.post(f"{URL}/{two['id']}/merge", json={"source_id": "nope"}).status_code == 422
    foreign = client.post(URL, json={}, headers=other_tenant.headers).json()
    cross = api.post(f"{URL}/{two['id']}/merge", json={"source_id": foreign["id"]})
    assert cross.status_code == 404
    assert client.get(f"{URL}/{foreign['id']}", headers=other_tenant.headers).json()["merged_into_id"] is None


def test_deleting_a_target_removes_its_merged_customers(api: TestClient) -> None:
    source = create(api, identities=[{"kind": "app", "value": "app-user-1"}])
    target = create(api)
    merge(api, source=source["id"], target=target["id"])
    refused = api.delete(f"{URL}/{source['id']}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "customer_merged")
    assert api.delete(f"{URL}/{target['id']}").status_code == 204
    for customer in (source, target):
        assert api.get(f"{URL}/{customer['id']}", params={"follow_merges": False}).status_code == 404
    assert api.get(f"{URL}/lookup", params={"kind": "app", "value": "app-user-1"}).status_code == 404
