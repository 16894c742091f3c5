"""Macros through the HTTP API: CRUD, placeholder checks, the conversation's language, apply as a reply."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import make_agent, make_conversation

API = "/api/v1"
VARIANTS = {
    "en": "Hi {{customer.first_name|there}}, this is {{agent.name}}. Your refund is on its way.",
    "th": "สวัสดีค่ะคุณ{{customer.first_name|ลูกค้า}} การคืนเงินกำลังดำเนินการค่ะ",
    "zh-Hans": "{{customer.name|您好}}，退款已在处理中。",
}


def _macro(api: TestClient) -> dict[str, object]:
    response = api.post(
        f"{API}/automation/macros",
        json={
            "name": "Refund on its way",
            "variants": VARIANTS,
            "default_language": "en",
            "tags": ["refund"],
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_macro_crud_and_validation(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant
) -> None:
    macro = _macro(api)
    assert [m["name"] for m in api.get(f"{API}/automation/macros").json()] == ["Refund on its way"]
    bad = api.post(
        f"{API}/automation/macros",
        json={
            "name": "x",
            "variants": {"en": "Your card {{customer.card_number}}"},
            "default_language": "en",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"] == [
        {"loc": ["body", "variants", "en"], "msg": "unknown placeholder customer.card_number"}
    ]
    no_default = api.post(
        f"{API}/automation/macros", json={"name": "x", "variants": {"en": "Hi"}, "default_language": "th"}
    )
    assert no_default.status_code == 422
    dropped = api.patch(f"{API}/automation/macros/{macro['id']}", json={"variants": {"th": "สวัสดี"}})
    assert dropped.status_code == 422  # the default language would lose its variant
    renamed = api.patch(f"{API}/automation/macros/{macro['id']}", json={"name": "Refund sent"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Refund sent"
    agent = make_agent(container, workspace_id=tenant.workspace_id, role=Role.AGENT)
    assert client.get(f"{API}/automation/macros", headers=agent.headers).status_code == 200
    assert (
        client.post(
            f"{API}/automation/macros",
            headers=agent.headers,
            json={"name": "y", "variants": {"en": "Hi"}, "default_language": "en"},
        ).status_code
        == 403
    )
    assert api.delete(f"{API}/automation/macros/{macro['id']}").status_code == 204
    assert api.get(f"{API}/automation/macros/{macro['id']}").status_code == 404


def test_rendered_in_the_conversation_language_then_customer_then_default(api: TestClient) -> None:
    macro = _macro(api)
    thai = make_conversation(
        api,
        email="som@example.co.th",
        customer={"identities": [{"kind": "email", "value": "som@example.co.th"}], "name": "Somchai Jaidee"},
    )
    api.patch(f"{API}/conversations/{thai['id']}", json={"language": "th"})
    rendered = api.post(f"{API}/automation/macros/{macro['id']}/render", json={"conversation_id": thai["id"]})
    assert rendered.status_code == 200, rendered.text
    assert rendered.json()["language"] == "th" and rendered.json()["language_source"] == "conversation"
    assert rendered.json()["text"] == "สวัสดีค่ะคุณSomchai การคืนเงินกำลังดำเนินการค่ะ"
    chinese = make_conversation(
        api,
        email="li@example.cn",
        customer={"identities": [{"kind": "email", "value": "li@example.cn"}], "language": "zh"},
    )
    api.patch(f"{API}/conversations/{chinese['id']}", json={"language": None})
    body = api.post(
        f"{API}/automation/macros/{macro['id']}/render", json={"conversation_id": chinese["id"]}
    ).json()
    assert (body["language"], body["language_source"], body["text"]) == (
        "zh-Hans",
        "customer",
        "您好，退款已在处理中。",
    )
    vietnamese = make_conversation(api, email="lan@example.vn")
    api.patch(f"{API}/conversations/{vietnamese['id']}", json={"language": "vi"})
    body = api.post(
        f"{API}/automation/macros/{macro['id']}/render", json={"conversation_id": vietnamese["id"]}
    ).json()
    assert (body["language"], body["language_source"]) == ("en", "workspace")
    assert body["text"] == "Hi there, this is Admin. Your refund is on its way."
    assert body["missing"] == []


def test_apply_sends_the_reply_and_adds_tags(api: TestClient, tenant: Tenant) -> None:
    macro = _macro(api)
    conversation = make_conversation(api)
    applied = api.post(
        f"{API}/automation/macros/{macro['id']}/apply", json={"conversation_id": conversation["id"]}
    )
    assert applied.status_code == 201, applied.text
    messages = api.get(f"{API}/conversations/{conversation['id']}/messages").json()["items"]
    reply = [m for m in messages if m["direction"] == "outbound"]
    assert [(m["id"], m["text"], m["author_id"]) for m in reply] == [
        (
            applied.json()["message_id"],
            "Hi there, this is Admin. Your refund is on its way.",
            str(tenant.admin_id),
        )
    ]
    current = api.get(f"{API}/conversations/{conversation['id']}").json()
    assert "refund" in current["tags"] and current["first_response_at"] is not None
    missing = api.post(
        f"{API}/automation/macros/{macro['id']}/apply",
        json={"conversation_id": "0f0e0d0c-0b0a-0908-0706-050403020100"},
    )
    assert missing.status_code == 404


def test_macro_names_and_texts_refuse_control_and_bidi_characters(api: TestClient) -> None:
    for name, text in [("Refund \u202eusd", "Hi"), ("Refund", "Hi \x1b[31mnow"), ("Refund", "a\u2066b")]:
        response = api.post(
            f"{API}/automation/macros",
            json={"name": name, "variants": {"en": text}, "default_language": "en"},
        )
        assert response.status_code == 422, (name, text)
        assert "control or bidi-override" in response.text
    multi_line = api.post(
        f"{API}/automation/macros",
        json={"name": "Two lines", "variants": {"en": "Hi,\n\tthanks"}, "default_language": "en"},
    )
    assert multi_line.status_code == 201, multi_line.text
