"""FastAPI dependencies that authenticate a request and bind its session to the workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket, WebSocketException, status
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kefu.accounts import service, tokens
from kefu.accounts.enums import Role
from kefu.accounts.exceptions import TwoFactorSetupRequired
from kefu.accounts.principals import PrincipalCache
from kefu.accounts.schemas import Principal
from kefu.config.settings import Settings
from kefu.core.errors import Forbidden, Unauthorized
from kefu.core.secretbox import SecretBox
from kefu.db.session import DbSession, check_on_begin
from kefu.db.tenancy import bind_workspace

SESSION_COOKIE = "kefu_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RESTRICTED_PATHS = ("/api/v1/auth/", "/api/v1/me/two-factor")
"""What a restricted session (workspace requires 2FA the agent has not set up) may still call."""


async def current_principal(request: Request, session: DbSession) -> Principal:
    """Authenticate by `Authorization: Bearer <token>` or the session cookie; bind the workspace.

    A request that sends an Authorization header is judged by it alone. Cookie-authenticated
    unsafe requests must carry the session's CSRF token in the X-CSRF-Token header. A token
    seen recently is taken at its word here and confirmed as the request's transaction begins
    (no thread hop of its own); an unknown one, and a cookie, are looked up first.
    """
    header = request.headers.get("authorization")
    principal = None
    if header is not None:
        scheme, _, secret = header.partition(" ")
        token_hash = tokens.token_digest(secret.strip()) if scheme.lower() == "bearer" else None
        if token_hash is not None:
            principal = await _token_principal(request, session, token_hash)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = await _looked_up(session, lambda: service.authenticate_session(
            session,
            secret=cookie,
            csrf_token=request.headers.get(CSRF_HEADER),
            needs_csrf=request.method.upper() in UNSAFE_METHODS,
        ))
    if principal is None:
        raise Unauthorized("missing or invalid credentials")
    if principal.restricted and not request.url.path.startswith(RESTRICTED_PATHS):
        raise TwoFactorSetupRequired()
    bind_workspace(session, principal.workspace_id)
    return principal


def principal_cache(request: Request) -> PrincipalCache:
    """The application's cache of recently confirmed token principals (made on first use)."""
    state = request.app.state
    if not hasattr(state, "principals"):
        state.principals = PrincipalCache()
    cache: PrincipalCache = state.principals
    return cache


@dataclass
class _Claim:
    """A token's principal taken from the cache, not yet confirmed by the database."""

    token_hash: str
    principal: Principal
    confirmed: bool = False


async def _token_principal(request: Request, session: Session, token_hash: str) -> Principal | None:
    cache = principal_cache(request)
    claimed = cache.get(token_hash)
    if claimed is None:
        return await _look_up_token(cache, session, token_hash)
    claim = _Claim(token_hash, claimed)
    request.state.token_claim = claim

    def confirm(connection: Connection) -> None:
        if not claim.confirmed and tokens.confirm_token(connection, token_hash) != claim.principal:
            cache.forget(token_hash)
            raise Unauthorized("missing or invalid credentials (the token changed: send the request again)")

    check_on_begin(session, confirm)
    return claimed


async def _look_up_token(cache: PrincipalCache, session: Session, token_hash: str) -> Principal | None:
    generation = cache.generation
    found = await _looked_up(session, lambda: tokens.confirm_token(session.connection(), token_hash))
    if found is not None:
        cache.put(token_hash, found, generation=generation)
    return found


async def _reconfirmed(request: Request, session: Session, principal: Principal) -> Principal:
    """The principal looked up afresh when it came from the cache unconfirmed; else as it is."""
    claim: _Claim | None = getattr(request.state, "token_claim", None)
    if claim is None or claim.confirmed:
        return principal
    cache = principal_cache(request)
    cache.forget(claim.token_hash)
    claim.confirmed = True  # the lookup below settles it; its transaction must not run the stale check
    fresh = await _look_up_token(cache, session, claim.token_hash)
    if fresh is None:
        raise Unauthorized("missing or invalid credentials")
    claim.principal = fresh
    return fresh


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def _looked_up(session: Session, look_up: Callable[[], Principal | None]) -> Principal | None:
    """Run a credential lookup in a thread and a transaction of its own.

    No transaction spans two thread hops, so a request never holds SQLite's write gate while it
    waits for a worker thread (with one web thread that would be a deadlock).
    """

    def run() -> Principal | None:
        try:
            principal = look_up()
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return principal

    return await run_in_threadpool(run)


def require_role(*roles: Role) -> Callable[[Principal, Request, Session], Awaitable[Principal]]:
    """Dependency factory: the caller must hold one of these roles (async: no thread hop)."""

    async def check(principal: CurrentPrincipal, request: Request, session: DbSession) -> Principal:
        if principal.role not in roles:  # a cached role may be out of date: ask the database
            principal = await _reconfirmed(request, session, principal)
        if principal.role not in roles:
            raise Forbidden("your role may not do this")
        return principal

    return check


async def app_settings(request: Request) -> Settings:
    """The settings of the running application."""
    settings: Settings = request.app.state.container.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


async def secret_box(request: Request) -> SecretBox:
    """The server's sealing box for stored secrets (TOTP secrets, provider credentials)."""
    box: SecretBox = request.app.state.container.secret_box
    return box


SecretBoxDep = Annotated[SecretBox, Depends(secret_box)]


async def client_ip(request: Request) -> str:
    """The peer address of the request (the proxy's, unless the server trusts proxy headers)."""
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]


async def websocket_principal(websocket: WebSocket) -> Principal:
    """Authenticate a WebSocket handshake by `Authorization: Bearer` or the session cookie.

    The lookup runs in a worker thread in a session and transaction of its own, closed before the
    socket is accepted: a long-lived socket holds no connection (and never SQLite's write gate).
    A cookie is accepted only from a page of the same origin (browsers send cookies on cross-site
    handshakes, and a WebSocket has no CSRF header). Refusal closes the handshake with 1008.
    """
    header = websocket.headers.get("authorization")
    cookie = websocket.cookies.get(SESSION_COOKIE)
    token_hash = None
    if header is not None:
        scheme, _, secret = header.partition(" ")
        token_hash = tokens.token_digest(secret.strip()) if scheme.lower() == "bearer" else None
        cookie = None  # a handshake that sends an Authorization header is judged by it alone
    elif cookie and not _same_origin(websocket):
        cookie = None
    principal = None
    if token_hash is not None or cookie:
        principal = await run_in_threadpool(
            _look_up_alone, websocket.app.state.session_factory, token_hash, cookie
        )
    if principal is None or principal.restricted:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "missing or invalid credentials")
    return principal


WebSocketPrincipal = Annotated[Principal, Depends(websocket_principal)]
"""The authenticated caller of a WebSocket endpoint; see `websocket_principal`."""


def workspace_session(websocket: WebSocket, principal: Principal) -> Session:
    """A new session bound to the caller's workspace, for one unit of work of a WebSocket endpoint.

    Use it per message, in a worker thread: `with workspace_session(ws, p) as s, s.begin(): ...`;
    it commits on leaving the block. Never keep one open for the life of the socket.
    """
    session: Session = websocket.app.state.session_factory()
    bind_workspace(session, principal.workspace_id)
    return session


def _same_origin(websocket: WebSocket) -> bool:
    """Whether the handshake's Origin (absent for non-browser clients) names the host it was sent to."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    host = websocket.headers.get("host", "")
    return origin.partition("://")[2].rstrip("/") == host


def _look_up_alone(
    factory: Callable[[], Session], token_hash: str | None, cookie: str | None
) -> Principal | None:
    """A token's or session cookie's principal, looked up in a session of its own."""
    with factory() as session, session.begin():
        if token_hash is not None:
            return tokens.confirm_token(session.connection(), token_hash)
        return service.authenticate_session(session, secret=cookie or "", csrf_token=None, needs_csrf=False)
