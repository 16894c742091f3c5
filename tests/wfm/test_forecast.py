"""Forecasts on a generated realistic history (seeded): both methods beat a flat mean and report errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kefu.wfm import forecast

SEASON = 7 * 48  # one week of 30-minute intervals


def _history(weeks: int, seed: int = 11) -> list[float]:
    rng = np.random.default_rng(seed)
    counts = []
    for t in range(weeks * SEASON):
        day, slot = divmod(t % SEASON, 48)
        hour = slot / 2
        daily = math.exp(-((hour - 11) ** 2) / 6) + 0.7 * math.exp(-((hour - 16) ** 2) / 4)
        weekday = 0.55 if day >= 5 else (1.2 if day == 0 else 1.0)
        growth = 1 + 0.01 * (t / SEASON)
        counts.append(float(rng.poisson(40 * daily * weekday * growth)))
    return counts


@pytest.mark.parametrize("method", ["seasonal", "holt_winters"])
def test_backtest_beats_a_flat_mean(method: str) -> None:
    history = _history(8)
    result = forecast.backtest(history, season=SEASON, method=method, holdout=SEASON)
    flat = forecast.accuracy(history[-SEASON:], [float(np.mean(history[:-SEASON]))] * SEASON)
    assert result.wape < 0.25
    assert result.wape < flat.wape / 2
    assert result.mape > 0


def test_forecast_follows_the_week() -> None:
    history = _history(6)
    predicted = forecast.seasonal_baseline(history, season=SEASON, horizon=SEASON)
    monday_noon, sunday_noon, night = predicted[22], predicted[6 * 48 + 22], predicted[4]
    assert monday_noon > 2 * sunday_noon > 0
    assert night < 1
    assert min(forecast.holt_winters(history, season=SEASON, horizon=2 * SEASON)) >= 0


def test_short_history_is_refused() -> None:
    with pytest.raises(ValueError):
        forecast.holt_winters(_history(1), season=SEASON, horizon=10)
    assert forecast.accuracy([0, 10], [1, 5]) == forecast.Backtest(mape=0.5, wape=0.6)
