"""POST /nlp/analyse: bounded work for any accepted text, and no lock held while models run."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.nlp.analyzer import load_analyzer

API = "/api/v1"
MARKER = "hold-the-model"


def test_ten_thousand_emoji_are_analysed_quickly(api: TestClient) -> None:
    api.post(f"{API}/nlp/analyse", json={"text": "where is my order 😡"})
    start = time.perf_counter()
    response = api.post(f"{API}/nlp/analyse", json={"text": "😀" * 10_000})
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    assert response.json()["bounded"] is True and response.json()["skipped"] == []
    assert elapsed < 1.0


def test_longer_texts_than_the_api_accepts_are_refused(api: TestClient) -> None:
    response = api.post(f"{API}/nlp/analyse", json={"text": "😀" * 10_001})
    assert response.status_code == 422
    assert response.json()["error"]["code"]


class _HeldSentiment:
    """Wraps the sentiment model: a text with the marker waits until released."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def predict(self, text: str, lang: str) -> Any:
        if MARKER in text:
            self.entered.set()
            self.release.wait(10)
        return self.inner.predict(text, lang)


def test_a_write_proceeds_while_an_analysis_is_running(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer = load_analyzer()
    held = _HeldSentiment(analyzer._sentiment)
    monkeypatch.setattr(analyzer, "_sentiment", held)
    results: dict[str, int] = {}

    def analyse() -> None:
        results["analyse"] = api.post(f"{API}/nlp/analyse", json={"text": f"{MARKER} refund"}).status_code

    def write() -> None:
        body = {"identities": [{"kind": "email", "value": "during@example.com"}]}
        results["write"] = api.post(f"{API}/customers", json=body).status_code

    analysing = threading.Thread(target=analyse)
    analysing.start()
    try:
        assert held.entered.wait(10)
        writing = threading.Thread(target=write)
        writing.start()
        writing.join(5)
        assert results.get("write") == 201  # written while the model was still running
    finally:
        held.release.set()
        analysing.join(10)
    assert results["analyse"] == 200


def test_an_inbound_emoji_flood_is_analysed_quickly(api: TestClient) -> None:
    body = {
        "customer": {"identities": [{"kind": "email", "value": "flood@example.com"}]},
        "channel": "chat",
        "message": {"text": "😀" * 20_000},
    }
    api.post(f"{API}/nlp/analyse", json={"text": "where is my order 😡"})
    start = time.perf_counter()
    created = api.post(f"{API}/conversations", json=body)
    elapsed = time.perf_counter() - start
    assert created.status_code == 201, created.text
    (message,) = api.get(f"{API}/conversations/{created.json()['id']}/messages").json()["items"]
    assert message["analysed_at"] is not None and message["sentiment"] is not None
    assert elapsed < 2.0
