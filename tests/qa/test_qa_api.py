"""Quality inspection through the HTTP API: automatic scoring on resolve, review, reports, permissions."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.cli import main as cli
from kefu.core.clock import FrozenClock
from kefu.qa.tasks import evaluate_due
from kefu.wiring import Container
from tests.conftest import Tenant

API = "/api/v1"


def _member(container: Container, tenant: Tenant, role: Role) -> dict[str, str]:
    with container.session_factory() as session:
        agent = accounts.create_agent(
            session,
            workspace_id=tenant.workspace_id,
            data=AgentIn(
                email=f"{role.value}-{uuid.uuid4().hex[:6]}@acme.kefu.dev", display_name=role.value, role=role
            ),
        )
        token = accounts.issue_api_token(
            session, workspace_id=tenant.workspace_id, agent_id=agent.id, name="t"
        )
        session.commit()
        return {"Authorization": f"Bearer {token.token}", "agent_id": str(agent.id)}


def _headers(member: dict[str, str]) -> dict[str, str]:
    return {"Authorization": member["Authorization"]}


def _complaint_handled_badly(client: TestClient, agent: dict[str, str], clock: FrozenClock) -> dict[str, Any]:
    """A complaint where the agent proposes a refund before apologising, then resolves it."""
    opened = client.post(
        f"{API}/conversations",
        headers=_headers(agent),
        json={
            "customer": {"identities": [{"kind": "email", "value": "ann@example.com"}]},
            "channel": "chat",
            "message": {"text": "My order arrived broken, this is unacceptable!"},
        },
    )
    assert opened.status_code == 201, opened.text
    cid = opened.json()["id"]
    assert (
        client.post(
            f"{API}/conversations/{cid}/assign",
            headers=_headers(agent),
            json={"assignee_id": agent["agent_id"]},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{API}/conversations/{cid}/complaint", headers=_headers(agent), json={"is_complaint": True}
        ).status_code
        == 200
    )
    for text in (
        "Hello, I'll issue a full refund to your card today.",
        "I'm sorry about the damaged item.",
        "Thank you for your patience, have a nice day!",
    ):
        clock.advance(seconds=20)
        reply = client.post(
            f"{API}/conversations/{cid}/messages", headers=_headers(agent), json={"text": text}
        )
        assert reply.status_code == 201, reply.text
    resolved = client.post(
        f"{API}/conversations/{cid}/status", headers=_headers(agent), json={"status": "resolved"}
    )
    assert resolved.status_code == 200, resolved.text
    return dict(opened.json())


def test_resolved_complaint_is_scored_overridden_and_reported(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    inspector = _member(container, tenant, Role.QA_INSPECTOR)
    conversation = _complaint_handled_badly(client, agent, clock)

    found = client.get(f"{API}/qa/conversations/{conversation['id']}/evaluation", headers=_headers(agent))
    assert found.status_code == 200, found.text
    evaluation = found.json()
    checks = {c["check_id"]: c for c in evaluation["checks"]}
    failed = checks["apology_before_solution"]
    assert failed["outcome"] == "failed"
    assert [s["label"] for s in failed["evidence"]] == ["solution", "apology"]
    assert "refund" in failed["evidence"][0]["text"] or "issue" in failed["evidence"][0]["text"]
    assert all(s["message_id"] for s in failed["evidence"])
    assert checks["greeting"]["outcome"] == "passed"
    assert evaluation["agent_id"] == agent["agent_id"]
    automatic = evaluation["score"]
    assert automatic is not None and automatic < 100

    override = client.post(
        f"{API}/qa/evaluations/{evaluation['id']}/reviews",
        headers=_headers(inspector),
        json={
            "check_id": "apology_before_solution",
            "outcome": "passed",
            "reason": "The customer asked for the refund first; the apology came right after.",
        },
    )
    assert override.status_code == 201, override.text
    after = client.get(f"{API}/qa/evaluations/{evaluation['id']}", headers=_headers(inspector)).json()
    overridden = {c["check_id"]: c for c in after["checks"]}["apology_before_solution"]
    assert overridden["outcome"] == "passed" and overridden["automatic_outcome"] == "failed"
    assert overridden["override_reason"].startswith("The customer asked")
    assert after["review_state"] == "reviewed" and after["score"] > automatic
    assert after["automatic_score"] == automatic

    report = client.get(f"{API}/qa/agents/{agent['agent_id']}/report", headers=_headers(agent))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["evaluations"] == 1 and body["average_score"] == after["score"]
    assert body["overridden_checks"] == 1
    assert "apology_before_solution" not in {w["check_id"] for w in body["weakest_checks"]}


def test_agents_see_and_dispute_only_their_own(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent, other = _member(container, tenant, Role.AGENT), _member(container, tenant, Role.AGENT)
    conversation = _complaint_handled_badly(client, agent, clock)
    evaluation = client.get(
        f"{API}/qa/conversations/{conversation['id']}/evaluation", headers=_headers(agent)
    ).json()
    path = f"{API}/qa/evaluations/{evaluation['id']}"
    assert client.get(path, headers=_headers(other)).status_code == 404
    assert (
        client.get(
            f"{API}/qa/conversations/{conversation['id']}/evaluation", headers=_headers(other)
        ).status_code
        == 404
    )
    assert (
        client.get(f"{API}/qa/agents/{agent['agent_id']}/report", headers=_headers(other)).status_code == 404
    )
    dispute = {"check_id": "apology_before_solution", "reason": "I apologised in the same minute."}
    assert client.post(f"{path}/reviews", headers=_headers(other), json=dispute).status_code == 404
    made = client.post(f"{path}/reviews", headers=_headers(agent), json={**dispute, "outcome": "passed"})
    assert made.status_code == 201 and made.json()["kind"] == "dispute" and made.json()["outcome"] is None
    after = client.get(path, headers=_headers(agent)).json()
    assert after["review_state"] == "disputed" and after["score"] == evaluation["score"]
    assert client.get(f"{API}/qa/scorecards", headers=_headers(agent)).status_code == 403


def test_scorecard_versions_and_reevaluation(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _member(container, tenant, Role.AGENT)
    conversation = _complaint_handled_badly(client, agent, clock)
    cards = client.get(f"{API}/qa/scorecards", headers=tenant.headers).json()
    assert len(cards) == 1 and cards[0]["version"] == 1
    definition = cards[0]["definition"]
    definition["dimensions"][1]["checks"] = [
        c for c in definition["dimensions"][1]["checks"] if c["id"] != "apology_before_solution"
    ]
    patched = client.patch(
        f"{API}/qa/scorecards/{cards[0]['id']}", headers=tenant.headers, json={"definition": definition}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2

    progress: list[tuple[int, int]] = []
    assert (
        evaluate_due(container.session_factory, resolved_since=None, progress=lambda *p: progress.append(p))
        == 1
    )
    assert progress == [(1, 1)]
    evaluation = client.get(
        f"{API}/qa/conversations/{conversation['id']}/evaluation", headers=tenant.headers
    ).json()
    assert evaluation["scorecard_version"] == 2
    assert "apology_before_solution" not in {c["check_id"] for c in evaluation["checks"]}
    assert evaluate_due(container.session_factory, resolved_since=None) == 0


@pytest.mark.parametrize(
    "definition",
    [
        {"dimensions": []},
        {
            "dimensions": [
                {
                    "id": "a",
                    "name": "A",
                    "weight": 1,
                    "checks": [{"id": "Bad Id", "kind": "phrase", "params": {"cue": "greeting"}}],
                }
            ]
        },
    ],
)
def test_invalid_scorecards_are_422(api: TestClient, definition: dict[str, Any]) -> None:
    response = api.post(f"{API}/qa/scorecards", json={"name": "x", "definition": definition})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_unknown_evaluation_and_check(
    api: TestClient, client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    assert api.get(f"{API}/qa/evaluations/{uuid.uuid4()}").json()["error"]["code"] == "evaluation_not_found"
    agent = _member(container, tenant, Role.AGENT)
    conversation = _complaint_handled_badly(client, agent, clock)
    evaluation = api.get(f"{API}/qa/conversations/{conversation['id']}/evaluation").json()
    bad = api.post(
        f"{API}/qa/evaluations/{evaluation['id']}/reviews",
        json={"check_id": "nope", "outcome": "passed", "reason": "because"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_check"


def test_eval_qa_prints_one_json_line(tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["eval", "qa", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    body = json.loads(lines[0])
    assert body["n"] >= 300 and set(body["per_check"]["greeting"]) >= {"precision", "recall", "f1", "n"}
    assert body["macro_f1"] >= 0.85 and min(body["macro_f1_per_language"].values()) >= 0.75
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"messages": "nope"}\n', encoding="utf-8")
    failed = CliRunner().invoke(cli, ["eval", "qa", "--test", str(broken)])
    assert failed.exit_code != 0 and "broken.jsonl:1" in failed.output
