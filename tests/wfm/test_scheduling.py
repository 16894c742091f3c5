"""CP-SAT shift scheduling on a small week: coverage, contracts, availability and fairness hold."""

from __future__ import annotations

from kefu.wfm.scheduling import (
    AgentSpec,
    Problem,
    ShiftTemplate,
    greedy_roster,
    solve_schedule,
    understaffed_by,
)

IPD = 24  # hourly intervals


def _problem(agents: list[AgentSpec], need: int = 2) -> Problem:
    required = {
        "phone": [need if 8 <= t % IPD < 20 else 0 for t in range(7 * IPD)],
        "email": [1 if 9 <= t % IPD < 17 and t // IPD < 5 else 0 for t in range(7 * IPD)],
    }
    templates = [
        ShiftTemplate(
            "day",
            length=9,
            earliest_start=8,
            latest_start=11,
            break_length=1,
            break_earliest=3,
            break_latest=5,
        )
    ]
    return Problem(
        days=7, intervals_per_day=IPD, required=required, templates=templates, agents=agents, late_after=19
    )


def _agents() -> list[AgentSpec]:
    return [
        AgentSpec(
            f"a{i}",
            frozenset({"phone"} if i < 6 else {"phone", "email"}),
            40,
            40,
            unavailable_days=frozenset({0}) if i == 0 else frozenset(),
            max_weekend_days=1,
            max_late_shifts=2,
        )
        for i in range(8)
    ]


def test_schedule_meets_contracts_availability_and_fairness() -> None:
    problem = _problem(_agents())
    solution = solve_schedule(problem, time_limit_seconds=20, workers=8)
    assert solution.status in {"OPTIMAL", "FEASIBLE"}
    by_agent: dict[str, list] = {}
    for shift in solution.shifts:
        by_agent.setdefault(shift.agent, []).append(shift)
    assert len(by_agent) == 8
    for shifts in by_agent.values():
        assert sum(s.end - s.start - 1 for s in shifts) == 40  # five 8-hour shifts (break unpaid)
        assert len({s.day for s in shifts}) == len(shifts)
        assert sum(1 for s in shifts if s.day >= 5) <= 1
        assert sum(1 for s in shifts if s.end > 19) <= 2
        assert all(s.break_start is not None and s.start + 3 <= s.break_start <= s.start + 5 for s in shifts)
    assert all(s.day != 0 for s in by_agent["a0"])
    # Email is only covered by the two agents who have the skill.
    assert max(solution.coverage["email"]) <= 2
    assert solution.understaffed_intervals <= understaffed_by(problem, greedy_roster(problem))


def test_enough_agents_cover_everything_and_the_gap_closes() -> None:
    agents = [AgentSpec(f"a{i}", frozenset({"phone", "email"}), 0, 40, max_weekend_days=2) for i in range(14)]
    solution = solve_schedule(_problem(agents, need=1), time_limit_seconds=20, workers=8)
    assert solution.understaffed_intervals == 0
    assert solution.status == "OPTIMAL" and solution.gap == 0.0


def test_too_few_agents_leave_a_measured_shortfall() -> None:
    agents = [AgentSpec("solo", frozenset({"phone"}), 0, 40)]
    solution = solve_schedule(_problem(agents, need=3), time_limit_seconds=10, workers=8)
    required = sum(sum(v) for v in _problem(agents, need=3).required.values())
    assert solution.understaffed_intervals == required - 40
