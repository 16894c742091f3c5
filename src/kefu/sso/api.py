"""HTTP API of single sign-on: the admin's provider settings, and the browser's sign-in and callback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from kefu.accounts.dependencies import SESSION_COOKIE, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core.secretbox import SecretBox
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.sso import service
from kefu.sso.flow import SignInFlow
from kefu.sso.schemas import OidcProviderIn, OidcProviderOut
from kefu.sso.service import LOGIN_TTL

STATE_COOKIE = "kefu_oidc_state"
"""Binds a started sign-in to the browser that started it (HttpOnly, SameSite=Lax, 10 minutes)."""

router = APIRouter(prefix="/sso", tags=["sso"], route_class=UnitOfWorkRoute)
sign_in_router = APIRouter(prefix="/auth/oidc", tags=["sso"])
"""Plain routes: the flow commits its own short units of work around the calls to the provider."""

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]


def base_url(request: Request) -> str:
    """The address users open: `KEFU_PUBLIC_URL`, else the one this request came to."""
    public: str | None = request.app.state.container.settings.public_url
    return public or str(request.base_url)


async def secret_box(request: Request) -> SecretBox:
    """The process's keyring (the client secret is stored sealed)."""
    box: SecretBox = request.app.state.container.secret_box
    return box


def sign_in_flow(request: Request) -> SignInFlow:
    """The sign-in flow of this process."""
    container = request.app.state.container
    return SignInFlow(
        container.session_factory,
        container.secret_box,
        container.outbound,
        container.http_transport,
        container.settings.session_max_age_seconds,
    )


Box = Annotated[SecretBox, Depends(secret_box)]
Flow = Annotated[SignInFlow, Depends(sign_in_flow)]


@router.get("/oidc", response_model=OidcProviderOut)
def read_provider(principal: AdminPrincipal, session: DbSession, request: Request) -> OidcProviderOut:
    """The workspace's OpenID Connect provider (the client secret is never shown)."""
    return service.get_oidc_provider(session, workspace_id=principal.workspace_id, base_url=base_url(request))


@router.put("/oidc", response_model=OidcProviderOut)
def put_provider(
    data: OidcProviderIn, principal: AdminPrincipal, session: DbSession, request: Request, box: Box
) -> OidcProviderOut:
    """Set the workspace's OpenID Connect provider; register the answer's `redirect_uri` at the provider."""
    return service.configure_oidc_provider(
        session,
        workspace_id=principal.workspace_id,
        data=data,
        box=box,
        policy=request.app.state.container.outbound,
        actor_agent_id=principal.agent_id,
        base_url=base_url(request),
    )


@router.delete("/oidc", status_code=204)
def delete_provider(principal: AdminPrincipal, session: DbSession) -> Response:
    """Remove the provider (agents stay and can still use passwords they have)."""
    service.delete_oidc_provider(
        session, workspace_id=principal.workspace_id, actor_agent_id=principal.agent_id
    )
    return Response(status_code=204)


@sign_in_router.get("/{workspace}/login", status_code=302, response_class=RedirectResponse)
def start_sign_in(
    workspace: str, request: Request, flow: Flow, next: Annotated[str | None, Query(max_length=2048)] = None
) -> RedirectResponse:
    """Send the browser to the workspace's identity provider (authorization code flow with PKCE)."""
    url, state = flow.start(workspace_slug=workspace[:80], base_url=base_url(request), next_path=next)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(LOGIN_TTL.total_seconds()),
        path="/api/v1/auth/oidc",
        httponly=True,
        samesite="lax",
        secure=request.app.state.container.settings.secure_cookies(request.url.scheme),
    )
    return response


@sign_in_router.get("/{workspace}/callback", status_code=303, response_class=RedirectResponse)
def finish_sign_in(
    workspace: str,
    request: Request,
    flow: Flow,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Where the provider sends the browser back: verify, open the console session, go on."""
    issued, next_path = flow.finish(
        workspace_slug=workspace[:80],
        code=code,
        state=state,
        error=error,
        browser_state=request.cookies.get(STATE_COOKIE),
    )
    response = RedirectResponse(next_path, status_code=303)
    settings = request.app.state.container.settings
    response.delete_cookie(STATE_COOKIE, path="/api/v1/auth/oidc")
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        max_age=settings.session_max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies(request.url.scheme),
    )
    return response
