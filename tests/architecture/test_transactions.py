"""Transaction boundaries, after-commit actions and rows past the ORM each have one home."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "kefu"

ROW_BUILDERS = {
    "db/outbox.py",  # the outbox's batch of events
    "conversations/intake.py",  # live intake's fast path
    "conversations/imports.py",  # bulk import of history
    "customers/service.py",  # customer resolution's fast path
    "customers/bulk.py",  # batch resolution for imports
    "accounts/tokens.py",  # the token check's prepared first-row read
    "bench/routing.py",  # benchmark fixtures
    "conversations/models.py",  # the row templates of conversations, messages, timeline, tags
    "customers/models.py",  # the row templates of customers and identities
}
"""The modules that may build and insert rows past the ORM (`kefu.db.rows`), each for a reason."""

JOB_MODULES = ("tasks.py", "handlers.py")
COMMIT_HOOKS = "db/commit_hooks.py"


def _sources() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _commit_calls(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def _imports_of(tree: ast.AST, module: str) -> bool:
    for node in ast.walk(tree):
        package, _, leaf = module.rpartition(".")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (
            node.module == module
            or (node.module == package and any(alias.name == leaf for alias in node.names))
        ):
            return True
        if isinstance(node, ast.Import) and any(alias.name == module for alias in node.names):
            return True
    return False


def test_no_service_commits() -> None:
    """Services flush; the request, the job or the relay owns the transaction."""
    found = [
        f"{name}:{line}"
        for name, tree in _sources()
        if name.endswith("service.py")
        for line in _commit_calls(tree)
    ]
    assert found == []


def test_jobs_and_handlers_commit_only_through_the_unit_of_work() -> None:
    """Every job and relay step opens its transaction with `jobs.unit_of_work.unit_of_work`."""
    found = [
        f"{name}:{line}"
        for name, tree in _sources()
        if name.endswith(JOB_MODULES) or name.startswith("jobs/")
        for line in _commit_calls(tree)
    ]
    assert found == []


def test_after_commit_actions_have_one_mechanism() -> None:
    """`db.commit_hooks.after_commit` only: no raw commit listeners, no BackgroundTasks."""
    found = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if name != COMMIT_HOOKS and isinstance(node, ast.Constant) and node.value == "after_commit":
                found.append(f"{name}:{node.lineno}: a commit listener outside {COMMIT_HOOKS}")
            named = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None)
            if named == "BackgroundTasks":
                found.append(f"{name}:{getattr(node, 'lineno', '?')}: BackgroundTasks (use after_commit)")
    assert found == []


def test_rows_past_the_orm_are_built_only_by_the_row_builders() -> None:
    """`kefu.db.rows` is imported only by the modules of ROW_BUILDERS."""
    users = {name for name, tree in _sources() if _imports_of(tree, "kefu.db.rows")}
    assert users <= ROW_BUILDERS, sorted(users - ROW_BUILDERS)


def test_the_checks_themselves_catch_what_they_forbid() -> None:
    service = ast.parse("def f(session):\n    session.flush()\n    session.commit()\n")
    assert _commit_calls(service) == [3]
    assert _imports_of(ast.parse("from kefu.db.rows import insert_rows"), "kefu.db.rows")
    assert _imports_of(ast.parse("from kefu.db import rows"), "kefu.db.rows")
    assert not _imports_of(ast.parse("from kefu.db import session"), "kefu.db.rows")
