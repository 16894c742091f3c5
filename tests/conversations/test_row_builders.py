"""The fast write paths (live intake, import) write every column of the models, built from the models.

If a column is added to a conversation, message, timeline or tag model and a builder lists its
columns by hand instead of building from the model (`db.rows.RowTemplate`), these tests fail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table
from sqlalchemy.orm import Session

from kefu.conversations import imports, intake
from kefu.conversations.changes import opened_row, timeline_row
from kefu.conversations.enums import ActorKind, Channel, Direction, Priority, TimelineKind
from kefu.conversations.models import Conversation, ConversationTag, Message, TimelineEntry
from kefu.conversations.schemas import Actor, MessageBody
from kefu.core.ids import new_id
from tests.conversations.conftest import API, open_conversation
from tests.conversations.test_imports import history, post

Written = dict[str, list[dict[str, Any]]]
TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__  # type: ignore[misc]
    for model in (Conversation, Message, TimelineEntry, ConversationTag)
}


def _columns(table_name: str) -> set[str]:
    return set(TABLES[table_name].c.keys())


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Written:
    """The rows the intake and import paths hand to `insert_rows`, by table."""
    seen: Written = defaultdict(list)

    def recording(real: Callable[..., None]) -> Callable[..., None]:
        def insert(session: Session, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
            listed = [dict(row) for row in rows]
            seen[table.name].extend(listed)
            real(session, table, listed)

        return insert

    monkeypatch.setattr(intake, "insert_rows", recording(intake.insert_rows))
    monkeypatch.setattr(imports, "insert_rows", recording(imports.insert_rows))
    return seen


def _assert_every_column(written: Written) -> None:
    assert set(TABLES) <= set(written), sorted(written)
    for table_name, rows in written.items():
        if table_name in TABLES:
            assert rows and all(set(row) == _columns(table_name) for row in rows), table_name


def test_opening_a_conversation_writes_every_column_of_each_table(api: TestClient, written: Written) -> None:
    open_conversation(api, tags=["vip", "refund"], message={"text": "Hello", "direction": "outbound"})
    _assert_every_column(written)


def test_a_first_inbound_message_writes_every_column_of_each_table(api: TestClient, written: Written) -> None:
    customer = api.post(f"{API}/customers", json={"identities": [{"kind": "email", "value": "b@x.co"}]})
    assert customer.status_code == 201, customer.text
    body = {"customer_id": customer.json()["id"], "channel": "chat", "text": "hi"}
    assert api.post(f"{API}/inbound-messages", json=body).status_code == 201
    assert {name for name in written} >= {"conversations", "messages", "conversation_timeline"}
    for table_name, rows in written.items():
        assert all(set(row) == _columns(table_name) for row in rows), table_name


def test_an_import_writes_every_column_of_each_table(api: TestClient, written: Written) -> None:
    post(api, history())
    _assert_every_column(written)
    assert len(written["messages"]) == 4 and len(written["conversation_timeline"]) == 2


def test_the_orm_and_timeline_builders_give_every_column() -> None:
    conversation = Conversation(id=new_id(), workspace_id=new_id())
    actor = Actor(kind=ActorKind.SYSTEM)
    body = MessageBody(text="hi")
    now = TIME
    message = intake.message_row(conversation, Direction.INBOUND, ActorKind.CUSTOMER, None, body, now, now)
    assert set(message) == _columns("messages")
    entry = timeline_row(conversation, TimelineKind.TAGS_CHANGED, actor, {}, {}, None, now)
    opened = opened_row(conversation, actor, priority=Priority.HIGH, channel=Channel.CHAT, tags=[], at=now)
    assert set(entry) == set(opened) == _columns("conversation_timeline")
    assert opened["after"] == {"status": "open", "priority": "high", "channel": "chat",
                               "assignee_id": None, "team_id": None, "tags": []}  # fmt: skip

