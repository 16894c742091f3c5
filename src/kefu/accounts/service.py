"""Write path and reads of workspaces, agents, teams and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent, ApiToken, Workspace
from kefu.accounts.schemas import AgentIn, IssuedToken, Principal
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound

TOKEN_PREFIX = "kefu_"
_hasher = PasswordHasher()
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash in constant time."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def slugify(name: str) -> str:
    """Lowercase ASCII slug of a name."""
    return _SLUG_RE.sub("-", name.lower()).strip("-")[:60] or "workspace"


def create_workspace(
    session: Session, *, name: str, slug: str | None = None, default_language: str = "en",
    timezone: str = "UTC",
) -> Workspace:
    """Create a workspace (tenant); the slug must be unique."""
    workspace = Workspace(
        name=name, slug=slug or slugify(name), default_language=default_language, timezone=timezone
    )
    try:
        with session.begin_nested():
            session.add(workspace)
    except IntegrityError as exc:
        raise Conflict(f"workspace slug {workspace.slug!r} is taken", code="slug_taken") from exc
    return workspace


def get_workspace(session: Session, *, workspace_id: uuid.UUID) -> Workspace:
    """Fetch a workspace or raise NotFound."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("workspace not found")
    return workspace


def get_workspace_by_slug(session: Session, *, slug: str) -> Workspace | None:
    """Find a workspace by slug."""
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def create_agent(session: Session, *, workspace_id: uuid.UUID, data: AgentIn) -> Agent:
    """Create an agent; the email must be unique in the workspace."""
    agent = Agent(
        workspace_id=workspace_id,
        email=str(data.email).lower(),
        display_name=data.display_name,
        password_hash=hash_password(data.password) if data.password else None,
        role=data.role,
        level=data.level,
        languages=list(dict.fromkeys(data.languages)),
    )
    try:
        with session.begin_nested():
            session.add(agent)
    except IntegrityError as exc:
        raise Conflict("an agent with this email exists", code="email_taken") from exc
    return agent


def get_agent(session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID) -> Agent:
    """Fetch an agent of the workspace or raise NotFound."""
    agent = session.get(Agent, agent_id)
    if agent is None or agent.workspace_id != workspace_id:
        raise NotFound("agent not found")
    return agent


def find_agent_by_email(session: Session, *, workspace_id: uuid.UUID, email: str) -> Agent | None:
    """Find an agent of a workspace by email (case-insensitive)."""
    return session.scalar(
        select(Agent).where(Agent.workspace_id == workspace_id, Agent.email == email.lower())
    )


def issue_api_token(
    session: Session, *, workspace_id: uuid.UUID, agent_id: uuid.UUID, name: str
) -> IssuedToken:
    """Create a personal API token for an agent; the secret is returned once and stored hashed."""
    get_agent(session, workspace_id=workspace_id, agent_id=agent_id)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=workspace_id,
        agent_id=agent_id,
        name=name,
        prefix=secret[:12],
        token_hash=_digest(secret),
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    return IssuedToken(
        id=token.id, name=name, token=secret, prefix=token.prefix, created_at=token.created_at
    )


def authenticate_token(session: Session, *, secret: str) -> Principal | None:
    """Resolve an API token secret to its principal; None when unknown, revoked or inactive."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    agent = session.get(Agent, token.agent_id)
    if agent is None or not agent.is_active:
        return None
    return Principal(workspace_id=agent.workspace_id, agent_id=agent.id, role=agent.role, via="token")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

