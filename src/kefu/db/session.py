"""The request boundary: one session per request, committed when the endpoint succeeds."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, SessionTransaction
from starlette.concurrency import run_in_threadpool

from kefu.db.group_commit import GROUP_COMMITTED, committer_for

_CHECKS_KEY = "checks_on_begin"
_SESSION_KEY = "kefu.session"  # the request's session, in the ASGI scope, for its route to settle
_COMMITS = "__kefu_commits_session__"  # marks an endpoint already wrapped (routers are copied when included)

Check = Callable[[Connection], None]


def check_on_begin(session: Session, check: Check) -> None:
    """Run `check` on the connection as the session's transaction begins, before any other statement.

    A check that raises fails the statement that began the transaction. The request boundary
    makes sure a request's checks run even when its endpoint never touches the database.
    """
    session.info.setdefault(_CHECKS_KEY, []).append(check)


@event.listens_for(Session, "after_begin")
def _run_checks(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    for check in session.info.pop(_CHECKS_KEY, ()):
        check(connection)


async def db_session(request: Request) -> Session:
    """FastAPI dependency: the request's session (opening one is no I/O, so it happens on the event loop).

    Only routes of a `UnitOfWorkRoute` may depend on it: their synchronous endpoints commit and
    close it in their worker thread (or, group-committed, on the loop); otherwise the route
    settles it when the endpoint is done.
    """
    session: Session = request.app.state.session_factory()
    request.scope[_SESSION_KEY] = session
    return session


DbSession = Annotated[Session, Depends(db_session)]
"""The request's session; see `db_session`."""


class UnitOfWorkRoute(APIRoute):
    """A route whose synchronous endpoint commits and closes its request session in its worker thread.

    One thread-pool hop per request: the endpoint, its commit and the response's serialisation run
    together there, before the session closes (endpoints in `group_commit.GROUP_COMMITTED` on
    SQLite: on the event loop, with no hop). The response is serialised by FastAPI's own response
    field with the route's options (include/exclude, aliases, exclude_unset/defaults/none,
    response class), as FastAPI would after the endpoint. A sync generator endpoint (a streamed
    body) is refused when the route is built: its body would run after the commit.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        shaper = None
        if not inspect.iscoroutinefunction(endpoint) and not hasattr(endpoint, _COMMITS):
            if inspect.isgeneratorfunction(endpoint):
                raise TypeError(
                    f"UnitOfWorkRoute {path}: a generator endpoint streams after the commit; "
                    "use a plain APIRoute and a session of its own"
                )
            shaper = _Shaper()
            grouped = endpoint_name(endpoint) in GROUP_COMMITTED
            endpoint = _committing(endpoint, shaper)
            if grouped:
                endpoint = _grouping(endpoint)
        super().__init__(path, endpoint, **kwargs)
        if shaper is not None:
            shaper.bind(self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, then the request's session settled (when the endpoint did not close it)."""
        handle = super().get_route_handler()

        async def settled(request: Request) -> Response:
            try:
                response = await handle(request)
            except BaseException:
                await _settle(request.scope.pop(_SESSION_KEY, None), commit=False)
                raise
            await _settle(request.scope.pop(_SESSION_KEY, None), commit=True)
            return response

        return settled


async def _settle(session: Session | None, *, commit: bool) -> None:
    """Commit (or roll back) and close a request's session; in a worker thread when that is I/O."""
    if session is None:
        return
    if not (session.in_transaction() or (commit and session.info.get(_CHECKS_KEY))):
        session.close()  # no I/O: nothing begun, or already closed by its endpoint
    elif commit:
        await run_in_threadpool(_commit_and_close, session)
    else:
        with anyio.CancelScope(shield=True):  # even a cancelled request gives its connection back
            await run_in_threadpool(session.close)  # closing rolls the transaction back


def _commit_and_close(session: Session) -> None:
    try:
        _commit_open(session)
    finally:
        session.close()  # after a failed commit this rolls back


def endpoint_name(endpoint: Callable[..., Any]) -> str:
    """The name an endpoint has in `GROUP_COMMITTED`: `module:qualified name`."""
    return f"{endpoint.__module__}:{endpoint.__qualname__}"


class _Shaper:
    """The response serialisation of one route, as FastAPI's handler does it, run in the endpoint's thread."""

    route: APIRoute | None = None

    def bind(self, route: APIRoute) -> None:
        """Take the response field and options FastAPI derived for the route."""
        self.route = route

    def response(self, result: Any, changes: Response | None) -> Any:
        """The endpoint's result as the response FastAPI would send (a `Response` or no model: as is)."""
        route = self.route
        if route is None or route.response_field is None or isinstance(result, Response):
            return result
        value, errors = route.response_field.validate(result, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=result)
        options: dict[str, Any] = {
            "include": route.response_model_include,
            "exclude": route.response_model_exclude,
            "by_alias": route.response_model_by_alias,
            "exclude_unset": route.response_model_exclude_unset,
            "exclude_defaults": route.response_model_exclude_defaults,
            "exclude_none": route.response_model_exclude_none,
        }
        if isinstance(route.response_class, DefaultPlaceholder):
            response = Response(
                route.response_field.serialize_json(value, **options), media_type="application/json"
            )
        else:
            response = route.response_class(route.response_field.serialize(value, **options))
        return _with_changes(response, route.status_code, changes)


def _committing(endpoint: Callable[..., Any], shaper: _Shaper) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(**values: Any) -> Any:
        sessions = [value for value in values.values() if isinstance(value, Session)]
        try:
            result = endpoint(**values)
            for session in sessions:
                _commit_open(session)
            changes = next((v for v in values.values() if isinstance(v, Response)), None)
            return shaper.response(result, changes)
        finally:
            for session in sessions:
                session.close()  # rolls back what a failed endpoint or commit left open

    setattr(run, _COMMITS, True)
    return run


def _grouping(run: Callable[..., Any]) -> Callable[..., Any]:
    """The committing endpoint as a group member on the event loop, or in a worker thread."""

    @functools.wraps(run)
    async def grouped(**values: Any) -> Any:
        sessions = [value for value in values.values() if isinstance(value, Session)]
        committer = committer_for(sessions[0]) if len(sessions) == 1 else None
        group = await committer.join() if committer is not None else None
        if group is None:
            return await run_in_threadpool(run, **values)
        committed = group.admit(sessions[0])
        try:
            result = run(**values)
        except BaseException:
            committed.cancel()  # rolled back alone: nothing of it waits for the commit
            raise
        await asyncio.shield(committed)
        return result

    return grouped


def _with_changes(response: Response, status_code: int | None, changes: Response | None) -> Response:
    """The response with the route's status and the status and headers set on the `Response` parameter."""
    if status_code:
        response.status_code = status_code
    if changes is not None:
        if changes.status_code:
            response.status_code = changes.status_code
        for name, value in changes.headers.items():
            if name not in ("content-length", "content-type"):
                response.headers.append(name, value)
    if not is_body_allowed_for_status_code(response.status_code):
        response.body = b""
        del response.headers["content-length"]
    return response


def _commit_open(session: Session) -> None:
    if session.info.get(_CHECKS_KEY):
        session.connection()  # begins the transaction, which runs the checks
    if session.in_transaction():
        session.commit()
