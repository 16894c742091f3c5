"""The console's WebSocket: one per tab, authorised by the session, per workspace, caught up on reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from kefu.db.outbox import OutboxEvent
from kefu.realtime.auth import websocket_principal
from kefu.realtime.feed import RealtimeFeed

router = APIRouter()

CATCH_UP_LIMIT = 500
"""Events a reconnecting tab may have missed before it is told to reload instead."""
RECHECK_SECONDS = 30.0
"""How often an idle socket is pinged and its session checked again."""


def latest_event_id(session: Session, workspace_id: uuid.UUID) -> int:
    """The newest outbox event id of a workspace (0 when none): where a fresh page starts listening."""
    latest = session.scalar(select(func.max(OutboxEvent.id)).where(OutboxEvent.workspace_id == workspace_id))
    return int(latest or 0)


def changed_since(
    session: Session, feed: RealtimeFeed, workspace_id: uuid.UUID, after: int
) -> list[dict[str, Any]] | None:
    """The current rows of conversations changed by events after `after`; None when too much changed."""
    rows = session.execute(
        select(OutboxEvent.id, OutboxEvent.payload)
        .where(OutboxEvent.workspace_id == workspace_id, OutboxEvent.id > after)
        .order_by(OutboxEvent.id)
        .limit(CATCH_UP_LIMIT + 1)
    ).all()
    if len(rows) > CATCH_UP_LIMIT:
        return None
    latest: dict[uuid.UUID, int] = {}
    for event_id, payload in rows:
        try:
            latest[uuid.UUID(str(payload["conversation_id"]))] = event_id
        except (KeyError, TypeError, ValueError):
            continue
    messages = []
    for conversation_id, event_id in sorted(latest.items(), key=lambda item: item[1]):
        message = feed.message(session, workspace_id, conversation_id, event_id, "catch_up")
        if message is not None:
            messages.append(message)
    return messages


@router.websocket("/realtime")
async def realtime_socket(websocket: WebSocket, after: int | None = None) -> None:
    """Push `conversation.updated` messages of the agent's workspace; `after` = the last event id seen."""
    principal = await websocket_principal(websocket)
    if principal is None:
        await websocket.close(code=4401)
        return
    container = websocket.app.state.container
    feed: RealtimeFeed = container.realtime
    await websocket.accept()
    with feed.hub.listen(principal.workspace_id) as queue:
        if after is not None:
            backlog = await run_in_threadpool(_catch_up, container.session_factory, feed,
                                              principal.workspace_id, after)
            for message in [{"type": "resync"}] if backlog is None else backlog:
                await websocket.send_json(message)
        await websocket.send_json({"type": "ready"})
        reader = asyncio.create_task(_drain(websocket))
        try:
            await _pump(websocket, queue, reader)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await reader


def _catch_up(
    factory: sessionmaker[Session], feed: RealtimeFeed, workspace_id: uuid.UUID, after: int
) -> list[dict[str, Any]] | None:
    with factory() as session:
        return changed_since(session, feed, workspace_id, after)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the tab sends until it goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _pump(
    websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]], reader: asyncio.Task[None]
) -> None:
    while not reader.done():
        getter = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({getter, reader}, timeout=RECHECK_SECONDS,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            if reader.done():
                return
            if await websocket_principal(websocket) is None:  # logged out or deactivated meanwhile
                await websocket.close(code=4401)
                return
            await websocket.send_json({"type": "ping"})
            continue
        try:
            await websocket.send_json(getter.result())
        except (WebSocketDisconnect, RuntimeError):
            return
