"""HTTP API of the accounts domain (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator, StringConstraints

from kefu.accounts import service
from kefu.accounts.dependencies import (
    SESSION_COOKIE,
    AppSettings,
    ClientIp,
    CurrentPrincipal,
    SecretBoxDep,
    require_role,
)
from kefu.accounts.enums import Level, Role, TeamKind
from kefu.accounts.exceptions import LoginRefused, TooManyAttempts, WrongPassword
from kefu.accounts.locales import single_line
from kefu.accounts.schemas import (
    AgentIn,
    AgentOut,
    AgentUpdate,
    IssuedToken,
    LoginIn,
    LoginLimits,
    PasswordChange,
    PasswordReset,
    Principal,
    ProfileUpdate,
    RecoveryCodes,
    SessionOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
    TokenIn,
    TokenOut,
    TwoFactorCode,
    TwoFactorDisable,
    TwoFactorSetup,
    TwoFactorStatus,
    WorkspaceOut,
    WorkspaceUpdate,
)
from kefu.audit import service as audit
from kefu.audit.schemas import AuditEventOut
from kefu.core.errors import Forbidden
from kefu.core.paging import Cursor, Limit, Page
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(tags=["accounts"], route_class=UnitOfWorkRoute)

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]
ManagerPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]
SearchText = Annotated[str, StringConstraints(max_length=100), AfterValidator(single_line)]


# ----------------------------------------------------------------- auth


@router.post("/auth/login", response_model=SessionOut)
def log_in(
    data: LoginIn, request: Request, response: Response, session: DbSession, settings: AppSettings,
    ip: ClientIp, box: SecretBoxDep,
) -> SessionOut:
    """Open a console session: sets the HttpOnly session cookie and returns the CSRF token.

    Agents with two-factor authentication send `totp_code` (or a `recovery_code`) with the
    password; without it the answer is 401 `two_factor_required`. Failed attempts are limited
    per (email, client IP), per client IP and per account (backoff): 429 with Retry-After.
    """
    try:
        issued = service.log_in(
            session, email=str(data.email), password=data.password, workspace_slug=data.workspace,
            client_ip=ip, limits=LoginLimits.from_settings(settings),
            max_age_seconds=settings.session_max_age_seconds, box=box, totp_code=data.totp_code,
            recovery_code=data.recovery_code,
        )
    except (LoginRefused, TooManyAttempts):
        session.commit()  # the failed attempt (and its audit row) must count although the request fails
        raise
    response.set_cookie(
        SESSION_COOKIE, issued.secret, max_age=settings.session_max_age_seconds, path="/",
        httponly=True, samesite="lax", secure=settings.secure_cookies(request.url.scheme),
    )
    return issued.session


@router.post("/auth/logout", status_code=204)
def log_out(
    principal: CurrentPrincipal, request: Request, response: Response, session: DbSession,
    settings: AppSettings,
) -> None:
    """End the console session of the cookie and clear it (a no-op for token callers)."""
    if principal.session_id is not None:
        service.log_out(session, workspace_id=principal.workspace_id,
                        session_id=principal.session_id, agent_id=principal.agent_id)
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax",
            secure=settings.secure_cookies(request.url.scheme),
        )


@router.get("/auth/session", response_model=SessionOut)
def read_session(principal: CurrentPrincipal, session: DbSession) -> SessionOut:
    """The caller, their workspace and (for console sessions) the CSRF token."""
    return service.describe_session(session, principal=principal)


# ------------------------------------------------------------ workspace


@router.get("/workspace", response_model=WorkspaceOut)
def read_workspace(principal: CurrentPrincipal, session: DbSession) -> WorkspaceOut:
    """The caller's workspace."""
    return service.get_workspace(session, workspace_id=principal.workspace_id)


@router.patch("/workspace", response_model=WorkspaceOut)
def update_workspace(data: WorkspaceUpdate, principal: AdminPrincipal, session: DbSession) -> WorkspaceOut:
    """Change the workspace's name, default language, time zone or 2FA requirement (admins only)."""
    return service.update_workspace(session, workspace_id=principal.workspace_id, data=data, actor=principal)


# ------------------------------------------------------------------- me


@router.get("/me", response_model=AgentOut)
def read_me(principal: CurrentPrincipal, session: DbSession) -> AgentOut:
    """The calling agent."""
    return service.get_agent(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id
    )


@router.patch("/me", response_model=AgentOut)
def update_me(data: ProfileUpdate, principal: CurrentPrincipal, session: DbSession) -> AgentOut:
    """Change one's own display name or languages."""
    return service.update_profile(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, data=data
    )


@router.post("/me/password", status_code=204)
def change_my_password(
    data: PasswordChange, principal: CurrentPrincipal, session: DbSession, settings: AppSettings,
    ip: ClientIp,
) -> None:
    """Change one's own password (the current one is required); other console sessions end."""
    try:
        service.change_password(
            session, workspace_id=principal.workspace_id, agent_id=principal.agent_id,
            current_password=data.current_password, new_password=data.new_password, client_ip=ip,
            limits=LoginLimits.from_settings(settings),
            keep_session_id=principal.session_id,
        )
    except (WrongPassword, TooManyAttempts):
        session.commit()  # the failed attempt must count although the request fails
        raise


@router.get("/me/two-factor", response_model=TwoFactorStatus)
def read_my_two_factor(principal: CurrentPrincipal, session: DbSession) -> TwoFactorStatus:
    """Whether one uses two-factor authentication, and whether the workspace requires it."""
    return service.two_factor_status(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id
    )


@router.post("/me/two-factor/setup", response_model=TwoFactorSetup)
def set_up_my_two_factor(
    principal: CurrentPrincipal, session: DbSession, box: SecretBoxDep
) -> TwoFactorSetup:
    """Start enrolment: a new TOTP secret and otpauth:// URI for an authenticator app (shown once)."""
    return service.begin_two_factor(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, box=box
    )


@router.post("/me/two-factor/enable", response_model=RecoveryCodes)
def enable_my_two_factor(
    data: TwoFactorCode, principal: CurrentPrincipal, session: DbSession, box: SecretBoxDep, ip: ClientIp
) -> RecoveryCodes:
    """Confirm enrolment with a first code: 2FA is on; ten one-time recovery codes are shown once."""
    return service.enable_two_factor(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, code=data.code, box=box,
        client_ip=ip,
    )


@router.post("/me/two-factor/recovery-codes", response_model=RecoveryCodes)
def regenerate_my_recovery_codes(
    data: TwoFactorCode, principal: CurrentPrincipal, session: DbSession, box: SecretBoxDep, ip: ClientIp
) -> RecoveryCodes:
    """Replace one's recovery codes by ten new ones (a current code is required)."""
    return service.regenerate_recovery_codes(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, code=data.code, box=box,
        client_ip=ip,
    )


@router.post("/me/two-factor/disable", status_code=204)
def disable_my_two_factor(
    data: TwoFactorDisable, principal: CurrentPrincipal, session: DbSession, box: SecretBoxDep, ip: ClientIp
) -> None:
    """Switch one's 2FA off (password and a current code), unless the workspace requires it."""
    service.disable_two_factor(
        session, workspace_id=principal.workspace_id, agent_id=principal.agent_id, password=data.password,
        code=data.code, box=box, client_ip=ip,
    )


# --------------------------------------------------------------- agents


@router.get("/agents", response_model=Page[AgentOut])
def list_agents(
    principal: CurrentPrincipal, session: DbSession, role: Role | None = None,
    level: Level | None = None, team_id: uuid.UUID | None = None, active: bool | None = None,
    q: Annotated[SearchText | None, Query(description="Text in name or email")] = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[AgentOut]:
    """Agents of the workspace, newest first."""
    return service.list_agents(
        session, workspace_id=principal.workspace_id, role=role, level=level, team_id=team_id,
        active=active, query=q, limit=limit, cursor=cursor,
    )


@router.post("/agents", response_model=AgentOut, status_code=201)
def create_agent(data: AgentIn, principal: AdminPrincipal, session: DbSession) -> AgentOut:
    """Create an agent in the caller's workspace (admins only); the password follows the policy."""
    return service.create_agent(session, workspace_id=principal.workspace_id, data=data, actor=principal)


@router.get("/agents/{agent_id}", response_model=AgentOut)
def read_agent(agent_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> AgentOut:
    """One agent of the workspace."""
    return service.get_agent(session, workspace_id=principal.workspace_id, agent_id=agent_id)


@router.patch("/agents/{agent_id}", response_model=AgentOut)
def update_agent(
    agent_id: uuid.UUID, data: AgentUpdate, principal: ManagerPrincipal, session: DbSession
) -> AgentOut:
    """Change an agent: admins anything, supervisors name, level and languages of their agents."""
    return service.update_agent(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, data=data, actor=principal
    )


@router.post("/agents/{agent_id}/deactivate", response_model=AgentOut)
def deactivate_agent(agent_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> AgentOut:
    """Deactivate an agent: their sessions end and their API tokens are revoked (admins only)."""
    return service.deactivate_agent(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, actor=principal
    )


@router.put("/agents/{agent_id}/password", status_code=204)
def reset_agent_password(
    agent_id: uuid.UUID, data: PasswordReset, principal: AdminPrincipal, session: DbSession
) -> None:
    """Set an agent's password (admins only); the agent's console sessions end."""
    service.reset_password(
        session, workspace_id=principal.workspace_id, agent_id=agent_id,
        new_password=data.new_password, actor=principal,
    )


@router.delete("/agents/{agent_id}/two-factor", status_code=204)
def reset_agent_two_factor(agent_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> None:
    """Switch off another agent's 2FA after a lost device (admins only); the agent's sessions end."""
    service.reset_two_factor(session, workspace_id=principal.workspace_id, agent_id=agent_id, actor=principal)


@router.get("/agents/{agent_id}/teams", response_model=Page[TeamOut])
def list_teams_of_agent(
    agent_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TeamOut]:
    """The teams an agent belongs to."""
    return service.list_teams(
        session, workspace_id=principal.workspace_id, agent_id=agent_id, limit=limit, cursor=cursor
    )


# ---------------------------------------------------------------- teams


@router.get("/teams", response_model=Page[TeamOut])
def list_teams(
    principal: CurrentPrincipal, session: DbSession, kind: TeamKind | None = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[TeamOut]:
    """Teams of the workspace, newest first."""
    return service.list_teams(
        session, workspace_id=principal.workspace_id, kind=kind, limit=limit, cursor=cursor
    )


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(data: TeamIn, principal: AdminPrincipal, session: DbSession) -> TeamOut:
    """Create a team: a tier, the QA team or a department (admins only)."""
    return service.create_team(session, workspace_id=principal.workspace_id, data=data)


@router.get("/teams/{team_id}", response_model=TeamOut)
def read_team(team_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> TeamOut:
    """One team of the workspace."""
    return service.get_team(session, workspace_id=principal.workspace_id, team_id=team_id)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(
    team_id: uuid.UUID, data: TeamUpdate, principal: AdminPrincipal, session: DbSession
) -> TeamOut:
    """Rename a team or change its kind or description (admins only)."""
    return service.update_team(
        session, workspace_id=principal.workspace_id, team_id=team_id, data=data
    )


@router.delete("/teams/{team_id}", status_code=204)
def delete_team(team_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> None:
    """Delete a team and its memberships (admins only)."""
    service.delete_team(session, workspace_id=principal.workspace_id, team_id=team_id)


@router.get("/teams/{team_id}/agents", response_model=Page[AgentOut])
def list_team_agents(
    team_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession,
    active: bool | None = None, limit: Limit = 50, cursor: Cursor = None,
) -> Page[AgentOut]:
    """The agents of a team."""
    return service.list_agents(
        session, workspace_id=principal.workspace_id, team_id=team_id, active=active,
        limit=limit, cursor=cursor,
    )


@router.put("/teams/{team_id}/members/{agent_id}", status_code=204)
def add_team_member(
    team_id: uuid.UUID, agent_id: uuid.UUID, principal: ManagerPrincipal, session: DbSession
) -> None:
    """Put an agent in a team (admins and supervisors; idempotent)."""
    service.add_team_member(
        session, workspace_id=principal.workspace_id, team_id=team_id, agent_id=agent_id
    )


@router.delete("/teams/{team_id}/members/{agent_id}", status_code=204)
def remove_team_member(
    team_id: uuid.UUID, agent_id: uuid.UUID, principal: ManagerPrincipal, session: DbSession
) -> None:
    """Take an agent out of a team (admins and supervisors; idempotent)."""
    service.remove_team_member(
        session, workspace_id=principal.workspace_id, team_id=team_id, agent_id=agent_id
    )


# ----------------------------------------------------------- API tokens


@router.get("/tokens", response_model=Page[TokenOut])
def list_tokens(
    principal: CurrentPrincipal, session: DbSession, agent_id: uuid.UUID | None = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[TokenOut]:
    """The caller's API tokens; admins may name another agent. Secrets are never listed."""
    owner = _token_owner(principal, agent_id)
    return service.list_api_tokens(
        session, workspace_id=principal.workspace_id, agent_id=owner, limit=limit, cursor=cursor
    )


@router.post("/tokens", response_model=IssuedToken, status_code=201)
def create_token(data: TokenIn, principal: CurrentPrincipal, session: DbSession) -> IssuedToken:
    """Issue an API token for the caller (admins: for any agent); the secret is shown only here."""
    return service.issue_api_token(
        session, workspace_id=principal.workspace_id,
        agent_id=_token_owner(principal, data.agent_id), name=data.name, actor=principal,
    )


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> None:
    """Revoke an API token: one's own, or any in the workspace for admins."""
    service.revoke_api_token(
        session, workspace_id=principal.workspace_id, token_id=token_id, actor=principal
    )


def _token_owner(principal: Principal, agent_id: uuid.UUID | None) -> uuid.UUID:
    if agent_id is None or agent_id == principal.agent_id:
        return principal.agent_id
    if principal.role != Role.ADMIN:
        raise Forbidden("only admins may manage other agents' tokens")
    return agent_id


# ------------------------------------------------------------ audit log


@router.get("/audit/events", response_model=Page[AuditEventOut])
def list_audit_events(
    principal: AdminPrincipal, session: DbSession,
    action: Annotated[str | None, Query(max_length=64, description="e.g. auth.login_failed")] = None,
    actor_id: uuid.UUID | None = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None, until: datetime | None = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[AuditEventOut]:
    """The workspace's audit log, newest first (admins only; append-only: nothing edits or deletes it)."""
    return audit.list_events(
        session, workspace_id=principal.workspace_id, action=action, actor_id=actor_id,
        target_id=target_id, since=since, until=until, limit=limit, cursor=cursor,
    )
