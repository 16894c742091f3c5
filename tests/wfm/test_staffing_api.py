"""`POST /api/v1/wfm/staffing` and `kefu wfm staffing`: the same keys and figures, coded 422s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kefu.cli import main

EXAMPLE = {
    "volume": 100,
    "interval_minutes": 30,
    "aht_seconds": 180,
    "target_sl": 0.8,
    "target_seconds": 20,
    "shrinkage": 0.3,
}
KEYS = {"agents", "service_level", "occupancy", "probability_wait", "asa_seconds", "agents_with_shrinkage"}


def test_the_published_example(api: TestClient) -> None:
    response = api.post("/api/v1/wfm/staffing", json=EXAMPLE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.keys() >= KEYS
    assert body["agents"] == 14
    assert body["agents_with_shrinkage"] == 20
    assert round(body["service_level"], 4) == 0.8884
    assert round(body["probability_wait"], 3) == 0.174
    assert round(body["occupancy"], 3) == 0.714
    capped = api.post("/api/v1/wfm/staffing", json={**EXAMPLE, "max_occupancy": 0.7}).json()
    assert (capped["agents"], capped["agents_with_shrinkage"]) == (15, 22)


def test_erlang_a_and_concurrency(api: TestClient) -> None:
    chat = {**EXAMPLE, "model": "erlang_a", "patience_seconds": 120}
    body = api.post("/api/v1/wfm/staffing", json=chat).json()
    assert body["agents"] == 12
    assert 0 < body["probability_abandon"] < 0.1
    shared = api.post("/api/v1/wfm/staffing", json={**EXAMPLE, "concurrency": 3}).json()
    assert shared["agents"] == 5  # 14 slots, three chats an agent


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"target_sl": 1.0}, "invalid_service_level"),
        ({"target_sl": 0}, "invalid_service_level"),
        ({"aht_seconds": 0}, "invalid_aht"),
        ({"volume": -1}, "invalid_volume"),
        ({"interval_minutes": 0}, "invalid_interval"),
        ({"shrinkage": 1}, "invalid_shrinkage"),
        ({"max_occupancy": 0}, "invalid_max_occupancy"),
        ({"model": "erlang_a"}, "invalid_patience"),
        ({"volume": 10_000, "max_agents": 100}, "unstaffable"),
        ({"max_occupancy": 0.01, "max_agents": 500}, "unstaffable"),
        ({"volume": "many"}, "validation_error"),
        ({"agents": 3}, "validation_error"),
    ],
)
def test_bad_input_is_a_coded_422(api: TestClient, change: dict[str, Any], code: str) -> None:
    response = api.post("/api/v1/wfm/staffing", json={**EXAMPLE, **change})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_needs_authentication(client: TestClient) -> None:
    assert client.post("/api/v1/wfm/staffing", json=EXAMPLE).status_code == 401


def test_cli_prints_the_same_keys_as_the_api() -> None:
    args = [
        "wfm",
        "staffing",
        "--volume",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--target-seconds",
        "20",
        "--shrinkage",
        "0.3",
    ]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body.keys() >= KEYS
    assert (body["agents"], body["agents_with_shrinkage"]) == (14, 20)
    text = CliRunner().invoke(main, [*args, "--max-occupancy", "0.7"])
    assert "agents: 15" in text.output and "agents_with_shrinkage: 22" in text.output
    bad = CliRunner().invoke(main, [*args, "--target-sl", "1.5"])
    assert bad.exit_code != 0 and "invalid_service_level" in bad.output
