"""FastAPI dependencies that authenticate a request and bind its session to the workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from kefu.accounts import service
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core.errors import Forbidden, Unauthorized
from kefu.db.session import DbSession
from kefu.db.tenancy import bind_workspace


def current_principal(request: Request, session: DbSession) -> Principal:
    """Authenticate by `Authorization: Bearer <token>`; bind the session to the caller's workspace."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    principal = None
    if scheme.lower() == "bearer" and secret:
        principal = service.authenticate_token(session, secret=secret.strip())
    if principal is None:
        raise Unauthorized("missing or invalid credentials")
    bind_workspace(session, principal.workspace_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """Dependency factory: the caller must hold one of these roles."""

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("your role may not do this")
        return principal

    return check
