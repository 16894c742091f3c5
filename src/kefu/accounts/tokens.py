"""API token checks on a bare connection: one prepared query, usable inside any transaction."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import Connection, and_, bindparam, or_, select, update

from kefu.accounts.models import Agent, ApiToken
from kefu.accounts.schemas import Principal
from kefu.core import clock
from kefu.db.rows import first_row

TOKEN_PREFIX = "kefu_"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
MAX_SECRET_LENGTH = 128

_LIVE_TOKEN = (
    select(ApiToken.id, ApiToken.last_used_at, Agent.workspace_id, Agent.id, Agent.role)
    .join(Agent, and_(Agent.id == ApiToken.agent_id, Agent.workspace_id == ApiToken.workspace_id))
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), Agent.is_active)
)
_STALE = (
    select(ApiToken.id)
    .where(ApiToken.id == bindparam("token_id"), or_(
        ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= bindparam("cutoff")
    ))
    .with_for_update(skip_locked=True)
)
_TOUCH = update(ApiToken).where(ApiToken.id.in_(_STALE)).values(last_used_at=bindparam("now"))


def digest(secret: str) -> str:
    """The stored form of a secret (tokens and console sessions)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_digest(secret: str) -> str | None:
    """The digest of something shaped like an API token; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    return digest(secret)


def confirm_token(connection: Connection, token_hash: str) -> Principal | None:
    """The principal of a live token (not revoked, agent active); None otherwise.

    `last_used_at` is written at most once a minute per token, and never waits on a row lock.
    """
    row = first_row(connection, _LIVE_TOKEN, {"digest": token_hash})
    if row is None:
        return None
    token_id, last_used_at, workspace_id, agent_id, role = row
    now = clock.now()
    if last_used_at is None or now - clock.as_utc(last_used_at) >= TOKEN_TOUCH_INTERVAL:
        connection.execute(_TOUCH, {"token_id": token_id, "cutoff": now - TOKEN_TOUCH_INTERVAL, "now": now})
    return Principal(workspace_id=workspace_id, agent_id=agent_id, role=role, via="token")
