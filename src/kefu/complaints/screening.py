"""Malicious-complaint screening over the complaint ledger: repeat claims and copy-paste texts.

Each process keeps one near-duplicate index per workspace and catches up from the ledger before
every screening, so several web and worker processes see the same complaints without sharing
memory. The catch-up follows `recorded_at` (when a conversation was marked a complaint), not the
conversation id: an older conversation marked after a newer one was indexed has a smaller id but
a later `recorded_at`. It re-reads an overlap before the watermark, because a complaint recorded
by another process becomes visible only when that process commits, possibly after one recorded
later (keys already indexed are skipped).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kefu.complaints.malicious import ComplaintRecord, MaliciousSignals, NearDuplicateIndex, assess_complaint
from kefu.complaints.models import Complaint
from kefu.core import clock

WINDOW = timedelta(days=30)
OVERLAP = timedelta(minutes=10)
"""How far before its watermark a catch-up looks again for complaints committed late."""
CATCH_UP_PAGE = 1000


@dataclass
class _WorkspaceIndex:
    index: NearDuplicateIndex = field(default_factory=lambda: NearDuplicateIndex(window=WINDOW))
    watermark: datetime | None = None
    seen: dict[str, datetime] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_indexes: dict[uuid.UUID, _WorkspaceIndex] = {}
_registry_lock = threading.Lock()


def screen(session: Session, complaint: Complaint) -> MaliciousSignals:
    """Signals for one ledger complaint, against the customer's history and other customers' texts."""
    now = clock.now()
    history = [
        ComplaintRecord(at=recorded_at, amount=float(amount or 0))
        for recorded_at, amount in session.execute(
            select(Complaint.recorded_at, Complaint.amount).where(
                Complaint.workspace_id == complaint.workspace_id,
                Complaint.customer_id == complaint.customer_id,
                Complaint.cleared_at.is_(None),
                Complaint.id != complaint.id,
                Complaint.recorded_at >= now - WINDOW,
            )
        ).tuples()
    ]
    entry = _workspace_index(complaint.workspace_id)
    key = str(complaint.conversation_id)
    with entry.lock:
        catch_up(session, complaint.workspace_id, entry)
        signals = assess_complaint(
            complaint.text,
            complaint.language or "en",
            customer_id=str(complaint.customer_id),
            now=now,
            history=history,
            amount=float(complaint.amount or 0),
            index=entry.index,
        )
        entry.index.add(key, complaint.text, customer_id=str(complaint.customer_id), at=complaint.recorded_at)
        entry.seen[key] = complaint.recorded_at
    return signals


def forget_indexes() -> None:
    """Drop every in-memory index (as a fresh process would start)."""
    with _registry_lock:
        _indexes.clear()


def _workspace_index(workspace_id: uuid.UUID) -> _WorkspaceIndex:
    with _registry_lock:
        return _indexes.setdefault(workspace_id, _WorkspaceIndex())


def catch_up(session: Session, workspace_id: uuid.UUID, entry: _WorkspaceIndex) -> int:
    """Index ledger complaints recorded since the watermark (less the overlap), within the window."""
    now = clock.now()
    start = now - WINDOW
    if entry.watermark is not None:
        start = max(start, entry.watermark - OVERLAP)
    after: tuple[datetime, uuid.UUID] | None = None
    added = 0
    while True:
        query = select(
            Complaint.id,
            Complaint.conversation_id,
            Complaint.customer_id,
            Complaint.recorded_at,
            Complaint.text,
        ).where(
            Complaint.workspace_id == workspace_id,
            Complaint.cleared_at.is_(None),
            Complaint.recorded_at >= start,
        )
        if after is not None:
            query = query.where(
                or_(
                    Complaint.recorded_at > after[0],
                    and_(Complaint.recorded_at == after[0], Complaint.id > after[1]),
                )
            )
        rows = (
            session.execute(query.order_by(Complaint.recorded_at, Complaint.id).limit(CATCH_UP_PAGE))
            .tuples()
            .all()
        )
        for complaint_id, conversation_id, customer_id, recorded_at, text in rows:
            key = str(conversation_id)
            if entry.seen.get(key) != recorded_at:
                entry.index.add(key, text, customer_id=str(customer_id), at=recorded_at)
                entry.seen[key] = recorded_at
                added += 1
            if entry.watermark is None or recorded_at > entry.watermark:
                entry.watermark = recorded_at
            after = (recorded_at, complaint_id)
        if len(rows) < CATCH_UP_PAGE:
            break
    cutoff = now - WINDOW
    for key in [k for k, at in entry.seen.items() if at < cutoff]:
        del entry.seen[key]
    return added
