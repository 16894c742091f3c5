"""Console pages through HTTP: login, logout, password, permissions, CSRF, escaping, headers, catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.web import i18n
from tests.conftest import Tenant, make_tenant
from tests.web.conftest import Agent, csrf_of, log_in, make_agent, open_conversation

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>"\'&'


def test_pages_send_strangers_to_the_login_page(client: TestClient) -> None:
    response = client.get("/inbox?view=all", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Finbox")
    page = client.get("/login")
    assert '<label for="email">Email</label>' in page.text
    assert '<label for="password">Password</label>' in page.text


def test_login_checks_the_password_and_logout_ends_the_session(client: TestClient, agent: Agent) -> None:
    page = client.get("/login")
    token = csrf_of(page.text)
    wrong = client.post("/login", data={"email": agent.email, "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "Wrong email or password." in wrong.text
    assert "kefu_session" not in client.cookies
    csrf = log_in(client, agent.email)
    assert client.get("/inbox", follow_redirects=False).status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_cookie(client: TestClient, agent: Agent) -> None:
    response = client.post("/login", data={"email": agent.email, "password": "x", "csrf_token": "forged"})
    assert response.status_code == 403


def test_password_change_needs_the_current_password(client: TestClient, agent: Agent) -> None:
    csrf = log_in(client, agent.email)
    bad = client.post(
        "/settings/password",
        data={
            "csrf_token": csrf,
            "current_password": "wrong",
            "new_password": "another secret 1",
            "confirm_password": "another secret 1",
        },
    )
    assert bad.status_code == 422
    good = client.post(
        "/settings/password",
        data={
            "csrf_token": csrf,
            "current_password": "correct horse battery",
            "new_password": "another secret 1",
            "confirm_password": "another secret 1",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    client.cookies.clear()
    log_in(client, agent.email, "another secret 1")


def test_pages_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_hostile_customer_strings_are_escaped(api: TestClient, client: TestClient, agent: Agent) -> None:
    conversation = open_conversation(api, HOSTILE, name=HOSTILE)
    log_in(client, agent.email)
    for url in (
        "/inbox?view=all",
        f"/conversations/{conversation['id']}",
        f"/conversations/{conversation['id']}/thread",
        f"/conversations/{conversation['id']}/context",
        f"/inbox/rows/{conversation['id']}?view=all",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(2)" not in page.text and "<img src=x" not in page.text, url
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text, url


def test_an_agent_replies_notes_assigns_and_resolves(
    api: TestClient, client: TestClient, agent: Agent
) -> None:
    conversation = open_conversation(api, "Đơn hàng của tôi chưa đến")
    csrf = log_in(client, agent.email)
    base = f"/conversations/{conversation['id']}"
    for path, data in [
        ("/reply", {"text": "Xin lỗi, chúng tôi đang kiểm tra"}),
        ("/reply", {"text": "check the courier", "kind": "note"}),
        ("/assign", {"assignee_id": "me"}),
        ("/priority", {"priority": "high"}),
        ("/tags", {"add": "delivery, vip"}),
        ("/status", {"status": "resolved"}),
    ]:
        response = client.post(
            base + path, data={"csrf_token": csrf, "view": "all", **data}, follow_redirects=False
        )
        assert response.status_code == 303, (path, response.text)
    state = api.get(f"/api/v1{base}").json()
    assert state["status"] == "resolved"
    assert state["assignee_id"] == str(agent.id)
    assert state["priority"] == "high"
    assert state["tags"] == ["delivery", "vip"]
    kinds = [m["direction"] for m in api.get(f"/api/v1{base}/messages").json()["items"]]
    assert kinds == ["inbound", "outbound", "note"]


def test_writes_need_the_csrf_token(api: TestClient, client: TestClient, agent: Agent) -> None:
    conversation = open_conversation(api, "hello")
    log_in(client, agent.email)
    response = client.post(f"/conversations/{conversation['id']}/reply", data={"text": "hi"})
    assert response.status_code == 403
    assert len(api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]) == 1


def test_qa_inspectors_read_but_do_not_write(
    container, tenant: Tenant, api: TestClient, client: TestClient
) -> None:
    inspector = make_agent(container, tenant, "quinn", role=Role.QA_INSPECTOR)
    conversation = open_conversation(api, "hello")
    csrf = log_in(client, inspector.email)
    page = client.get(f"/conversations/{conversation['id']}")
    assert page.status_code == 200 and 'id="reply"' not in page.text
    response = client.post(
        f"/conversations/{conversation['id']}/reply", data={"csrf_token": csrf, "text": "hi"}
    )
    assert response.status_code == 403
    response = client.post(
        f"/conversations/{conversation['id']}/status", data={"csrf_token": csrf, "status": "resolved"}
    )
    assert response.status_code == 403


def test_another_workspace_conversation_is_not_found(container, api: TestClient, client: TestClient) -> None:
    conversation = open_conversation(api, "secret")
    other = make_tenant(container, "Other Corp")
    stranger = make_agent(container, other, "sam")
    csrf = log_in(client, stranger.email)
    assert client.get(f"/conversations/{conversation['id']}").status_code == 404
    response = client.post(
        f"/conversations/{conversation['id']}/reply", data={"csrf_token": csrf, "text": "x"}
    )
    assert response.status_code == 404


def test_views_have_counts_and_the_ui_speaks_the_agents_language(
    container, tenant: Tenant, api: TestClient, client: TestClient
) -> None:
    agent = make_agent(container, tenant, "wei", languages=["zh", "en"])
    open_conversation(api, "你好，我的订单还没到")
    log_in(client, agent.email)
    page = client.get("/inbox?view=unassigned")
    assert 'lang="zh-Hans"' in page.text and "未分配" in page.text and "我的" in page.text
    assert client.get("/inbox/counts").json() == {"mine": 0, "unassigned": 1, "all": 1, "complaints": 0}


def test_english_and_chinese_catalogues_are_complete() -> None:
    source = Path(i18n.__file__).parent
    found = {
        item[2]
        for item in extract_from_dir(
            source,
            method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_translated": (2,)},
        )
    }
    ids = {m[0] if isinstance(m, tuple) else m for m in found}
    assert len(ids) > 100
    for locale in i18n.LOCALES:
        with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po)
        present = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
        assert ids <= present, (locale, sorted(ids - present))
        if locale in ("en", "zh_Hans"):
            untranslated = [
                m.id
                for m in catalogue
                if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
            ]
            assert untranslated == [], locale
