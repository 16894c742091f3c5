"""Item 8: /api/docs renders in a real browser with every request answered by Kefu itself (offline)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from kefu.main import create_app
from kefu.web.livesite import CHROMIUM, chromium, serving
from kefu.wiring import Container

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def site(container: Container) -> Iterator[str]:
    with serving(create_app(container, start_worker=False)) as url:
        yield url


def test_api_docs_render_with_no_external_request(site: str) -> None:
    from playwright.sync_api import Route, expect

    ours = urlsplit(site).netloc
    external: list[str] = []
    problems: list[str] = []

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours or route.request.url.startswith("data:"):
            route.continue_()
        else:  # as without internet: nothing outside the server answers
            external.append(route.request.url)
            route.abort()

    with chromium() as browser:
        context = browser.new_context(base_url=site)
        context.route("**/*", only_ours)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto("/api/docs")
        # the first /api/openapi.json builds the whole schema: slow on a busy machine
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kefu API", timeout=60_000)
        # Swagger UI renders only the operations near the viewport: the first tag's come first
        first = page.locator(".opblock-summary-path", has_text="/api/v1/conversations").first
        expect(first).to_be_visible(timeout=30_000)
        first.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        context.close()
    assert external == []
    assert problems == []  # no CSP violation, no script error
