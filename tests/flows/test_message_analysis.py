"""Whole flow: a stored customer message is analysed after intake and drives priority and review."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"


def _open(api: TestClient, email: str, text: str, **fields: Any) -> dict[str, Any]:
    body = {
        "customer": {"identities": [{"kind": "email", "value": email}], **fields.pop("customer", {})},
        "channel": "chat",
        "message": {"text": text},
        **fields,
    }
    response = api.post(f"{API}/conversations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _messages(api: TestClient, conversation_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{API}/conversations/{conversation_id}/messages")
    assert response.status_code == 200
    return list(response.json()["items"])


def test_inbound_message_gets_language_intent_sentiment_and_anger(api: TestClient) -> None:
    conversation = _open(api, "budi@contoh.co.id", "Di mana pesanan saya? Nomor pesanan 88123")
    (message,) = _messages(api, conversation["id"])
    assert message["language"] == "id"
    assert message["intent"] == "order_status"
    assert 0 < message["intent_confidence"] <= 1
    assert message["sentiment"] in {"negative", "neutral", "positive"}
    assert message["anger"] is not None and message["analysed_at"] is not None
    assert message["abusive"] is False


def test_angry_negative_message_raises_priority_once(api: TestClient) -> None:
    text = "THIS IS UNACCEPTABLE!!! Third time I am asking where my refund is, you are useless, fix it NOW!!!"
    conversation = _open(api, "angry@example.com", text)
    (message,) = _messages(api, conversation["id"])
    assert message["sentiment"] == "negative" and message["angry"] is True
    current = api.get(f"{API}/conversations/{conversation['id']}").json()
    assert current["priority"] == "high"
    entries = api.get(f"{API}/conversations/{conversation['id']}/timeline").json()["items"]
    raised = [e for e in entries if e["kind"] == "priority_changed"]
    assert len(raised) == 1 and raised[0]["reason"] == "angry_customer"


def test_calm_message_keeps_normal_priority(api: TestClient) -> None:
    text = "Hi, could you tell me the exchange rate for SGD today? Thanks!"
    conversation = _open(api, "calm@example.com", text)
    assert api.get(f"{API}/conversations/{conversation['id']}").json()["priority"] == "normal"


def test_copy_paste_complaints_across_customers_are_flagged_for_review(api: TestClient) -> None:
    text = (
        "Your courier damaged my package and the phone inside is broken. I demand a full refund of "
        "the phone and compensation for my time, otherwise I will report you to the consumer agency."
    )
    flagged = []
    for n in range(2):
        conversation = _open(api, f"claimant{n}@example.com", text)
        marked = api.post(
            f"{API}/conversations/{conversation['id']}/complaint",
            json={"is_complaint": True, "amount": "300", "currency": "SGD"},
        )
        assert marked.status_code == 200, marked.text
        tags = api.get(f"{API}/conversations/{conversation['id']}").json()["tags"]
        flagged.append("review-possible-malicious" in tags)
    assert flagged == [False, True]


def test_workspace_intent_model_is_trained_activated_and_used(api: TestClient) -> None:
    examples = [
        {"text": text, "label": label}
        for label, texts in {
            "loyalty_points": [
                "how many loyalty points do I have", "check my reward points balance",
                "when do my points expire", "redeem my membership points", "points balance please",
            ],
            "store_hours": [
                "what time does the shop open", "are you open on sunday", "store opening hours",
                "when does the outlet close tonight", "opening times of your branch",
            ],
        }.items()
        for text in texts
    ]
    added = api.post(f"{API}/nlp/intents/examples", json={"examples": examples})
    assert added.status_code == 201 and added.json() == {"added": 10, "duplicates": 0}
    again = api.post(f"{API}/nlp/intents/examples", json={"examples": examples[:2]})
    assert again.json() == {"added": 0, "duplicates": 2}

    queued = api.post(f"{API}/nlp/intents/models", json={"activate": True})
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    version = api.get(f"{API}/nlp/intents/models/{queued.json()['id']}").json()
    assert version["status"] == "ready" and version["is_active"] is True
    assert version["labels"] == ["loyalty_points", "store_hours"]
    assert "accuracy" in version["metrics"]

    analysed = api.post(f"{API}/nlp/analyse", json={"text": "how many points are in my account?"})
    assert analysed.status_code == 200
    assert analysed.json()["intent"] == "loyalty_points"


def test_training_needs_enough_examples(api: TestClient) -> None:
    api.post(f"{API}/nlp/intents/examples", json={"examples": [{"text": "hi", "label": "greet"}]})
    refused = api.post(f"{API}/nlp/intents/models", json={})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_enough_examples"
