"""The request boundary: one unit of work per request, checks on begin, no deadlock with one web thread."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
import pytest
from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, event, func, insert, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.models import Agent, LoginFailure
from kefu.accounts.schemas import AgentIn
from kefu.config.settings import Settings
from kefu.core import clock
from kefu.core.clock import FrozenClock
from kefu.db.session import DbSession, UnitOfWorkRoute, check_on_begin
from kefu.jobs.runtime import RuntimeMode
from kefu.main import create_app
from kefu.wiring import Container, build_container
from tests.conftest import Tenant, make_tenant

PASSWORD = "correct horse battery"
BURST_SECONDS = 10.0  # far above the burst's real duration, far below SQLite's 30 s write-gate timeout


# ------------------------------------------------------------------ helpers


def _rows(container: Container, key: str) -> int:
    """Committed login_failures rows with this key (the tiny apps below write there)."""
    with container.session_factory() as session:
        return session.scalar(select(func.count()).where(LoginFailure.key_hash == key)) or 0


def _write(connection: Connection | Session, key: str) -> None:
    connection.execute(insert(LoginFailure).values(key_hash=key, attempted_at=clock.now()))


class Recorder:
    """A check that records its calls and whether the endpoint had written anything before it."""

    def __init__(self, key: str, *, fail: bool = False) -> None:
        self.key = key
        self.fail = fail
        self.calls: list[int] = []

    def __call__(self, connection: Connection) -> None:
        endpoint_rows = connection.execute(
            select(func.count()).where(LoginFailure.key_hash == f"{self.key}:endpoint")
        ).scalar_one()
        self.calls.append(endpoint_rows)
        _write(connection, f"{self.key}:check")
        if self.fail:
            raise HTTPException(status_code=401, detail="refused by the check")


async def checked(request: Request, session: DbSession) -> Session:
    """The request session, with the tiny app's checks registered on it."""
    for check in request.app.state.checks:
        check_on_begin(session, check)
    return session


Checked = Annotated[Session, Depends(checked)]


def _tiny_app(container: Container, checks: list[Callable[[Connection], None]]) -> FastAPI:
    """Endpoints of every shape behind UnitOfWorkRoute, with the real db_session dependency."""
    app = FastAPI()
    app.state.session_factory = container.session_factory
    app.state.checks = checks
    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.post("/write/{key}")
    def write(key: str, session: Checked, fail_after: bool = False, commit_between: bool = False) -> int:
        _write(session, f"{key}:endpoint")
        if commit_between:
            session.commit()
            _write(session, f"{key}:endpoint")
        session.flush()
        if fail_after:
            raise HTTPException(status_code=409, detail="after a partial write")
        return 1

    @router.post("/async-write/{key}")
    async def async_write(key: str, session: Checked, fail_after: bool = False) -> int:
        await anyio.to_thread.run_sync(_write, session, f"{key}:endpoint")
        if fail_after:
            raise HTTPException(status_code=409, detail="after a partial write")
        return 1

    @router.get("/untouched/sync")
    def untouched_sync(_session: Checked) -> str:
        return "done"

    @router.get("/untouched/sync-dependency-only", dependencies=[Depends(checked)])
    def untouched_dependency_only() -> str:
        return "done"

    @router.get("/untouched/async")
    async def untouched_async(_session: Checked) -> str:
        return "done"

    app.include_router(router)
    return app


@pytest.fixture
def tiny(container: Container) -> Iterator[Callable[..., TestClient]]:
    """Factory: a client of a tiny app whose sessions get the given checks."""
    clients: list[TestClient] = []

    def make(*checks: Callable[[Connection], None]) -> TestClient:
        test_client = TestClient(_tiny_app(container, list(checks)))
        clients.append(test_client.__enter__())
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


# ------------------------------------------------------------------ the unit of work


class SeeAtResponseStart:
    """ASGI wrapper: when the response starts, read the database from another connection."""

    def __init__(self, app: ASGIApp, read: Callable[[], Any]) -> None:
        self.app = app
        self.read = read
        self.seen: list[Any] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append(await anyio.to_thread.run_sync(self.read))
            await send(message)

        await self.app(scope, receive, watch)


def test_endpoint_changes_are_committed_before_the_response_starts(
    container: Container, tenant: Tenant, database_url: str
) -> None:
    outside = create_engine(database_url)  # a plain engine: reads never wait for the app's write gate

    def display_name() -> str | None:
        with outside.connect() as connection:
            return connection.scalar(select(Agent.display_name).where(Agent.id == tenant.admin_id))

    watched = SeeAtResponseStart(create_app(container, start_worker=False), display_name)
    try:
        with TestClient(watched) as client:
            client.headers.update(tenant.headers)
            for name in ("Seen Before Send", "Seen Again"):  # first lookup, then the cached token
                response = client.patch("/api/v1/me", json={"display_name": name})
                assert response.status_code == 200
                assert watched.seen[-1] == name
                assert display_name() == name
    finally:
        outside.dispose()


@pytest.mark.parametrize("path", ["/write", "/async-write"])
def test_endpoint_changes_are_committed_on_return_and_rolled_back_on_raise(
    tiny: Callable[..., TestClient], container: Container, path: str
) -> None:
    client = tiny()
    assert client.post(f"{path}/kept").status_code == 200
    assert _rows(container, "kept:endpoint") == 1
    refused = client.post(f"{path}/dropped", params={"fail_after": True})
    assert refused.status_code == 409
    assert _rows(container, "dropped:endpoint") == 0
    assert client.post(f"{path}/after").status_code == 200  # nothing left holding the database
    assert _rows(container, "after:endpoint") == 1


# ------------------------------------------------------------------ check_on_begin


def test_check_runs_once_before_the_first_statement_in_the_same_transaction(
    tiny: Callable[..., TestClient], container: Container
) -> None:
    kept, dropped = Recorder("kept"), Recorder("dropped")
    assert tiny(kept).post("/write/kept", params={"commit_between": True}).status_code == 200
    assert kept.calls == [0]  # once, although the endpoint ran two transactions; before its write
    assert (_rows(container, "kept:check"), _rows(container, "kept:endpoint")) == (1, 2)
    assert tiny(dropped).post("/write/dropped", params={"fail_after": True}).status_code == 409
    assert dropped.calls == [0]
    assert _rows(container, "dropped:check") == 0  # rolled back with the endpoint's write: one transaction


def test_failing_check_fails_the_first_statement_and_nothing_is_written(
    tiny: Callable[..., TestClient], container: Container
) -> None:
    check = Recorder("refused", fail=True)
    client = tiny(check)
    response = client.post("/write/refused")
    assert response.status_code == 401
    assert response.json()["detail"] == "refused by the check"
    assert check.calls == [0]
    assert (_rows(container, "refused:check"), _rows(container, "refused:endpoint")) == (0, 0)
    again = tiny(Recorder("next"))  # the failed transaction left no lock behind
    assert again.post("/write/next").status_code == 200
    assert (_rows(container, "next:check"), _rows(container, "next:endpoint")) == (1, 1)


@pytest.mark.parametrize("path", [
    "/untouched/sync", "/untouched/sync-dependency-only", "/untouched/async"
])
def test_checks_run_even_when_the_endpoint_never_touches_the_database(
    tiny: Callable[..., TestClient], container: Container, path: str
) -> None:
    passing = Recorder("passing")
    assert tiny(passing).get(path).json() == "done"
    assert passing.calls == [0]
    assert _rows(container, "passing:check") == 1  # and what the check wrote is committed
    failing = Recorder("failing", fail=True)
    response = tiny(failing).get(path)
    assert response.status_code == 401
    assert "done" not in response.text
    assert failing.calls == [0]
    assert _rows(container, "failing:check") == 0


def test_a_session_without_checks_or_statements_does_no_database_work(
    tiny: Callable[..., TestClient], container: Container
) -> None:
    checkouts: list[object] = []

    def count(*_args: Any) -> None:
        checkouts.append(None)

    event.listen(container.engine, "checkout", count)
    try:
        for path in ("/untouched/sync", "/untouched/sync-dependency-only", "/untouched/async"):
            assert tiny().get(path).json() == "done"
    finally:
        event.remove(container.engine, "checkout", count)
    assert checkouts == []


# ------------------------------------------------------------------ one web thread, no deadlock


@pytest.fixture
def one_thread_container(
    database_url: str, tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Container]:
    """A container configured like a process started with KEFU_WEB_THREADS=1."""
    monkeypatch.setenv("KEFU_WEB_THREADS", "1")
    settings = Settings(database_url=database_url, data_dir=tmp_path / "one-thread", run_worker=False)
    assert settings.resolved_web_threads() == 1
    built = build_container(settings, mode=RuntimeMode.INLINE)
    yield built
    built.close()


def _agent_with_token(container: Container, workspace_id: uuid.UUID, email: str) -> str:
    with container.session_factory() as session:
        agent = accounts.create_agent(session, workspace_id=workspace_id, data=AgentIn(
            email=email, display_name="Burst", password=PASSWORD, role=Role.AGENT,
        ))
        token = accounts.issue_api_token(session, workspace_id=workspace_id, agent_id=agent.id, name="burst")
        session.commit()
        return token.token


async def _burst(
    app: FastAPI, tokens: list[str], emails: list[str]
) -> tuple[float, list[int], list[int]]:
    """Log browsers in, then send every request at once: first token requests, cookie requests."""
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        threads = to_thread.current_default_thread_limiter().total_tokens
        browsers = [httpx.AsyncClient(transport=transport, base_url="http://kefu.test") for _ in emails]
        bearer = httpx.AsyncClient(transport=transport, base_url="http://kefu.test")
        try:
            csrf = []
            for browser, email in zip(browsers, emails, strict=True):
                login = await browser.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
                assert login.status_code == 200, login.text
                csrf.append({"X-CSRF-Token": login.json()["csrf_token"]})

            def round_of_requests(tag: str) -> list[Any]:
                calls: list[Any] = []
                for i in range(12):
                    headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                    calls.append(bearer.get("/api/v1/me", headers=headers) if i % 2 else
                                 bearer.patch("/api/v1/me", json={"display_name": f"{tag} {i}"},
                                              headers=headers))
                for browser, headers in zip(browsers, csrf, strict=True):
                    calls.append(browser.get("/api/v1/auth/session"))
                    calls.append(browser.patch("/api/v1/me", json={"display_name": f"{tag} cookie"},
                                               headers=headers))
                return calls

            statuses: list[list[int]] = []
            for tag in ("first", "cached"):
                tasks = [asyncio.ensure_future(call) for call in round_of_requests(tag)]
                _, pending = await asyncio.wait(tasks, timeout=BURST_SECONDS)
                assert not pending, f"{len(pending)} of {len(tasks)} {tag} requests still waiting: deadlock"
                statuses.append([task.result().status_code for task in tasks])
        finally:
            for client in (*browsers, bearer):
                await client.aclose()
    return threads, statuses[0], statuses[1]


def test_concurrent_first_requests_complete_with_one_web_thread(one_thread_container: Container) -> None:
    container = one_thread_container
    tenant = make_tenant(container, "Burst Co")
    tokens = [_agent_with_token(container, tenant.workspace_id, f"token{i}@burst.kefu.dev") for i in range(3)]
    emails = [f"browser{i}@burst.kefu.dev" for i in range(2)]
    for email in emails:
        _agent_with_token(container, tenant.workspace_id, email)
    threads, first, cached = asyncio.run(_burst(create_app(container, start_worker=False), tokens, emails))
    assert threads == 1
    assert first == [200] * 16
    assert cached == [200] * 16
