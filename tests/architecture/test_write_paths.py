"""One write path per aggregate (issue 10, item 1), checked on the source.

The modules that insert without the unit of work (`db.rows.insert_rows`) build their rows from
the models (`db.rows.RowTemplate`: every column, defaults from the column definitions), never
from hand-listed columns, so a column added to a model is written by every path. The behaviour
is tested in `tests/conversations/test_row_builders.py`; this finds the hand-listed rows.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.db.metadata import target_metadata

SRC = Path(__file__).resolve().parents[2] / "src" / "kefu"
NOT_PRODUCT = {SRC / "bench", SRC / "db"}
"""Benchmarks seed rows as they like; `db` is where the templates and the insert path live."""
KEYS = {"id", "workspace_id"}
"""A row names its key or its workspace; dicts of a few column values (updates, payloads) do not."""
ROW_HELPERS = {"SimpleNamespace", "dict"}


def _tables() -> list[set[str]]:
    return [set(table.c.keys()) for table in target_metadata.tables.values()]


def _fast_path_modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        if any(part in path.parents for part in NOT_PRODUCT):
            continue
        text = path.read_text(encoding="utf-8")
        if "insert_rows" in text:
            yield path, ast.parse(text)


def hand_listed_rows(tree: ast.AST, tables: list[set[str]]) -> list[str]:
    """Dict literals, `dict(...)` and `SimpleNamespace(...)` spelling out three or more columns of a table."""
    found = []
    for node in ast.walk(tree):
        keys: list[str] = []
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ROW_HELPERS:
            keys = [keyword.arg for keyword in node.keywords if keyword.arg is not None]
        if len(keys) >= 3 and KEYS & set(keys) and any(set(keys) <= columns for columns in tables):
            found.append(f"{node.lineno}: a row of hand-listed columns {sorted(keys)[:6]}…")
    return found


def test_fast_path_rows_are_built_from_the_models() -> None:
    tables = _tables()
    modules = list(_fast_path_modules())
    assert {path.relative_to(SRC).as_posix() for path, _ in modules} >= {
        "conversations/intake.py", "conversations/imports.py", "customers/service.py", "customers/bulk.py",
    }
    found = [
        f"{path.relative_to(SRC)}:{problem}"
        for path, tree in modules
        for problem in hand_listed_rows(tree, tables)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("row = SimpleNamespace(id=new_id(), workspace_id=w, customer_id=c, channel=ch)", True),
        ('rows.append({"id": i, "workspace_id": w, "customer_id": c, "status": s, "priority": p})', True),
        ('tags.append({"workspace_id": w, "conversation_id": c, "tag": t})', True),
        ("row = CONVERSATION_ROW(workspace_id=w, customer_id=c, channel=ch, last_message_at=now)", False),
        ('attributes = {"name": n, "language": lang, "market": m}', False),
        ('problem = {"loc": loc, "msg": msg, "type": "invalid_history"}', False),
    ],
)
def test_the_rule_itself_finds_hand_listed_rows(source: str, caught: bool) -> None:
    assert bool(hand_listed_rows(ast.parse(source), _tables())) is caught

