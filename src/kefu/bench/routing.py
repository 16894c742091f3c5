"""`kefu bench routing`: assignment decisions, queue-rule evaluation and the SLA sweep.

Decisions and rules run in-process on the routing algorithms (`routing.service.choose_agent`,
`match_queue`), seeded; the sweep runs on a real database (SQLite file, or PostgreSQL).
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
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
from kefu.routing import service as routing
from kefu.routing.enums import Presence, Strategy
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
                if database_url:  # children first: a cascade from conversations would scan them per row
                    session.execute(delete(OutboxEvent).where(OutboxEvent.workspace_id == ws))
                    children = ("sla_targets", "conversation_slas", "conversations", "customers")
                    for name in (*children, "workspaces"):
                        table = tables[name]
                        key = table.c.id if name == "workspaces" else table.c.workspace_id
                        session.execute(delete(table).where(key == ws))
                    session.commit()
        engine.dispose()
    return {
        "backend": url.split(":", 1)[0],
        "sla_conversations": conversations,
        "sla_targets_swept": examined,
        "sla_sweep_seconds": round(seconds, 3),
    }


LANGUAGES = ("zh", "en", "id", "vi", "th", "ms")
PRODUCT_LINES = ("cards", "loans", "orders", "logistics")
LEVELS = ("junior", "intermediate", "senior")


def _pool(rng: random.Random, agents: int) -> list[routing.Candidate]:
    pool = []
    for n in range(agents):
        spoken = rng.sample(LANGUAGES, rng.randint(1, 3))
        pool.append(
            routing.Candidate(
                agent_id=uuid.UUID(int=n + 1),
                presence=Presence.ONLINE,
                level=rng.choice(LEVELS),
                languages={lang: rng.randint(2, 5) for lang in spoken},
                product_lines=frozenset(rng.sample(PRODUCT_LINES, rng.randint(1, 3))),
                channels=frozenset(),
                complaints=rng.random() < 0.4,
                vip=rng.random() < 0.3,
                capacity={"chat": 12},
                last_assigned_at=START - timedelta(seconds=rng.randint(0, 3600)),
            )
        )
    return pool


def _needs(rng: random.Random, waiting: int) -> list[routing.Need]:
    needs = []
    for _ in range(waiting):
        vip = rng.random() < 0.05
        needs.append(
            routing.Need(
                channel="chat",
                language=rng.choice(LANGUAGES),
                product_line=rng.choice(PRODUCT_LINES),
                complaint=rng.random() < 0.1,
                vip=vip,
                min_level="senior" if vip else "junior",
            )
        )
    return needs


def run_decision_bench(*, agents: int = 1_000, waiting: int = 10_000, seed: int = 13) -> dict[str, Any]:
    """Assign `waiting` conversations, in queue order, among `agents` online agents of one skills-based queue.

    Every decision scans the whole pool (one queue of all agents: the worst case), picks by skill fit,
    load, longest idle and names its runners-up, then books the load, as `dispatch_queue` does. The
    same run repeats with the plain `choose_agent` (the reference the pool is tested against) as the
    baseline. Latency is wall time per decision and, beside it, the thread's CPU time (the part a
    busy machine's scheduler does not add).
    """
    fast = _decisions(agents, waiting, seed, vectorised=True)
    plain = _decisions(agents, waiting, seed, vectorised=False)
    return {**fast, **{f"baseline_{k}": v for k, v in plain.items() if k not in ("agents", "waiting")}}


def _decisions(agents: int, waiting: int, seed: int, *, vectorised: bool) -> dict[str, Any]:
    rng = random.Random(seed)
    pool, needs = _pool(rng, agents), _needs(rng, waiting)
    candidates = routing.CandidatePool(pool)
    walls: list[int] = []
    cpus: list[int] = []
    assigned = 0
    began = time.perf_counter()
    for need in needs:
        start, cpu = time.perf_counter_ns(), time.thread_time_ns()
        if vectorised:
            decision = candidates.choose(Strategy.SKILLS_BEST_MATCH, need)
        else:
            decision = routing.choose_agent(Strategy.SKILLS_BEST_MATCH, need, pool)
        if decision.agent_id is not None:
            candidates.book(decision.agent_id, "chat", START)
            assigned += 1
        cpus.append(time.thread_time_ns() - cpu)
        walls.append(time.perf_counter_ns() - start)
    elapsed = time.perf_counter() - began
    walls.sort()
    cpus.sort()
    return {
        "agents": agents,
        "waiting": waiting,
        "assigned": assigned,
        "decisions_per_second": round(waiting / elapsed, 1),
        "decision_p50_ms": round(walls[len(walls) // 2] / 1e6, 4),
        "decision_p99_ms": round(walls[int(len(walls) * 0.99)] / 1e6, 4),
        "decision_cpu_p99_ms": round(cpus[int(len(cpus) * 0.99)] / 1e6, 4),
    }


def run_rules_bench(*, queues: int = 20, events: int = 20_000, seed: int = 13) -> dict[str, Any]:
    """Evaluate every rule of `queues` queues (1–3 rules of 1–3 conditions) against `events` fact sets."""
    rng = random.Random(seed)
    fields = [
        ("language", lambda: rng.choice(LANGUAGES)),
        ("channel", lambda: rng.choice(("chat", "phone", "email", "line"))),
        ("vip_tier", lambda: rng.choice(("none", "silver", "gold", "platinum"))),
        ("tag", lambda: rng.choice(("refund", "delivery", "vip", "promo"))),
        ("intent", lambda: rng.choice(("order_status", "refund", "password", "coupon"))),
        ("is_complaint", lambda: rng.random() < 0.2),
    ]
    rules = []
    for _ in range(queues):
        for _ in range(rng.randint(1, 3)):
            chosen = rng.sample(fields, rng.randint(1, 3))
            rules.append(
                [{"field": name, "op": "in", "value": [make(), make()]} for name, make in chosen]
                + ([{"field": "anger", "op": "gte", "value": 0.6}] if rng.random() < 0.2 else [])
            )
    facts = [
        {
            **{name: make() for name, make in fields},
            "tag": [rng.choice(("refund", "vip"))],
            "anger": rng.random(),
        }
        for _ in range(events)
    ]
    began = time.perf_counter()
    matched = 0
    for fact in facts:
        for conditions in rules:
            matched += all(routing.condition_holds(c, fact) for c in conditions)
    elapsed = time.perf_counter() - began
    return {
        "rules": len(rules),
        "rule_events": events,
        "rules_matched": matched,
        "rules_per_second": round(len(rules) * events / elapsed, 1),
        "rules_measured": "routing queue rules (automation rules are measured separately)",
    }
