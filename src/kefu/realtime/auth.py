"""WebSocket authentication by the console session cookie, same origin only (one module, to unify later)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from kefu.accounts import service as accounts
from kefu.accounts.dependencies import SESSION_COOKIE
from kefu.accounts.schemas import Principal


def same_origin(websocket: WebSocket) -> bool:
    """Whether the handshake's Origin is the server's own host (cookies alone do not prove intent)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


async def websocket_principal(websocket: WebSocket) -> Principal | None:
    """The agent of the handshake's session cookie, or None (unknown, expired, inactive, cross-origin)."""
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie or not same_origin(websocket):
        return None
    factory = websocket.app.state.session_factory

    def look_up() -> Principal | None:
        with factory() as session:
            principal = accounts.authenticate_session(
                session, secret=cookie, csrf_token=None, needs_csrf=False
            )
            session.commit()
            return None if principal is None or principal.restricted else principal  # 2FA setup pending

    return await run_in_threadpool(look_up)
