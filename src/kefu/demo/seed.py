"""`ensure_demo`: load the demo workspace once (through the public services) and report how to log in.

The whole load is one transaction, so a crash leaves nothing half-made and the next start simply
tries again; a workspace with the demo slug means the data is there and is reused as it is.
Each start issues a fresh admin API token.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn, TeamIn
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import SYSTEM, Actor, AssignIn, ComplaintIn, ConversationIn, FirstMessageIn
from kefu.core import clock
from kefu.core.clock import FrozenClock, use_clock
from kefu.core.errors import KefuError
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerIn, IdentityIn
from kefu.db.outbox import bulk_history
from kefu.demo.people import AGENTS, TEAMS
from kefu.demo.plan import CustomerPlan, DemoPlan, DemoSize, Step, StepKind, build_plan
from kefu.wiring import Container

DEMO_NAME = "Kefu Demo"
DEMO_SLUG = "kefu-demo"
DEMO_PASSWORD = "kefu-demo-2026"
DEFAULT_SEED = 20261122
MESSAGE_STEPS = frozenset({StepKind.OPEN, StepKind.REPLY, StepKind.CUSTOMER, StepKind.NOTE})


@dataclass(frozen=True)
class DemoLogin:
    """A console login printed for the demo."""

    label: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What `ensure_demo` did and how to get in."""

    workspace_name: str
    workspace_slug: str
    created: bool
    logins: tuple[DemoLogin, ...]
    token: str | None
    counts: dict[str, int]
    seconds: float
    cpu_seconds: float

    def render(self, url: str) -> str:
        """The text `kefu demo` prints: URL, logins, a fresh admin token, what was loaded and how fast."""
        if self.created:
            loaded = ", ".join(f"{n:,} {what}" for what, n in self.counts.items())
            status = f"loaded in {self.seconds:.1f} s ({self.cpu_seconds:.1f} s CPU): {loaded}"
        else:
            status = f"already loaded, reused ({self.seconds:.1f} s)"
        lines = [
            f"Kefu demo workspace {self.workspace_name!r} (slug {self.workspace_slug}) {status}",
            f"  API docs: {url}/api/docs",
            f"  Logins (workspace {self.workspace_slug}):",
            *(f"    {login.label:<22} {login.email:<32} password: {login.password}" for login in self.logins),
        ]
        if self.token:
            lines += [
                f"  Admin API token (new at each start): {self.token}",
                f'    curl -H "Authorization: Bearer {self.token}" "{url}/api/v1/conversations?limit=5"',
            ]
        else:
            lines.append("  No admin API token: the demo admin is missing or deactivated.")
        return "\n".join(lines)


def demo_logins() -> tuple[DemoLogin, ...]:
    """The agents whose password the demo prints: admin, supervisor, tier-1, tier-2 senior, QA."""
    return tuple(DemoLogin(a.login, a.email, DEMO_PASSWORD) for a in AGENTS if a.login)


def ensure_demo(
    container: Container, *, seed: int = DEFAULT_SEED, size: DemoSize | None = None,
    anchor: datetime | None = None,
) -> DemoSummary:
    """Load the demo workspace unless it exists, then issue an admin token; return the summary.

    `anchor` is the "now" the demo history ends at (default: the current time).
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    with container.session_factory() as session:
        workspace = accounts.get_workspace_by_slug(session, slug=DEMO_SLUG)
        created = workspace is None
        counts: dict[str, int] = {}
        if workspace is None:
            plan = build_plan(seed=seed, size=size or DemoSize(), anchor=anchor or clock.now())
            with bulk_history(session):
                workspace_id, counts = DemoWriter(session, plan).write()
        else:
            workspace_id = workspace.id
        session.commit()
        token = _issue_admin_token(session, workspace_id)
        session.commit()
    return DemoSummary(DEMO_NAME, DEMO_SLUG, created, demo_logins(), token, counts,
                       time.perf_counter() - started, time.process_time() - cpu_started)


def _issue_admin_token(session: Session, workspace_id: uuid.UUID) -> str | None:
    admin = accounts.find_agent_by_email(session, workspace_id=workspace_id, email=AGENTS[0].email)
    if admin is None:
        return None
    try:
        issued = accounts.issue_api_token(session, workspace_id=workspace_id, agent_id=admin.id,
                                          name=f"demo {clock.now():%Y-%m-%d %H:%M}")
    except KefuError:
        return None
    return issued.token


@contextmanager
def _rows_kept_loaded(session: Session) -> Iterator[None]:
    """Hold every row the session loads or writes until the block ends.

    A session forgets unmodified rows nobody references, so services that fetch the same
    customer, agent or team by id again would read it again each time; over a bulk load that
    costs more than keeping a few tens of thousands of rows in memory.
    """
    kept: list[object] = []

    def keep(_session: Session, instance: object) -> None:
        kept.append(instance)

    event.listen(session, "loaded_as_persistent", keep)
    event.listen(session, "pending_to_persistent", keep)
    try:
        yield
    finally:
        event.remove(session, "loaded_as_persistent", keep)
        event.remove(session, "pending_to_persistent", keep)
        kept.clear()


class DemoWriter:
    """Writes a plan through the services, moving a frozen clock to each step's time."""

    def __init__(self, session: Session, plan: DemoPlan) -> None:
        self.session = session
        self.plan = plan
        self.clock = FrozenClock(self._beginning())
        self.workspace_id = uuid.uuid4()
        self.agent_ids: dict[str, uuid.UUID] = {}
        self.admins: set[str] = set()
        self.team_ids: dict[str, uuid.UUID] = {}
        self.customer_ids: dict[int, uuid.UUID] = {}
        self.conversation_ids: dict[int, uuid.UUID] = {}

    def _beginning(self) -> datetime:
        first = self.plan.steps[0].at if self.plan.steps else clock.now()
        return first - timedelta(days=1)

    def write(self) -> tuple[uuid.UUID, dict[str, int]]:
        """Create everything; return the workspace id and counts of what was made."""
        with use_clock(self.clock), _rows_kept_loaded(self.session):
            workspace = accounts.create_workspace(self.session, name=DEMO_NAME, slug=DEMO_SLUG,
                                                  default_language="en", timezone="Asia/Singapore")
            self.workspace_id = workspace.id
            self._people()
            contacted = {conversation.customer for conversation in self.plan.conversations}
            for number, customer in enumerate(self.plan.customers):
                if number not in contacted:
                    self._customer(number, customer)
            for step in self.plan.steps:
                self.clock.set(step.at)
                self._step(step)
            self.session.flush()
        kinds = Counter(step.kind for step in self.plan.steps)
        return self.workspace_id, {
            "agents": len(self.agent_ids), "teams": len(self.team_ids),
            "customers": len(self.customer_ids), "conversations": len(self.conversation_ids),
            "messages": sum(kinds[k] for k in MESSAGE_STEPS),
        }

    def _people(self) -> None:
        for team in TEAMS:
            data = TeamIn(name=team.name, kind=team.kind, description=team.description)
            out = accounts.create_team(self.session, workspace_id=self.workspace_id, data=data)
            self.team_ids[team.key] = out.id
        for spec in AGENTS:
            agent = accounts.create_agent(self.session, workspace_id=self.workspace_id, data=AgentIn(
                email=spec.email, display_name=spec.display_name, role=spec.role, level=spec.level,
                languages=list(spec.languages), password=DEMO_PASSWORD if spec.login else None,
            ))
            self.agent_ids[spec.key] = agent.id
            if spec.role is Role.ADMIN:
                self.admins.add(spec.key)
            for team_key in spec.teams:
                accounts.add_team_member(self.session, workspace_id=self.workspace_id,
                                         team_id=self.team_ids[team_key], agent_id=agent.id)

    def _customer(self, number: int, plan: CustomerPlan) -> uuid.UUID:
        out = customers.create_customer(self.session, workspace_id=self.workspace_id, data=CustomerIn(
            name=plan.name, language=plan.language, market=plan.market, vip_tier=plan.vip_tier,
            tags=list(plan.tags), custom_fields=dict(plan.custom_fields),
            identities=[IdentityIn(kind=i.kind, value=i.value, verified=i.verified) for i in plan.identities],
        ))
        self.customer_ids[number] = out.id
        return out.id

    def _actor(self, agent: str | None) -> Actor:
        if agent is None:
            return SYSTEM
        return Actor(kind=ActorKind.AGENT, id=self.agent_ids[agent], is_admin=agent in self.admins)

    def _step(self, step: Step) -> None:
        session, workspace_id = self.session, self.workspace_id
        conversation = self.plan.conversations[step.conversation]
        if step.kind is StepKind.OPEN:
            customer_id = self.customer_ids.get(conversation.customer) or self._customer(
                conversation.customer, self.plan.customers[conversation.customer])
            opened = conversations.open_conversation(session, workspace_id=workspace_id, data=ConversationIn(
                customer_id=customer_id, channel=conversation.channel, priority=conversation.priority,
                language=conversation.language, tags=list(conversation.tags),
                team_id=self.team_ids[conversation.team] if conversation.team else None,
                assignee_id=self.agent_ids[conversation.assignee] if conversation.assignee else None,
                message=FirstMessageIn(text=step.text),
            ))
            self.conversation_ids[step.conversation] = opened.id
            return
        conversation_id = self.conversation_ids[step.conversation]
        actor = self._actor(step.agent)
        if step.kind is StepKind.REPLY:
            conversations.send_reply(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                     text=step.text, actor=actor)
        elif step.kind is StepKind.CUSTOMER:
            received = conversations.receive_message(
                session, workspace_id=workspace_id, customer_id=self.customer_ids[conversation.customer],
                channel=conversation.channel, text=step.text)
            if received.conversation.id != conversation_id:
                raise RuntimeError(f"demo plan: customer message of conversation {step.conversation} "
                                   "landed in another conversation")
        elif step.kind is StepKind.NOTE:
            conversations.add_note(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                   text=step.text, actor=actor)
        elif step.kind is StepKind.COMPLAINT:
            conversations.mark_complaint(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                         data=ComplaintIn(amount=step.amount, currency=step.currency),
                                         actor=actor)
        elif step.kind is StepKind.ASSIGN:
            fields: dict[str, uuid.UUID] = {}
            if step.team:
                fields["team_id"] = self.team_ids[step.team]
            if step.assignee:
                fields["assignee_id"] = self.agent_ids[step.assignee]
            conversations.assign_conversation(session, workspace_id=workspace_id,
                                              conversation_id=conversation_id,
                                              data=AssignIn(**fields), actor=actor)
        elif step.kind is StepKind.PRIORITY and step.priority is not None:
            conversations.set_priority(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                       priority=step.priority, actor=actor)
        elif step.kind is StepKind.STATUS and step.status is not None:
            conversations.change_status(session, workspace_id=workspace_id, conversation_id=conversation_id,
                                        status=step.status, snoozed_until=step.snoozed_until, actor=actor)
