"""Group commit is opted into by one allow-list in `db`, never by an endpoint; entries stay short writes."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

from fastapi.routing import APIRoute

from kefu.db.group_commit import GROUP_COMMITTED
from kefu.db.session import UnitOfWorkRoute, endpoint_name
from kefu.main import ROUTERS

SRC = Path(__file__).resolve().parents[2] / "src" / "kefu"
GROUPABLE_PACKAGES = {"accounts", "customers", "conversations"}
"""Packages whose endpoints may be listed: the others call out (webhooks, channels) or infer (nlp, bot)."""
NEVER_CALLED = {"imports", "bulk", "nlp", "httpx", "sending", "screening", "analyse_text"}
"""Names a listed endpoint may not mention: bulk work, NLP, outbound calls."""


def _routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def test_every_listed_endpoint_is_a_grouped_unit_of_work_endpoint() -> None:
    grouped = {
        endpoint_name(inspect.unwrap(route.endpoint)): route
        for route in _routes()
        if isinstance(route, UnitOfWorkRoute) and inspect.iscoroutinefunction(route.endpoint)
        and endpoint_name(inspect.unwrap(route.endpoint)) in GROUP_COMMITTED
    }
    assert sorted(GROUP_COMMITTED - grouped.keys()) == []  # a stale or misspelt entry


def test_only_listed_endpoints_run_on_the_event_loop() -> None:
    """A synchronous endpoint becomes a coroutine only by group commit, and only from the list."""
    on_loop = sorted(
        endpoint_name(inspect.unwrap(route.endpoint))
        for route in _routes()
        if isinstance(route, UnitOfWorkRoute) and inspect.iscoroutinefunction(route.endpoint)
        and not inspect.iscoroutinefunction(inspect.unwrap(route.endpoint))
    )
    assert on_loop == sorted(GROUP_COMMITTED)


def test_listed_endpoints_live_where_writes_are_short() -> None:
    packages = {name.split(":")[0].split(".")[1] for name in GROUP_COMMITTED}
    assert packages <= GROUPABLE_PACKAGES
    assert all(name.split(":")[0].endswith(".api") for name in GROUP_COMMITTED)


def test_listed_endpoints_do_no_bulk_work_nlp_or_outbound_call() -> None:
    endpoints = [inspect.unwrap(route.endpoint) for route in _routes()]
    by_name = {endpoint_name(endpoint): endpoint for endpoint in endpoints}
    mentions: dict[str, list[str]] = {}
    for name in sorted(GROUP_COMMITTED):
        tree = ast.parse(textwrap.dedent(inspect.getsource(by_name[name])))
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        if used & NEVER_CALLED:
            mentions[name] = sorted(used & NEVER_CALLED)
    assert mentions == {}


def test_no_endpoint_opts_in_by_itself() -> None:
    """The old per-endpoint decorator is gone: the list in `db.group_commit` is the only switch."""
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if "group_committed" in path.read_text(encoding="utf-8")]
    assert offenders == []
