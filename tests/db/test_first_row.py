"""first_row: a prepared SELECT's first row, as the engine gives it, on SQLite's driver cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Column, Engine, MetaData, Table, bindparam, event, select
from sqlalchemy.exc import DBAPIError

from kefu.accounts import service as accounts
from kefu.accounts import tokens
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.customers import service as customers
from kefu.customers.enums import IdentityKind
from kefu.customers.schemas import CustomerIn, IdentityIn
from kefu.customers.service import _any_identity
from kefu.db.base import UTCDateTime
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.rows import first_row


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test database."""
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def token_hash(engine: Engine) -> str:
    """The digest of a live API token whose last use is recorded."""
    with make_session_factory(engine)() as session:
        workspace = accounts.create_workspace(session, name="Rows")
        agent = accounts.create_agent(session, workspace_id=workspace.id, data=AgentIn(
            email="a@rows.kefu.dev", display_name="A", role=Role.SUPERVISOR))
        issued = accounts.issue_api_token(session, workspace_id=workspace.id, agent_id=agent.id, name="t")
        session.commit()
    digest = tokens.digest(issued.token)
    with engine.begin() as conn:
        tokens.confirm_token(conn, digest)  # records last_used_at
    return digest


def test_gives_the_engines_row_with_its_types(engine: Engine, token_hash: str) -> None:
    with engine.begin() as conn:
        expected = conn.execute(tokens._LIVE_TOKEN, {"digest": token_hash}).first()
        row = first_row(conn, tokens._LIVE_TOKEN, {"digest": token_hash})
        missing = first_row(conn, tokens._LIVE_TOKEN, {"digest": "0" * 64})
    assert expected is not None and row is not None
    assert tuple(row) == tuple(expected)
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert row[1].tzinfo is not None and row[4] == "supervisor"
    assert missing is None


def test_encodes_parameters_and_uses_the_statements_own_values(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        workspace = accounts.create_workspace(session, name="Probe")
        customer = customers.create_customer(session, workspace_id=workspace.id, data=CustomerIn(
            identities=[IdentityIn(kind=IdentityKind.EMAIL, value="x@example.com")]))
        session.commit()
    known = {"workspace_id": workspace.id, "kind_0": IdentityKind.EMAIL, "value_0": "x@example.com",
             "kind_1": IdentityKind.PHONE, "value_1": "+6281234567890"}
    unknown = {**known, "value_0": "y@example.com"}
    with engine.begin() as conn:  # the LIMIT is the statement's own parameter, not given here
        row = first_row(conn, _any_identity(2), known)
        assert row == conn.execute(_any_identity(2), known).first()
        assert first_row(conn, _any_identity(2), unknown) is None
    assert row is not None and row[0] == customer.identities[0].id


def test_observed_connections_tell_their_listeners(engine: Engine, token_hash: str) -> None:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with engine.begin() as conn:
        assert first_row(conn, tokens._LIVE_TOKEN, {"digest": token_hash}) is not None
    assert any("api_tokens" in statement for statement in seen)


def test_driver_errors_are_wrapped_as_the_engine_wraps_them(engine: Engine) -> None:
    missing = Table("no_such_table", MetaData(), Column("at", UTCDateTime()))
    query = select(missing.c.at).where(missing.c.at > bindparam("since"))
    with engine.connect() as conn, pytest.raises(DBAPIError):
        first_row(conn, query, {"since": datetime(2026, 1, 1, tzinfo=UTC)})
