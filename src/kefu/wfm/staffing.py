"""Staffing of one interval: input checks (with stable error codes) and the chosen queueing model."""

from __future__ import annotations

import math

from kefu.wfm import erlang
from kefu.wfm.exceptions import StaffingInputInvalid, StaffingUnreachable
from kefu.wfm.schemas import QueueModel, StaffingIn, StaffingOut


def _check(ok: bool, code: str, message: str, field: str) -> None:
    if not ok:
        raise StaffingInputInvalid(message, code=code, details={"field": field})


def check_staffing_input(data: StaffingIn) -> None:
    """Refuse inputs outside their ranges, naming the field and a code per kind of mistake."""
    _check(data.volume >= 0, "invalid_volume", "volume must be zero or more", "volume")
    _check(
        data.interval_minutes > 0,
        "invalid_interval",
        "interval_minutes must be above zero",
        "interval_minutes",
    )
    _check(data.aht_seconds > 0, "invalid_aht", "aht_seconds must be above zero", "aht_seconds")
    _check(
        0 < data.target_sl < 1,
        "invalid_service_level",
        "target_sl must be between 0 and 1 (exclusive)",
        "target_sl",
    )
    _check(
        data.target_seconds >= 0,
        "invalid_target_seconds",
        "target_seconds must be zero or more",
        "target_seconds",
    )
    _check(0 <= data.shrinkage < 1, "invalid_shrinkage", "shrinkage must be in [0, 1)", "shrinkage")
    _check(
        data.max_occupancy is None or 0 < data.max_occupancy <= 1,
        "invalid_max_occupancy",
        "max_occupancy must be in (0, 1]",
        "max_occupancy",
    )
    _check(
        1 <= data.concurrency <= 50,
        "invalid_concurrency",
        "concurrency must be between 1 and 50",
        "concurrency",
    )
    _check(
        1 <= data.max_agents <= erlang.MAX_AGENTS,
        "invalid_max_agents",
        f"max_agents must be between 1 and {erlang.MAX_AGENTS}",
        "max_agents",
    )
    if data.model is QueueModel.ERLANG_A:
        _check(
            data.patience_seconds is not None and data.patience_seconds > 0,
            "invalid_patience",
            "Erlang A needs patience_seconds above zero",
            "patience_seconds",
        )


def compute_staffing(data: StaffingIn) -> StaffingOut:
    """The fewest agents meeting the service level (and maximum occupancy) for one interval."""
    check_staffing_input(data)
    interval_seconds = data.interval_minutes * 60
    traffic = erlang.traffic_erlangs(
        volume=data.volume, interval_seconds=interval_seconds, aht_seconds=data.aht_seconds
    )
    slots_cap = data.max_agents * data.concurrency
    try:
        if data.model is QueueModel.ERLANG_A:
            assert data.patience_seconds is not None
            figures = erlang.erlang_a_required(
                volume=data.volume,
                interval_seconds=interval_seconds,
                aht_seconds=data.aht_seconds,
                patience_seconds=data.patience_seconds,
                target_sl=data.target_sl,
                target_seconds=data.target_seconds,
                max_occupancy=data.max_occupancy,
                max_agents=slots_cap,
            )
        else:
            figures = erlang.erlang_c_required(
                traffic=traffic,
                aht_seconds=data.aht_seconds,
                target_sl=data.target_sl,
                target_seconds=data.target_seconds,
                max_occupancy=data.max_occupancy,
                max_agents=slots_cap,
            )
    except erlang.Unstaffable as exc:
        raise StaffingUnreachable(
            f"no staffing of at most {data.max_agents} agents meets the targets",
            details={"traffic_erlangs": traffic, "max_agents": data.max_agents},
        ) from exc
    agents = erlang.agents_for_concurrency(figures.agents, data.concurrency)
    return StaffingOut(
        agents=agents,
        service_level=figures.service_level,
        occupancy=figures.occupancy,
        probability_wait=figures.probability_wait,
        asa_seconds=figures.asa_seconds if math.isfinite(figures.asa_seconds) else 0.0,
        agents_with_shrinkage=erlang.with_shrinkage(agents, data.shrinkage),
        traffic_erlangs=traffic,
        probability_abandon=figures.probability_abandon,
    )
