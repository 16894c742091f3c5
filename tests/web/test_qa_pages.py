"""Quality-inspection pages over HTTP: evidence, override and dispute, report, calibration, roles."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.web.qa_pages import Piece, highlight
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import make_agent as make_member
from tests.factories import make_team
from tests.qa.test_qa_api import _complaint_handled_badly
from tests.web.conftest import csrf_of, log_in, make_agent

API = "/api/v1"


def test_highlight_cuts_the_text_at_every_evidence_boundary() -> None:
    text = "Hello, I'll refund you. Sorry!"
    pieces = highlight(
        text,
        [
            (7, 22, "apology_before_solution", "solution"),
            (0, 5, "greeting", "greeting"),
            (24, 30, "apology_before_solution", "apology"),
            (10, 40, "x", "clipped"),
        ],
    )
    assert "".join(p.text for p in pieces) == text
    assert pieces[0] == Piece("Hello", ("greeting",), ("greeting",))
    assert pieces[1] == Piece(", ", (), ())
    assert pieces[2] == Piece("I'l", ("apology_before_solution",), ("solution",))
    assert pieces[3] == Piece("l refund you", ("apology_before_solution", "x"), ("solution", "clipped"))
    assert pieces[4] == Piece(". ", ("x",), ("clipped",))
    assert pieces[-1] == Piece("Sorry!", ("apology_before_solution", "x"), ("apology", "clipped"))
    assert highlight("", []) == []


def _agent_with_token(container: Container, tenant: Tenant, name: str) -> dict[str, str]:
    member = make_member(
        container, workspace_id=tenant.workspace_id, email=f"{name}@acme.kefu.dev", name=name
    )
    return {
        "Authorization": f"Bearer {member.token}",
        "agent_id": str(member.agent_id),
        "email": member.email,
    }


def test_review_override_dispute_and_report_pages(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _agent_with_token(container, tenant, "mali")
    conversation = _complaint_handled_badly(client, agent, clock)
    evaluation = client.get(
        f"{API}/qa/conversations/{conversation['id']}/evaluation",
        headers={"Authorization": agent["Authorization"]},
    ).json()
    inspector = make_agent(container, tenant, "liu", role=Role.QA_INSPECTOR)
    csrf = log_in(client, inspector.email)

    queue = client.get("/qa")
    assert queue.status_code == 200 and f"/qa/evaluations/{evaluation['id']}" in queue.text
    page = client.get(f"/qa/evaluations/{evaluation['id']}")
    assert page.status_code == 200
    marks = re.findall(
        r'<mark class="evidence evidence-failed" data-checks="([^"]+)"[^>]*>([^<]+)</mark>', page.text
    )
    assert any("apology_before_solution" in checks and "issue" in text for checks, text in marks)
    assert any("apology_before_solution" in checks and "sorry" in text.lower() for checks, text in marks)

    short = client.post(
        f"/qa/evaluations/{evaluation['id']}/reviews",
        data={"csrf_token": csrf, "check_id": "apology_before_solution", "outcome": "passed", "reason": "x"},
    )
    assert short.status_code == 422 and "at least 3 characters" in short.text
    forged = client.post(
        f"/qa/evaluations/{evaluation['id']}/reviews",
        data={"csrf_token": "nope", "check_id": "greeting", "outcome": "failed", "reason": "nope"},
    )
    assert forged.status_code == 403
    saved = client.post(
        f"/qa/evaluations/{evaluation['id']}/reviews",
        data={
            "csrf_token": csrf,
            "check_id": "apology_before_solution",
            "outcome": "passed",
            "reason": "The customer asked for the refund first.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = client.get(saved.headers["location"])
    assert "The override was saved." in after.text and "Overridden" in after.text
    row = re.search(r'<tr id="check-apology_before_solution".*?</tr>', after.text, re.S)
    assert row is not None and "outcome-passed" in row.group() and "The customer asked" in row.group()
    coached = client.post(
        f"/qa/evaluations/{evaluation['id']}/coaching",
        data={
            "csrf_token": csrf,
            "check_id": "apology_before_solution",
            "text": "Say sorry before you offer the refund.",
        },
        follow_redirects=False,
    )
    assert coached.status_code == 303

    report = client.get(f"/qa/agents/{agent['agent_id']}")
    assert report.status_code == 200
    assert re.search(r'data-testid="overridden">1<', report.text)
    assert "Say sorry before you offer the refund." in report.text

    team_id = make_team(container, workspace_id=tenant.workspace_id, name="Tier 1")
    client.put(f"{API}/teams/{team_id}/members/{agent['agent_id']}", headers=tenant.headers)
    assert f"/qa/teams/{team_id}" in client.get("/qa").text
    team = client.get(f"/qa/teams/{team_id}")
    assert team.status_code == 200 and ">mali<" in team.text and 'data-testid="overridden">1<' in team.text

    # the agent: redirected to their own report, may dispute, sees no queue or calibration
    client.cookies.clear()
    agent_csrf = log_in(client, agent["email"])
    assert client.get("/qa", follow_redirects=False).headers["location"] == f"/qa/agents/{agent['agent_id']}"
    own = client.get(f"/qa/agents/{agent['agent_id']}")
    assert "Mark as read" in own.text
    note_id = re.search(r"/qa/coaching-notes/([0-9a-f-]+)/acknowledge", own.text)
    assert note_id is not None
    read = client.post(f"/qa/coaching-notes/{note_id.group(1)}/acknowledge", data={"csrf_token": agent_csrf})
    assert read.status_code == 200 and "Mark as read" not in read.text
    assert client.get(f"/qa/agents/{inspector.id}").status_code == 403
    assert client.get("/qa/calibrations").status_code == 403
    assert client.get(f"/qa/teams/{team_id}").status_code == 403
    own_page = client.get(f"/qa/evaluations/{evaluation['id']}")
    assert "Dispute a check" in own_page.text and 'name="outcome"' not in own_page.text
    disputed = client.post(
        f"/qa/evaluations/{evaluation['id']}/reviews",
        data={"csrf_token": agent_csrf, "check_id": "greeting", "reason": "I greeted them."},
    )
    assert disputed.status_code == 200 and "Your dispute was sent" in disputed.text
    other = make_agent(container, tenant, "sam")
    client.cookies.clear()
    log_in(client, other.email)
    assert client.get(f"/qa/evaluations/{evaluation['id']}").status_code == 404


def test_calibration_pages_score_and_show_kappa(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _agent_with_token(container, tenant, "mali")
    _complaint_handled_badly(client, agent, clock)
    inspector = make_agent(container, tenant, "liu", role=Role.QA_INSPECTOR)
    lead = make_agent(container, tenant, "wei", role=Role.SUPERVISOR)
    csrf = log_in(client, inspector.email)
    listing = client.get("/qa/calibrations")
    assert listing.status_code == 200 and "New calibration session" in listing.text
    refused = client.post(
        "/qa/calibrations", data={"csrf_token": csrf, "name": "x", "rater_ids": [str(inspector.id)]}
    )
    assert refused.status_code == 422 and "at least two raters" in refused.text
    made = client.post(
        "/qa/calibrations",
        follow_redirects=False,
        data={
            "csrf_token": csrf,
            "name": "Week 10",
            "sample_size": "3",
            "rater_ids": [str(inspector.id), str(lead.id)],
        },
    )
    assert made.status_code == 303
    path = made.headers["location"]
    page = client.get(path)
    assert page.status_code == 200 and "Save scores" in page.text
    conversation_id = re.search(r'name="conversation_id" value="([^"]+)"', page.text)
    assert conversation_id is not None
    scored = client.post(
        f"{path}/scores",
        data={
            "csrf_token": csrf,
            "conversation_id": conversation_id.group(1),
            "check:greeting": "passed",
            "check:closing": "",
        },
    )
    assert scored.status_code == 200
    assert re.search(r'<option value="passed" selected>Passed</option>', scored.text)
    assert "Cohen&#39;s kappa" in scored.text or "Cohen's kappa" in scored.text


def test_customer_text_is_escaped_on_the_review_page(
    client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    agent = _agent_with_token(container, tenant, "mali")
    headers = {"Authorization": agent["Authorization"]}
    opened = client.post(
        f"{API}/conversations",
        headers=headers,
        json={
            "customer": {"identities": [{"kind": "email", "value": "eve@example.com"}]},
            "channel": "chat",
            "message": {"text": "<img src=x onerror=alert(1)> hello?"},
        },
    )
    cid = opened.json()["id"]
    client.post(f"{API}/conversations/{cid}/messages", headers=headers, json={"text": "Hello <b>there</b>"})
    client.post(f"{API}/conversations/{cid}/status", headers=headers, json={"status": "resolved"})
    evaluation = client.get(f"{API}/qa/conversations/{cid}/evaluation", headers=tenant.headers).json()
    inspector = make_agent(container, tenant, "liu", role=Role.QA_INSPECTOR)
    log_in(client, inspector.email)
    page = client.get(f"/qa/evaluations/{evaluation['id']}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>there</b>" not in page and csrf_of(page)
