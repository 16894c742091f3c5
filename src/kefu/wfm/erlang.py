"""Queueing formulas for staffing: Erlang B/C (M/M/N), Erlang A (M/M/N+M, abandonment), email workload.

Erlang B is computed by its recursion B_k = A·B_{k-1} / (k + A·B_{k-1}), whose terms stay in (0, 1]:
no factorial or power of A is ever formed, so it is exact in double precision for any N (the
textbook sum of A^k/k! overflows past N ≈ 170). Erlang A weights are summed in log space.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.linalg import expm_multiply
from scipy.special import gammaln, logsumexp

MAX_AGENTS = 100_000
"""The largest number of agents (or chat slots) a staffing search tries before giving up."""


class Unstaffable(ValueError):
    """No number of agents up to the cap meets the targets."""


def traffic_erlangs(*, volume: float, interval_seconds: float, aht_seconds: float) -> float:
    """Offered load A in Erlangs: contacts per interval × handle time / interval length."""
    return volume * aht_seconds / interval_seconds


def _erlang_b_steps(traffic: float) -> Iterator[tuple[int, float]]:
    """(N, B(N, A)) for N = 1, 2, …: each step is one stable recursion step."""
    blocking, servers = 1.0, 0
    while True:
        servers += 1
        blocking = traffic * blocking / (servers + traffic * blocking)
        yield servers, blocking


def erlang_b(servers: int, traffic: float) -> float:
    """Blocking probability of N servers offered A Erlangs (no queue)."""
    if servers <= 0:
        return 1.0
    if traffic <= 0:
        return 0.0
    for n, blocking in _erlang_b_steps(traffic):
        if n == servers:
            return blocking
    raise AssertionError("unreachable")


def _erlang_c_from_b(servers: int, traffic: float, blocking: float) -> float:
    if servers <= traffic:
        return 1.0
    return servers * blocking / (servers - traffic * (1.0 - blocking))


def erlang_c(servers: int, traffic: float) -> float:
    """Probability that a contact waits (Erlang C); 1 when the load is not below the servers."""
    if traffic <= 0:
        return 0.0
    return _erlang_c_from_b(servers, traffic, erlang_b(servers, traffic))


@dataclass(frozen=True)
class QueueFigures:
    """What N agents achieve on a queue: service level, wait probability, ASA, occupancy."""

    agents: int
    service_level: float
    probability_wait: float
    asa_seconds: float
    occupancy: float
    probability_abandon: float = 0.0


def _c_figures(
    servers: int, traffic: float, blocking: float, *, aht_seconds: float, target_seconds: float
) -> QueueFigures:
    if traffic <= 0:
        return QueueFigures(servers, 1.0, 0.0, 0.0, 0.0)
    if servers <= traffic:
        return QueueFigures(servers, 0.0, 1.0, math.inf, 1.0)
    wait = _erlang_c_from_b(servers, traffic, blocking)
    surplus = servers - traffic
    service_level = max(0.0, 1.0 - wait * math.exp(-surplus * target_seconds / aht_seconds))
    return QueueFigures(
        agents=servers,
        service_level=service_level,
        probability_wait=wait,
        asa_seconds=wait * aht_seconds / surplus,
        occupancy=traffic / servers,
    )


def erlang_c_figures(
    *, agents: int, traffic: float, aht_seconds: float, target_seconds: float
) -> QueueFigures:
    """Erlang C service level (answered within `target_seconds`), P(wait), ASA and occupancy of N agents."""
    return _c_figures(
        agents, traffic, erlang_b(agents, traffic), aht_seconds=aht_seconds, target_seconds=target_seconds
    )


def erlang_c_required(
    *,
    traffic: float,
    aht_seconds: float,
    target_sl: float | None = None,
    target_seconds: float = 0.0,
    target_asa_seconds: float | None = None,
    max_occupancy: float | None = None,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """The fewest agents meeting the service level (or ASA) target and the maximum occupancy.

    One pass of the Erlang B recursion from one agent upwards, so the search costs O(N).
    """
    if traffic <= 0:
        return QueueFigures(0, 1.0, 0.0, 0.0, 0.0)
    for servers, blocking in _erlang_b_steps(traffic):
        if servers > max_agents:
            break
        if servers <= traffic:
            continue
        figures = _c_figures(
            servers, traffic, blocking, aht_seconds=aht_seconds, target_seconds=target_seconds
        )
        if target_sl is not None and figures.service_level < target_sl:
            continue
        if target_asa_seconds is not None and figures.asa_seconds > target_asa_seconds:
            continue
        if max_occupancy is not None and figures.occupancy > max_occupancy:
            continue
        return figures
    raise Unstaffable(f"no staffing of at most {max_agents} agents meets the targets")


@dataclass(frozen=True)
class _ErlangAState:
    """Stationary distribution of M/M/N+M (log weights of n = 0 … N + K contacts in the system)."""

    servers: int
    log_pi: np.ndarray


def _erlang_a_state(
    servers: int, *, arrival_rate: float, service_rate: float, abandon_rate: float
) -> _ErlangAState:
    traffic = arrival_rate / service_rate
    n = np.arange(servers + 1)
    log_low = n * math.log(traffic) - gammaln(n + 1)
    # Beyond N the chain moves up at λ and down at Nμ + jθ: sum the log ratios until they are negligible.
    tail: list[float] = []
    current, peak = float(log_low[-1]), float(log_low.max())
    j = 0
    while True:
        j += 1
        current += math.log(arrival_rate / (servers * service_rate + j * abandon_rate))
        tail.append(current)
        peak = max(peak, current)
        if current < peak - 60 and arrival_rate < servers * service_rate + j * abandon_rate:
            break
        if j > 10_000_000:
            raise Unstaffable("the queue does not settle: patience too long for the load")
    log_weights = np.concatenate([log_low, np.array(tail)])
    return _ErlangAState(servers, log_weights - logsumexp(log_weights))


def erlang_a_figures(
    *,
    agents: int,
    volume: float,
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
) -> QueueFigures:
    """Erlang A (exponential patience): SL, P(wait), ASA, occupancy and P(abandon) of N agents.

    The service level is the share of *all* arrivals answered within the target (an arrival that
    abandons is never answered); ASA is the mean wait of all arrivals (E[queue] / λ, Little's law).
    """
    arrival_rate = volume / interval_seconds
    service_rate = 1.0 / aht_seconds
    abandon_rate = 1.0 / patience_seconds
    if arrival_rate <= 0:
        return QueueFigures(agents, 1.0, 0.0, 0.0, 0.0)
    if agents <= 0:
        return QueueFigures(agents, 0.0, 1.0, patience_seconds, 1.0, 1.0)
    state = _erlang_a_state(
        agents, arrival_rate=arrival_rate, service_rate=service_rate, abandon_rate=abandon_rate
    )
    pi = np.exp(state.log_pi)
    queued = pi[agents:]
    probability_wait = float(queued.sum())
    ahead = np.arange(queued.size)
    mean_queue = float((ahead * queued).sum())
    probability_abandon = abandon_rate * mean_queue / arrival_rate
    served_load = arrival_rate * (1.0 - probability_abandon) / service_rate
    answered_late = _answered_within(
        queued, target_seconds, service_total=agents * service_rate, abandon_rate=abandon_rate
    )
    return QueueFigures(
        agents=agents,
        service_level=min(1.0, max(0.0, 1.0 - probability_wait + answered_late)),
        probability_wait=probability_wait,
        asa_seconds=mean_queue / arrival_rate,
        occupancy=min(1.0, served_load / agents),
        probability_abandon=probability_abandon,
    )


def _answered_within(
    queued: np.ndarray, seconds: float, *, service_total: float, abandon_rate: float
) -> float:
    """P(arrive to a wait and be answered within `seconds`): a tagged contact's queue position as a chain.

    With i contacts ahead the position falls at Nμ + iθ (a service completion or one ahead
    abandoning); the contact itself abandons at θ. States 0 … K, plus "answered" (absorbing);
    abandonment is the mass that leaves the chain.
    """
    if seconds <= 0:
        return 0.0
    size = queued.size
    ahead = np.arange(size, dtype=float)
    down = service_total + ahead * abandon_rate
    leave = down + abandon_rate
    # Column-vector form dp/dt = M p: position i flows to i-1 at Nμ + iθ, position 0 to "answered" (last).
    rows = np.concatenate([np.arange(size), np.arange(size - 1), [size]])
    cols = np.concatenate([np.arange(size), np.arange(1, size), [0]])
    values = np.concatenate([-leave, down[1:], [down[0]]])
    matrix = coo_array((values * seconds, (rows, cols)), shape=(size + 1, size + 1)).tocsr()
    start = np.concatenate([queued, [0.0]])
    end = expm_multiply(matrix, start)
    return float(end[size])


def erlang_a_required(
    *,
    volume: float,
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float,
    target_sl: float,
    target_seconds: float,
    max_occupancy: float | None = None,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """The fewest agents whose Erlang A service level and occupancy meet the targets (bisection on N)."""
    if volume <= 0:
        return QueueFigures(0, 1.0, 0.0, 0.0, 0.0)

    def figures(n: int) -> QueueFigures:
        return erlang_a_figures(
            agents=n,
            volume=volume,
            interval_seconds=interval_seconds,
            aht_seconds=aht_seconds,
            patience_seconds=patience_seconds,
            target_seconds=target_seconds,
        )

    def meets(result: QueueFigures) -> bool:
        return result.service_level >= target_sl and (
            max_occupancy is None or result.occupancy <= max_occupancy
        )

    traffic = traffic_erlangs(volume=volume, interval_seconds=interval_seconds, aht_seconds=aht_seconds)
    high = max(1, math.ceil(traffic))
    while not meets(figures(high)):
        if high >= max_agents:
            raise Unstaffable(f"no staffing of at most {max_agents} agents meets the targets")
        high = min(max_agents, high * 2)
    low = 0
    while high - low > 1:
        middle = (low + high) // 2
        if meets(figures(middle)):
            high = middle
        else:
            low = middle
    return figures(high)


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to roster so that `agents` are productive: ⌈agents / (1 − shrinkage)⌉."""
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def agents_for_concurrency(slots: int, concurrency: int) -> int:
    """Agents needed to open `slots` chat slots when each agent handles `concurrency` chats at once."""
    return math.ceil(slots / concurrency)


def email_workload(
    volumes: Sequence[float],
    *,
    interval_seconds: float,
    aht_seconds: float,
    deadline_seconds: float,
    max_occupancy: float = 1.0,
) -> list[float]:
    """Agents needed per interval for deferred work (email): each interval's work spread over its deadline.

    The contacts arriving in interval i must be answered within the deadline, so their handle time
    is spread evenly over the intervals i … i + k − 1 (k = deadline / interval, at least 1); the
    work then needs that many agents at the given occupancy. Work due after the horizon still counts.
    """
    span = max(1, math.floor(deadline_seconds / interval_seconds))
    need = [0.0] * len(volumes)
    for index, volume in enumerate(volumes):
        share = volume * aht_seconds / span / interval_seconds / max_occupancy
        for offset in range(span):
            if index + offset < len(need):
                need[index + offset] += share
    return need
