"""The warning / breach sweep as set-based SQL: a batch of due targets is raised and cleared in the database.

The rows of `sla.warning` / `sla.breached` are built by `INSERT ... SELECT` into the outbox, with the
payload the event classes serialise to (`tests/sla/test_sweep.py` compares them), so no target
passes through Python. PostgreSQL leases the batch with `FOR UPDATE SKIP LOCKED` and does the
update and both inserts in one statement; SQLite (one writer at a time behind the write gate)
runs the same three steps as three statements on the same batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from kefu.db.backend import serial_writers
from kefu.db.base import UTCDateTime
from kefu.db.outbox import note_written
from kefu.sla.events import SlaBreached, SlaWarning

WARNING, BREACHED = SlaWarning.event_type, SlaBreached.event_type


@dataclass(frozen=True)
class SweepResult:
    """What one sweep batch did."""

    examined: int
    warnings: int
    breaches: int


def sweep_batch(session: Session, *, now: datetime, limit: int) -> SweepResult:
    """Raise every warning and breach due by `now` among the next `limit` targets to check, once each."""
    sweep = _sqlite if serial_writers(session) else _postgresql
    result = sweep(session, now, limit)
    if result.warnings or result.breaches:
        note_written(session)
    return result


# --- PostgreSQL: one statement per batch --------------------------------------------------------

_PG_TIME = "replace(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
_PG_COMMON = (
    "'workspace_id', u.workspace_id::text, 'conversation_id', u.conversation_id::text, "
    "'target_id', u.id::text, 'policy_id', s.policy_id::text, 'metric', u.metric, 'cycle', u.cycle, "
    f"'due_at', {_PG_TIME.format('u.due_at')}"
)
_PG_SWEEP = f"""
WITH due AS (
    SELECT id FROM sla_targets WHERE check_at <= :now ORDER BY check_at LIMIT :limit FOR UPDATE SKIP LOCKED
), upd AS (
    UPDATE sla_targets t SET
        warned_at = CASE WHEN t.warned_at IS NULL AND t.warn_at <= :now THEN :now ELSE t.warned_at END,
        breached_at = CASE WHEN t.breached_at IS NULL AND t.due_at <= :now THEN :now ELSE t.breached_at END,
        check_at = CASE
            WHEN t.warned_at IS NULL AND t.warn_at > :now THEN t.warn_at
            WHEN t.breached_at IS NULL AND t.due_at > :now THEN t.due_at
        END
    FROM due WHERE t.id = due.id
    RETURNING t.id, t.workspace_id, t.conversation_id, t.conversation_sla_id, t.metric, t.cycle,
        t.due_at, t.warn_at, t.warned_at, t.breached_at
), raised AS (
    INSERT INTO outbox_events (workspace_id, event_type, payload, occurred_at, attempts)
    SELECT workspace_id, event_type, payload, CAST(:now AS timestamptz), 0 FROM (
        SELECT u.id, 0 AS k, u.workspace_id, '{WARNING}' AS event_type,
            jsonb_build_object({_PG_COMMON}, 'warn_at', {_PG_TIME.format('u.warn_at')}) AS payload
        FROM upd u LEFT JOIN conversation_slas s ON s.id = u.conversation_sla_id
        WHERE u.warned_at = :now
        UNION ALL
        SELECT u.id, 1, u.workspace_id, '{BREACHED}',
            jsonb_build_object({_PG_COMMON}, 'breached_at', {_PG_TIME.format('u.breached_at')})
        FROM upd u LEFT JOIN conversation_slas s ON s.id = u.conversation_sla_id
        WHERE u.breached_at = :now
        ORDER BY 1, 2
    ) raised
    RETURNING event_type
)
SELECT (SELECT count(*) FROM upd),
    (SELECT count(*) FROM raised WHERE event_type = '{WARNING}'),
    (SELECT count(*) FROM raised WHERE event_type = '{BREACHED}')
"""


def _postgresql(session: Session, now: datetime, limit: int) -> SweepResult:
    row = session.execute(_statement(_PG_SWEEP), {"now": now, "limit": limit}).one()
    return SweepResult(int(row[0]), int(row[1]), int(row[2]))


# --- SQLite: three statements over the same batch under the write lock ---------------------------


def _sqlite_uuid(column: str) -> str:
    return (
        f"substr({column}, 1, 8) || '-' || substr({column}, 9, 4) || '-' || substr({column}, 13, 4)"
        f" || '-' || substr({column}, 17, 4) || '-' || substr({column}, 21)"
    )


_SQLITE_TIME = "replace(replace({0}, ' ', 'T') || 'Z', '.000000Z', 'Z')"
_SQLITE_BATCH = "SELECT id FROM sla_targets WHERE check_at <= :now ORDER BY check_at LIMIT :limit"
_SQLITE_COMMON = (
    f"'workspace_id', {_sqlite_uuid('t.workspace_id')}, "
    f"'conversation_id', {_sqlite_uuid('t.conversation_id')}, "
    f"'target_id', {_sqlite_uuid('t.id')}, 'policy_id', {_sqlite_uuid('s.policy_id')}, "
    f"'metric', t.metric, 'cycle', t.cycle, 'due_at', {_SQLITE_TIME.format('t.due_at')}"
)
_SQLITE_RAISE = """
INSERT INTO outbox_events (workspace_id, event_type, payload, occurred_at, attempts)
SELECT t.workspace_id, '{event_type}', json_object({common}, {extra}), :now, 0
FROM sla_targets t LEFT JOIN conversation_slas s ON s.id = t.conversation_sla_id
WHERE t.id IN ({batch}) AND {condition}
ORDER BY t.id
"""
_SQLITE_WARN = _SQLITE_RAISE.format(
    event_type=WARNING,
    common=_SQLITE_COMMON,
    extra=f"'warn_at', {_SQLITE_TIME.format('t.warn_at')}",
    batch=_SQLITE_BATCH,
    condition="t.warned_at IS NULL AND t.warn_at <= :now",
)
_SQLITE_BREACH = _SQLITE_RAISE.format(
    event_type=BREACHED,
    common=_SQLITE_COMMON,
    extra=f"'breached_at', {_SQLITE_TIME.format(':now')}",
    batch=_SQLITE_BATCH,
    condition="t.breached_at IS NULL AND t.due_at <= :now",
)
_SQLITE_CLEAR = f"""
UPDATE sla_targets SET
    warned_at = CASE WHEN warned_at IS NULL AND warn_at <= :now THEN :now ELSE warned_at END,
    breached_at = CASE WHEN breached_at IS NULL AND due_at <= :now THEN :now ELSE breached_at END,
    check_at = CASE
        WHEN warned_at IS NULL AND warn_at > :now THEN warn_at
        WHEN breached_at IS NULL AND due_at > :now THEN due_at
    END
WHERE id IN ({_SQLITE_BATCH})
"""


def _sqlite(session: Session, now: datetime, limit: int) -> SweepResult:
    params = {"now": now, "limit": limit}
    connection = session.connection()
    warnings = connection.execute(_statement(_SQLITE_WARN), params).rowcount
    breaches = connection.execute(_statement(_SQLITE_BREACH), params).rowcount
    examined = connection.execute(_statement(_SQLITE_CLEAR), params).rowcount
    return SweepResult(examined, warnings, breaches)


def _statement(sql: str) -> TextClause:
    """A text statement whose `:now` is bound as the UTC column type (text on SQLite, timestamptz on PG)."""
    return text(sql).bindparams(bindparam("now", type_=UTCDateTime()))
