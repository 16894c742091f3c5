"""Write one audit row (`record`) in the caller's transaction, and read a workspace's rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.audit.models import AuditEvent
from kefu.audit.schemas import AuditEventOut
from kefu.core import clock
from kefu.core.paging import Page, checked_limit, decode_id_cursor, encode_cursor

ACTIONS = frozenset({
    "auth.login_succeeded", "auth.login_failed", "auth.account_throttled", "auth.logout",
    "auth.password_changed", "auth.password_reset",
    "two_factor.enabled", "two_factor.disabled", "two_factor.recovery_codes_regenerated",
    "two_factor.recovery_code_used", "two_factor.reset",
    "agent.created", "agent.role_changed", "agent.deactivated", "agent.reactivated",
    "token.issued", "token.revoked",
    "workspace.settings_changed",
    "customer.merged", "customer.deleted", "customer.exported", "customer.erased",
    "sso.login_succeeded", "sso.login_failed", "sso.settings_changed", "sso.provider_removed",
    "retention.settings_changed", "retention.applied", "secrets.key_rotated",
})
"""The documented actions (docs/security.md); `record` refuses any other name, so the list stays true."""


def record(
    session: Session, *, workspace_id: uuid.UUID, action: str, actor_kind: str = "agent",
    actor_id: uuid.UUID | None = None, target_kind: str | None = None, target_id: Any = None,
    client_ip: str | None = None, details: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction (it commits or rolls back with the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to kefu.audit.service.ACTIONS")
    session.add(AuditEvent(
        workspace_id=workspace_id, occurred_at=clock.now(), action=action, actor_kind=actor_kind,
        actor_id=actor_id, target_kind=target_kind,
        target_id=None if target_id is None else str(target_id), client_ip=client_ip,
        details=details or {},
    ))


def list_events(
    session: Session, *, workspace_id: uuid.UUID, action: str | None = None,
    actor_id: uuid.UUID | None = None, target_id: str | None = None, since: datetime | None = None,
    until: datetime | None = None, limit: int = 50, cursor: str | None = None,
) -> Page[AuditEventOut]:
    """A workspace's audit rows, newest first, filtered by action, actor, target or time."""
    limit = checked_limit(limit)
    statement = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    if actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if target_id is not None:
        statement = statement.where(AuditEvent.target_id == target_id)
    if since is not None:
        statement = statement.where(AuditEvent.occurred_at >= since)
    if until is not None:
        statement = statement.where(AuditEvent.occurred_at < until)
    if cursor:
        statement = statement.where(AuditEvent.id < decode_id_cursor(cursor))
    rows = list(session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor([str(rows[limit - 1].id)]) if len(rows) > limit else None
    return Page[AuditEventOut](
        items=[AuditEventOut.model_validate(row) for row in rows[:limit]], next_cursor=next_cursor
    )
