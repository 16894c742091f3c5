"""Contact-volume forecasts per interval: seasonal baseline (weekday × interval), Holt-Winters, backtests."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def seasonal_baseline(history: Sequence[float], *, season: int, horizon: int, weeks: int = 4) -> list[float]:
    """Mean of the same slot of the season (weekday × interval) over the last `weeks` seasons."""
    values = np.asarray(history, dtype=float)
    seasons = min(weeks, len(values) // season)
    if seasons == 0:
        raise ValueError("the history is shorter than one season")
    recent = values[len(values) - seasons * season :].reshape(seasons, season).mean(axis=0)
    offset = len(values) % season
    return [float(recent[(offset + step) % season]) for step in range(horizon)]


def holt_winters(history: Sequence[float], *, season: int, horizon: int) -> list[float]:
    """Additive Holt-Winters (statsmodels) with a seasonal period of one week; never below zero."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = np.asarray(history, dtype=float)
    if len(values) < 2 * season:
        raise ValueError("Holt-Winters needs at least two seasons of history")
    model = ExponentialSmoothing(
        values,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=season,
        initialization_method="heuristic",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit(optimized=True)
    return [max(0.0, float(v)) for v in fitted.forecast(horizon)]


@dataclass(frozen=True)
class Backtest:
    """Errors of a forecast over a held-out stretch: MAPE (intervals with contacts) and WAPE."""

    mape: float
    wape: float


def accuracy(actual: Sequence[float], predicted: Sequence[float]) -> Backtest:
    """MAPE over intervals with at least one contact, and WAPE = Σ|error| / Σ actual."""
    truth, guess = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    busy = truth > 0
    mape = float(np.mean(np.abs(truth[busy] - guess[busy]) / truth[busy])) if busy.any() else 0.0
    total = float(truth.sum())
    wape = float(np.abs(truth - guess).sum() / total) if total else 0.0
    return Backtest(mape=mape, wape=wape)


def backtest(history: Sequence[float], *, season: int, method: str, holdout: int) -> Backtest:
    """Fit on all but the last `holdout` intervals and score the forecast of those."""
    train, test = list(history[:-holdout]), list(history[-holdout:])
    predict = holt_winters if method == "holt_winters" else seasonal_baseline
    return accuracy(test, predict(train, season=season, horizon=holdout))
