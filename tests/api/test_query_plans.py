"""The write path reads by its indexes: no statement of a request scans a workspace's rows (SQLite plans)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from kefu.wiring import Container

WORKSPACE_ONLY = re.compile(r"^SEARCH (\w+) .*INDEX \w+ \(workspace_id=\?\)$")
"""A plan that reads every row of the workspace and filters them: cost grows with the workspace."""
SETTINGS_TABLES = {
    "webhook_endpoints", "intent_model_versions", "sla_policies", "sla_calendars", "qa_scorecards",
    "automation_rules", "routing_queues",
}
"""A workspace's few configuration rows, read whole by design."""
TABLE_SCAN = re.compile(r"^SCAN (?!CONSTANT ROWS|\d+ CONSTANT ROWS)\w+(?! USING)")


@pytest.fixture
def plans(container: Container) -> Iterator[list[tuple[str, str]]]:
    """(statement, plan line) of every SELECT, UPDATE and DELETE the engine runs during the test."""
    seen: list[tuple[str, str]] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if many or not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            return
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        seen.extend((statement, row[-1]) for row in rows)

    event.listen(container.engine, "before_cursor_execute", explain)
    yield seen
    event.remove(container.engine, "before_cursor_execute", explain)


def _offending(plans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    def whole_workspace(line: str) -> bool:
        found = WORKSPACE_ONLY.search(line)
        return found is not None and found[1] not in SETTINGS_TABLES

    return [(sql, line) for sql, line in plans if TABLE_SCAN.search(line) or whole_workspace(line)]


def _open(api: TestClient, n: int, identities: list[dict[str, str]]) -> dict[str, Any]:
    response = api.post("/api/v1/conversations", json={
        "channel": "chat", "customer": {"identities": identities, "name": f"Customer {n}"},
        "message": {"text": f"Pesanan #{n} belum sampai"},
    })
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_opening_conversations_never_reads_the_whole_workspace(
    api: TestClient, plans: list[tuple[str, str]]
) -> None:
    """New and returning customers opening conversations and writing again are all index lookups."""
    for n in (0, 1, 2, 10):
        if n == 10:
            plans.clear()
        _open(api, n, [{"kind": "app", "value": f"user-{n}"}, {"kind": "email", "value": f"u{n}@ex.com"}])
    returning = _open(api, 11, [{"kind": "email", "value": "u1@ex.com"},
                                {"kind": "phone", "value": "+6281234567890"}])
    reply = api.post(f"/api/v1/conversations/{returning['id']}/messages", json={"text": "Sudah kami cek"})
    assert reply.status_code == 201, reply.text
    inbound = api.post("/api/v1/inbound-messages", json={
        "customer": {"identities": [{"kind": "app", "value": "user-2"}]}, "text": "Halo lagi",
        "channel": "chat",
    })
    assert inbound.status_code == 201, inbound.text

    assert plans, "the listener saw no statement"
    assert _offending(plans) == []
