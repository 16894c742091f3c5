"""The request boundary: one session per request, committed when the endpoint succeeds."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, SessionTransaction
from starlette.concurrency import run_in_threadpool

_CHECKS_KEY = "checks_on_begin"
_AFTER_COMMIT_KEY = "after_commit_callbacks"
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


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call `callback` once the session's transaction has committed; forget it if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT_KEY, ()):
        callback()


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)


async def db_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session that commits after the endpoint returns, rolls back on error.

    Opening a session does no I/O, so it happens on the event loop. Synchronous endpoints of a
    `UnitOfWorkRoute` commit in their own worker thread; otherwise the commit (or the pending
    checks of `check_on_begin`) goes to the thread pool. Closing a committed session is no I/O.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # even a cancelled request gives its connection back
            await run_in_threadpool(session.close)  # closing rolls the transaction back
        raise
    if session.in_transaction() or session.info.get(_CHECKS_KEY):
        await run_in_threadpool(_commit_and_close, session)
    else:
        session.close()


def _commit_and_close(session: Session) -> None:
    try:
        _commit_open(session)
    finally:
        session.close()  # after a failed commit this rolls back


DbSession = Annotated[Session, Depends(db_session, scope="function")]
"""Annotated dependency; `scope="function"` commits before the response is written."""


class UnitOfWorkRoute(APIRoute):
    """A route whose synchronous endpoint commits its request session in the same worker thread.

    One thread-pool hop per request instead of two: the endpoint and its commit run together.
    A returned instance of exactly the response model is serialised there too, once, instead of
    being dumped, validated again and serialised on the event loop.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and not hasattr(endpoint, _COMMITS):
            endpoint = _committing(endpoint, kwargs.get("response_model"), kwargs.get("status_code"))
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any], model: Any, status_code: int | None) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(**values: Any) -> Any:
        result = endpoint(**values)
        for value in values.values():
            if isinstance(value, Session):
                _commit_open(value)
        if model is None or type(result) is not model:
            return result
        return _json(result, status_code, next((v for v in values.values() if isinstance(v, Response)), None))

    setattr(run, _COMMITS, True)
    return run


def _json(result: BaseModel, status_code: int | None, changes: Response | None) -> Response:
    """The model as JSON, with the status and headers the endpoint set on its `Response` parameter."""
    response = Response(result.model_dump_json(), status_code or 200, media_type="application/json")
    if changes is not None:
        if changes.status_code:
            response.status_code = changes.status_code
        for name, value in changes.headers.items():
            if name not in ("content-length", "content-type"):
                response.headers.append(name, value)
    return response


def _commit_open(session: Session) -> None:
    if session.info.get(_CHECKS_KEY):
        session.connection()  # begins the transaction, which runs the checks
    if session.in_transaction():
        session.commit()
