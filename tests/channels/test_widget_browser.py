"""The chat widget in a real browser (Debian's Chromium, Playwright) on a host page, across a reconnect."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.main import create_app
from kefu.web.livesite import CHROMIUM, chromium, serving
from kefu.wiring import Container
from tests.channels.conftest import create_inbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@contextmanager
def host_site(html: str) -> Iterator[str]:
    """Another site (its own origin on loopback) whose page carries the embed snippet."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(container: Container) -> Iterator[str]:
    with serving(create_app(container, start_worker=False)) as url:
        yield url


def _wait_for(probe: Any, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_visitor_chats_from_a_host_page_and_sees_replies_across_a_reconnect(
    site: str, api: TestClient
) -> None:
    from playwright.sync_api import expect

    inbox = create_inbox(api, "widget", {"title": "Shop help", "greeting": "欢迎光临"})
    snippet = inbox["embed_snippet"].replace("http://testserver", site)
    with (
        host_site(f"<!doctype html><title>Shop</title><h1>Shop</h1>{snippet}") as host,
        chromium() as browser,
    ):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(host)
        page.get_by_role("button", name="Chat").click()
        chat = page.frame_locator("iframe[title=Chat]")
        expect(chat.locator("#kefu-chat")).to_have_attribute("data-state", "connected")
        expect(chat.get_by_role("button", name="开始咨询")).to_be_visible()  # the UI follows the browser
        chat.get_by_label("姓名").fill("陈小姐")
        chat.get_by_label("邮箱或手机").fill("chen@example.cn")
        chat.get_by_role("button", name="开始咨询").click()
        chat.get_by_label("消息").fill("请问我的包裹到哪里了？")
        chat.get_by_role("button", name="发送").click()

        conversation = _wait_for(lambda: api.get("/api/v1/conversations").json()["items"])[0]
        customer = api.get(f"/api/v1/customers/{conversation['customer_id']}").json()
        assert customer["name"] == "陈小姐"
        api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "已发货，明天送达。"})
        log = chat.get_by_role("log")
        expect(log).to_contain_text(
            "已发货，明天送达。", timeout=20_000
        )  # the first message loads the NLP models

        # the connection drops; a reply made meanwhile arrives once after the widget reconnects
        frame = next(f for f in page.frames if "/widget/" in f.url)
        frame.evaluate("window.kefuChat.reconnect()")
        api.post(f"/api/v1/conversations/{conversation['id']}/messages", json={"text": "单号 SF123。"})
        expect(log).to_contain_text("单号 SF123。")
        expect(chat.locator("#kefu-chat")).to_have_attribute("data-state", "connected")
        chat.get_by_label("消息").fill("谢谢")
        chat.get_by_role("button", name="发送").click()
        expect(log.locator(".kc-msg:not(.pending)", has_text="谢谢")).to_have_count(1, timeout=20_000)
        for text in ("已发货，明天送达。", "单号 SF123。", "请问我的包裹到哪里了？"):
            expect(log.locator(".kc-msg", has_text=text)).to_have_count(1)
        context.close()
    inbound = [
        m
        for m in api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
        if m["direction"] == "inbound"
    ]
    assert [m["text"] for m in inbound] == ["请问我的包裹到哪里了？", "谢谢"]
