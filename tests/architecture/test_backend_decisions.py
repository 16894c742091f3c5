"""Backend decisions live in `db` (issue 10, item 4), checked on the source.

Outside `src/kefu/db/`: no reading of the dialect's name, no PostgreSQL-only SQL or dialect
constructs, no savepoint-and-retry loop of its own (`db.backend.retry_on_race`), no handling of
deadlocks; inside `db`, cursor listeners are told of statements but never choose the path they
take; and the principal cache is invalidated in `wiring.py`, not by a route.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "kefu"
DB = SRC / "db"
REPORTS_THE_DIALECT = {SRC / "web" / "health.py", SRC / "bench" / "relay.py"}
"""Modules that print the dialect's name (the health check, a benchmark) without deciding anything by it."""
LISTENER_NOTIFIERS = {"_before_execute", "_after_execute"}
"""The functions of `db.rows` that tell cursor listeners and the echo log of a driver-cursor statement."""
LISTENER_STATE = {"_has_events", "_echo", "before_cursor_execute", "after_cursor_execute"}


def _sources(root: Path = SRC) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _outside_db() -> Iterator[tuple[Path, ast.Module]]:
    for path, tree in _sources():
        if DB not in path.parents:
            yield path, tree


def backend_choices(tree: ast.AST) -> list[str]:
    """What in a module outside `db` decides by, or speaks only to, one backend."""
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr == "name":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "dialect":
                found.append(f"{line}: reads the dialect's name")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy.dialects"):
            found.append(f"{line}: imports {node.module}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "pg_" in node.value:
            found.append(f"{line}: PostgreSQL-only SQL {node.value[:40]!r}")
        elif isinstance(node, ast.Name | ast.Attribute) and _name(node) == "OperationalError":
            found.append(f"{line}: handles OperationalError (deadlocks are retried by db.backend)")
        elif isinstance(node, ast.For | ast.While) and any(_calls(n, "begin_nested") for n in ast.walk(node)):
            found.append(f"{line}: a savepoint in a loop (db.backend.retry_on_race)")
    return found


def _calls(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) == name


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def test_no_backend_decision_outside_db() -> None:
    found = [
        f"{path.relative_to(SRC)}:{problem}"
        for path, tree in _outside_db()
        for problem in backend_choices(tree)
        if not (path in REPORTS_THE_DIALECT and problem.endswith("reads the dialect's name"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ('if session.get_bind().dialect.name == "postgresql":\n    pass', True),
        ("from sqlalchemy.dialects import postgresql", True),
        ('session.execute(text("SELECT pg_advisory_xact_lock(:key)"))', True),
        ("try:\n    pass\nexcept OperationalError:\n    pass", True),
        ("for _ in range(3):\n    with session.begin_nested():\n        work()", True),
        ("with session.begin_nested():\n    work()", False),
        ("serialise(session, (customer_id, channel, inbox_id))", False),
        ("query = claiming(session, query)", False),
    ],
)
def test_the_rule_itself_catches_backend_decisions(source: str, caught: bool) -> None:
    assert bool(backend_choices(ast.parse(source))) is caught


def test_cursor_listeners_never_choose_the_path_a_statement_takes() -> None:
    """Listener and echo state is read only where listeners are told of a statement (db.rows)."""
    found = []
    for path, tree in _sources():
        inside = {
            id(inner)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef) and function.name in LISTENER_NOTIFIERS
            for inner in ast.walk(function)
        }
        found += [
            f"{path.relative_to(SRC)}:{node.lineno}: {node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in LISTENER_STATE and id(node) not in inside
        ]
    assert found == []


def test_the_principal_cache_is_made_and_invalidated_by_the_composition_root() -> None:
    """No route clears the token-principal cache: `wiring.web_sessions` makes it, reacts to role changes."""
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            makers = (SRC / "wiring.py", SRC / "accounts" / "dependencies.py")
            if _calls(node, "PrincipalCache") and path not in makers:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: makes a PrincipalCache")
            if path.name == "api.py" and isinstance(node, ast.Name | ast.Attribute | ast.alias):
                name = node.name if isinstance(node, ast.alias) else _name(node)
                if name in {"principal_cache", "PrincipalCache"}:
                    found.append(f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}: uses {name}")
    assert found == []
