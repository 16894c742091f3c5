"""Customers over HTTP: create, read, list, look up, change, identities, roles and tenancy."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.core.events import EventEnvelope
from kefu.customers.events import CustomerUpdated
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.customers.conftest import event_types

URL = "/api/v1/customers"


def create(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post(URL, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def token_for(container: Container, tenant: Tenant, role: Role) -> dict[str, str]:
    with container.session_factory() as session:
        agent = accounts.create_agent(
            session, workspace_id=tenant.workspace_id,
            data=AgentIn(email=f"{role.value}@example.com", display_name=role.value, role=role),
        )
        issued = accounts.issue_api_token(
            session, workspace_id=tenant.workspace_id, agent_id=agent.id, name="t"
        )
        session.commit()
    return {"Authorization": f"Bearer {issued.token}"}


def test_create_then_read_with_normalised_identities(
    api: TestClient, tenant: Tenant, delivered: list[EventEnvelope]
) -> None:
    body = create(
        api, name="Budi Santoso", language="ID", market="id", vip_tier="gold", tags=["VIP", "returns"],
        custom_fields={"member_no": "M-001", "orders": 12},
        identities=[
            {"kind": "phone", "value": "0812-3456-7890", "verified": True},
            {"kind": "email", "value": "Budi@Example.COM"},
            {"kind": "whatsapp", "value": "+62 812 3456 7890"},
        ],
    )
    assert (body["language"], body["market"], body["tags"]) == ("id", "ID", ["returns", "vip"])
    assert [(i["kind"], i["value"], i["verified"]) for i in body["identities"]] == [
        ("phone", "+6281234567890", True), ("email", "budi@example.com", False),
        ("whatsapp", "6281234567890", False),
    ]
    read = api.get(f"{URL}/{body['id']}").json()
    assert read == body
    assert read["workspace_id"] == str(tenant.workspace_id)
    assert event_types(delivered) == ["customer.created"] + ["customer.identity_added"] * 3


def test_an_identity_belongs_to_one_customer_only(api: TestClient) -> None:
    owner = create(api, identities=[{"kind": "email", "value": "one@example.com"}])
    response = api.post(URL, json={"identities": [{"kind": "email", "value": "ONE@example.com"}]})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "identity_taken"
    assert error["details"] == [
        {"kind": "email", "value": "one@example.com", "owner_customer_id": owner["id"]}
    ]
    assert len(api.get(URL).json()["items"]) == 1


INVALID_BODIES: list[tuple[dict[str, Any], list[Any], str]] = [
    ({"identities": [{"kind": "email", "value": "nope"}]},
     ["body", "identities", 0, "value"], "invalid_email"),
    ({"market": "ID", "identities": [{"kind": "phone", "value": "12"}]},
     ["body", "identities", 0, "value"], "invalid_phone"),
    ({"identities": [{"kind": "phone", "value": "0812 3456 7890"}]},
     ["body", "identities", 0, "value"], "phone_needs_country_code"),
    ({"identities": [{"kind": "fax", "value": "1"}]}, ["body", "identities", 0, "kind"], "enum"),
    ({"market": "IDN"}, ["body", "market"], "invalid_market"),
    ({"language": "english please"}, ["body", "language"], "invalid_language"),
    ({"vip_tier": "diamond"}, ["body", "vip_tier"], "enum"),
    ({"name": "bad\x00name"}, ["body", "name"], "invalid_name"),
    ({"name": "x" * 100_000}, ["body", "name"], "invalid_name"),
    ({"tags": [f"t{i}" for i in range(51)]}, ["body", "tags"], "too_long"),
    ({"tags": [" "]}, ["body", "tags"], "invalid_tag"),
    ({"custom_fields": {"k": "v" * 9000}}, ["body", "custom_fields"], "custom_fields_too_large"),
    ({"custom_fields": {"a": {"b": {"c": {"d": {"e": 1}}}}}},
     ["body", "custom_fields"], "custom_fields_too_deep"),
    ({"custom_fields": {"k": "nul\x00"}}, ["body", "custom_fields"], "invalid_custom_field_value"),
    ({"custom_fields": {"k": 2**70}}, ["body", "custom_fields"], "invalid_custom_field_value"),
    ({"custom_fields": {"": 1}}, ["body", "custom_fields"], "invalid_custom_field_key"),
    ({"custom_fields": ["not", "an", "object"]}, ["body", "custom_fields"], "dict_type"),
    ({"identities": [{"kind": "web", "value": "v"}] * 21}, ["body", "identities"], "too_long"),
    ({"vip": "gold"}, ["body", "vip"], "extra_forbidden"),
]


def test_invalid_input_is_422_with_field_path_and_code(api: TestClient) -> None:
    for body, loc, type_ in INVALID_BODIES:
        response = api.post(URL, json=body)
        assert response.status_code == 422, (loc, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        found = [{"loc": d["loc"], "type": d["type"]} for d in error["details"]]
        assert {"loc": loc, "type": type_} in found, (loc, found)
    assert api.get(URL).json()["items"] == []


def test_hostile_bodies_never_cause_a_500(api: TestClient) -> None:
    raw_bodies = [
        b'{"custom_fields": {"x": NaN}}',
        b'{"name": "\\ud800"}',
        b'{"identities": [{"kind": "email", "value": "\\udfff@x.com"}]}',
        b"[" * 5000 + b"]" * 5000,
        b"not json",
        b'{"custom_fields": {"x": 1' + b"0" * 5000 + b"}}",
    ]
    for raw in raw_bodies:
        response = api.post(URL, content=raw, headers={"content-type": "application/json"})
        assert response.status_code in {400, 422}, (raw[:40], response.status_code, response.text)
        assert response.json()["error"]["code"] in {"bad_request", "validation_error"}
    unicode_names = ["李雷", "สมชาย ใจดี", "Nguyễn Văn A", "👩🏽‍💼 Siti"]
    for name in unicode_names:
        assert create(api, name=name)["name"] == name


def test_unknown_and_malformed_ids(api: TestClient) -> None:
    missing = uuid.uuid4()
    for method, path in [
        ("get", f"{URL}/{missing}"), ("patch", f"{URL}/{missing}"), ("delete", f"{URL}/{missing}"),
        ("get", f"{URL}/{missing}/merges"), ("post", f"{URL}/{missing}/identities"),
    ]:
        body = {"kind": "web", "value": "v"} if path.endswith("identities") else {}
        response = api.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "customer_not_found"
    assert api.get(f"{URL}/not-a-uuid").status_code == 422
    customer = create(api)
    gone = api.delete(f"{URL}/{customer['id']}/identities/{missing}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "identity_not_found"


def test_list_filters_and_paginates(api: TestClient) -> None:
    create(api, name="Ana", market="PH", language="en", tags=["vip"], vip_tier="gold")
    create(api, name="Budi", market="ID", language="id", tags=["vip", "returns"],
           identities=[{"kind": "email", "value": "budi@shop.example"}])
    create(api, name="Chen Jie 陈杰", market="CN", language="zh", tags=["returns"], vip_tier="platinum")
    create(api, name="Dewi", market="ID", language="id")

    def names(**params: Any) -> list[str]:
        response = api.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert names() == ["Dewi", "Chen Jie 陈杰", "Budi", "Ana"]
    assert names(tag="VIP") == ["Budi", "Ana"]
    assert names(tag="returns", market="id") == ["Budi"]
    assert names(vip_tier="platinum") == ["Chen Jie 陈杰"]
    assert names(language="id") == ["Dewi", "Budi"]
    assert names(q="陈") == ["Chen Jie 陈杰"]
    assert names(q="SHOP.example") == ["Budi"]
    assert names(q="100%") == []
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get(URL, params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Dewi", "Chen Jie 陈杰", "Budi", "Ana"]
    for params in ({"limit": 0}, {"limit": 201}, {"cursor": "!!"}, {"cursor": "WyJ4Il0"},
                   {"vip_tier": "gold-ish"}, {"market": "Z9"}, {"q": "x" * 101}, {"q": "a\x00"}):
        response = api.get(URL, params=params)
        assert response.status_code == 422, (params, response.text)


def test_lookup_by_identity_in_any_format(api: TestClient) -> None:
    customer = create(api, market="TH", identities=[
        {"kind": "phone", "value": "081 234 5678"}, {"kind": "email", "value": "somchai@example.co.th"},
    ])
    for params in (
        {"kind": "phone", "value": "+66 81 234 5678"},
        {"kind": "phone", "value": "081-234-5678", "market": "th"},
        {"kind": "email", "value": "SOMCHAI@example.co.th"},
    ):
        response = api.get(f"{URL}/lookup", params=params)
        assert response.status_code == 200, (params, response.text)
        assert response.json()["id"] == customer["id"]
    missing = api.get(f"{URL}/lookup", params={"kind": "email", "value": "nobody@example.com"})
    assert missing.status_code == 404
    bad = api.get(f"{URL}/lookup", params={"kind": "phone", "value": "081-234-5678"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["type"] == "phone_needs_country_code"
    assert api.get(f"{URL}/lookup", params={"kind": "email", "value": "x@"}).status_code == 422


def test_update_merges_custom_fields_and_replaces_tags(
    api: TestClient, delivered: list[EventEnvelope]
) -> None:
    customer = create(api, name="Ana", tags=["a", "b"], custom_fields={"keep": 1, "drop": 2, "change": 3})
    response = api.patch(f"{URL}/{customer['id']}", json={
        "name": None, "vip_tier": "silver", "tags": ["b", "C"],
        "custom_fields": {"drop": None, "change": "new", "add": [1, 2]},
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] is None and body["vip_tier"] == "silver" and body["tags"] == ["b", "c"]
    assert body["custom_fields"] == {"keep": 1, "change": "new", "add": [1, 2]}
    assert api.get(f"{URL}/{customer['id']}").json() == body
    updated = [e.event for e in delivered if isinstance(e.event, CustomerUpdated)]
    assert [sorted(event.fields) for event in updated] == [
        ["custom_fields", "name", "tags", "vip_tier"]
    ]
    unchanged = api.patch(f"{URL}/{customer['id']}", json={"tags": ["c", "b"]})
    assert unchanged.json() == body
    assert len([e for e in delivered if e.event_type == "customer.updated"]) == 1
    too_many = {f"k{i}": i for i in range(50)}
    assert api.patch(f"{URL}/{customer['id']}", json={"custom_fields": too_many}).status_code == 422


def test_identities_add_verify_and_remove(api: TestClient) -> None:
    customer = create(api, market="VN")
    path = f"{URL}/{customer['id']}/identities"
    added = api.post(path, json={"kind": "phone", "value": "091 234 5678"})
    assert added.status_code == 201, added.text
    (identity,) = added.json()["identities"]
    assert (identity["value"], identity["verified"]) == ("+84912345678", False)
    verified = api.patch(f"{path}/{identity['id']}", json={"verified": True}).json()
    assert verified["identities"][0]["verified"] is True
    assert verified["identities"][0]["verified_at"] is not None
    assert api.post(path, json={"kind": "phone", "value": "+84 91 234 5678"}).status_code == 201
    other = create(api)
    taken = api.post(f"{URL}/{other['id']}/identities", json={"kind": "phone", "value": "+84912345678"})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "identity_taken"
    bad = api.post(path, json={"kind": "email", "value": "not-mail"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["body", "value"]
    removed = api.delete(f"{path}/{identity['id']}")
    assert removed.status_code == 200
    assert removed.json()["identities"] == []
    assert api.get(f"{URL}/lookup", params={"kind": "phone", "value": "+84912345678"}).status_code == 404
    assert api.post(f"{URL}/{other['id']}/identities",
                    json={"kind": "phone", "value": "+84912345678"}).status_code == 201


def test_national_number_in_a_market_without_a_numbering_plan_is_refused(api: TestClient) -> None:
    customer = create(api, market="AQ")
    response = api.post(f"{URL}/{customer['id']}/identities", json={"kind": "phone", "value": "044 123 456"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "phone_needs_country_code"


def test_delete_frees_identities(api: TestClient, delivered: list[EventEnvelope]) -> None:
    customer = create(api, identities=[{"kind": "line", "value": "U-del"}])
    assert api.delete(f"{URL}/{customer['id']}").status_code == 204
    assert api.get(f"{URL}/{customer['id']}").status_code == 404
    assert "customer.deleted" in event_types(delivered)
    create(api, identities=[{"kind": "line", "value": "U-del"}])


def test_resolve_endpoint_reports_creation_and_conflicts(api: TestClient) -> None:
    owner = create(api, identities=[{"kind": "email", "value": "mia@example.com"}])
    first = api.post(f"{URL}/resolve", json={
        "identities": [{"kind": "web", "value": "visitor-1"}, {"kind": "email", "value": "mia@example.com"}],
        "name": "Mia",
    })
    assert first.status_code == 200, first.text
    assert first.json()["created"] is True
    assert first.json()["conflicts"] == [
        {"kind": "email", "value": "mia@example.com", "owner_customer_id": owner["id"]}
    ]
    again = api.post(f"{URL}/resolve", json={"identities": [{"kind": "web", "value": "visitor-1"}]}).json()
    assert (again["id"], again["created"]) == (first.json()["id"], False)
    assert api.post(f"{URL}/resolve", json={"identities": []}).status_code == 422


def test_another_workspace_sees_nothing(
    api: TestClient, client: TestClient, other_tenant: Tenant
) -> None:
    customer = create(api, identities=[{"kind": "wechat", "value": "oShared"}])
    customer_path = f"{URL}/{customer['id']}"
    identity_id = customer["identities"][0]["id"]
    headers = other_tenant.headers
    assert client.get(customer_path, headers=headers).status_code == 404
    assert client.patch(customer_path, json={"name": "x"}, headers=headers).status_code == 404
    assert client.delete(customer_path, headers=headers).status_code == 404
    assert client.delete(f"{customer_path}/identities/{identity_id}", headers=headers).status_code == 404
    assert client.get(f"{customer_path}/merges", headers=headers).status_code == 404
    assert client.get(f"{URL}/lookup", params={"kind": "wechat", "value": "oShared"},
                      headers=headers).status_code == 404
    assert client.get(URL, headers=headers).json()["items"] == []
    theirs = client.post(URL, json={"identities": [{"kind": "wechat", "value": "oShared"}]}, headers=headers)
    assert theirs.status_code == 201
    merge = client.post(f"{URL}/{theirs.json()['id']}/merge", json={"source_id": customer["id"]},
                        headers=headers)
    assert merge.status_code == 404
    assert api.get(customer_path).json()["identities"][0]["value"] == "oShared"


def test_roles(client: TestClient, container: Container, tenant: Tenant, api: TestClient) -> None:
    customer = create(api)
    inspector = token_for(container, tenant, Role.QA_INSPECTOR)
    assert client.get(f"{URL}/{customer['id']}", headers=inspector).status_code == 200
    assert client.post(URL, json={}, headers=inspector).status_code == 403
    agent = token_for(container, tenant, Role.AGENT)
    assert client.post(URL, json={}, headers=agent).status_code == 201
    assert client.delete(f"{URL}/{customer['id']}", headers=agent).status_code == 403
