"""The QA review flow in a real browser: queue → evidence → override with a reason → the agent's report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.core.clock import FrozenClock
from kefu.main import create_app
from kefu.web.livesite import CHROMIUM, chromium, serving
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.qa.test_qa_api import _complaint_handled_badly
from tests.web.conftest import PASSWORD, make_agent
from tests.web.test_qa_pages import _agent_with_token

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def page(container: Container) -> Iterator[object]:
    with serving(create_app(container, start_worker=False)) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)
        yield context.new_page()
        context.close()


def test_inspector_overrides_a_check_and_the_report_reflects_it(
    page, client: TestClient, container: Container, tenant: Tenant, clock: FrozenClock
) -> None:
    from playwright.sync_api import expect

    agent = _agent_with_token(container, tenant, "mali")
    _complaint_handled_badly(client, agent, clock)
    inspector = make_agent(container, tenant, "liu", role=Role.QA_INSPECTOR)

    page.goto("/login")
    page.get_by_label("Email").fill(inspector.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox"))
    page.get_by_role("link", name="QA").click()
    queue = page.get_by_role("table", name="Evaluations to review")
    expect(queue).to_contain_text("Apologise before solving")
    queue.get_by_role("link", name=re.compile("Review")).first.click()
    page.wait_for_url(re.compile(r"/qa/evaluations/"))

    transcript = page.get_by_role("region", name="Transcript")
    evidence = transcript.locator('mark.evidence-failed[data-checks~="apology_before_solution"]')
    expect(evidence).to_have_count(2)
    expect(evidence.nth(0)).to_contain_text("issue")
    expect(evidence.nth(1)).to_have_text("sorry")
    row = page.locator("#check-apology_before_solution")
    expect(row).to_contain_text("Failed")

    page.get_by_label("Check", exact=True).select_option("apology_before_solution")
    page.get_by_label("Outcome").select_option("passed")
    page.get_by_label("Reason").fill("The customer asked for the refund first; the apology followed at once.")
    page.get_by_role("button", name="Save override").click()
    expect(page.get_by_role("status")).to_have_text("The override was saved.")
    expect(row).to_contain_text("Passed")
    expect(row).to_contain_text("Overridden")
    expect(page.get_by_role("region", name="Reviews")).to_contain_text(
        "The customer asked for the refund first"
    )

    page.goto(f"/qa/agents/{agent['agent_id']}")
    expect(page.get_by_test_id("overridden")).to_have_text("1")
    weakest = page.get_by_role("region", name="Weakest checks")
    expect(weakest).not_to_contain_text("Apologise before solving")
    report = client.get(
        f"/api/v1/qa/agents/{agent['agent_id']}/report", headers={"Authorization": agent["Authorization"]}
    ).json()
    assert report["overridden_checks"] == 1
