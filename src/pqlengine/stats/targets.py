"""Targets: a weighted linear trend over cohort values, its projection to a date and the
probability of reaching a target at the current pace (docs/semantics.md "Targets").

The probability is a prediction, not a confidence statement: the target cohort's value is a
new draw `a + b x_f + e_f` from the fitted model, so the slope's and intercept's sampling
error and the cohort's own noise both enter, through Student's t with n - 2 degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Unavailable

Direction = Literal["up", "down"]
Status = Literal["reached", "on_track", "off_track", "cannot_say"]
MIN_COHORTS = 4  # two residual degrees of freedom: fewer give no usable spread
ON_TRACK_PROBABILITY = 0.5
_LEVEL = 0.95


@dataclass(frozen=True)
class CohortPoint:
    """One cohort's value `y` at month index `x` with weight `w` (Var(e) = s^2 / w)."""

    x: float
    y: float
    w: float


@dataclass(frozen=True)
class TrendFit:
    """Weighted least squares `y = a + b x` (x centred at `x_mean` for stability)."""

    n: int
    x_mean: float
    intercept: float  # at x_mean
    slope: float  # per unit of x (per month)
    residual_variance: float  # s^2: weighted residual sum of squares / (n - 2)
    unscaled_cov: tuple[tuple[float, float], tuple[float, float]]  # (X'WX)^-1
    binomial: bool = False  # Var(e) = s^2 mu (1 - mu) / w: the rate's own variance

    @property
    def dof(self) -> int:
        """Residual degrees of freedom."""
        return self.n - 2

    def slope_interval(self, level: float = _LEVEL) -> tuple[float, float]:
        """Two-sided t interval of the slope."""
        half = _t(level, self.dof) * math.sqrt(self.residual_variance * self.unscaled_cov[1][1])
        return self.slope - half, self.slope + half

    def at(self, x: float) -> float:
        """The fitted line at `x`."""
        return self.intercept + self.slope * (x - self.x_mean)

    def prediction_se(self, x: float, weight: float) -> float:
        """Standard error of a new cohort's value at `x` with weight `weight`."""
        if self.binomial:
            weight = weight / binomial_variance(self.at(x))
        d = x - self.x_mean
        (c00, c01), (_, c11) = self.unscaled_cov
        line = c00 + 2 * d * c01 + d * d * c11
        return math.sqrt(self.residual_variance * (1 / weight + line))


def _t(level: float, dof: int) -> float:
    return float(scipy_stats.t.ppf(0.5 + level / 2, dof))


def binomial_variance(rate: float) -> float:
    """mu (1 - mu), with mu kept inside [0.01, 0.99] so a line near 0 or 1 keeps some noise."""
    mu = min(max(rate, 0.01), 0.99)
    return mu * (1 - mu)


def fit_trend(points: Sequence[CohortPoint], binomial: bool = False) -> TrendFit | Unavailable:
    """Weighted least-squares line through the cohort values.

    `binomial` (rates, `w` = the denominator): a cohort's variance also follows its rate,
    `s^2 mu (1 - mu) / w`, so a pace climbing from 10% to 17% widens the projection as the
    binomial noise grows. Two steps: fit with `w`, then refit with `w / mu_hat (1 - mu_hat)`
    (mu_hat from the first fit)."""
    first = _fit(points)
    if not binomial or isinstance(first, Unavailable):
        return first
    reweighted = [CohortPoint(p.x, p.y, p.w / binomial_variance(first.at(p.x))) for p in points]
    second = _fit(reweighted)
    if isinstance(second, Unavailable):
        return second
    return TrendFit(**{**second.__dict__, "binomial": True})


def _fit(points: Sequence[CohortPoint]) -> TrendFit | Unavailable:
    if len(points) < MIN_COHORTS:
        return Unavailable(
            "too_few_cohorts",
            f"{len(points)} complete cohorts with a value; a trend needs at least {MIN_COHORTS}",
        )
    x = np.array([p.x for p in points], dtype=np.float64)
    y = np.array([p.y for p in points], dtype=np.float64)
    w = np.array([p.w for p in points], dtype=np.float64)
    if np.any(w <= 0):
        raise ValueError("cohort weights must be positive")
    x_mean = float(np.sum(w * x) / np.sum(w))
    design = np.column_stack([np.ones_like(x), x - x_mean])
    xtwx = design.T @ (design * w[:, None])
    if abs(np.linalg.det(xtwx)) < 1e-12:
        return Unavailable("one_month", "every cohort is in the same month, so there is no slope")
    cov = np.linalg.inv(xtwx)
    beta = cov @ (design.T @ (w * y))
    residuals = y - design @ beta
    variance = float(np.sum(w * residuals**2) / (len(points) - 2))
    if variance <= 1e-18:
        return Unavailable(
            "no_variance", "every cohort lies exactly on the line, so there is no noise to judge"
        )
    return TrendFit(
        n=len(points),
        x_mean=x_mean,
        intercept=float(beta[0]),
        slope=float(beta[1]),
        residual_variance=variance,
        unscaled_cov=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
    )


@dataclass(frozen=True)
class Projection:
    """The target cohort's predicted value and the chance it is at or beyond the target."""

    projected: float
    prediction_interval: tuple[float, float]
    probability: float


def project(
    fit: TrendFit, x: float, weight: float, value: float, direction: Direction
) -> Projection:
    """Prediction at month index `x` for a cohort of weight `weight`, and P(reaching value)."""
    centre = fit.at(x)
    se = fit.prediction_se(x, weight)
    half = _t(_LEVEL, fit.dof) * se
    above = float(scipy_stats.t.sf((value - centre) / se, fit.dof))
    below = float(scipy_stats.t.cdf((value - centre) / se, fit.dof))
    return Projection(centre, (centre - half, centre + half), above if direction == "up" else below)


def weighted_mean_interval(
    values: Sequence[float], weights: Sequence[float], level: float = _LEVEL
) -> tuple[float, tuple[float, float] | Unavailable]:
    """Weighted mean with its t interval (the trend model with a constant only)."""
    y = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    mean = float(np.sum(w * y) / np.sum(w))
    if y.size < 2:
        return mean, Unavailable("too_few_cohorts", "one cohort gives no spread for an interval")
    variance = float(np.sum(w * (y - mean) ** 2) / (y.size - 1))
    half = _t(level, y.size - 1) * math.sqrt(variance / float(np.sum(w)))
    return mean, (mean - half, mean + half)


def direction_of(metric: str, given: Direction | None = None) -> Direction:
    """The side of the target that counts as reaching it: as given, else down for
    time_to_pql (faster is better) and up for the others."""
    if given is not None:
        return given
    return "down" if metric == "time_to_pql" else "up"


def progress(current: float | None, baseline: float | None, value: float) -> float | None:
    """Share of the way from the baseline to the target (null without both ends)."""
    if current is None or baseline is None or value == baseline:
        return None
    return (current - baseline) / (value - baseline) + 0.0  # + 0.0: no -0.0 shown


def status_of(
    interval: tuple[float, float] | Unavailable | None,
    value: float,
    direction: Direction,
    projection: Projection | Unavailable,
) -> tuple[Status, Unavailable | None]:
    """reached (whole current interval at or beyond), on/off track (probability), or why not."""
    if isinstance(interval, tuple):
        beyond = interval[0] >= value if direction == "up" else interval[1] <= value
        if beyond:
            return "reached", None
    if isinstance(projection, Unavailable):
        return "cannot_say", projection
    if projection.probability >= ON_TRACK_PROBABILITY:
        return "on_track", None
    return "off_track", None
