"""`kefu bench routing`: the SLA sweep over open conversations with due targets (no routing yet)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from kefu.accounts import service as accounts
from kefu.core.clock import FrozenClock, use_clock
from kefu.core.ids import new_id
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.metadata import target_metadata
from kefu.db.outbox import OutboxEvent
from kefu.db.rows import insert_rows
from kefu.sla.tasks import sweep_job

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run_routing_bench(*, database_url: str | None = None, conversations: int = 100_000) -> dict[str, Any]:
    """Seed `conversations` open conversations each with a due first-response target, time one full sweep."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        target_metadata.create_all(engine)
        sessions = make_session_factory(engine)
        tables = target_metadata.tables
        clock = FrozenClock(START)
        with use_clock(clock):
            with sessions() as session:
                workspace = accounts.create_workspace(session, name=f"SLA bench {new_id().hex[:8]}")
                ws = workspace.id
                customer = new_id()
                insert_rows(session, tables["customers"], [{"id": customer, "workspace_id": ws}])
                conv_ids = [new_id() for _ in range(conversations)]
                sla_ids = [new_id() for _ in range(conversations)]
                insert_rows(
                    session,
                    tables["conversations"],
                    (
                        {
                            "id": c,
                            "workspace_id": ws,
                            "customer_id": customer,
                            "channel": "chat",
                            "last_message_at": START,
                        }
                        for c in conv_ids
                    ),
                )
                insert_rows(
                    session,
                    tables["conversation_slas"],
                    (
                        {
                            "id": s,
                            "workspace_id": ws,
                            "conversation_id": c,
                            "priority": "normal",
                            "channel": "chat",
                            "applied_at": START,
                        }
                        for s, c in zip(sla_ids, conv_ids, strict=True)
                    ),
                )
                due, warn = START + timedelta(minutes=30), START + timedelta(minutes=24)
                insert_rows(
                    session,
                    tables["sla_targets"],
                    (
                        {
                            "id": new_id(),
                            "workspace_id": ws,
                            "conversation_sla_id": s,
                            "conversation_id": c,
                            "metric": "first_response",
                            "cycle": 1,
                            "target_seconds": 1800,
                            "business_hours": False,
                            "state": "active",
                            "started_at": START,
                            "due_at": due,
                            "warn_at": warn,
                            "paused_seconds": 0.0,
                            "check_at": warn,
                        }
                        for s, c in zip(sla_ids, conv_ids, strict=True)
                    ),
                )
                session.commit()
            clock.advance(minutes=31)
            began = time.perf_counter()
            examined = sweep_job(sessions)()
            seconds = time.perf_counter() - began
            with sessions() as session:
                if database_url:
                    session.execute(delete(OutboxEvent).where(OutboxEvent.workspace_id == ws))
                    session.execute(delete(tables["workspaces"]).where(tables["workspaces"].c.id == ws))
                    session.commit()
        engine.dispose()
    return {
        "backend": url.split(":", 1)[0],
        "sla_conversations": conversations,
        "sla_targets_swept": examined,
        "sla_sweep_seconds": round(seconds, 3),
        "decisions_per_second": None,
        "decision_p50_ms": None,
        "decision_p99_ms": None,
        "rules_per_second": None,
        "not_built": "routing decisions and automation rules are not built on this branch yet",
    }
