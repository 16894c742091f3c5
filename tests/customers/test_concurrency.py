"""Concurrent contacts from the same new person yield one customer, on real parallel connections."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from kefu.customers import service
from kefu.customers.enums import IdentityKind
from kefu.customers.exceptions import CustomerMerged
from kefu.customers.schemas import CustomerIn, IdentityIn
from kefu.db.outbox import OutboxEvent
from kefu.wiring import Container
from tests.conftest import Tenant

THREADS = 8
ROUNDS = 4


def contact(round_no: int, thread_no: int) -> list[IdentityIn]:
    """Half the threads come via WhatsApp, half via LINE; all prove the same phone number."""
    number = f"62812345{round_no:05d}"
    phone = IdentityIn(kind=IdentityKind.PHONE, value=f"+{number}", verified=True)
    if thread_no % 2 == 0:
        return [IdentityIn(kind=IdentityKind.WHATSAPP, value=number), phone]
    return [phone, IdentityIn(kind=IdentityKind.LINE, value=f"U{round_no:032x}")]


def race(container: Container, workspace_id: uuid.UUID, *, open_first: bool) -> list[set[uuid.UUID]]:
    """Each round, THREADS threads with their own session resolve one new person at once."""
    outcomes = []
    for round_no in range(ROUNDS):
        barrier = threading.Barrier(THREADS)

        def resolve(
            thread_no: int, round_no: int = round_no, barrier: threading.Barrier = barrier
        ) -> uuid.UUID:
            with container.session_factory() as session:
                if open_first:
                    session.connection()
                barrier.wait(timeout=60)
                result = service.resolve_customer(
                    session, workspace_id=workspace_id, identities=contact(round_no, thread_no)
                )
                session.commit()
                return result.id

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes.append(set(pool.map(resolve, range(THREADS))))
    return outcomes


def assert_one_customer_per_person(
    container: Container, tenant: Tenant, outcomes: list[set[uuid.UUID]]
) -> None:
    assert all(len(ids) == 1 for ids in outcomes), outcomes
    with container.session_factory() as session:
        customers = service.list_customers(session, workspace_id=tenant.workspace_id, limit=200).items
        created = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == "customer.created")
        )
    assert len(customers) == ROUNDS == created
    for customer in customers:
        assert sorted(i.kind.value for i in customer.identities) == ["line", "phone", "whatsapp"]
        assert all(i.verified for i in customer.identities if i.kind is IdentityKind.PHONE)


@pytest.mark.postgres
def test_concurrent_resolves_on_postgres_make_one_customer(
    database_url: str, container: Container, tenant: Tenant
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: real concurrent writers")
    outcomes = race(container, tenant.workspace_id, open_first=True)
    assert_one_customer_per_person(container, tenant, outcomes)


def test_concurrent_resolves_on_an_sqlite_file_make_one_customer(
    database_url: str, container: Container, tenant: Tenant
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite variant of the PostgreSQL race test")
    outcomes = race(container, tenant.workspace_id, open_first=False)
    assert_one_customer_per_person(container, tenant, outcomes)


def test_opposite_merges_at_once_leave_no_cycle(container: Container, tenant: Tenant) -> None:
    with container.session_factory() as session:
        one, two = (
            service.create_customer(session, workspace_id=tenant.workspace_id, data=CustomerIn())
            for _ in range(2)
        )
        session.commit()
    barrier = threading.Barrier(2)

    def merge(pair: tuple[uuid.UUID, uuid.UUID]) -> str:
        with container.session_factory() as session:
            barrier.wait(timeout=60)
            try:
                service.merge_customers(
                    session, workspace_id=tenant.workspace_id, source_id=pair[0], target_id=pair[1],
                    actor_agent_id=tenant.admin_id,
                )
            except CustomerMerged:
                return "refused"
            session.commit()
            return "merged"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(merge, [(one.id, two.id), (two.id, one.id)]))
    assert outcomes == ["merged", "refused"]
    with container.session_factory() as session:
        live = service.list_customers(session, workspace_id=tenant.workspace_id).items
        assert len(live) == 1
        for customer in (one, two):
            found = service.get_customer(session, workspace_id=tenant.workspace_id, customer_id=customer.id)
            assert found.id == live[0].id
