"""Routes of the API: disjoint paths across routers (their order changes no answer); sessions settled."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from kefu.db.session import UnitOfWorkRoute, db_session
from kefu.main import ROUTERS

_SAMPLE_ID = "0f0e0d0c-0b0a-0908-0706-050403020100"


def test_no_route_of_one_router_answers_a_path_of_another() -> None:
    """A concrete path of each route matches no route, for the same method, in any other router."""
    routes = [(n, route.path, frozenset(route.methods)) for n, router in enumerate(ROUTERS)
              for route in router.routes]
    clashes = [
        (path, other_path)
        for (n, path, methods), (m, other_path, other_methods) in itertools.permutations(routes, 2)
        if n != m and methods & other_methods
        and compile_path(path)[0].match(re.sub(r"\{[^}]+\}", _SAMPLE_ID, other_path))
    ]
    assert len(routes) > 50
    assert clashes == []


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def test_every_route_with_a_request_session_settles_it() -> None:
    """Only a UnitOfWorkRoute commits and closes the session of `db_session`; no other route may take it."""
    with_session = [route for router in ROUTERS for route in router.routes
                    if isinstance(route, APIRoute) and db_session in _calls(route.dependant)]
    assert len(with_session) > 40
    assert [route.path for route in with_session if not isinstance(route, UnitOfWorkRoute)] == []
