"""Shift scheduling with OR-Tools CP-SAT: cover the required staff per skill and interval.

Each agent gets at most one shift a day, drawn from the shift templates (start window, length,
one unpaid break placed within a window), within their availability and contract hours, with
caps on weekend days and late shifts (fairness). Agents with the same skills form a group; in
every interval the group's agents on shift are shared out among their skills. The objective
weighs under-staffing (agent-intervals short) far above over-staffing.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

UNDER_WEIGHT = 20
OVER_WEIGHT = 1


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: length, the window its start may fall in, and its break."""

    name: str
    length: int
    """Intervals from start to end, break included."""
    earliest_start: int
    latest_start: int
    start_step: int = 1
    break_length: int = 0
    break_earliest: int = 0
    """Earliest break start, in intervals after the shift's start."""
    break_latest: int = 0
    break_step: int = 1


@dataclass(frozen=True)
class AgentSpec:
    """One agent to schedule: skills, contract hours (as worked intervals a week) and limits."""

    key: str
    skills: frozenset[str]
    min_work: int
    max_work: int
    templates: tuple[str, ...] = ()
    """Templates this agent may work (empty: all)."""
    unavailable_days: frozenset[int] = frozenset()
    max_weekend_days: int = 7
    max_late_shifts: int = 7


@dataclass(frozen=True)
class Problem:
    """Days × intervals a day, required staff per skill per interval of the horizon, templates, agents."""

    days: int
    intervals_per_day: int
    required: Mapping[str, Sequence[int]]
    templates: Sequence[ShiftTemplate]
    agents: Sequence[AgentSpec]
    weekend_days: frozenset[int] = frozenset({5, 6})
    late_after: int | None = None
    """A shift ending after this interval of the day is a late shift."""
    first_weekday: int = 0
    """Weekday of day 0 (0 = Monday)."""


@dataclass(frozen=True)
class Shift:
    """One scheduled shift: day, start and end interval of that day, and the break's start."""

    agent: str
    day: int
    template: str
    start: int
    end: int
    break_start: int | None
    break_end: int | None


@dataclass
class Solution:
    """The schedule with its coverage, shortfall, surplus and the solver's figures."""

    status: str
    shifts: list[Shift]
    coverage: dict[str, list[int]]
    under: dict[str, list[int]]
    over: dict[str, list[int]]
    seconds: float
    objective: float
    bound: float
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def understaffed_intervals(self) -> int:
        """Agent-intervals short of the requirement, over every skill and interval."""
        return sum(sum(values) for values in self.under.values())

    @property
    def overstaffed_intervals(self) -> int:
        """Agent-intervals above the requirement."""
        return sum(sum(values) for values in self.over.values())

    @property
    def gap(self) -> float:
        """Relative optimality gap of the objective (0 when proven optimal)."""
        if self.objective <= 0:
            return 0.0
        if math.isinf(self.objective):
            return 1.0
        return max(0.0, (self.objective - self.bound) / self.objective)


@dataclass(frozen=True)
class _Pattern:
    template: str
    start: int
    end: int
    break_start: int | None
    work: frozenset[int]
    """Intervals of the day worked (break excluded; may run past midnight: day offset kept)."""


def _patterns(template: ShiftTemplate, intervals_per_day: int) -> list[_Pattern]:
    found = []
    for start in range(template.earliest_start, template.latest_start + 1, template.start_step):
        end = start + template.length
        if end > intervals_per_day:
            continue
        breaks: list[int | None] = (
            list(
                range(start + template.break_earliest, start + template.break_latest + 1, template.break_step)
            )
            if template.break_length
            else [None]
        )
        for break_start in breaks:
            worked = set(range(start, end))
            if break_start is not None:
                worked -= set(range(break_start, break_start + template.break_length))
            found.append(_Pattern(template.name, start, end, break_start, frozenset(worked)))
    return found


def solve_schedule(
    problem: Problem,
    *,
    time_limit_seconds: float = 50.0,
    workers: int = 8,
    seed: int = 0,
    greedy_start: bool = True,
) -> Solution:
    """Solve the problem with CP-SAT (`workers` search workers); the best schedule found in the limit.

    The search starts from the greedy roster (`greedy_roster`) as a hint: CP-SAT alone spends
    the minute on the symmetric per-agent model before reaching what the greedy pass gives at once.
    """
    started = time.perf_counter()
    ipd, horizon = problem.intervals_per_day, problem.days * problem.intervals_per_day
    skills = sorted(problem.required)
    patterns = {t.name: _patterns(t, ipd) for t in problem.templates}
    model = cp_model.CpModel()
    groups: dict[frozenset[str], list[AgentSpec]] = defaultdict(list)
    for agent in problem.agents:
        groups[frozenset(agent.skills & set(skills))].append(agent)

    # x[agent, day, pattern]; per group and day, n counts the group's agents on each pattern.
    counts: dict[tuple[frozenset[str], int, _Pattern], list[cp_model.IntVar]] = defaultdict(list)
    chosen: dict[tuple[str, int, _Pattern], cp_model.IntVar] = {}
    for group, members in groups.items():
        for agent in members:
            allowed = [p for name in (agent.templates or patterns.keys()) for p in patterns[name]]
            work_terms, weekend_terms, late_terms = [], [], []
            for day in range(problem.days):
                if day in agent.unavailable_days:
                    continue
                today = []
                weekday = (problem.first_weekday + day) % 7
                for pattern in allowed:
                    var = model.new_bool_var("")
                    chosen[agent.key, day, pattern] = var
                    counts[group, day, pattern].append(var)
                    today.append(var)
                    work_terms.append(len(pattern.work) * var)
                    if problem.late_after is not None and pattern.end > problem.late_after:
                        late_terms.append(var)
                if today:
                    model.add_at_most_one(today)
                    if weekday in problem.weekend_days:
                        weekend_terms.extend(today)
            model.add(sum(work_terms) >= agent.min_work)
            model.add(sum(work_terms) <= agent.max_work)
            if weekend_terms:
                model.add(sum(weekend_terms) <= agent.max_weekend_days)
            if late_terms:
                model.add(sum(late_terms) <= agent.max_late_shifts)

    on_shift: dict[tuple[frozenset[str], int], list[cp_model.LinearExprT]] = defaultdict(list)
    for (group, day, pattern), members_on in counts.items():
        count = model.new_int_var(0, len(members_on), "")
        model.add(count == sum(members_on))
        for interval in pattern.work:
            on_shift[group, day * ipd + interval].append(count)

    objective = []
    under: dict[str, list[cp_model.IntVar]] = {}
    over: dict[str, list[cp_model.IntVar]] = {}
    covered: dict[str, list[list[cp_model.IntVar]]] = {s: [[] for _ in range(horizon)] for s in skills}
    for group, members in groups.items():
        for t in range(horizon):
            on = on_shift.get((group, t))
            if not on or not group:
                continue
            shares = [model.new_int_var(0, len(members), "") for _ in sorted(group)]
            model.add(sum(shares) == sum(on))
            for skill, share in zip(sorted(group), shares, strict=True):
                covered[skill][t].append(share)
    for skill in skills:
        required = list(problem.required[skill])
        under[skill], over[skill] = [], []
        for t in range(horizon):
            need = required[t] if t < len(required) else 0
            cover = sum(covered[skill][t])
            short = model.new_int_var(0, need, "")
            extra = model.new_int_var(0, len(problem.agents), "")
            model.add(cover + short - extra == need)
            under[skill].append(short)
            over[skill].append(extra)
            objective.append(UNDER_WEIGHT * short + OVER_WEIGHT * extra)
    model.minimize(sum(objective))
    if greedy_start:
        hinted = {
            (shift.agent, shift.day, shift.template, shift.start, shift.break_start)
            for shift in greedy_roster(problem)
        }
        for (agent_key, day, pattern), var in chosen.items():
            model.add_hint(
                var, (agent_key, day, pattern.template, pattern.start, pattern.break_start) in hinted
            )

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        unmet = {
            s: [problem.required[s][t] if t < len(problem.required[s]) else 0 for t in range(horizon)]
            for s in skills
        }
        zero = {s: [0] * horizon for s in skills}
        return Solution(name, [], zero, unmet, zero, time.perf_counter() - started, math.inf, 0.0)
    shifts = [
        Shift(
            agent,
            day,
            p.template,
            p.start,
            p.end,
            p.break_start,
            None if p.break_start is None else p.break_start + _break_length(problem, p.template),
        )
        for (agent, day, p), var in chosen.items()
        if solver.value(var)
    ]
    return Solution(
        status=name,
        shifts=sorted(shifts, key=lambda s: (s.agent, s.day)),
        coverage={s: [sum(solver.value(v) for v in covered[s][t]) for t in range(horizon)] for s in skills},
        under={s: [solver.value(v) for v in under[s]] for s in skills},
        over={s: [solver.value(v) for v in over[s]] for s in skills},
        seconds=time.perf_counter() - started,
        objective=solver.objective_value,
        bound=solver.best_objective_bound,
        stats={"booleans": len(chosen), "wall_seconds": solver.wall_time},
    )


def _break_length(problem: Problem, template: str) -> int:
    return next(t.break_length for t in problem.templates if t.name == template)


def greedy_roster(problem: Problem) -> list[Shift]:
    """Agents one by one take the shifts (and days) covering the most still-uncovered need."""
    ipd = problem.intervals_per_day
    remaining = {s: list(v) for s, v in problem.required.items()}
    patterns = {t.name: _patterns(t, ipd) for t in problem.templates}
    shifts = []
    for agent in problem.agents:
        options = [p for name in (agent.templates or patterns.keys()) for p in patterns[name]]
        skills = sorted(agent.skills & set(remaining))
        worked, weekend, late, taken = 0, 0, 0, set()
        while worked < agent.max_work:
            best: tuple[int, int, _Pattern] | None = None
            for day in range(problem.days):
                is_weekend = (problem.first_weekday + day) % 7 in problem.weekend_days
                if (
                    day in taken
                    or day in agent.unavailable_days
                    or (is_weekend and weekend >= agent.max_weekend_days)
                ):
                    continue
                for pattern in options:
                    is_late = problem.late_after is not None and pattern.end > problem.late_after
                    if worked + len(pattern.work) > agent.max_work or (
                        is_late and late >= agent.max_late_shifts
                    ):
                        continue
                    gain = sum(
                        1 for i in pattern.work if any(remaining[s][day * ipd + i] > 0 for s in skills)
                    )
                    if best is None or gain > best[0]:
                        best = (gain, day, pattern)
            if best is None or (best[0] == 0 and worked >= agent.min_work):
                break
            _, day, pattern = best
            taken.add(day)
            weekend += (problem.first_weekday + day) % 7 in problem.weekend_days
            late += problem.late_after is not None and pattern.end > problem.late_after
            worked += len(pattern.work)
            for i in pattern.work:
                t = day * ipd + i
                if skills:
                    remaining[max(skills, key=lambda s: remaining[s][t])][t] -= 1
            length = _break_length(problem, pattern.template)
            shifts.append(
                Shift(
                    agent.key,
                    day,
                    pattern.template,
                    pattern.start,
                    pattern.end,
                    pattern.break_start,
                    None if pattern.break_start is None else pattern.break_start + length,
                )
            )
    return shifts


def understaffed_by(problem: Problem, shifts: list[Shift]) -> int:
    """Agent-intervals short when each interval's staff on shift serve the neediest of their skills."""
    ipd = problem.intervals_per_day
    remaining = {s: list(v) for s, v in problem.required.items()}
    skills_of = {agent.key: sorted(agent.skills & set(remaining)) for agent in problem.agents}
    for shift in shifts:
        for i in range(shift.start, shift.end):
            if (
                shift.break_start is not None
                and shift.break_end is not None
                and shift.break_start <= i < shift.break_end
            ):
                continue
            t = shift.day * ipd + i
            if skills_of[shift.agent]:
                remaining[max(skills_of[shift.agent], key=lambda s: remaining[s][t])][t] -= 1
    return sum(max(0, value) for values in remaining.values() for value in values)
