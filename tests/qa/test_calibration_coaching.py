"""Calibration, automatic-vs-human agreement, coaching notes, weekly digests, the review queue (HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.qa.tasks import compile_last_week
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.events import capture_events
from tests.factories import make_team
from tests.qa.test_qa_api import _complaint_handled_badly, _headers, _member

API = "/api/v1"


def _evaluation(client: TestClient, who: dict[str, str], conversation: dict[str, Any]) -> dict[str, Any]:
    found = client.get(f"{API}/qa/conversations/{conversation['id']}/evaluation", headers=_headers(who))
    assert found.status_code == 200, found.text
    return dict(found.json())


def test_calibration_kappa_and_automatic_agreement(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    first, second = (_complaint_handled_badly(client, agent, clock) for _ in range(2))
    rater_a = _member(container, tenant, Role.QA_INSPECTOR)
    rater_b = _member(container, tenant, Role.SUPERVISOR)
    outsider = _member(container, tenant, Role.QA_INSPECTOR)
    body = {
        "name": "March calibration",
        "rater_ids": [rater_a["agent_id"], rater_b["agent_id"]],
        "conversation_ids": [first["id"], second["id"]],
        "check_ids": ["greeting", "apology_before_solution"],
    }
    assert client.post(f"{API}/qa/calibrations", headers=_headers(agent), json=body).status_code == 403
    created = client.post(f"{API}/qa/calibrations", headers=_headers(rater_a), json=body)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    path = f"{API}/qa/calibrations/{session_id}"

    def score(rater: dict[str, str], conversation: dict[str, Any], greeting: str, apology: str) -> Any:
        return client.post(
            f"{path}/scores",
            headers=_headers(rater),
            json={
                "conversation_id": conversation["id"],
                "outcomes": {"greeting": greeting, "apology_before_solution": apology},
            },
        )

    assert score(rater_a, first, "failed", "failed").status_code == 200
    assert score(rater_a, first, "passed", "failed").status_code == 200  # rescoring replaces
    assert score(rater_a, second, "passed", "passed").status_code == 200
    assert score(rater_b, first, "passed", "failed").status_code == 200
    result = score(rater_b, second, "failed", "passed")
    assert result.status_code == 200, result.text
    body = result.json()
    per_check = {c["check_id"]: c for c in body["per_check"]}
    # greeting: (P,P), (P,F). p_o = .5; Cohen p_e = (2·1 + 0·1)/4 = .5 → κ = 0;
    # Fleiss p_P = 3/4, p_F = 1/4, P_e = .625 → κ = (.5 − .625)/.375 = −1/3
    greeting = per_check["greeting"]
    assert greeting["subjects"] == 2 and greeting["observed_agreement"] == 0.5
    assert greeting["cohen_kappa"] == pytest.approx(0.0)
    assert greeting["fleiss_kappa"] == pytest.approx(-1 / 3, abs=1e-4)
    # apology: (F,F), (P,P): perfect agreement, κ = 1 both ways
    apology = per_check["apology_before_solution"]
    assert apology["cohen_kappa"] == pytest.approx(1.0) and apology["fleiss_kappa"] == pytest.approx(1.0)
    # overall: (P,P) (P,F) (F,F) (P,P): p_o = .75; Cohen p_e = (3·2 + 1·2)/16 = .5 → κ = .5;
    # Fleiss p_P = 5/8, P_e = 34/64 → κ = (.75 − .53125)/.46875
    overall = body["overall"]
    assert overall["subjects"] == 4 and overall["cohen_kappa"] == pytest.approx(0.5)
    assert overall["fleiss_kappa"] == pytest.approx(0.21875 / 0.46875, abs=1e-4)
    # the automatic checker said greeting passed and apology failed on both conversations
    assert greeting["automatic_agreement"] == 0.75 and apology["automatic_agreement"] == 0.5
    assert body["scored"] == {rater_a["agent_id"]: 4, rater_b["agent_id"]: 4}

    refused = score(outsider, first, "passed", "passed")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_rater"
    unknown = client.post(
        f"{path}/scores",
        headers=_headers(rater_a),
        json={"conversation_id": first["id"], "outcomes": {"closing": "passed"}},
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_check"
    stranger = _complaint_handled_badly(client, agent, clock)
    outside = score(rater_a, stranger, "passed", "passed")
    assert outside.status_code == 422 and outside.json()["error"]["code"] == "invalid_calibration"

    # an override adds the whole evaluation as human-reviewed: apology failed → passed disagrees
    evaluation = _evaluation(client, rater_a, first)
    assert (
        client.post(
            f"{API}/qa/evaluations/{evaluation['id']}/reviews",
            headers=_headers(rater_a),
            json={
                "check_id": "apology_before_solution",
                "outcome": "passed",
                "reason": "Apology came first.",
            },
        ).status_code
        == 201
    )
    agreement = client.get(f"{API}/qa/agreement", headers=_headers(rater_a))
    assert agreement.status_code == 200, agreement.text
    checks = {c["check_id"]: c for c in agreement.json()["per_check"]}
    assert checks["apology_before_solution"]["subjects"] == 5
    assert checks["apology_before_solution"]["automatic_agreement"] == 0.4
    assert checks["greeting"]["subjects"] == 5 and checks["greeting"]["automatic_agreement"] == 0.8
    assert checks["closing"]["subjects"] == 1  # from the overridden evaluation only

    closed = client.post(f"{path}/close", headers=_headers(rater_a))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = score(rater_a, first, "failed", "failed")
    assert late.status_code == 409 and late.json()["error"]["code"] == "calibration_closed"
    assert [c["id"] for c in client.get(f"{API}/qa/calibrations", headers=_headers(rater_b)).json()] == [
        session_id
    ]


def test_calibration_sample_and_three_raters(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    conversations = [_complaint_handled_badly(client, agent, clock) for _ in range(3)]
    raters = [_member(container, tenant, Role.QA_INSPECTOR) for _ in range(3)]
    body = {"name": "s", "rater_ids": [r["agent_id"] for r in raters], "sample_size": 2, "seed": 7}
    made = client.post(f"{API}/qa/calibrations", headers=tenant.headers, json=body)
    assert made.status_code == 201, made.text
    again = client.post(f"{API}/qa/calibrations", headers=tenant.headers, json=body).json()
    assert made.json()["conversation_ids"] == again["conversation_ids"]  # seeded sample
    assert set(made.json()["conversation_ids"]) <= {c["id"] for c in conversations}
    assert len(made.json()["check_ids"]) == 10
    session = made.json()
    for rater, outcome in zip(raters, ("passed", "passed", "failed"), strict=True):
        for conversation_id in session["conversation_ids"]:
            client.post(
                f"{API}/qa/calibrations/{session['id']}/scores",
                headers=_headers(rater),
                json={"conversation_id": conversation_id, "outcomes": {"greeting": outcome}},
            )
    read = client.get(f"{API}/qa/calibrations/{session['id']}", headers=tenant.headers).json()
    greeting = {c["check_id"]: c for c in read["per_check"]}["greeting"]
    # two subjects rated P, P, F: P_i = (4 + 1 − 3)/6 = 1/3; p_P = 2/3 → P_e = 5/9; κ = (1/3 − 5/9)/(4/9)
    assert greeting["cohen_kappa"] is None and greeting["fleiss_kappa"] == pytest.approx(-0.5)
    assert greeting["observed_agreement"] == pytest.approx(1 / 3, abs=1e-4)
    bad = client.post(
        f"{API}/qa/calibrations",
        headers=tenant.headers,
        json={**body, "conversation_ids": [conversations[0]["id"]]},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_calibration"
    one = client.post(
        f"{API}/qa/calibrations",
        headers=tenant.headers,
        json={**body, "rater_ids": [raters[0]["agent_id"]] * 2},
    )
    assert one.status_code == 422 and one.json()["error"]["code"] == "invalid_calibration"


def test_coaching_notes_reach_the_agent_and_the_weekly_digest(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent, other = _member(container, tenant, Role.AGENT), _member(container, tenant, Role.AGENT)
    lead = _member(container, tenant, Role.SUPERVISOR)
    team_id = make_team(container, workspace_id=tenant.workspace_id, name="Tier 1")
    assert (
        client.put(f"{API}/teams/{team_id}/members/{agent['agent_id']}", headers=tenant.headers).status_code
        == 204
    )
    conversation = _complaint_handled_badly(client, agent, clock)
    evaluation = _evaluation(client, agent, conversation)
    note = {
        "agent_id": agent["agent_id"],
        "evaluation_id": evaluation["id"],
        "check_id": "apology_before_solution",
        "text": "Apologise before you solve: say sorry first, then offer the refund.",
    }
    with capture_events(container, 1, of_type="qa.coaching_note_added") as events:
        added = client.post(f"{API}/qa/coaching-notes", headers=_headers(lead), json=note)
    assert added.status_code == 201, added.text
    assert events[0].payload["agent_id"] == agent["agent_id"]
    assert client.post(f"{API}/qa/coaching-notes", headers=_headers(agent), json=note).status_code == 403
    wrong = client.post(
        f"{API}/qa/coaching-notes", headers=_headers(lead), json={**note, "agent_id": other["agent_id"]}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "evaluation_of_another_agent"

    mine = client.get(f"{API}/qa/agents/{agent['agent_id']}/coaching-notes", headers=_headers(agent))
    assert [n["text"] for n in mine.json()] == [note["text"]]
    assert (
        client.get(f"{API}/qa/agents/{agent['agent_id']}/coaching-notes", headers=_headers(other)).status_code
        == 404
    )
    report = client.get(f"{API}/qa/agents/{agent['agent_id']}/report", headers=_headers(agent)).json()
    assert [n["check_id"] for n in report["coaching_notes"]] == ["apology_before_solution"]
    note_id = added.json()["id"]
    acknowledge = f"{API}/qa/coaching-notes/{note_id}/acknowledge"
    assert client.post(acknowledge, headers=_headers(other)).status_code == 404
    read = client.post(acknowledge, headers=_headers(agent))
    assert read.status_code == 200 and read.json()["acknowledged_at"] is not None

    with capture_events(container, 1, of_type="qa.weekly_digest_compiled"):
        compiled = client.post(f"{API}/qa/digests?week=2026-W10", headers=_headers(lead))
    assert compiled.status_code == 200, compiled.text
    digests = {d["scope"]: d for d in compiled.json()}
    mine_digest = digests["agent"]["content"]
    assert mine_digest["evaluations"] == 1 and mine_digest["average_score"] == evaluation["score"]
    assert mine_digest["previous_average_score"] is None and mine_digest["change"] is None
    assert mine_digest["coaching_notes"][0]["check_id"] == "apology_before_solution"
    weakest = {w["check_id"]: w for w in mine_digest["weakest_checks"]}
    assert weakest["apology_before_solution"]["examples"][0]["evidence"]["label"] == "solution"
    team = digests["team"]["content"]
    assert team["team_name"] == "Tier 1" and [a["agent_id"] for a in team["agents"]] == [agent["agent_id"]]
    assert [d["scope"] for d in client.get(f"{API}/qa/digests", headers=_headers(agent)).json()] == ["agent"]
    assert client.get(f"{API}/qa/digests", headers=_headers(other)).json() == []
    bad = client.get(f"{API}/qa/digests?week=March", headers=_headers(lead))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_week"

    team_report = client.get(f"{API}/qa/teams/{team_id}/report", headers=_headers(lead))
    assert team_report.status_code == 200, team_report.text
    assert team_report.json()["evaluations"] == 1 and team_report.json()["agents"] == [
        {"agent_id": agent["agent_id"], "evaluations": 1, "average_score": evaluation["score"]}
    ]
    assert "apology_before_solution" in {w["check_id"] for w in team_report.json()["weakest_checks"]}
    assert client.get(f"{API}/qa/teams/{team_id}/report", headers=_headers(agent)).status_code == 403

    clock.advance(days=7)  # the Monday job compiles last week once more, replacing the rows
    assert compile_last_week(container.session_factory) == 2
    assert len(client.get(f"{API}/qa/digests?week=2026-W10", headers=_headers(lead)).json()) == 2


def test_review_queue_puts_disputes_first_and_drops_reviewed(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    inspector = _member(container, tenant, Role.QA_INSPECTOR)
    first, second = (_complaint_handled_badly(client, agent, clock) for _ in range(2))
    disputed = _evaluation(client, agent, second)
    assert (
        client.post(
            f"{API}/qa/evaluations/{disputed['id']}/reviews",
            headers=_headers(agent),
            json={"check_id": "apology_before_solution", "reason": "I did apologise."},
        ).status_code
        == 201
    )
    queue = client.get(f"{API}/qa/review-queue?low_score=100", headers=_headers(inspector)).json()
    assert queue[0]["evaluation_id"] == disputed["id"]
    assert queue[0]["reasons"][0] == "disputed" and "low_score" in queue[1]["reasons"]
    assert "apology_before_solution" in queue[1]["failed_checks"]
    assert client.get(
        f"{API}/qa/review-queue?low_score=0&sample_percent=0", headers=_headers(inspector)
    ).json()[0]["reasons"] == ["disputed"]
    everything = client.get(
        f"{API}/qa/review-queue?low_score=0&sample_percent=100", headers=_headers(inspector)
    )
    assert {i["evaluation_id"] for i in everything.json()} == {
        disputed["id"],
        _evaluation(client, agent, first)["id"],
    }
    assert (
        client.post(
            f"{API}/qa/evaluations/{disputed['id']}/reviews",
            headers=_headers(inspector),
            json={
                "check_id": "apology_before_solution",
                "outcome": "failed",
                "reason": "The refund came first.",
            },
        ).status_code
        == 201
    )
    after = client.get(f"{API}/qa/review-queue?low_score=100", headers=_headers(inspector)).json()
    assert disputed["id"] not in {i["evaluation_id"] for i in after}
    assert client.get(f"{API}/qa/review-queue", headers=_headers(agent)).status_code == 403
