"""Erlang B/C/A against the published vectors of shared/data/erlang_c, pyworkforce and their own limits."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.nlp.training.datasets import shared_data_dir
from kefu.wfm import erlang

DATA = shared_data_dir() / "erlang_c"


def _data(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def _vector(vector_id: str) -> dict[str, Any]:
    vectors = json.loads(_data("test_vectors.json").read_text(encoding="utf-8"))["vectors"]
    found: dict[str, Any] = next(v for v in vectors if v["id"] == vector_id)
    return found


def test_call_centre_helper_example_is_exact() -> None:
    vector = _vector("cch_100calls_30min_aht180_sl80_20s")
    given_, published = vector["inputs"], vector["published_expected"]
    traffic = erlang.traffic_erlangs(volume=100, interval_seconds=1800, aht_seconds=180)
    assert traffic == published["traffic_intensity_erlangs"]
    result = erlang.erlang_c_required(
        traffic=traffic,
        aht_seconds=180,
        target_sl=0.8,
        target_seconds=20,
        max_occupancy=given_["max_occupancy"],
    )
    assert result.agents == published["raw_agents_required"] == 14
    assert round(result.service_level, 4) == 0.8884
    assert result.service_level == pytest.approx(
        published["service_level_at_14_full_precision_pyworkforce_README"], abs=1e-12
    )
    assert round(result.probability_wait, 3) == published["waiting_probability_at_14"]
    assert round(result.occupancy, 3) == published["occupancy_at_14"]
    assert erlang.with_shrinkage(result.agents, given_["shrinkage"]) == published["agents_after_shrinkage"]
    capped = erlang.erlang_c_required(
        traffic=traffic, aht_seconds=180, target_sl=0.8, target_seconds=20, max_occupancy=0.70
    )
    case = published["pyworkforce_max_occupancy_0.70_case"]
    assert capped.agents == case["raw_agents"]
    assert erlang.with_shrinkage(capped.agents, 0.3) == case["agents_after_shrinkage"]
    assert round(capped.service_level, 3) == case["service_level"]
    assert round(capped.occupancy, 3) == case["occupancy"]
    assert round(capped.probability_wait, 3) == case["waiting_probability"]
    for row in vector["computed_here_per_agent_count"]:
        figures = erlang.erlang_c_figures(
            agents=row["agents"], traffic=10, aht_seconds=180, target_seconds=20
        )
        assert round(figures.probability_wait, 6) == row["erlang_c_pw"]
        assert round(figures.service_level, 6) == row["service_level"]
        assert round(figures.asa_seconds, 4) == row["asa_seconds"]
        assert round(figures.occupancy, 6) == row["occupancy"]


def test_classic_and_vignette_examples() -> None:
    classic = _vector("classic_360calls_30min_aht240_55agents")["computed_here"]
    at55 = erlang.erlang_c_figures(agents=55, traffic=48, aht_seconds=240, target_seconds=15)
    assert round(at55.probability_wait, 6) == classic["erlang_c_pw"]
    assert round(at55.service_level, 6) == classic["service_level_15s"]
    assert round(at55.asa_seconds, 3) == classic["asa_seconds"]
    need = erlang.erlang_c_required(traffic=48, aht_seconds=240, target_sl=0.8, target_seconds=20)
    assert need.agents == classic["min_agents_for_80pct_in_20s"]
    assert round(need.service_level, 6) == classic["service_level_at_54_20s"]
    vignette = _vector("phubers_erlang_vignette_200calls_30min_aht180")
    traffic = erlang.traffic_erlangs(volume=200, interval_seconds=1800, aht_seconds=180)
    assert (
        erlang.erlang_c_required(traffic=traffic, aht_seconds=180, target_sl=0.8, target_seconds=60).agents
        == vignette["published_expected"]["agents_for_80pct_in_60s"]
    )
    by_asa = erlang.erlang_c_required(traffic=traffic, aht_seconds=180, target_asa_seconds=120)
    assert by_asa.agents == vignette["computed_here"]["agents_for_asa_le_120s"]
    assert round(erlang.erlang_b(25, 20), 6) == vignette["computed_here"]["erlang_b_25_servers"]


def test_erlang_b_anchors() -> None:
    anchors = _vector("erlang_b_anchors")
    assert erlang.erlang_b(1, 1) == anchors["published_expected"]["B(N=1,A=1)"]
    assert erlang.erlang_b(2, 1) == pytest.approx(anchors["published_expected"]["B(N=2,A=1)"], abs=1e-15)
    trunks = next(n for n in range(1, 100) if erlang.erlang_b(n, 10) <= 0.02)
    assert trunks == anchors["published_expected"]["min_trunks_A10_blocking_le_2pct"]
    for key, value in anchors["computed_here"].items():
        servers, traffic = (int(part.split("=")[1]) for part in key[2:-1].split(","))
        assert round(erlang.erlang_b(servers, traffic), 6) == value


def test_the_known_bad_public_example_is_not_reproduced() -> None:
    assert erlang.erlang_c(5, 3) == pytest.approx(81 / 343, abs=1e-12)


def test_computed_tables() -> None:
    with _data("computed_table_erlang_c.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 100
    for row in rows:
        traffic, agents = float(row["traffic_erlangs"]), int(row["agents"])
        at180 = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=180, target_seconds=20)
        at300 = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=300, target_seconds=20)
        assert at180.probability_wait == pytest.approx(float(row["erlang_c_pw"]), abs=5e-9)
        assert at180.service_level == pytest.approx(float(row["service_level_20s_aht180"]), abs=5e-9)
        assert at300.service_level == pytest.approx(float(row["service_level_20s_aht300"]), abs=5e-9)
        assert at180.asa_seconds == pytest.approx(float(row["asa_seconds_aht180"]), abs=5e-7)
        assert at180.occupancy == pytest.approx(float(row["occupancy"]), abs=5e-7)
    with _data("computed_required_agents_80_20.csv").open(encoding="utf-8") as handle:
        required = list(csv.DictReader(handle))
    for row in required:
        traffic = erlang.traffic_erlangs(
            volume=float(row["calls_per_30min"]), interval_seconds=1800, aht_seconds=float(row["aht_seconds"])
        )
        result = erlang.erlang_c_required(
            traffic=traffic, aht_seconds=float(row["aht_seconds"]), target_sl=0.8, target_seconds=20
        )
        assert result.agents == int(row["min_agents_sl80_in_20s"])
        assert result.service_level == pytest.approx(float(row["service_level_at_min"]), abs=5e-7)
        assert erlang.with_shrinkage(result.agents, 0.3) == int(row["agents_with_30pct_shrinkage"])


@settings(max_examples=300, deadline=None)
@given(
    volume=st.integers(min_value=1, max_value=2_000),
    aht=st.integers(min_value=30, max_value=900),
    interval=st.sampled_from([15, 30, 60]),
    target_seconds=st.integers(min_value=5, max_value=120),
    target_sl=st.floats(min_value=0.5, max_value=0.95),
    max_occupancy=st.floats(min_value=0.6, max_value=1.0),
)
def test_agrees_with_pyworkforce_over_a_grid(
    volume: int, aht: int, interval: int, target_seconds: int, target_sl: float, max_occupancy: float
) -> None:
    queuing = pytest.importorskip("pyworkforce.queuing")
    oracle = queuing.ErlangC(transactions=volume, aht=aht / 60, asa=target_seconds / 60, interval=interval)
    traffic = erlang.traffic_erlangs(volume=volume, interval_seconds=interval * 60, aht_seconds=aht)
    expected = oracle.required_positions(service_level=target_sl, max_occupancy=max_occupancy)
    ours = erlang.erlang_c_required(
        traffic=traffic,
        aht_seconds=aht,
        target_sl=target_sl,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
    )
    if ours.agents != expected["raw_positions"]:
        assert _pyworkforce_skips(ours.agents, traffic, max_occupancy), (ours, expected)
    at = ours.agents
    if math.isfinite(oracle.waiting_probability(at)):
        assert round(ours.probability_wait, 4) == pytest.approx(
            round(oracle.waiting_probability(at), 4), abs=1e-4
        )
        assert ours.service_level == pytest.approx(oracle.service_level(at), abs=5e-5)
    assert ours.occupancy == pytest.approx(oracle.achieved_occupancy(at), abs=1e-12)


def _pyworkforce_skips(agents: int, traffic: float, max_occupancy: float) -> bool:
    """Where pyworkforce cannot give the fewest agents: it starts its search at round(A + 1), or
    computes A / occupancy in floating point (10 / 0.7 → 15 may round to 14.29…; 0.3 / 0.6 → 0.5000…1)."""
    starts_above = round(traffic + 1) > agents
    ratio = traffic / max_occupancy
    return starts_above or abs(ratio - round(ratio)) < 1e-9


@settings(max_examples=100, deadline=None)
@given(traffic=st.floats(min_value=500, max_value=50_000), surplus=st.floats(min_value=1.0, max_value=400.0))
def test_stable_for_large_systems(traffic: float, surplus: float) -> None:
    agents = math.ceil(traffic + surplus)
    figures = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=180, target_seconds=20)
    assert 0.0 <= figures.probability_wait <= 1.0
    assert 0.0 <= figures.service_level <= 1.0
    assert math.isfinite(figures.asa_seconds)
    more = erlang.erlang_c_figures(agents=agents + 1, traffic=traffic, aht_seconds=180, target_seconds=20)
    assert more.probability_wait < figures.probability_wait
    assert more.service_level >= figures.service_level


def test_large_requirement_is_fast_and_sane() -> None:
    result = erlang.erlang_c_required(traffic=20_000, aht_seconds=180, target_sl=0.8, target_seconds=20)
    assert 20_000 < result.agents < 20_100
    assert result.service_level >= 0.8
    below = erlang.erlang_c_figures(
        agents=result.agents - 1, traffic=20_000, aht_seconds=180, target_seconds=20
    )
    assert below.service_level < 0.8


def test_unstaffable_below_the_cap() -> None:
    with pytest.raises(erlang.Unstaffable):
        erlang.erlang_c_required(
            traffic=100, aht_seconds=180, target_sl=0.8, target_seconds=20, max_agents=50
        )


@settings(max_examples=40, deadline=None)
@given(volume=st.integers(min_value=5, max_value=400), agents_over=st.integers(min_value=1, max_value=10))
def test_erlang_a_tends_to_erlang_c_without_abandonment(volume: int, agents_over: int) -> None:
    traffic = erlang.traffic_erlangs(volume=volume, interval_seconds=1800, aht_seconds=180)
    agents = math.floor(traffic) + agents_over
    c = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=180, target_seconds=20)
    a = erlang.erlang_a_figures(
        agents=agents,
        volume=volume,
        interval_seconds=1800,
        aht_seconds=180,
        patience_seconds=1e14,
        target_seconds=20,
    )
    assert round(a.service_level, 4) == pytest.approx(round(c.service_level, 4), abs=1e-4)
    assert round(a.probability_wait, 4) == pytest.approx(round(c.probability_wait, 4), abs=1e-4)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-4)
    assert a.probability_abandon < 1e-6


def test_erlang_a_abandonment() -> None:
    patient = erlang.erlang_a_figures(
        agents=14, volume=100, interval_seconds=1800, aht_seconds=180, patience_seconds=600, target_seconds=20
    )
    impatient = erlang.erlang_a_figures(
        agents=14, volume=100, interval_seconds=1800, aht_seconds=180, patience_seconds=60, target_seconds=20
    )
    assert 0 < patient.probability_abandon < impatient.probability_abandon < 0.1
    assert impatient.asa_seconds < patient.asa_seconds
    # Abandonment works off the queue: fewer agents than Erlang C for the same target, even overloaded.
    need = erlang.erlang_a_required(
        volume=100,
        interval_seconds=1800,
        aht_seconds=180,
        patience_seconds=120,
        target_sl=0.8,
        target_seconds=20,
    )
    assert need.agents == 12
    overloaded = erlang.erlang_a_figures(
        agents=8, volume=100, interval_seconds=1800, aht_seconds=180, patience_seconds=120, target_seconds=20
    )
    assert overloaded.probability_abandon > 0.2
    assert overloaded.occupancy <= 1.0


def test_erlang_a_service_level_by_simulation() -> None:
    """The tagged-contact chain against a seeded event simulation of M/M/N+M."""
    import random

    rng = random.Random(7)
    servers, rate, mu, theta, target = 5, 1 / 30, 1 / 120, 1 / 90, 20.0
    clock, free_at = 0.0, [0.0] * servers
    answered_in_time = total = 0
    # First come, first served: each contact takes the earliest free agent unless it abandons first.
    for _ in range(200_000):
        clock += rng.expovariate(rate)
        arrival, patience = clock, rng.expovariate(theta)
        earliest = min(range(servers), key=free_at.__getitem__)
        start = max(arrival, free_at[earliest])
        total += 1
        if start - arrival > patience:
            continue
        free_at[earliest] = start + rng.expovariate(mu)
        answered_in_time += start - arrival <= target
    figures = erlang.erlang_a_figures(
        agents=servers,
        volume=rate * 1800,
        interval_seconds=1800,
        aht_seconds=120,
        patience_seconds=90,
        target_seconds=target,
    )
    assert figures.service_level == pytest.approx(answered_in_time / total, abs=0.01)


def test_concurrency_and_email_workload() -> None:
    assert erlang.agents_for_concurrency(7, 3) == 3
    assert erlang.agents_for_concurrency(6, 3) == 2
    need = erlang.email_workload(
        [120, 0, 0, 0], interval_seconds=1800, aht_seconds=300, deadline_seconds=3600, max_occupancy=1.0
    )
    assert need == pytest.approx([10.0, 10.0, 0.0, 0.0])
    spread = erlang.email_workload([60] * 8, interval_seconds=1800, aht_seconds=600, deadline_seconds=7200)
    assert spread == pytest.approx([5, 10, 15, 20, 20, 20, 20, 20])
    assert erlang.email_workload(
        [60], interval_seconds=1800, aht_seconds=600, deadline_seconds=600, max_occupancy=0.5
    ) == pytest.approx([40.0])
