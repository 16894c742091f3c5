"""FastAPI dependencies that authenticate a request and bind its session to the workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from kefu.accounts import service
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.config.settings import Settings
from kefu.core.errors import Forbidden, Unauthorized
from kefu.db.session import DbSession
from kefu.db.tenancy import bind_workspace

SESSION_COOKIE = "kefu_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def current_principal(request: Request, session: DbSession) -> Principal:
    """Authenticate by `Authorization: Bearer <token>` or the session cookie; bind the workspace.

    A request that sends an Authorization header is judged by it alone. Cookie-authenticated
    unsafe requests must carry the session's CSRF token in the X-CSRF-Token header.
    """
    header = request.headers.get("authorization")
    principal = None
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() == "bearer" and secret.strip():
            principal = service.authenticate_token(session, secret=secret.strip())
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = service.authenticate_session(
            session,
            secret=cookie,
            csrf_token=request.headers.get(CSRF_HEADER),
            needs_csrf=request.method.upper() in UNSAFE_METHODS,
        )
    if principal is None:
        raise Unauthorized("missing or invalid credentials")
    bind_workspace(session, principal.workspace_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency factory: the caller must hold one of these roles (async: no thread hop)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("your role may not do this")
        return principal

    return check


def app_settings(request: Request) -> Settings:
    """The settings of the running application."""
    settings: Settings = request.app.state.container.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


def client_ip(request: Request) -> str:
    """The peer address of the request (the proxy's, unless the server trusts proxy headers)."""
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]
