"""The console in a real browser (Debian's Chromium through Playwright), found by role and name."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.main import create_app
from kefu.web.livesite import CHROMIUM, chromium, serving
from kefu.wiring import Container
from tests.web.conftest import PASSWORD, Agent, open_conversation

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def site(container: Container) -> Iterator[str]:
    with serving(create_app(container, start_worker=False)) as url:
        yield url


@pytest.fixture
def page(site: str) -> Iterator[object]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=site)
        yield context.new_page()
        context.close()


def _log_in(page, agent: Agent) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox"))


def test_login_live_message_reply_and_resolve(page, api: TestClient, agent: Agent) -> None:
    from playwright.sync_api import expect

    _log_in(page, agent)
    page.goto("/inbox?view=all")
    expect(page.locator("#console")).to_have_attribute("data-live", "connected")
    conversation = open_conversation(api, "ขอสอบถามเรื่องการคืนเงินค่ะ")  # committed and relayed on return
    row = page.get_by_role("link", name=re.compile("Somchai"))
    expect(row).to_be_visible(timeout=1000)  # a second agent sees it within 1 s
    row.click()
    page.wait_for_url(re.compile(conversation["id"]))
    page.get_by_label("Reply").fill("ได้เลยค่ะ กำลังตรวจสอบให้นะคะ")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("region", name="Messages")).to_contain_text("กำลังตรวจสอบ")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".thread-head .status-resolved")).to_be_visible()
    assert api.get(f"/api/v1/conversations/{conversation['id']}").json()["status"] == "resolved"


def test_keyboard_moves_opens_and_focuses_the_reply(page, api: TestClient, agent: Agent) -> None:
    from playwright.sync_api import expect

    for number, name in enumerate(("Ana", "Budi", "Chen")):
        open_conversation(api, f"hello from {name}", name=name, phone=f"+6681234567{number}")
    _log_in(page, agent)
    page.goto("/inbox?view=all")
    expect(page.locator("#console")).to_have_attribute("data-keyboard", "ready")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.get_by_role("link", name=re.compile("Budi"))).to_be_focused()
    page.keyboard.press("k")
    expect(page.get_by_role("link", name=re.compile("Chen"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Chen")).to_be_visible()
    page.keyboard.press("r")
    expect(page.get_by_label("Reply")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()


def test_a_second_agent_sees_an_assignment_within_a_second(page, api: TestClient, agent: Agent) -> None:
    from playwright.sync_api import expect

    conversation = open_conversation(api, "please help")
    _log_in(page, agent)
    page.goto("/inbox?view=mine")
    expect(page.locator("#console")).to_have_attribute("data-live", "connected")
    expect(page.locator('[data-count-for="mine"]')).to_have_text("0")
    api.post(f"/api/v1/conversations/{conversation['id']}/assign", json={"assignee_id": str(agent.id)})
    expect(page.get_by_role("link", name=re.compile("Somchai"))).to_be_visible(timeout=1000)
    expect(page.locator('[data-count-for="mine"]')).to_have_text("1", timeout=1000)
