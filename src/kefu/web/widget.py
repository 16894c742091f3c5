"""The chat widget's server side: its standalone page, its visitor WebSocket, and the offline form's post.

A visitor is anonymous (`visitor:<id>`, kept by a signed token: a cookie on the widget's page and
the widget's local storage) or a user the host app identified (`user:<id>` with
`user_hash` = hex HMAC-SHA256 of the id under the inbox's `identity_secret`). Every message goes
through the inbound ledger like any channel's: the frame is stored and committed, then
acknowledged with the widget's `client_id`, so a resend after a reconnect is acknowledged again
and stored once. The socket listens to the workspace's realtime hub; when a conversation of the
visitor changes it sends the visitor's new messages (customer messages and replies, never
notes). A reconnect with `after=<last message id>` gets what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kefu.channels import service as channels
from kefu.channels.schemas import InboxRef
from kefu.channels.tasks import PROCESS_JOB
from kefu.conversations import service as conversations
from kefu.conversations.enums import Direction
from kefu.conversations.schemas import ConversationFilter
from kefu.core.errors import KefuError
from kefu.core.paging import encode_cursor
from kefu.customers import service as customers
from kefu.customers.enums import IdentityKind
from kefu.db.tenancy import bind_workspace
from kefu.web.rendering import ENV, asset_url

router = APIRouter(include_in_schema=False)

COOKIE = "kefu_visitor"
TOKEN_VERSION = "v1"
PING_SECONDS = 25.0
WIDGET_LANGUAGES = ("en", "zh", "id", "vi", "th", "ms")
VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)


def _key(request_app: Any) -> bytes:
    secret: str = request_app.state.container.settings.resolved_secret_key()
    return hashlib.sha256(b"kefu-widget-visitor:" + secret.encode()).digest()


def sign_visitor(key: bytes, inbox_id: uuid.UUID, visitor_id: str) -> str:
    """A visitor token: the visitor's id signed for one inbox."""
    mac = hmac.new(key, f"{inbox_id}:{visitor_id}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{TOKEN_VERSION}.{visitor_id}.{mac}"


def read_visitor(key: bytes, inbox_id: uuid.UUID, token: str | None) -> str | None:
    """The visitor id of a genuine token for this inbox, else None."""
    if not token or token.count(".") != 2:
        return None
    version, visitor_id, _ = token.split(".")
    if version != TOKEN_VERSION or not visitor_id.isalnum() or len(visitor_id) > 40:
        return None
    return visitor_id if hmac.compare_digest(sign_visitor(key, inbox_id, visitor_id), token) else None


def _inbox_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _load_inbox(app: Any, inbox_id: uuid.UUID) -> tuple[InboxRef, dict[str, Any]] | None:
    container = app.state.container
    with container.session_factory() as session:
        try:
            return channels.widget_inbox(session, inbox_id=inbox_id, box=container.secret_box)
        except KefuError:
            return None


def _origins(settings: dict[str, Any]) -> list[str]:
    return [o.strip().rstrip("/") for o in str(settings.get("allowed_origins") or "").split(",") if o.strip()]


def _frame_ancestors(settings: dict[str, Any]) -> str:
    allowed = _origins(settings)
    return " ".join(["'self'", *allowed]) if allowed else "*"


@router.get("/widget/{inbox_id}", response_class=HTMLResponse)
def widget_page(inbox_id: str, request: Request) -> Response:
    """The standalone chat page (also what the embed script frames on a host site)."""
    key = _inbox_id(inbox_id)
    found = _load_inbox(request.app, key) if key else None
    if key is None or found is None:
        return HTMLResponse("<!doctype html><title>Not found</title><p>Not found</p>", status_code=404)
    inbox, settings = found
    cookie = request.cookies.get(COOKIE)
    visitor_id = read_visitor(_key(request.app), key, cookie) or secrets.token_hex(12)
    token = sign_visitor(_key(request.app), key, visitor_id)
    lang = request.query_params.get("lang") or inbox.language or ""
    html = ENV.get_template("widget/page.html").render(
        lang=lang.split("-")[0] if lang.split("-")[0] in WIDGET_LANGUAGES else "",
        inbox_id=str(key),
        title=str(settings.get("title") or ""),
        greeting=str(settings.get("greeting") or ""),
        visitor=token,
        script=asset_url("widget/chat.js"),
        style=asset_url("widget/chat.css"),
    )
    response = HTMLResponse(html)
    https = request.url.scheme == "https" or request.app.state.container.settings.secure_cookies(
        request.url.scheme
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=https,
        samesite="none" if https else "lax",
        path=f"/widget/{key}",
    )
    response.headers["content-security-policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"frame-ancestors {_frame_ancestors(settings)}"
    )
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["referrer-policy"] = "same-origin"
    return response


@dataclass
class Visitor:
    """Who is on the socket and what it has been sent."""

    inbox: InboxRef
    handle: str
    identified: bool
    last_sent: uuid.UUID | None = None
    conversation_ids: set[uuid.UUID] = field(default_factory=set)
    waiting: bool = True
    """Whether the visitor's conversations should be looked up again (a message of theirs is pending)."""


def _identify(
    app: Any, inbox_id: uuid.UUID, settings: dict[str, Any], query: dict[str, str], cookie: str | None
) -> tuple[str, bool, str | None] | None:
    """(handle, identified, visitor token) of the socket's visitor; None when an identity is forged."""
    user_id, given_hash = query.get("user_id"), query.get("user_hash")
    if user_id:
        if not channels.user_signature_ok(settings, user_id, given_hash):
            return None
        return f"user:{user_id[:200]}", True, None
    key = _key(app)
    visitor_id = read_visitor(key, inbox_id, query.get("visitor")) or read_visitor(key, inbox_id, cookie)
    if visitor_id is None:
        visitor_id = secrets.token_hex(12)
    return f"visitor:{visitor_id}", False, sign_visitor(key, inbox_id, visitor_id)


def visitor_messages(app: Any, visitor: Visitor, after: uuid.UUID | None) -> list[dict[str, Any]]:
    """The visitor's messages after `after` (customer messages and replies, oldest first)."""
    container = app.state.container
    workspace_id = visitor.inbox.workspace_id
    out: list[dict[str, Any]] = []
    with container.session_factory() as session:
        bind_workspace(session, workspace_id)
        if visitor.waiting or not visitor.conversation_ids:
            customer = customers.find_customer_by_identity(
                session, workspace_id=workspace_id, kind=IdentityKind.WEB, value=visitor.handle
            )
            if customer is not None:
                page = conversations.list_conversations(
                    session,
                    workspace_id=workspace_id,
                    limit=20,
                    filters=ConversationFilter(customer_id=customer.id, inbox_id=visitor.inbox.id),
                )
                visitor.conversation_ids = {c.id for c in page.items}
        for conversation_id in visitor.conversation_ids:
            cursor = encode_cursor([str(after)]) if after else None
            while True:
                page_of = conversations.list_messages(
                    session,
                    workspace_id=workspace_id,
                    conversation_id=conversation_id,
                    limit=200,
                    cursor=cursor,
                )
                out += [_frame(m, visitor.handle) for m in page_of.items if m.direction in VISIBLE]
                if page_of.next_cursor is None:
                    break
                cursor = page_of.next_cursor
    out.sort(key=lambda m: m["id"])
    return out


def _frame(message: Any, handle: str) -> dict[str, Any]:
    external = message.external_id or ""
    client_id = external[len(handle) + 1 :] if external.startswith(f"{handle}:") else None
    return {
        "type": "message",
        "id": str(message.id),
        "direction": str(message.direction),
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "client_id": client_id,
    }


def _store(app: Any, visitor: Visitor, frame: dict[str, Any], url: str) -> tuple[dict[str, Any], list[str]]:
    """Store one visitor frame in the ledger and commit; the acknowledgement and the entries to process."""
    container = app.state.container
    message = {k: frame.get(k) for k in ("client_id", "text", "contact")}
    with container.session_factory() as session:
        accepted = channels.accept_widget_message(
            session,
            inbox_id=visitor.inbox.id,
            handle=visitor.handle,
            identified=visitor.identified,
            message=message,
            url=url,
            box=container.secret_box,
        )
        session.commit()
    if accepted.malformed is not None:
        return {"type": "error", "client_id": frame.get("client_id"), "reason": accepted.malformed}, []
    visitor.waiting = True
    ack = {"type": "ack", "client_id": frame.get("client_id"), "duplicate": not accepted.entry_ids}
    return ack, [str(entry_id) for entry_id in accepted.entry_ids]


def _process(app: Any, entry_ids: list[str]) -> None:
    """Queue the processing of stored entries (runs at once with the inline runtime of tests)."""
    for entry_id in entry_ids:
        app.state.container.runtime.enqueue(PROCESS_JOB, entry_id)


def _origin_allowed(websocket: WebSocket, settings: dict[str, Any]) -> bool:
    allowed = _origins(settings)
    origin = (websocket.headers.get("origin") or "").rstrip("/")
    own = f"{websocket.url.scheme.replace('ws', 'http')}://{websocket.headers.get('host', '')}"
    return not allowed or not origin or origin == own or origin in allowed


@router.websocket("/widget/{inbox_id}/socket")
async def widget_socket(websocket: WebSocket, inbox_id: str) -> None:
    """The visitor's socket: `hello`, missed messages, `ready`, then acks of sends and new messages."""
    key = _inbox_id(inbox_id)
    found = await run_in_threadpool(_load_inbox, websocket.app, key) if key else None
    if key is None or found is None:
        await websocket.close(code=4404)
        return
    inbox, settings = found
    if not _origin_allowed(websocket, settings):
        await websocket.close(code=4403)
        return
    query = dict(websocket.query_params)
    who = _identify(websocket.app, key, settings, query, websocket.cookies.get(COOKIE))
    if who is None:
        await websocket.close(code=4401)
        return
    handle, identified, token = who
    after = _inbox_id(query.get("after", ""))
    visitor = Visitor(inbox, handle, identified, last_sent=after)
    await websocket.accept()
    hub = websocket.app.state.container.realtime.hub
    with hub.listen(inbox.workspace_id) as queue:
        await websocket.send_json({"type": "hello", "visitor": token, "identified": identified})
        await _send_new(websocket, visitor, after)
        await websocket.send_json({"type": "ready"})
        await _serve(websocket, visitor, queue, str(websocket.url))


async def _send_new(websocket: WebSocket, visitor: Visitor, after: uuid.UUID | None) -> None:
    for frame in await run_in_threadpool(visitor_messages, websocket.app, visitor, after):
        await websocket.send_json(frame)
        visitor.last_sent = uuid.UUID(frame["id"])


async def _serve(
    websocket: WebSocket, visitor: Visitor, queue: asyncio.Queue[dict[str, Any]], url: str
) -> None:
    receiver = asyncio.ensure_future(websocket.receive_text())
    getter = asyncio.ensure_future(queue.get())
    try:
        while True:
            done, _ = await asyncio.wait(
                {receiver, getter}, timeout=PING_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                await websocket.send_json({"type": "ping"})
                continue
            if receiver in done:
                try:
                    text = receiver.result()
                except (WebSocketDisconnect, RuntimeError):
                    return
                await _on_frame(websocket, visitor, text, url)
                receiver = asyncio.ensure_future(websocket.receive_text())
            if getter in done:
                pushed = getter.result()
                conversation = (pushed.get("conversation") or {}).get("id")
                if (
                    pushed.get("type") == "resync"
                    or visitor.waiting
                    or (conversation and uuid.UUID(str(conversation)) in visitor.conversation_ids)
                ):
                    await _send_new(websocket, visitor, visitor.last_sent)
                    visitor.waiting = visitor.waiting and not visitor.conversation_ids
                getter = asyncio.ensure_future(queue.get())
    finally:
        for task in (receiver, getter):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task


async def _on_frame(websocket: WebSocket, visitor: Visitor, text: str, url: str) -> None:
    try:
        frame = json.loads(text)
    except ValueError:
        await websocket.send_json({"type": "error", "reason": "frames are JSON"})
        return
    if not isinstance(frame, dict):
        await websocket.send_json({"type": "error", "reason": "frames are JSON objects"})
        return
    if frame.get("type") == "message":
        ack, entry_ids = await run_in_threadpool(_store, websocket.app, visitor, frame, url)
        await websocket.send_json(ack)  # the frame is committed: the widget may forget it
        if entry_ids:
            await run_in_threadpool(_process, websocket.app, entry_ids)
            await _send_new(websocket, visitor, visitor.last_sent)
    elif frame.get("type") == "ping":
        await websocket.send_json({"type": "pong"})


@router.post("/widget/{inbox_id}/messages")
async def offline_message(inbox_id: str, request: Request) -> Response:
    """The offline form (no live connection): the same ledger path; answers the acknowledgement."""
    key = _inbox_id(inbox_id)
    found = await run_in_threadpool(_load_inbox, request.app, key) if key else None
    if key is None or found is None:
        return _error(404, "not_found", "inbox not found")
    inbox, _ = found
    try:
        frame = json.loads(await request.body())
    except ValueError:
        return _error(400, "malformed_payload", "body is not JSON")
    if not isinstance(frame, dict):
        return _error(400, "malformed_payload", "expected a JSON object")
    key_bytes = _key(request.app)
    visitor_id = read_visitor(key_bytes, key, frame.get("visitor")) or read_visitor(
        key_bytes, key, request.cookies.get(COOKIE)
    )
    if visitor_id is None:
        return _error(401, "unknown_visitor", "open the widget page first: no visitor token")
    visitor = Visitor(inbox, f"visitor:{visitor_id}", False)
    ack, entry_ids = await run_in_threadpool(_store, request.app, visitor, frame, str(request.url))
    if ack["type"] == "error":
        return _error(400, "malformed_payload", ack["reason"])
    return JSONResponse(ack, status_code=202, background=BackgroundTask(_process, request.app, entry_ids))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": None}}, status_code=status)
