"""Kaplan-Meier estimation of time to an event under right censoring (lifelines-shaped).

Used for time to PQL: an entity that has not qualified yet is censored at its follow-up
time (as_of - signup_at), so recent signups pull the curve down only as far as they were
watched. Pure NumPy; nothing here reads data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as scipy_stats

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class EventTable:
    """Per distinct time (0 first): entities at risk, events observed, censored."""

    times: Floats
    at_risk: Floats
    observed: Floats
    censored: Floats


class KaplanMeier:
    """Product-limit estimator of the survival function S(t) = P(T > t).

    `KaplanMeier(alpha=0.05).fit(durations, observed, weights)` returns self with
    `timeline_`, `survival_function_`, `cumulative_density_` (1 - S), their pointwise
    `1 - alpha` intervals by the exponential Greenwood formula (as lifelines computes
    them), `median_survival_time_` and `event_table_`. Same conventions as lifelines'
    `KaplanMeierFitter`: the timeline is 0 plus every distinct duration, ties between an
    event and a censoring count the censored entity as still at risk at that time.
    """

    def __init__(self, alpha: float = 0.05) -> None:
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
        self.alpha = alpha

    def fit(
        self,
        durations: ArrayLike,
        observed: ArrayLike | None = None,
        weights: ArrayLike | None = None,
    ) -> KaplanMeier:
        """Estimate from `durations` (>= 0), `observed` (True = event, False = censored;
        default all events) and optional non-negative `weights` (entities per row)."""
        times = np.asarray(durations, dtype=np.float64).reshape(-1)
        n = times.shape[0]
        if n == 0:
            raise ValueError("durations is empty: there is nothing to estimate")
        if not np.all(np.isfinite(times)) or np.any(times < 0):
            raise ValueError("durations must be finite and >= 0")
        events = (
            np.ones(n, dtype=bool)
            if observed is None
            else np.asarray(observed, dtype=bool).reshape(-1)
        )
        mass = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
        if events.shape[0] != n or mass.shape[0] != n:
            raise ValueError("durations, observed and weights must have the same length")
        if np.any(mass < 0) or not np.all(np.isfinite(mass)):
            raise ValueError("weights must be finite and >= 0")

        unique, inverse = np.unique(times, return_inverse=True)
        removed = np.bincount(inverse, weights=mass, minlength=unique.size).astype(np.float64)
        died = np.bincount(inverse, weights=mass * events, minlength=unique.size).astype(np.float64)
        if unique[0] > 0:
            unique = np.concatenate([[0.0], unique])
            removed = np.concatenate([[0.0], removed])
            died = np.concatenate([[0.0], died])
        at_risk = mass.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
        self.event_table_ = EventTable(unique, at_risk, died, removed - died)

        with np.errstate(divide="ignore", invalid="ignore"):
            # Summing logs (not multiplying factors) is what lifelines does: same bits.
            log_survival = np.cumsum(np.log(at_risk - died) - np.log(at_risk))
            greenwood_terms = died / (at_risk * (at_risk - died))
        greenwood_terms[np.isinf(greenwood_terms)] = 0.0
        greenwood = np.cumsum(greenwood_terms)
        survival = np.exp(log_survival)
        self.timeline_ = unique
        self.survival_function_ = survival
        self.cumulative_density_ = 1.0 - survival
        self.greenwood_variance_ = greenwood
        lower, upper = _exponential_greenwood(survival, greenwood, self.alpha)
        self.confidence_interval_ = np.column_stack([lower, upper])
        self.confidence_interval_cumulative_density_ = np.column_stack([1 - upper, 1 - lower])
        self.median_survival_time_ = self.percentile(0.5)
        return self

    def percentile(self, p: float) -> float:
        """The first time at which S(t) <= p (inf when S stays above p)."""
        below = np.nonzero(self.survival_function_ <= p)[0]
        return float(self.timeline_[below[0]]) if below.size else math.inf

    def survival_function_at_times(self, times: ArrayLike) -> Floats:
        """S at each of `times` (the step function: its value at the last timeline point <= t)."""
        return self._at_times(self.survival_function_, times, 1.0)

    def cumulative_density_at_times(self, times: ArrayLike) -> Floats:
        """1 - S at each of `times`."""
        return 1.0 - self.survival_function_at_times(times)

    def confidence_interval_at_times(self, times: ArrayLike) -> Floats:
        """The (lower, upper) interval of S at each of `times`, one row per time."""
        lower = self._at_times(self.confidence_interval_[:, 0], times, 1.0)
        upper = self._at_times(self.confidence_interval_[:, 1], times, 1.0)
        return np.column_stack([lower, upper])

    def _at_times(self, values: Floats, times: ArrayLike, before: float) -> Floats:
        points = np.asarray(times, dtype=np.float64).reshape(-1)
        index = np.searchsorted(self.timeline_, points, side="right") - 1
        return np.where(index >= 0, values[np.maximum(index, 0)], before)

    @property
    def summary(self) -> list[dict[str, Any]]:
        """One row per timeline point: time, at risk, observed, censored, S and its interval."""
        table = self.event_table_
        return [
            {
                "time": float(table.times[i]),
                "at_risk": float(table.at_risk[i]),
                "observed": float(table.observed[i]),
                "censored": float(table.censored[i]),
                "survival": float(self.survival_function_[i]),
                "lower": float(self.confidence_interval_[i, 0]),
                "upper": float(self.confidence_interval_[i, 1]),
            }
            for i in range(table.times.size)
        ]


def _exponential_greenwood(
    survival: Floats, greenwood: Floats, alpha: float
) -> tuple[Floats, Floats]:
    """Pointwise interval of S on the log(-log S) scale (Kalbfleisch & Prentice 2002, 1.4).

    Where it is undefined (S = 1 before the first event, S = 0 after the last) the bound
    is 1, as in lifelines."""
    z = float(scipy_stats.norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(survival)
        spread = z * np.sqrt(greenwood) / v
        lower = np.exp(-np.exp(np.log(-v) - spread))
        upper = np.exp(-np.exp(np.log(-v) + spread))
    return np.where(np.isnan(lower), 1.0, lower), np.where(np.isnan(upper), 1.0, upper)


@dataclass(frozen=True)
class LogRank:
    """Log-rank test of equal survival in two groups: chi-square (1 df) and its p-value."""

    statistic: float
    p_value: float
    observed_a: float
    expected_a: float


def logrank_test(
    durations_a: ArrayLike, observed_a: ArrayLike, durations_b: ArrayLike, observed_b: ArrayLike
) -> LogRank:
    """Mantel-Haenszel log-rank test (Mantel 1966), as lifelines' `logrank_test` computes it.

    At every distinct event time, group A's expected events are its share of those at risk
    times all events; the hypergeometric variances are summed. Raises ValueError on empty
    groups or when no event occurred (the test has no variance); callers check first."""
    times_a = np.asarray(durations_a, dtype=np.float64).reshape(-1)
    times_b = np.asarray(durations_b, dtype=np.float64).reshape(-1)
    events_a = np.asarray(observed_a, dtype=bool).reshape(-1)
    events_b = np.asarray(observed_b, dtype=bool).reshape(-1)
    if times_a.size == 0 or times_b.size == 0:
        raise ValueError("both groups need at least one duration")
    event_times = np.unique(np.concatenate([times_a[events_a], times_b[events_b]]))
    if event_times.size == 0:
        raise ValueError("no event in either group: the log-rank test has no variance")
    # at risk at t: durations >= t (a censoring tied with an event is still at risk)
    risk_a = times_a.size - np.searchsorted(np.sort(times_a), event_times, side="left")
    risk_b = times_b.size - np.searchsorted(np.sort(times_b), event_times, side="left")
    died_a = _count_at(times_a[events_a], event_times)
    died_b = _count_at(times_b[events_b], event_times)
    at_risk = (risk_a + risk_b).astype(np.float64)
    died = died_a + died_b
    expected_a = died * risk_a / at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        variance_terms = died * (risk_a / at_risk) * (1 - risk_a / at_risk) * (at_risk - died)
        variance_terms /= at_risk - 1
    variance = float(np.nansum(variance_terms))
    if variance <= 0:
        raise ValueError("the log-rank test has no variance (every event at one time)")
    difference = float(died_a.sum() - expected_a.sum())
    statistic = difference**2 / variance
    return LogRank(
        statistic=statistic,
        p_value=float(scipy_stats.chi2.sf(statistic, 1)),
        observed_a=float(died_a.sum()),
        expected_a=float(expected_a.sum()),
    )


def _count_at(times: Floats, grid: Floats) -> Floats:
    """How many of `times` equal each value of the sorted `grid` (all times lie on it)."""
    index = np.searchsorted(grid, times)
    return np.bincount(index, minlength=grid.size).astype(np.float64)
