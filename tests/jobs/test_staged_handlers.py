"""Staged handlers: read in a short transaction, compute with none open, write where the event is marked."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from kefu.conversations.events import MessageReceived
from kefu.conversations.handlers import on_message_received
from kefu.core.events import DomainEvent, EventEnvelope
from kefu.db.commit_hooks import after_commit
from kefu.db.outbox import HandledEvent, OutboxEvent, publish
from kefu.jobs.relay import TOGETHER
from kefu.jobs.subscriptions import StagedHandler
from kefu.jobs.unit_of_work import unit_of_work
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import make_conversation


class Computed(DomainEvent):
    """Test-only event."""

    event_type: ClassVar[str] = "test.computed"
    note: str


@pytest.fixture
def open_transactions(container: Container) -> Iterator[set[int]]:
    """Ids of the engine's connections with a transaction open right now."""
    opened: set[int] = set()

    def began(connection: Connection) -> None:
        opened.add(id(connection))

    def ended(connection: Connection) -> None:
        opened.discard(id(connection))

    event.listen(container.engine, "begin", began)
    event.listen(container.engine, "commit", ended)
    event.listen(container.engine, "rollback", ended)
    yield opened
    event.remove(container.engine, "begin", began)
    event.remove(container.engine, "commit", ended)
    event.remove(container.engine, "rollback", ended)


def _publish(container: Container, tenant: Tenant, *notes: str) -> None:
    with unit_of_work(container.session_factory) as session:
        for note in notes:
            publish(session, Computed(workspace_id=tenant.workspace_id, note=note))


def _note(_session: Session, envelope: EventEnvelope) -> str | None:
    assert isinstance(envelope.event, Computed)
    return None if envelope.event.note == "skip" else envelope.event.note


def test_compute_runs_with_no_transaction_open_and_writes_mark_the_event(
    container: Container, tenant: Tenant, open_transactions: set[int]
) -> None:
    computed: list[tuple[str, int]] = []
    written: list[tuple[str, bool]] = []

    def compute(note: str) -> str:
        computed.append((note, len(open_transactions)))
        return note.upper()

    def write(session: Session, _envelope: EventEnvelope, result: str) -> None:
        written.append((result, session.in_transaction()))

    container.subscriptions.subscribe(
        Computed, StagedHandler(name="tests.staged", read=_note, compute=compute, write=write)
    )
    _publish(container, tenant, "a", "skip", "b")
    assert computed == [("a", 0), ("b", 0)]
    assert written == [("A", True), ("B", True)]
    with container.session_factory() as session:
        marked = session.scalars(select(HandledEvent.event_id).where(HandledEvent.handler == "tests.staged"))
        assert len(list(marked)) == 3  # the skipped event is handled too: nothing was due
        pending = session.scalars(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)))
        assert list(pending) == []


@pytest.mark.parametrize("failing_step", ["read", "compute", "write"])
def test_a_failing_step_holds_back_only_its_event(
    container: Container, tenant: Tenant, failing_step: str
) -> None:
    written: list[str] = []

    def failing(step: str, then: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            envelope = next((a for a in args if isinstance(a, EventEnvelope)), None)
            text = envelope.event.model_dump()["note"] if envelope is not None else args[-1]
            if step == failing_step and text == "bad":
                raise RuntimeError(f"{step} failed")
            return then(*args)

        return run

    handler = StagedHandler(
        name="tests.staged_failing",
        read=failing("read", _note),
        compute=failing("compute", lambda note: note),
        write=failing("write", lambda s, _e, note: after_commit(s, lambda: written.append(note))),
    )
    container.subscriptions.subscribe(Computed, handler)
    _publish(container, tenant, "one", "bad", "two")
    assert written == ["one", "two"]
    with container.session_factory() as session:
        rows = {
            row.payload["note"]: row
            for row in session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "test.computed"))
        }
        assert rows["bad"].dispatched_at is None and rows["bad"].attempts == 1
        assert "tests.staged_failing" in (rows["bad"].last_error or "")
        assert rows["one"].dispatched_at is not None and rows["two"].dispatched_at is not None


def test_a_full_chunk_is_read_once_and_written_in_one_transaction(
    container: Container, tenant: Tenant
) -> None:
    reads: list[int] = []
    sessions: set[int] = set()

    def read(session: Session, envelope: EventEnvelope) -> str | None:
        reads.append(id(session))
        return _note(session, envelope)

    def write(session: Session, _envelope: EventEnvelope, _result: str) -> None:
        sessions.add(id(session))

    container.subscriptions.subscribe(
        Computed, StagedHandler(name="tests.staged_chunk", read=read, compute=str, write=write)
    )
    _publish(container, tenant, *[f"n{i}" for i in range(TOGETHER)])
    assert len(reads) == TOGETHER and len(set(reads)) == 1
    assert len(sessions) == 1


def test_message_analysis_runs_the_models_with_no_transaction_open(
    container: Container, api: TestClient, open_transactions: set[int]
) -> None:
    seen: list[int] = []

    def compute(message: Any) -> dict[str, Any]:
        seen.append(len(open_transactions))
        result: dict[str, Any] = on_message_received.compute(message)
        return result

    container.subscriptions.subscribe(
        MessageReceived, dataclasses.replace(on_message_received, compute=compute)
    )
    created = make_conversation(api, message={"text": "Where is my parcel? I have waited two weeks."})
    conversation_id = uuid.UUID(created["id"])
    assert seen == [0]
    messages = api.get(f"/api/v1/conversations/{conversation_id}/messages").json()["items"]
    assert messages[0]["language"] == "en"
    assert messages[0]["analysed_at"] is not None
