"""The role × action matrix of docs/security.md, checked cell by cell through the HTTP API.

Each row names one API operation; for every role the request must pass the role gate (`✓`, `own`,
`limited`: anything but 403 `forbidden`) or be refused with 403 `forbidden` (`·`); anonymous
callers get 401 unless the row says `✓`. Requests carry random ids and an empty body: a role gate
answers before the row is looked up or the body validated, so the cell is about the role alone
(the row-dependent rules in the notes have their own tests).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.enums import Role
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import make_agent

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROLES = ("admin", "supervisor", "agent", "qa_inspector", "anonymous")
ALLOWED = {"✓", "own", "limited"}


@dataclass(frozen=True)
class Row:
    """One operation and the mark of each role."""

    method: str
    path: str
    marks: dict[str, str]


def matrix() -> list[Row]:
    """The rows between the role-matrix markers of docs/security.md."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- role-matrix:start -->")[1].split("<!-- role-matrix:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        method, path = cells[1].strip("`").split(" ", 1)
        rows.append(Row(method, "/api/v1" + path, dict(zip(ROLES, cells[2:], strict=True))))
    return rows


ROWS = matrix()


def _url(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        return "telegram" if match.group(0) == "{channel}" else str(uuid.uuid4())

    return re.sub(r"\{[^}]+\}", value, path)


def test_every_operation_of_the_api_has_exactly_one_row(client: TestClient) -> None:
    operations = [
        (method.upper(), path)
        for path, item in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in item if method in {"get", "post", "put", "patch", "delete"}
    ]
    documented = [(row.method, row.path) for row in ROWS]
    assert sorted(documented) == sorted(operations)
    assert all(mark in ALLOWED | {"·"} for row in ROWS for mark in row.marks.values())


def test_every_cell_of_the_matrix_holds(client: TestClient, container: Container, tenant: Tenant) -> None:
    headers = {"admin": tenant.headers, "anonymous": {}}
    for role in (Role.SUPERVISOR, Role.AGENT, Role.QA_INSPECTOR):
        headers[role.value] = make_agent(container, workspace_id=tenant.workspace_id, role=role).headers
    wrong = []
    for row in ROWS:
        url = _url(row.path)
        for role, mark in row.marks.items():
            body = {} if row.method in {"POST", "PUT", "PATCH"} else None
            response = client.request(row.method, url, headers=headers[role], json=body)
            code = response.json().get("error", {}).get("code") if response.content.startswith(b"{") else None
            if role == "anonymous":
                refused = response.status_code == 401
            else:
                refused = response.status_code == 403 and code == "forbidden"
            if refused == (mark in ALLOWED):
                wrong.append(f"{row.method} {row.path} as {role}: {response.status_code} {code}, says {mark}")
    assert wrong == []


@pytest.mark.parametrize(("method", "path", "role"), [
    ("POST", "/api/v1/customers/{customer_id}/merge", "agent"),
    ("DELETE", "/api/v1/customers/{customer_id}", "agent"),
    ("GET", "/api/v1/audit/events", "supervisor"),
    ("PATCH", "/api/v1/workspace", "supervisor"),
    ("POST", "/api/v1/conversations", "qa_inspector"),
])
def test_the_table_says_what_the_issue_requires(method: str, path: str, role: str) -> None:
    row = next(row for row in ROWS if (row.method, row.path) == (method, path))
    assert row.marks[role] == "·"
