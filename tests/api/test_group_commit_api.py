"""Concurrent short writes over HTTP: grouped on SQLite, each request still succeeds or fails alone."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from kefu.customers.models import CustomerIdentity
from kefu.db.group_commit import Group
from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant


def _body(n: int, assignee_id: str | None = None) -> dict[str, object]:
    return {
        "channel": "chat",
        "customer": {"identities": [{"kind": "email", "value": f"burst-{n}@example.com"}], "name": f"C{n}"},
        "message": {"text": f"Order #{n} has not arrived yet"},
        "assignee_id": assignee_id,
    }


def test_a_burst_of_creations_commits_together_and_a_bad_one_fails_alone(
    container: Container, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    group_sizes: list[int] = []
    real_end = Group.end

    def end(group: Group) -> None:
        group_sizes.append(group.members)
        real_end(group)

    monkeypatch.setattr(Group, "end", end)
    app = create_app(container, start_worker=False)

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://kefu", headers=tenant.headers
        ) as client:
            await client.get("/api/v1/conversations")  # the token is looked up once, then cached
            group_sizes.clear()
            requests = [client.post("/api/v1/conversations", json=_body(n)) for n in range(6)]
            requests.insert(3, client.post("/api/v1/conversations", json=_body(99, str(uuid.uuid4()))))
            return await asyncio.gather(*requests)

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [201, 201, 201, 404, 201, 201, 201]
    assert responses[3].json()["error"]["code"] == "not_found"
    with container.session_factory() as session:
        emails = set(session.scalars(select(CustomerIdentity.value)))
        assert session.scalar(select(func.count()).select_from(CustomerIdentity)) == 6
    assert emails == {f"burst-{n}@example.com" for n in range(6)}  # the failed request's customer is gone
    if container.engine.dialect.name == "sqlite":
        assert sum(group_sizes) == 7 and max(group_sizes) > 1
    else:
        assert group_sizes == []  # PostgreSQL takes concurrent writers: each request commits alone
