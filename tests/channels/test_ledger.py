"""The inbound ledger through the API: stored raw and committed first, deduped, retried, parked, replayed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kefu.channels import service as channels
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.channels.conftest import FAKE_SECRET, create_inbox, fake_body, fake_post


@pytest.fixture
def inbox(api: TestClient) -> dict[str, Any]:
    """A fake-provider inbox."""
    return create_inbox(api, "fake", {"secret": FAKE_SECRET})


def _messages(api: TestClient) -> list[dict[str, Any]]:
    conversations = api.get("/api/v1/conversations").json()["items"]
    found = []
    for conversation in conversations:
        found += api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
    return found


def test_a_message_lands_on_a_customer_and_conversation(api: TestClient, inbox: dict[str, Any]) -> None:
    answer = fake_post(api, inbox, fake_body({"id": "m-1", "from": "u-42", "name": "Siti", "text": "Halo"}))
    assert answer.status_code == 200
    assert answer.json() == {"accepted": 1, "duplicates": 0}
    [message] = _messages(api)
    assert message["text"] == "Halo"
    assert message["external_id"] == "m-1"
    [conversation] = api.get("/api/v1/conversations").json()["items"]
    assert conversation["inbox_id"] == inbox["id"]
    assert conversation["channel"] == "app"
    [entry] = api.get("/api/v1/channels/inbound").json()["items"]
    assert entry["status"] == "processed"
    assert entry["message_id"] == message["id"]
    assert entry["conversation_id"] == conversation["id"]
    detail = api.get(f"/api/v1/channels/inbound/{entry['id']}").json()
    assert '"Halo"' in detail["request"]["body"]
    assert "x-fake-signature" in detail["request"]["headers"]


def test_a_redelivered_webhook_gives_one_message(api: TestClient, inbox: dict[str, Any]) -> None:
    body = fake_body({"id": "m-1", "from": "u-1", "text": "once"})
    assert fake_post(api, inbox, body).json() == {"accepted": 1, "duplicates": 0}
    assert fake_post(api, inbox, body).json() == {"accepted": 0, "duplicates": 1}
    twice = fake_body({"id": "m-2", "from": "u-1", "text": "a"}, {"id": "m-2", "from": "u-1", "text": "a"})
    assert fake_post(api, inbox, twice).json() == {"accepted": 1, "duplicates": 1}
    assert sorted(m["external_id"] for m in _messages(api)) == ["m-1", "m-2"]


def test_forged_malformed_and_unknown(api: TestClient, inbox: dict[str, Any], container: Container) -> None:
    body = fake_body({"id": "m-1", "from": "u-1", "text": "hi"})
    forged = fake_post(api, inbox, body, secret="wrong")
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "invalid_signature"
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM inbound_requests")).scalar() == 0
    malformed = fake_post(api, inbox, b'{"messages": [{"text": "no id"}]}')
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_payload"
    assert "id" in malformed.json()["error"]["message"]
    with container.engine.connect() as conn:  # kept for a look and a replay once the adapter reads it
        assert conn.execute(text("SELECT outcome FROM inbound_requests")).scalar() == "malformed"
    assert _messages(api) == []
    unknown = dict(inbox, webhook_url="/api/v1/channels/fake/0190a0b0-0000-7000-8000-000000000000/webhook")
    assert fake_post(api, unknown, body).status_code == 404
    assert (
        fake_post(api, dict(inbox, webhook_url="/api/v1/channels/fake/not-a-uuid/webhook"), body).status_code
        == 404
    )
    wrong_kind = dict(inbox, webhook_url=inbox["webhook_url"].replace("/fake/", "/line/"))
    assert fake_post(api, wrong_kind, body).status_code == 404
    api.post(f"/api/v1/inboxes/{inbox['id']}/disable")
    assert fake_post(api, inbox, body).status_code == 404


def test_failing_processing_retries_with_backoff_then_parks_and_replays(
    api: TestClient,
    inbox: dict[str, Any],
    container: Container,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kefu.wiring as wiring

    real = wiring.deliver_inbound
    calls: list[str] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls.append("x")
        raise RuntimeError("conversations unavailable")

    jobs = _channel_jobs(container)
    monkeypatch.setattr(jobs, "_sink", broken)
    assert fake_post(api, inbox, fake_body({"id": "m-9", "from": "u-9", "text": "lost?"})).status_code == 200
    [entry] = api.get("/api/v1/channels/inbound").json()["items"]
    assert entry["status"] == "pending"
    assert entry["attempt_count"] == 1
    assert "conversations unavailable" in entry["last_error"]
    delays = []
    for _ in range(channels.ENTRY_MAX_ATTEMPTS - 1):
        entry = api.get(f"/api/v1/channels/inbound/{entry['id']}").json()
        delays.append(round((_at(entry["next_attempt_at"]) - clock.now()).total_seconds()))
        clock.advance(seconds=delays[-1])
        jobs.retry_due()
    assert delays == list(channels.ENTRY_RETRY_DELAYS_SECONDS)
    parked = api.get("/api/v1/channels/inbound", params={"status": "parked"}).json()["items"]
    assert [p["id"] for p in parked] == [entry["id"]]
    assert len(calls) == channels.ENTRY_MAX_ATTEMPTS
    jobs.retry_due()
    assert len(calls) == channels.ENTRY_MAX_ATTEMPTS  # parked: no more automatic attempts
    assert _messages(api) == []
    monkeypatch.setattr(jobs, "_sink", real)
    assert api.post("/api/v1/channels/replay").json() == {"replayed": 1}
    [message] = _messages(api)
    assert message["text"] == "lost?"
    assert api.get(f"/api/v1/channels/inbound/{entry['id']}").json()["status"] == "processed"


def _at(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _channel_jobs(container: Container) -> Any:
    task = container.runtime._tasks["channels.process_inbound"]
    return task.func.__self__


def test_cli_replay_processes_parked_entries(
    api: TestClient, inbox: dict[str, Any], container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kefu.cli import main

    jobs = _channel_jobs(container)
    monkeypatch.setattr(jobs, "_sink", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("down")))
    monkeypatch.setattr(channels, "ENTRY_MAX_ATTEMPTS", 1)
    fake_post(api, inbox, fake_body({"id": "m-cli", "from": "u-c", "text": "parked"}))
    assert api.get("/api/v1/channels/inbound", params={"status": "parked"}).json()["items"]
    settings = container.settings
    monkeypatch.setenv("KEFU_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("KEFU_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(main, ["channels", "replay"])
    assert result.exit_code == 0, result.output
    assert "replayed 1 parked entries" in result.output
    assert [m["text"] for m in _messages(api)] == ["parked"]
