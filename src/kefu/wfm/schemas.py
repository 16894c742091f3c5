"""Inputs and answers of the workforce-management API."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kefu.wfm.erlang import MAX_AGENTS


class QueueModel(StrEnum):
    """Which queueing model sizes the interval."""

    ERLANG_C = "erlang_c"
    ERLANG_A = "erlang_a"


class StaffingIn(BaseModel):
    """One interval to staff: contacts in it, handle time, the service-level target and the limits."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    volume: float = Field(description="Contacts arriving in one interval")
    interval_minutes: float = Field(description="Length of the interval in minutes")
    aht_seconds: float = Field(description="Average handle time of one contact")
    target_sl: float = Field(description="Share of contacts to answer within target_seconds, in (0, 1)")
    target_seconds: float = Field(description="The service level's answer time")
    shrinkage: float = Field(default=0.0, description="Share of paid time not available, in [0, 1)")
    max_occupancy: float | None = Field(default=None, description="Highest acceptable occupancy, in (0, 1]")
    model: QueueModel = QueueModel.ERLANG_C
    patience_seconds: float | None = Field(
        default=None, description="Mean patience before abandoning (Erlang A only)"
    )
    concurrency: int = Field(default=1, description="Contacts one agent handles at once (chat)")
    max_agents: int = Field(
        default=MAX_AGENTS, description="Give up (422 unstaffable) beyond this many agents"
    )


class StaffingOut(BaseModel):
    """The fewest agents meeting the targets and what they achieve."""

    agents: int
    service_level: float
    occupancy: float
    probability_wait: float
    asa_seconds: float
    agents_with_shrinkage: int
    traffic_erlangs: float
    probability_abandon: float
