"""The request boundary: one session per request, committed when the endpoint succeeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool


async def db_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session that commits after the endpoint returns, rolls back on error.

    Opening a session does no I/O, so it happens on the event loop; only the commit or the
    rollback goes to the thread pool (one hop instead of two per request).
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # even a cancelled request gives its connection back
            await run_in_threadpool(session.close)  # closing rolls the transaction back
        raise
    await run_in_threadpool(_commit_and_close, session)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()  # after a failed commit this rolls back


DbSession = Annotated[Session, Depends(db_session, scope="function")]
"""Annotated dependency; `scope="function"` commits before the response is written."""
