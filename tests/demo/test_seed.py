"""The demo loader: deterministic plan, written once through the services, logins and token that work."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import phonenumbers
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.conversations import service as conversations
from kefu.conversations.enums import ConversationStatus, Direction
from kefu.conversations.schemas import ConversationFilter, ConversationOut
from kefu.customers import service as customers
from kefu.customers.enums import IdentityKind
from kefu.customers.schemas import IdentityIn
from kefu.demo.plan import DemoPlan, DemoSize, StepKind, build_plan
from kefu.demo.seed import DEMO_SLUG, ensure_demo
from kefu.wiring import Container

SIX_LANGUAGES = {"zh", "en", "id", "vi", "th", "ms"}
SMALL = DemoSize(customers=30, conversations=70, days=14)
ANCHOR = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SEED = 7


def _plan(seed: int = SEED) -> DemoPlan:
    return build_plan(seed=seed, size=SMALL, anchor=ANCHOR)


def _all_conversations(session: Session, workspace_id: uuid.UUID) -> list[ConversationOut]:
    found: list[ConversationOut] = []
    cursor = None
    while True:
        page = conversations.list_conversations(session, workspace_id=workspace_id,
                                                filters=ConversationFilter(), limit=200, cursor=cursor)
        found += page.items
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def test_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    first, again, other = _plan(), _plan(), _plan(seed=SEED + 1)
    assert first == again
    texts = [step.text for step in first.steps]
    assert texts == [step.text for step in again.steps]
    assert texts != [step.text for step in other.steps]


def test_plan_is_realistic_enough_to_demo() -> None:
    plan = _plan()
    assert len(plan.customers) == SMALL.customers
    assert len(plan.conversations) == SMALL.conversations
    assert {c.language for c in plan.conversations} == SIX_LANGUAGES
    assert all(plan.steps[i].at <= plan.steps[i + 1].at for i in range(len(plan.steps) - 1))
    assert all(step.at <= ANCHOR for step in plan.steps)
    multi = [c for c in plan.customers if len({i.kind for i in c.identities}) >= 2]
    assert len(multi) >= SMALL.customers // 3
    phones = [i.value for c in plan.customers for i in c.identities if i.kind is IdentityKind.PHONE]
    assert phones and all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    complaints = [s for s in plan.steps if s.kind is StepKind.COMPLAINT]
    assert complaints and all(s.amount and s.amount > 0 and s.currency for s in complaints)
    assert not any("{" in step.text for step in plan.steps), "a template slot was left unfilled"


def test_demo_loads_once_through_the_services_and_lets_people_in(
    container: Container, client: TestClient,
) -> None:
    summary = ensure_demo(container, seed=SEED, size=SMALL, anchor=ANCHOR)
    assert summary.created
    plan = _plan()
    with container.session_factory() as session:
        workspace = accounts.get_workspace_by_slug(session, slug=DEMO_SLUG)
        assert workspace is not None
        workspace_id = workspace.id
        _assert_plan_was_written(session, workspace_id, plan)
        _assert_identities_resolve_to_one_customer(session, workspace_id, plan)
        session.rollback()

    again = ensure_demo(container, seed=SEED + 1, size=SMALL, anchor=ANCHOR)
    assert not again.created
    with container.session_factory() as session:
        assert len(_all_conversations(session, workspace_id)) == SMALL.conversations
        assert len(customers.list_customers(session, workspace_id=workspace_id, limit=200).items) == (
            SMALL.customers)
    assert again.token and summary.token and again.token != summary.token
    for token in (summary.token, again.token):
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["role"] == "admin"

    text = again.render("http://127.0.0.1:8000")
    assert len(again.logins) == 5 and again.token in text
    roles = set()
    for login in again.logins:
        assert login.email in text
        response = client.post("/api/v1/auth/login", json={
            "email": login.email, "password": login.password, "workspace": DEMO_SLUG})
        assert response.status_code == 200, response.text
        roles.add(client.get("/api/v1/me").json()["role"])
    assert roles == {"admin", "supervisor", "agent", "qa_inspector"}


def _assert_plan_was_written(session: Session, workspace_id: uuid.UUID, plan: DemoPlan) -> None:
    stored = _all_conversations(session, workspace_id)
    assert len(stored) == len(plan.conversations)
    assert {c.language for c in stored} == SIX_LANGUAGES
    statuses = Counter(c.status for c in stored)
    assert statuses[ConversationStatus.RESOLVED] + statuses[ConversationStatus.CLOSED] > len(stored) // 2
    assert sum(c.is_complaint for c in stored) == sum(s.kind is StepKind.COMPLAINT for s in plan.steps)
    oldest = min(stored, key=lambda c: c.created_at)
    assert oldest.created_at == plan.conversations[0].started_at
    messages = conversations.list_messages(session, workspace_id=workspace_id,
                                           conversation_id=oldest.id, limit=200).items
    planned = [s.text for s in plan.steps if s.conversation == 0 and s.kind in
               {StepKind.OPEN, StepKind.REPLY, StepKind.CUSTOMER, StepKind.NOTE}]
    assert [m.text for m in messages] == planned
    assert messages[0].direction is Direction.INBOUND


def _assert_identities_resolve_to_one_customer(
    session: Session, workspace_id: uuid.UUID, plan: DemoPlan
) -> None:
    checked = 0
    for customer in plan.customers:
        if len(customer.identities) < 2:
            continue
        owners = {
            customers.resolve_customer(
                session, workspace_id=workspace_id, market=customer.market,
                identities=[IdentityIn(kind=identity.kind, value=identity.value)],
            ).id
            for identity in customer.identities
        }
        assert len(owners) == 1, customer
        checked += 1
    assert checked >= SMALL.customers // 3
