"""Timing checks on the applied SLA; phone calls inspected from their transcripts (speech-to-text seam)."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.qa.test_calibration_coaching import _evaluation
from tests.qa.test_qa_api import _complaint_handled_badly, _headers, _member

API = "/api/v1"


def test_first_response_time_is_judged_on_the_applied_sla(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    before = _evaluation(client, agent, _complaint_handled_badly(client, agent, clock))
    timing = {c["check_id"]: c for c in before["checks"]}["first_response_time"]
    assert timing["outcome"] == "passed" and "fixed target of 60 s" in timing["detail"]

    policy = client.post(
        f"{API}/sla/policies",
        headers=tenant.headers,
        json={
            "name": "Chat in 10 s",
            "targets": [{"metric": "first_response", "seconds": 10, "business_hours": False}],
        },
    )
    assert policy.status_code == 201, policy.text
    after = _evaluation(client, agent, _complaint_handled_badly(client, agent, clock))
    timing = {c["check_id"]: c for c in after["checks"]}["first_response_time"]
    assert timing["outcome"] == "failed" and timing["value"] == 20
    assert "applied SLA of 10 s" in timing["detail"]
    assert [s["label"] for s in timing["evidence"]] == ["customer wrote", "agent replied"]


SEGMENTS = [
    {"speaker": "customer", "text": "Hi, where is my parcel? It is two days late.", "start_seconds": 0},
    {"speaker": "agent", "text": "Hello, thank you for calling Kefu Shop.", "start_seconds": 3.5},
    {"speaker": "agent", "text": "Thank you for your patience, have a nice day!", "start_seconds": 40},
]


def _phone_conversation(client: TestClient, tenant: Tenant) -> str:
    opened = client.post(
        f"{API}/conversations",
        headers=tenant.headers,
        json={
            "customer": {"identities": [{"kind": "phone", "value": "+6281234567890"}]},
            "channel": "phone",
            "message": {"text": "[inbound call]"},
        },
    )
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


def test_a_phone_transcript_is_inspected_with_the_same_checks(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    conversation_id = _phone_conversation(client, tenant)
    path = f"{API}/qa/conversations/{conversation_id}/transcript"
    assert client.get(path, headers=tenant.headers).json()["error"]["code"] == "transcript_not_found"
    body = {"started_at": clock.now().isoformat(), "language": "en", "provider": "pbx", "segments": SEGMENTS}
    saved = client.put(path, headers=tenant.headers, json=body)
    assert saved.status_code == 200, saved.text
    checks = {c["check_id"]: c for c in saved.json()["checks"]}
    assert checks["greeting"]["outcome"] == "passed"
    assert checks["greeting"]["evidence"][0]["text"].lower().startswith("hello")
    assert checks["closing"]["outcome"] == "passed"
    assert checks["first_response_time"]["value"] == 3.5
    stored = client.get(path, headers=tenant.headers).json()
    assert stored["provider"] == "pbx" and [s["speaker"] for s in stored["segments"]] == [
        "customer",
        "agent",
        "agent",
    ]
    blame = {"speaker": "agent", "text": "As I already told you, it is your own fault.", "start_seconds": 20}
    rude = {**body, "segments": [*SEGMENTS[:2], blame]}
    again = client.put(path, headers=tenant.headers, json=rude).json()
    assert {c["check_id"]: c for c in again["checks"]}["rudeness"]["outcome"] == "failed"
    assert again["score"] == 0 and again["id"] == saved.json()["id"]
    bad = client.put(
        path,
        headers=tenant.headers,
        json={**body, "segments": [{"speaker": "bot", "text": "x", "start_seconds": 0}]},
    )
    assert bad.status_code == 422
    agent = _member(container, tenant, Role.AGENT)
    assert client.put(path, headers=_headers(agent), json=body).status_code == 403


def test_a_recording_goes_through_the_configured_speech_to_text_provider(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    conversation_id = _phone_conversation(client, tenant)
    path = f"{API}/qa/conversations/{conversation_id}/recording"
    files = {
        "customer": ("customer.wav", b"RIFF-customer", "audio/wav"),
        "agent": ("agent.wav", b"RIFF-agent", "audio/wav"),
    }
    form = {"started_at": clock.now().isoformat(), "language": "en"}
    missing = client.post(path, headers=tenant.headers, files=files, data=form)
    assert missing.status_code == 409 and missing.json()["error"]["code"] == "speech_to_text_not_configured"

    seen: list[httpx.Request] = []

    def provider(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        leg = b"customer" if b"RIFF-customer" in request.content else b"agent"
        segments = (
            [{"start": 0.0, "end": 2.0, "text": " My parcel is late."}]
            if leg == b"customer"
            else [
                {"start": 2.5, "end": 4.0, "text": " Hello, thanks for calling."},
                {"start": 30.0, "end": 32.0, "text": " Have a nice day!"},
            ]
        )
        return httpx.Response(200, content=json.dumps({"text": "...", "segments": segments}))

    container.settings.speech_to_text_url = "https://stt.example.com/v1"
    container.http_transport = httpx.MockTransport(provider)
    done = client.post(path, headers=tenant.headers, files=files, data=form)
    assert done.status_code == 200, done.text
    assert [str(r.url) for r in seen] == ["https://stt.example.com/v1/audio/transcriptions"] * 2
    assert b'name="response_format"\r\n\r\nverbose_json' in seen[0].content
    stored = client.get(f"{API}/qa/conversations/{conversation_id}/transcript", headers=tenant.headers).json()
    assert stored["provider"] == "openai_compatible"
    assert [(s["speaker"], s["start_seconds"]) for s in stored["segments"]] == [
        ("customer", 0.0),
        ("agent", 2.5),
        ("agent", 30.0),
    ]
    assert {c["check_id"]: c for c in done.json()["checks"]}["greeting"]["outcome"] == "passed"

    container.http_transport = httpx.MockTransport(lambda request: httpx.Response(500))
    failed = client.post(path, headers=tenant.headers, files=files, data=form)
    assert failed.status_code == 502 and failed.json()["error"]["code"] == "speech_to_text_failed"
