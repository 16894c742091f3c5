"""`kefu bench wfm`: a one-week CP-SAT schedule of 150 agents on 3 channels, and the greedy roster alone."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from kefu.wfm import service as erlang
from kefu.wfm.service import (
    AgentSpec,
    Problem,
    ShiftTemplate,
    greedy_roster,
    solve_schedule,
    understaffed_by,
)

INTERVALS_PER_DAY = 48
OPEN, CLOSE = 14, 44
"""07:00 to 22:00 in 30-minute intervals."""
DAYS = 7
CHANNELS = ("phone", "chat", "email")
TARGET_REQUIRED = 9_300
"""Required agent-intervals of the week: about 90 % of what the 150 contracts can give."""


def _shape(channel: str, slot: int) -> float:
    """Relative contact volume of a channel in an interval of the day (slot = interval of day)."""
    hour = slot / 2
    if channel == "phone":
        return math.exp(-((hour - 10.5) ** 2) / 4) + 0.8 * math.exp(-((hour - 15) ** 2) / 5)
    if channel == "chat":
        return 0.5 + math.exp(-((hour - 19) ** 2) / 3)
    return 1.0 if 8 <= hour < 18 else 0.3


def _requirement(scale: float) -> dict[str, list[int]]:
    required: dict[str, list[int]] = {c: [0] * (DAYS * INTERVALS_PER_DAY) for c in CHANNELS}
    for day in range(DAYS):
        weekday = 0.6 if day >= 5 else (1.15 if day == 0 else 1.0)
        email_volumes = [
            scale * 0.5 * weekday * _shape("email", s) if OPEN <= s < CLOSE else 0.0
            for s in range(INTERVALS_PER_DAY)
        ]
        email = erlang.email_workload(
            email_volumes,
            interval_seconds=1800,
            aht_seconds=420,
            deadline_seconds=4 * 3600,
            max_occupancy=0.9,
        )
        for slot in range(OPEN, CLOSE):
            t = day * INTERVALS_PER_DAY + slot
            phone = erlang.erlang_c_required(
                traffic=erlang.traffic_erlangs(
                    volume=scale * weekday * _shape("phone", slot), interval_seconds=1800, aht_seconds=300
                ),
                aht_seconds=300,
                target_sl=0.8,
                target_seconds=20,
                max_occupancy=0.9,
            )
            chat_slots = erlang.erlang_c_required(
                traffic=erlang.traffic_erlangs(
                    volume=scale * 0.8 * weekday * _shape("chat", slot),
                    interval_seconds=1800,
                    aht_seconds=600,
                ),
                aht_seconds=600,
                target_sl=0.8,
                target_seconds=60,
            )
            required["phone"][t] = phone.agents
            required["chat"][t] = erlang.agents_for_concurrency(chat_slots.agents, 2)
            required["email"][t] = math.ceil(email[slot])
    return required


def calibrated_requirement() -> dict[str, list[int]]:
    """Required staff per channel and interval (Erlang C, chat at 2 chats an agent, email by deadline)."""
    low, high = 1.0, 400.0
    for _ in range(40):
        middle = (low + high) / 2
        total = sum(sum(v) for v in _requirement(middle).values())
        low, high = (middle, high) if total < TARGET_REQUIRED else (low, middle)
    return _requirement(low)


def bench_agents(seed: int = 7) -> list[AgentSpec]:
    """80 tier-1 (16 part-time), 40 tier-2, 20 QA, 10 leads; a fifth unavailable one weekday."""
    rng = random.Random(seed)
    agents = []

    def add(
        prefix: str, count: int, skills: set[str], low: int, high: int, templates: tuple[str, ...]
    ) -> None:
        for index in range(count):
            away = frozenset({rng.randrange(DAYS)}) if rng.random() < 0.2 else frozenset()
            agents.append(
                AgentSpec(
                    f"{prefix}-{index:03d}",
                    frozenset(skills),
                    low,
                    high,
                    templates,
                    away,
                    max_weekend_days=1,
                    max_late_shifts=2,
                )
            )

    add("t1", 64, {"phone", "chat"}, 80, 80, ("day",))
    add("t1p", 16, {"phone", "chat"}, 40, 40, ("part",))
    add("t2", 40, {"phone", "chat", "email"}, 80, 80, ("day",))
    add("qa", 20, {"email"}, 40, 80, ("day", "part"))
    add("lead", 10, {"phone", "chat", "email"}, 0, 48, ("day", "part"))
    return agents


TEMPLATES = (
    ShiftTemplate(
        "day",
        length=18,
        earliest_start=OPEN,
        latest_start=CLOSE - 18,
        break_length=2,
        break_earliest=6,
        break_latest=10,
        break_step=2,
    ),
    ShiftTemplate("part", length=8, earliest_start=OPEN, latest_start=CLOSE - 8, start_step=2),
)


def bench_problem() -> Problem:
    """The benchmark's week: 30-minute intervals, 3 channels, 150 agents, late = ending after 20:00."""
    return Problem(
        days=DAYS,
        intervals_per_day=INTERVALS_PER_DAY,
        required=calibrated_requirement(),
        templates=TEMPLATES,
        agents=bench_agents(),
        late_after=40,
    )


@dataclass(frozen=True)
class WfmBenchResult:
    """Figures of one run."""

    schedule_seconds: float
    understaffed_intervals: int
    gap: float
    status: str
    overstaffed_intervals: int
    required_agent_intervals: int
    scheduled_shifts: int
    booleans: int
    greedy_understaffed_intervals: int
    greedy_seconds: float


def run_wfm_bench(*, time_limit_seconds: float = 50.0) -> WfmBenchResult:
    """Build the week, solve it with CP-SAT (8 workers), and run the greedy baseline on the same week."""
    problem = bench_problem()
    solution = solve_schedule(problem, time_limit_seconds=time_limit_seconds, workers=8)
    started = time.perf_counter()
    greedy = understaffed_by(problem, greedy_roster(problem))
    greedy_seconds = time.perf_counter() - started
    return WfmBenchResult(
        schedule_seconds=round(solution.seconds, 2),
        understaffed_intervals=solution.understaffed_intervals,
        gap=round(solution.gap, 4),
        status=solution.status,
        overstaffed_intervals=solution.overstaffed_intervals,
        required_agent_intervals=sum(sum(v) for v in problem.required.values()),
        scheduled_shifts=len(solution.shifts),
        booleans=int(solution.stats.get("booleans", 0)),
        greedy_understaffed_intervals=greedy,
        greedy_seconds=round(greedy_seconds, 2),
    )
