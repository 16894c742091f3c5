"""The unit-of-work route answers exactly as FastAPI's own route would, options included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.wiring import Container


class Party(BaseModel):
    """A model with an alias, optional fields and defaults."""

    from_: str = Field(alias="from")
    note: str | None = None
    count: int = 0
    secret: str = "hidden"


def _party() -> Party:
    return Party.model_validate({"from": "alice", "count": 0})


def _routes(router: APIRouter, *, with_session: bool) -> None:
    if with_session:

        @router.get("/alias", response_model=Party)
        def alias(session: DbSession) -> Party:
            return _party()

        @router.get("/none", response_model=Party, response_model_exclude_none=True)
        def none(session: DbSession) -> Party:
            return _party()

        @router.get("/unset", response_model=Party, response_model_exclude_unset=True)
        def unset(session: DbSession) -> Party:
            return _party()

        @router.get("/defaults", response_model=Party, response_model_exclude_defaults=True)
        def defaults(session: DbSession) -> Party:
            return _party()

        @router.get("/include", response_model=Party, response_model_include={"from_", "count"})
        def include(session: DbSession) -> Party:
            return _party()

        @router.get("/exclude", response_model=Party, response_model_exclude={"secret"})
        def exclude(session: DbSession) -> Party:
            return _party()

        @router.get("/no-alias", response_model=Party, response_model_by_alias=False)
        def no_alias(session: DbSession) -> Party:
            return _party()

        @router.get("/dict", response_model=Party, status_code=201)
        def from_dict(session: DbSession, response: Response) -> dict[str, Any]:
            response.headers["x-kept"] = "yes"
            return {"from": "bob", "extra": "dropped"}

        @router.get("/inferred")
        def inferred(session: DbSession) -> Party:
            return _party()

        @router.get("/text", response_model=str, response_class=PlainTextResponse)
        def text(session: DbSession) -> str:
            return "plain"

        @router.delete("/gone", status_code=204)
        def gone(session: DbSession) -> None:
            return None


PATHS = ["/alias", "/none", "/unset", "/defaults", "/include", "/exclude", "/no-alias", "/dict",
         "/inferred", "/text", "/gone"]


def _app(container: Container, route_class: type[APIRoute]) -> FastAPI:
    app = FastAPI()
    app.state.session_factory = container.session_factory
    router = APIRouter(route_class=route_class)
    _routes(router, with_session=True)
    app.include_router(router)
    return app


@pytest.fixture
def clients(container: Container) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of the unit-of-work app and one of the same endpoints on FastAPI's plain route."""
    with TestClient(_app(container, UnitOfWorkRoute)) as ours, TestClient(_app(container, APIRoute)) as plain:
        yield ours, plain


@pytest.mark.parametrize("path", PATHS)
def test_every_response_option_comes_out_as_fastapi_makes_it(
    clients: tuple[TestClient, TestClient], path: str
) -> None:
    ours, plain = clients
    method = "DELETE" if path == "/gone" else "GET"
    got, expected = ours.request(method, path), plain.request(method, path)
    assert (got.status_code, got.content) == (expected.status_code, expected.content)
    assert got.headers.get("content-type") == expected.headers.get("content-type")
    assert got.headers.get("x-kept") == expected.headers.get("x-kept")


def test_an_aliased_field_comes_out_under_its_alias_as_openapi_says(
    clients: tuple[TestClient, TestClient],
) -> None:
    ours, _ = clients
    assert ours.get("/alias").json() == {"from": "alice", "note": None, "count": 0, "secret": "hidden"}
    assert ours.get("/none").json() == {"from": "alice", "count": 0, "secret": "hidden"}
    assert ours.get("/unset").json() == {"from": "alice", "count": 0}
    schema = ours.get("/openapi.json").json()["components"]["schemas"]["Party"]
    assert "from" in schema["properties"]


def test_a_generator_endpoint_is_refused_when_the_route_is_built() -> None:
    router = APIRouter(route_class=UnitOfWorkRoute)

    def stream(session: DbSession) -> Iterator[bytes]:
        yield b"after the commit"

    with pytest.raises(TypeError, match="generator endpoint"):
        router.add_api_route("/stream", stream)
