"""Write path and reads of workspaces, agents, teams, console sessions and API tokens."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.accounts import ratelimit, twofactor
from kefu.accounts.enums import Level, Role, TeamKind
from kefu.accounts.events import (
    AgentCreated,
    AgentDeactivated,
    AgentReactivated,
    AgentUpdated,
    TeamCreated,
    TeamDeleted,
    TeamMemberAdded,
    TeamMemberRemoved,
    TeamUpdated,
    WorkspaceUpdated,
)
from kefu.accounts.exceptions import (
    CsrfFailed,
    InvalidCredentials,
    InvalidTotpCode,
    InvalidTwoFactorCode,
    LastAdmin,
    TwoFactorNotEnabled,
    TwoFactorRequired,
    WeakPassword,
    WorkspaceRequired,
    WrongPassword,
)
from kefu.accounts.locales import language_code, time_zone
from kefu.accounts.models import (
    Agent,
    ApiToken,
    AuthSession,
    Team,
    TeamMember,
    TwoFactor,
    Workspace,
)
from kefu.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from kefu.accounts.ratelimit import AttemptKeys
from kefu.accounts.schemas import (
    AgentIn,
    AgentOut,
    AgentUpdate,
    IssuedSession,
    IssuedToken,
    LoginLimits,
    Principal,
    ProfileUpdate,
    RecoveryCodes,
    SessionOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
    TokenOut,
    TwoFactorSetup,
    TwoFactorStatus,
    WorkspaceOut,
    WorkspaceUpdate,
)
from kefu.accounts.tokens import MAX_SECRET_LENGTH, TOKEN_PREFIX, digest
from kefu.audit.service import record
from kefu.core import clock
from kefu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kefu.core.paging import Page
from kefu.core.secretbox import SecretBox
from kefu.db.outbox import publish
from kefu.db.paging import keyset_page
from kefu.db.scoped import get_scoped

MAX_WORKSPACES_PER_LOGIN = 20
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""Roles a workspace's `two_factor_required` applies to."""
_SLUG_RE = re.compile(r"[^a-z0-9]+")


# ---------------------------------------------------------------- workspaces


def slugify(name: str) -> str:
    """Lowercase ASCII slug of a name."""
    return _SLUG_RE.sub("-", name.lower()).strip("-")[:60] or "workspace"


def create_workspace(
    session: Session, *, name: str, slug: str | None = None, default_language: str = "en",
    timezone: str = "UTC",
) -> WorkspaceOut:
    """Create a workspace (tenant); the slug must be unique."""
    try:
        default_language, timezone = language_code(default_language), time_zone(timezone)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    workspace = Workspace(
        name=name, slug=slug or slugify(name), default_language=default_language, timezone=timezone
    )
    try:
        with session.begin_nested():
            session.add(workspace)
    except IntegrityError as exc:
        raise Conflict(f"workspace slug {workspace.slug!r} is taken", code="slug_taken") from exc
    return WorkspaceOut.model_validate(workspace)


def get_workspace(session: Session, *, workspace_id: uuid.UUID) -> WorkspaceOut:
    """Fetch a workspace or raise NotFound."""
    return WorkspaceOut.model_validate(_workspace(session, workspace_id))


def get_workspace_by_slug(session: Session, *, slug: str) -> WorkspaceOut | None:
    """Find a workspace by slug."""
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    return None if workspace is None else WorkspaceOut.model_validate(workspace)


def update_workspace(
    session: Session, *, workspace_id: uuid.UUID, data: WorkspaceUpdate, actor: Principal | None = None
) -> WorkspaceOut:
    """Change a workspace's name, default language, time zone or 2FA requirement.

    Requiring 2FA needs the acting admin to use it already (409 `two_factor_not_enabled`); the
    open console sessions of admins and supervisors without it become restricted to enrolment.
    """
    workspace = _workspace(session, workspace_id)
    changes = data.changes()
    if changes.get("two_factor_required") and not workspace.two_factor_required:
        if actor is not None and not _has_two_factor(session, workspace_id, actor.agent_id):
            raise TwoFactorNotEnabled()
        _restrict_sessions_without_two_factor(session, workspace_id)
    changed = _apply(workspace, changes)
    if changed:
        session.flush()
        publish(session, WorkspaceUpdated(
            workspace_id=workspace_id, changed=changed,
            default_language=workspace.default_language, timezone=workspace.timezone,
        ))
        _audit(session, workspace_id, "workspace.settings_changed", actor, target_kind="workspace",
               target_id=workspace_id,
               details={name: _jsonable(getattr(workspace, name)) for name in changed})
    return WorkspaceOut.model_validate(workspace)


# -------------------------------------------------------------------- agents


def create_agent(
    session: Session, *, workspace_id: uuid.UUID, data: AgentIn, actor: Principal | None = None
) -> AgentOut:
    """Create an agent; the email must be unique in the workspace and the password follow the policy."""
    if data.password:
        check_new_password(data.password, email=str(data.email), display_name=data.display_name,
                           field="password")
    agent = Agent(
        workspace_id=workspace_id,
        email=str(data.email).lower(),
        display_name=data.display_name,
        password_hash=hash_password(data.password) if data.password else None,
        role=data.role,
        level=data.level,
        languages=list(dict.fromkeys(data.languages)),
        is_active=True,
    )
    try:
        with session.begin_nested():
            session.add(agent)
    except IntegrityError as exc:
        raise Conflict("an agent with this email exists", code="email_taken") from exc
    publish(session, AgentCreated(
        workspace_id=workspace_id, agent_id=agent.id, role=agent.role, level=agent.level,
        languages=agent.languages,
    ))
    _audit(session, workspace_id, "agent.created", actor, target_id=agent.id, details={"role": agent.role})
    return AgentOut.model_validate(agent)


def get_agent(session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> AgentOut:
    """Fetch an agent of the workspace or raise NotFound."""
    return AgentOut.model_validate(_agent(session, workspace_id, agent_id))


def find_agent_by_email(
    session: Session, *, workspace_id: uuid.UUID, email: str
) -> AgentOut | None:
    """Find an agent of a workspace by email (case-insensitive)."""
    agent = session.scalar(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.email == email.strip().lower())
    )
    return None if agent is None else AgentOut.model_validate(agent)


def list_agents(
    session: Session, *, workspace_id: uuid.UUID, role: Role | None = None,
    level: Level | None = None, team_id: uuid.UUID | None = None, active: bool | None = None,
    query: str | None = None, limit: int = 50, cursor: str | None = None,
) -> Page[AgentOut]:
    """Agents of a workspace, newest first, filtered by role, level, team, active flag or text."""
    statement = select(Agent).where(Agent.workspace_id == workspace_id)
    if role is not None:
        statement = statement.where(Agent.role == role)
    if level is not None:
        statement = statement.where(Agent.level == level)
    if active is not None:
        statement = statement.where(Agent.is_active.is_(active))
    if team_id is not None:
        _team(session, workspace_id, team_id)
        statement = statement.where(Agent.id.in_(
            select(TeamMember.agent_id).where(
                TeamMember.team_id == team_id, TeamMember.workspace_id == workspace_id
            )
        ))
    if query:
        needle = query.strip().lower()
        statement = statement.where(or_(
            func.lower(Agent.display_name).contains(needle, autoescape=True),
            Agent.email.contains(needle, autoescape=True),
        ))
    return keyset_page(
        session, statement, [Agent.id], limit=limit, cursor=cursor, out=AgentOut.model_validate
    )


def update_agent(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, data: AgentUpdate,
    actor: Principal,
) -> AgentOut:
    """Change an agent: admins anything; supervisors name, level and languages of agents and QA.

    Deactivating ends the agent's sessions and revokes their API tokens. A workspace always
    keeps one active admin.
    """
    agent = _agent(session, workspace_id, agent_id)
    changes = data.changes()
    if actor.role != Role.ADMIN:
        if actor.role != Role.SUPERVISOR:
            raise Forbidden("only admins and supervisors may change agents")
        if agent.role in {Role.ADMIN, Role.SUPERVISOR}:
            raise Forbidden("supervisors may change only agents and QA inspectors")
        if {"role", "is_active"} & changes.keys():
            raise Forbidden("only admins may change roles or deactivate agents")
    if agent.role == Role.ADMIN and agent.is_active and (
        changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active") is False
    ):
        _ensure_another_admin(session, workspace_id, agent.id)
    is_active = changes.pop("is_active", agent.is_active)
    previous_role = agent.role
    changed = _apply(agent, changes)
    if "role" in changed:
        _audit(session, workspace_id, "agent.role_changed", actor, target_id=agent.id,
               details={"from": previous_role, "to": agent.role})
    if changed:
        session.flush()
        publish(session, AgentUpdated(
            workspace_id=workspace_id, agent_id=agent.id, changed=changed, role=agent.role,
            level=agent.level, languages=agent.languages,
        ))
    if is_active != agent.is_active:
        _set_active(session, agent, is_active)
        _audit(session, workspace_id, "agent.reactivated" if is_active else "agent.deactivated", actor,
               target_id=agent.id)
    return AgentOut.model_validate(agent)


def deactivate_agent(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, actor: Principal
) -> AgentOut:
    """Deactivate an agent (admins only): sessions end, API tokens are revoked."""
    return update_agent(
        session, workspace_id=workspace_id, agent_id=agent_id,
        data=AgentUpdate(is_active=False), actor=actor,
    )


def update_profile(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, data: ProfileUpdate
) -> AgentOut:
    """An agent changes their own display name or languages."""
    agent = _agent(session, workspace_id, agent_id)
    changed = _apply(agent, data.changes())
    if changed:
        session.flush()
        publish(session, AgentUpdated(
            workspace_id=workspace_id, agent_id=agent.id, changed=changed, role=agent.role,
            level=agent.level, languages=agent.languages,
        ))
    return AgentOut.model_validate(agent)


def change_password(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, current_password: str,
    new_password: str, client_ip: str, limits: LoginLimits,
    keep_session_id: uuid.UUID | None = None,
) -> None:
    """Change one's own password; the current one must match and the new one follow the policy.

    A wrong current password counts as a failed login attempt (the caller commits it). Other
    console sessions end.
    """
    agent = _agent(session, workspace_id, agent_id)
    keys = AttemptKeys.of(agent.email, client_ip)
    ratelimit.check_attempts(session, keys=keys, limits=limits)
    if not verify_password(agent.password_hash, current_password):
        ratelimit.record_failure(session, keys=keys, limits=limits)
        raise WrongPassword()
    check_new_password(new_password, email=agent.email, display_name=agent.display_name)
    ratelimit.clear_failures(session, keys=keys)
    agent.password_hash = hash_password(new_password)
    _end_sessions(session, agent, keep=keep_session_id)
    session.flush()
    record(session, workspace_id=workspace_id, action="auth.password_changed", actor_id=agent.id,
           target_kind="agent", target_id=agent.id, client_ip=client_ip)


def reset_password(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, new_password: str,
    actor: Principal | None = None,
) -> None:
    """Set an agent's password (an admin's action); all the agent's console sessions end."""
    agent = _agent(session, workspace_id, agent_id)
    check_new_password(new_password, email=agent.email, display_name=agent.display_name)
    agent.password_hash = hash_password(new_password)
    _end_sessions(session, agent)
    session.flush()
    _audit(session, workspace_id, "auth.password_reset", actor, target_id=agent.id)


def check_new_password(password: str, *, email: str, display_name: str, field: str = "new_password") -> None:
    """Raise WeakPassword (422, code of the first broken rule) unless the password follows the policy."""
    problems = password_problems(password, email=email, display_name=display_name)
    if problems:
        raise WeakPassword(field, problems)


# --------------------------------------------------------------------- teams


def create_team(session: Session, *, workspace_id: uuid.UUID, data: TeamIn) -> TeamOut:
    """Create a team; names are unique in a workspace."""
    team = Team(workspace_id=workspace_id, name=data.name, kind=data.kind,
                description=data.description)
    _save_team(session, team)
    publish(session, TeamCreated(
        workspace_id=workspace_id, team_id=team.id, name=team.name, kind=team.kind
    ))
    return TeamOut.model_validate(team)


def get_team(session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID) -> TeamOut:
    """Fetch a team of the workspace or raise NotFound."""
    return TeamOut.model_validate(_team(session, workspace_id, team_id))


def list_teams(
    session: Session, *, workspace_id: uuid.UUID, kind: TeamKind | None = None,
    agent_id: uuid.UUID | None = None, limit: int = 50, cursor: str | None = None,
) -> Page[TeamOut]:
    """Teams of a workspace, newest first, optionally of one kind or of one agent."""
    statement = select(Team).where(Team.workspace_id == workspace_id)
    if kind is not None:
        statement = statement.where(Team.kind == kind)
    if agent_id is not None:
        _agent(session, workspace_id, agent_id)
        statement = statement.where(Team.id.in_(
            select(TeamMember.team_id).where(
                TeamMember.agent_id == agent_id, TeamMember.workspace_id == workspace_id
            )
        ))
    return keyset_page(session, statement, [Team.id], limit=limit, cursor=cursor, out=TeamOut.model_validate)


def update_team(
    session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID, data: TeamUpdate
) -> TeamOut:
    """Rename a team or change its kind or description."""
    team = _team(session, workspace_id, team_id)
    changed = _apply(team, data.changes())
    if changed:
        _save_team(session, team)
        publish(session, TeamUpdated(
            workspace_id=workspace_id, team_id=team.id, changed=changed, name=team.name,
            kind=team.kind,
        ))
    return TeamOut.model_validate(team)


def delete_team(session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID) -> None:
    """Delete a team and its memberships."""
    team = _team(session, workspace_id, team_id)
    agent_ids = list_agent_ids_of_team(
        session, workspace_id=workspace_id, team_id=team_id, active_only=False
    )
    session.execute(delete(TeamMember).where(
        TeamMember.team_id == team_id, TeamMember.workspace_id == workspace_id
    ))
    session.delete(team)
    session.flush()
    publish(session, TeamDeleted(workspace_id=workspace_id, team_id=team_id, agent_ids=agent_ids))


def add_team_member(
    session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID, agent_id: uuid.UUID
) -> bool:
    """Put an agent in a team; False when already a member (idempotent)."""
    _team(session, workspace_id, team_id)
    _agent(session, workspace_id, agent_id)
    if _membership(session, workspace_id, team_id, agent_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(TeamMember(workspace_id=workspace_id, team_id=team_id, agent_id=agent_id))
    except IntegrityError:
        return False
    publish(session, TeamMemberAdded(workspace_id=workspace_id, team_id=team_id, agent_id=agent_id))
    return True


def remove_team_member(
    session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID, agent_id: uuid.UUID
) -> bool:
    """Take an agent out of a team; False when not a member (idempotent)."""
    _team(session, workspace_id, team_id)
    _agent(session, workspace_id, agent_id)
    membership = _membership(session, workspace_id, team_id, agent_id)
    if membership is None:
        return False
    session.delete(membership)
    session.flush()
    publish(session, TeamMemberRemoved(
        workspace_id=workspace_id, team_id=team_id, agent_id=agent_id
    ))
    return True


def list_team_ids_of_agent(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID
) -> list[uuid.UUID]:
    """Ids of the teams an agent belongs to (empty for an unknown agent)."""
    return list(session.scalars(
        select(TeamMember.team_id)
        .where(TeamMember.workspace_id == workspace_id, TeamMember.agent_id == agent_id)
        .order_by(TeamMember.team_id)
    ))


def list_agent_ids_of_team(
    session: Session, *, workspace_id: uuid.UUID, team_id: uuid.UUID, active_only: bool = True
) -> list[uuid.UUID]:
    """Ids of a team's agents (active ones unless told otherwise)."""
    statement = (
        select(TeamMember.agent_id)
        .join(Agent, Agent.id == TeamMember.agent_id)
        .where(TeamMember.workspace_id == workspace_id, TeamMember.team_id == team_id)
        .order_by(TeamMember.agent_id)
    )
    if active_only:
        statement = statement.where(Agent.is_active.is_(True))
    return list(session.scalars(statement))


# ---------------------------------------------------------------- API tokens


def issue_api_token(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, name: str,
    actor: Principal | None = None,
) -> IssuedToken:
    """Create a personal API token for an active agent; the secret is returned once, stored hashed."""
    agent = _agent(session, workspace_id, agent_id)
    if not agent.is_active:
        raise Conflict("the agent is deactivated", code="agent_inactive")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=workspace_id,
        agent_id=agent_id,
        name=name,
        prefix=secret[:12],
        token_hash=digest(secret),
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    _audit(session, workspace_id, "token.issued", actor, target_kind="api_token", target_id=token.id,
           details={"agent_id": str(agent_id), "name": name})
    return IssuedToken(
        id=token.id, agent_id=agent_id, name=name, token=secret, prefix=token.prefix,
        created_at=token.created_at,
    )


def list_api_tokens(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID | None = None,
    limit: int = 50, cursor: str | None = None,
) -> Page[TokenOut]:
    """API tokens of a workspace (or of one agent), newest first, without their secrets."""
    statement = select(ApiToken).where(ApiToken.workspace_id == workspace_id)
    if agent_id is not None:
        statement = statement.where(ApiToken.agent_id == agent_id)
    return keyset_page(
        session, statement, [ApiToken.id], limit=limit, cursor=cursor, out=TokenOut.model_validate
    )


def revoke_api_token(
    session: Session, *, workspace_id: uuid.UUID, token_id: uuid.UUID, actor: Principal
) -> None:
    """Revoke a token: one's own, or any of the workspace for admins (others' are NotFound)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.workspace_id != workspace_id or (
        actor.role != Role.ADMIN and token.agent_id != actor.agent_id
    ):
        raise NotFound("token not found")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.flush()
        _audit(session, workspace_id, "token.revoked", actor, target_kind="api_token", target_id=token.id,
               details={"agent_id": str(token.agent_id)})


# ---------------------------------------------------------- console sessions


def log_in(
    session: Session, *, email: str, password: str, workspace_slug: str | None, client_ip: str,
    limits: LoginLimits, max_age_seconds: int, box: SecretBox, totp_code: str | None = None,
    recovery_code: str | None = None,
) -> IssuedSession:
    """Check a password (and the second factor of agents who use 2FA) and open a console session.

    Raises TooManyAttempts before checking when a limit holds (pair, client IP, account backoff);
    InvalidCredentials (after recording the failure, which the caller commits) when nothing
    matches; TwoFactorRequired when the password is right but the code is missing, and
    InvalidTwoFactorCode (counted as a failure) when the code is wrong. Unknown emails cost a
    hash verification too. Where the workspace requires 2FA of an admin or supervisor who has
    none, the session is restricted to setting it up.
    """
    email = email.strip().lower()
    keys = AttemptKeys.of(email, client_ip)
    ratelimit.check_attempts(session, keys=keys, limits=limits)
    statement = (
        select(Agent, Workspace)
        .join(Workspace, Workspace.id == Agent.workspace_id)
        .where(Agent.email == email)
        .order_by(Agent.id)
        .limit(MAX_WORKSPACES_PER_LOGIN)
    )
    if workspace_slug is not None:
        statement = statement.where(Workspace.slug == workspace_slug)
    candidates = list(session.execute(statement).tuples())
    if not candidates:
        verify_password(None, password)
    matched = [
        (agent, workspace) for agent, workspace in candidates
        if verify_password(agent.password_hash, password) and agent.is_active
    ]
    if not matched:
        _login_failed(session, keys, limits, [agent for agent, _ in candidates], client_ip, "password")
        raise InvalidCredentials()
    if len(matched) > 1:
        raise WorkspaceRequired(sorted(workspace.slug for _, workspace in matched))
    agent, workspace = matched[0]
    factor = twofactor.enabled_factor(session, agent)
    method = "password"
    if factor is not None:
        if not totp_code and not recovery_code:
            raise TwoFactorRequired()
        if totp_code and twofactor.accept_code(factor, totp_code, box):
            method = "password+totp"
        elif recovery_code and twofactor.accept_recovery_code(session, agent, recovery_code):
            method = "password+recovery_code"
            record(session, workspace_id=agent.workspace_id, action="two_factor.recovery_code_used",
                   actor_id=agent.id, target_kind="agent", target_id=agent.id, client_ip=client_ip,
                   details={"left": twofactor.recovery_codes_left(session, agent.id)})
        else:
            _login_failed(session, keys, limits, [agent], client_ip, "two_factor")
            raise InvalidTwoFactorCode()
    ratelimit.clear_failures(session, keys=keys)
    if agent.password_hash and needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    restricted = factor is None and _needs_two_factor(workspace, agent.role)
    return _open_session(
        session, agent, max_age_seconds, restricted=restricted, method=method, client_ip=client_ip
    )


def open_session(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, max_age_seconds: int,
    client_ip: str | None = None,
) -> IssuedSession:
    """Open a console session for an active agent whose identity was proven elsewhere (single sign-on).

    A workspace's 2FA requirement holds here too: an admin or supervisor without 2FA gets a
    session restricted to setting it up.
    """
    agent = session.get(Agent, agent_id)
    if agent is None or agent.workspace_id != workspace_id or not agent.is_active:
        raise InvalidCredentials()
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    restricted = twofactor.enabled_factor(session, agent) is None and _needs_two_factor(workspace, agent.role)
    return _open_session(
        session, agent, max_age_seconds, restricted=restricted, method="sso", client_ip=client_ip
    )


def _open_session(
    session: Session, agent: Agent, max_age_seconds: int, *,
    restricted: bool, method: str, client_ip: str | None,
) -> IssuedSession:
    """Issue the session row and its secret, and audit the sign-in."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    row = AuthSession(
        workspace_id=agent.workspace_id, agent_id=agent.id, token_hash=digest(secret),
        csrf_token=secrets.token_urlsafe(32), created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds), restricted=restricted,
    )
    session.add(row)
    session.flush()
    record(session, workspace_id=agent.workspace_id, action="auth.login_succeeded", actor_id=agent.id,
           target_kind="agent", target_id=agent.id, client_ip=client_ip,
           details={"method": method, "restricted": restricted})
    principal = Principal(workspace_id=agent.workspace_id, agent_id=agent.id, role=agent.role,
                          via="session", session_id=row.id, restricted=restricted)
    return IssuedSession(secret=secret, session=_describe(session, principal, row))


def _login_failed(
    session: Session, keys: AttemptKeys, limits: LoginLimits, agents: list[Agent], client_ip: str,
    reason: str,
) -> None:
    """Count a failed login and audit it in the workspace of every agent with that email."""
    throttled = ratelimit.record_failure(session, keys=keys, limits=limits)
    for agent in agents:
        record(session, workspace_id=agent.workspace_id, action="auth.login_failed", actor_kind="anonymous",
               target_kind="agent", target_id=agent.id, client_ip=client_ip, details={"reason": reason})
        if throttled:
            record(session, workspace_id=agent.workspace_id, action="auth.account_throttled",
                   actor_kind="system", target_kind="agent", target_id=agent.id, client_ip=client_ip,
                   details={"free_failures": limits.account_free_failures})


def _needs_two_factor(workspace: Workspace, role: Role) -> bool:
    """Whether the workspace requires 2FA of agents with this role (admins and supervisors)."""
    return workspace.two_factor_required and role in TWO_FACTOR_ROLES


def authenticate_session(
    session: Session, *, secret: str, csrf_token: str | None, needs_csrf: bool
) -> Principal | None:
    """Resolve a session cookie to its principal; None when unknown, expired or inactive.

    Raises CsrfFailed when the request needs CSRF protection and the token does not match.
    """
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == digest(secret)))
    if row is None or row.expires_at <= clock.now():
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.is_active or agent.workspace_id != row.workspace_id:
        return None
    if needs_csrf and not (
        csrf_token and secrets.compare_digest(csrf_token.encode(), row.csrf_token.encode())
    ):
        raise CsrfFailed()
    return Principal(workspace_id=agent.workspace_id, agent_id=agent.id, role=agent.role,
                     via="session", session_id=row.id, restricted=row.restricted)


def describe_session(session: Session, *, principal: Principal) -> SessionOut:
    """The caller's agent and workspace, plus the CSRF token of a console session."""
    row = None
    if principal.session_id is not None:
        row = session.get(AuthSession, principal.session_id)
    return _describe(session, principal, row)


def log_out(
    session: Session, *, workspace_id: uuid.UUID, session_id: uuid.UUID, agent_id: uuid.UUID | None = None
) -> None:
    """End a console session."""
    session.execute(delete(AuthSession).where(
        AuthSession.id == session_id, AuthSession.workspace_id == workspace_id
    ))
    record(session, workspace_id=workspace_id, action="auth.logout", actor_id=agent_id,
           actor_kind="agent" if agent_id else "system", target_kind="session", target_id=session_id)


# -------------------------------------------------------- two-factor login


def two_factor_status(session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> TwoFactorStatus:
    """Whether the agent uses 2FA, since when, unused recovery codes, and whether it is required."""
    agent = _agent(session, workspace_id, agent_id)
    factor = twofactor.enabled_factor(session, agent)
    return TwoFactorStatus(
        enabled=factor is not None, enabled_at=factor.enabled_at if factor else None,
        recovery_codes_left=twofactor.recovery_codes_left(session, agent.id) if factor else 0,
        required=_needs_two_factor(_workspace(session, workspace_id), agent.role),
    )


def begin_two_factor(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, box: SecretBox
) -> TwoFactorSetup:
    """Start (or restart) enrolment: a new secret, shown once; 2FA is on after `enable_two_factor`."""
    agent = _agent(session, workspace_id, agent_id)
    factor = twofactor.get_factor(session, agent)
    if factor is not None and factor.enabled_at is not None:
        raise Conflict("two-factor authentication is already on", code="two_factor_enabled")
    secret = twofactor.new_secret()
    if factor is None:
        factor = TwoFactor(workspace_id=workspace_id, agent_id=agent.id, created_at=clock.now(),
                           sealed_secret="")
        session.add(factor)
    factor.sealed_secret = box.seal({"totp": secret})
    factor.created_at, factor.last_step = clock.now(), None
    session.flush()
    return TwoFactorSetup(secret=secret, otpauth_uri=twofactor.provisioning_uri(secret, email=agent.email))


def enable_two_factor(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, code: str, box: SecretBox,
    client_ip: str | None = None,
) -> RecoveryCodes:
    """Confirm enrolment with a first code: 2FA is on, ten recovery codes are returned once.

    The agent's restricted sessions (opened while the workspace required 2FA) become full ones.
    """
    agent = _agent(session, workspace_id, agent_id)
    factor = twofactor.get_factor(session, agent)
    if factor is None:
        raise Conflict("start with POST /api/v1/me/two-factor/setup", code="two_factor_not_started")
    if factor.enabled_at is not None:
        raise Conflict("two-factor authentication is already on", code="two_factor_enabled")
    if not twofactor.accept_code(factor, code, box):
        raise InvalidTotpCode()
    factor.enabled_at = clock.now()
    codes = twofactor.issue_recovery_codes(session, agent)
    session.execute(
        update(AuthSession).where(AuthSession.agent_id == agent.id, AuthSession.workspace_id == workspace_id)
        .values(restricted=False).execution_options(synchronize_session=False)
    )
    record(session, workspace_id=workspace_id, action="two_factor.enabled", actor_id=agent.id,
           target_kind="agent", target_id=agent.id, client_ip=client_ip)
    return RecoveryCodes(recovery_codes=codes)


def regenerate_recovery_codes(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, code: str, box: SecretBox,
    client_ip: str | None = None,
) -> RecoveryCodes:
    """Replace one's recovery codes (a current authenticator code is required)."""
    agent = _agent(session, workspace_id, agent_id)
    factor = _confirmed_factor(session, agent, code, box)
    codes = twofactor.issue_recovery_codes(session, agent)
    session.flush()
    record(session, workspace_id=workspace_id, action="two_factor.recovery_codes_regenerated",
           actor_id=agent.id, target_kind="agent", target_id=factor.agent_id, client_ip=client_ip)
    return RecoveryCodes(recovery_codes=codes)


def disable_two_factor(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, password: str, code: str,
    box: SecretBox, client_ip: str | None = None,
) -> None:
    """Switch one's 2FA off (password and a current code required), unless the workspace requires it."""
    agent = _agent(session, workspace_id, agent_id)
    if not verify_password(agent.password_hash, password):
        raise WrongPassword("password")
    if _needs_two_factor(_workspace(session, workspace_id), agent.role):
        raise Conflict("your workspace requires two-factor authentication for your role",
                       code="two_factor_required_by_workspace")
    _confirmed_factor(session, agent, code, box)
    twofactor.remove(session, agent)
    record(session, workspace_id=workspace_id, action="two_factor.disabled", actor_id=agent.id,
           target_kind="agent", target_id=agent.id, client_ip=client_ip)


def reset_two_factor(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, actor: Principal
) -> None:
    """An admin switches off another agent's 2FA (lost device); the agent's sessions end."""
    agent = _agent(session, workspace_id, agent_id)
    if agent.id == actor.agent_id:
        raise Forbidden("switch your own two-factor authentication off at /api/v1/me/two-factor")
    twofactor.remove(session, agent)
    _end_sessions(session, agent)
    session.flush()
    _audit(session, workspace_id, "two_factor.reset", actor, target_id=agent.id)


def purge_expired_credentials(session: Session) -> int:
    """Delete expired console sessions and stale login failures; returns how many rows went."""
    result = session.execute(delete(AuthSession).where(AuthSession.expires_at <= clock.now()))
    return int(getattr(result, "rowcount", 0) or 0) + ratelimit.purge_failures(session)


# ------------------------------------------------------------------ private


def _audit(
    session: Session, workspace_id: uuid.UUID, action: str, actor: Principal | None, *,
    target_id: Any, target_kind: str = "agent", details: dict[str, Any] | None = None,
) -> None:
    """An audit row of an agent's action (or the system's, for calls without an actor)."""
    record(session, workspace_id=workspace_id, action=action,
           actor_kind="agent" if actor is not None else "system",
           actor_id=actor.agent_id if actor is not None else None,
           target_kind=target_kind, target_id=target_id, details=details)


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def _has_two_factor(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    return twofactor.enabled_factor(session, _agent(session, workspace_id, agent_id)) is not None


def _confirmed_factor(session: Session, agent: Agent, code: str, box: SecretBox) -> TwoFactor:
    factor = twofactor.enabled_factor(session, agent)
    if factor is None:
        raise Conflict("two-factor authentication is off", code="two_factor_not_enabled")
    if not twofactor.accept_code(factor, code, box):
        raise InvalidTotpCode()
    return factor


def _restrict_sessions_without_two_factor(session: Session, workspace_id: uuid.UUID) -> None:
    """Restrict the open sessions of admins and supervisors who have no 2FA to enrolment."""
    enabled = select(TwoFactor.agent_id).where(
        TwoFactor.workspace_id == workspace_id, TwoFactor.enabled_at.is_not(None)
    )
    affected = select(Agent.id).where(
        Agent.workspace_id == workspace_id, Agent.role.in_(list(TWO_FACTOR_ROLES)), Agent.id.not_in(enabled)
    )
    session.execute(
        update(AuthSession)
        .where(AuthSession.workspace_id == workspace_id, AuthSession.agent_id.in_(affected))
        .values(restricted=True).execution_options(synchronize_session=False)
    )


def _workspace(session: Session, workspace_id: uuid.UUID) -> Workspace:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("workspace not found")
    return workspace


def _agent(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> Agent:
    return get_scoped(session, Agent, agent_id, workspace_id=workspace_id, what="agent")


def _team(session: Session, workspace_id: uuid.UUID, team_id: uuid.UUID) -> Team:
    return get_scoped(session, Team, team_id, workspace_id=workspace_id, what="team")


def _membership(
    session: Session, workspace_id: uuid.UUID, team_id: uuid.UUID, agent_id: uuid.UUID
) -> TeamMember | None:
    membership = session.get(TeamMember, (team_id, agent_id))
    return membership if membership is not None and membership.workspace_id == workspace_id else None


def _save_team(session: Session, team: Team) -> None:
    try:
        with session.begin_nested():
            session.add(team)
    except IntegrityError as exc:
        raise Conflict("a team with this name exists", code="team_name_taken") from exc


def _apply(row: Any, changes: dict[str, Any]) -> list[str]:
    """Set the given attributes; return the names of those whose value actually changed."""
    changed = []
    for name, value in sorted(changes.items()):
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _ensure_another_admin(session: Session, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> None:
    others = session.scalar(
        select(func.count()).select_from(Agent).where(
            Agent.workspace_id == workspace_id, Agent.role == Role.ADMIN,
            Agent.is_active.is_(True), Agent.id != agent_id,
        )
    )
    if not others:
        raise LastAdmin()


def _set_active(session: Session, agent: Agent, active: bool) -> None:
    agent.is_active = active
    if active:
        session.flush()
        publish(session, AgentReactivated(workspace_id=agent.workspace_id, agent_id=agent.id))
        return
    _end_sessions(session, agent)
    session.execute(
        update(ApiToken)
        .where(ApiToken.agent_id == agent.id, ApiToken.workspace_id == agent.workspace_id,
               ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    publish(session, AgentDeactivated(workspace_id=agent.workspace_id, agent_id=agent.id))


def _end_sessions(session: Session, agent: Agent, *, keep: uuid.UUID | None = None) -> None:
    statement = delete(AuthSession).where(
        AuthSession.agent_id == agent.id, AuthSession.workspace_id == agent.workspace_id
    )
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    session.execute(statement.execution_options(synchronize_session=False))


def _describe(session: Session, principal: Principal, row: AuthSession | None) -> SessionOut:
    return SessionOut(
        principal=principal,
        agent=get_agent(session, workspace_id=principal.workspace_id, agent_id=principal.agent_id),
        workspace=get_workspace(session, workspace_id=principal.workspace_id),
        csrf_token=row.csrf_token if row is not None else None,
        expires_at=row.expires_at if row is not None else None,
        two_factor_setup_required=principal.restricted,
    )
