"""Health endpoint: database reachability and worker state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from kefu import __version__
from kefu.core import clock
from kefu.db.outbox import OutboxEvent

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """Report database and worker state; 503 when the database does not answer."""
    container = request.app.state.container
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    try:
        with container.session_factory() as session:
            session.execute(text("SELECT 1"))
            pending = session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
            )
            oldest = session.scalar(
                select(func.min(OutboxEvent.occurred_at)).where(OutboxEvent.dispatched_at.is_(None))
            )
        body["database"] = {"status": "ok", "dialect": container.engine.dialect.name}
    except Exception as exc:  # the probe must answer, whatever the database does
        body["status"] = "degraded"
        body["database"] = {"status": "error", "error": type(exc).__name__}
        return JSONResponse(status_code=503, content=body)
    lag = (clock.now() - clock.as_utc(oldest)).total_seconds() if oldest else 0.0
    body["worker"] = {
        "mode": container.runtime.mode.value,
        "in_process": container.runtime.worker_alive,
        "pending_events": pending,
        "oldest_pending_seconds": round(max(lag, 0.0), 3),
    }
    return JSONResponse(content=body)
