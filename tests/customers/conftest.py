"""Fixtures of the customers tests: a service session and a recorder of delivered events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from kefu.core.events import EventEnvelope
from kefu.jobs.subscriptions import ANY_EVENT
from kefu.wiring import Container


@pytest.fixture
def session(container: Container) -> Iterator[Session]:
    """A session on the test database for calling the service directly."""
    with container.session_factory() as db:
        yield db


@pytest.fixture
def delivered(container: Container) -> list[EventEnvelope]:
    """Every event delivered after commit, in order."""
    seen: list[EventEnvelope] = []

    def record(_session: Session, envelope: EventEnvelope) -> None:
        seen.append(envelope)

    container.subscriptions.subscribe(ANY_EVENT, record)
    return seen


def event_types(envelopes: list[EventEnvelope]) -> list[str]:
    """The event types of delivered envelopes, in order."""
    return [envelope.event_type for envelope in envelopes]
