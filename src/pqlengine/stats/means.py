"""Means of a numeric outcome (e.g. revenue) from sufficient statistics, and Welch's t-test
comparing two of them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Unavailable


@dataclass(frozen=True)
class Moments:
    """`n` values with their sum and sum of squares (sufficient for a mean and variance)."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)

    def __sub__(self, other: Moments) -> Moments:
        return Moments(self.n - other.n, self.total - other.total, self.squares - other.squares)

    @property
    def mean(self) -> float | None:
        """The mean, or None without values."""
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1), or None below two values."""
        if self.n < 2:
            return None
        # Rounding can make a constant sample's variance a tiny negative number.
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class WelchResult:
    """Mean with minus mean without, its 95% interval, Welch's t, df and two-sided p."""

    mean_with: float
    mean_without: float
    difference: float
    difference_ci: tuple[float, float]
    t: float
    df: float
    p_value: float


def welch(with_: Moments, without: Moments, confidence: float = 0.95) -> WelchResult | Unavailable:
    """Welch's unequal-variance t-test of mean(with) - mean(without) (scipy's
    `ttest_ind(equal_var=False)` on the raw values), with its t interval."""
    if with_.n < 2 or without.n < 2:
        return Unavailable("too_few", "Welch's t-test needs at least 2 entities on each side")
    mean_a, mean_b = with_.mean, without.mean
    var_a, var_b = with_.variance, without.variance
    assert mean_a is not None and mean_b is not None and var_a is not None and var_b is not None
    share_a, share_b = var_a / with_.n, var_b / without.n
    standard_error = math.sqrt(share_a + share_b)
    difference = mean_a - mean_b
    if standard_error == 0:
        return Unavailable(
            "no_variance", "every entity has the same value on both sides: no test possible"
        )
    df = (share_a + share_b) ** 2 / (share_a**2 / (with_.n - 1) + share_b**2 / (without.n - 1))
    t = difference / standard_error
    p_value = float(2 * scipy_stats.t.sf(abs(t), df))
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, df)) * standard_error
    return WelchResult(
        mean_a, mean_b, difference, (difference - half, difference + half), t, df, p_value
    )


def mean_interval(moments: Moments, confidence: float = 0.95) -> tuple[float, float] | None:
    """The t interval of the mean (None below two values)."""
    if moments.mean is None or moments.variance is None:
        return None
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, moments.n - 1)) * math.sqrt(
        moments.variance / moments.n
    )
    return moments.mean - half, moments.mean + half


def compare_means(
    first: Moments, second: Moments, names: tuple[str, str], alpha: float = 0.05
) -> dict[str, Any]:
    """Both means with 95% t intervals, the difference first - second with Welch's interval,
    t, df, p, and a one-line verdict that claims a difference only when p < alpha."""
    result: dict[str, Any] = {}
    for name, moments in zip(names, (first, second), strict=True):
        interval = mean_interval(moments)
        result[name] = {
            "entities": moments.n,
            "mean": moments.mean,
            "mean_ci": None if interval is None else list(interval),
        }
    test = welch(first, second)
    if isinstance(test, Unavailable):
        result.update(difference=None, difference_ci=None, t=None, df=None, p_value=None)
        result["claim"] = None
        result["verdict"] = f"cannot test: {test.message}"
        return result
    result.update(
        difference=test.difference,
        difference_ci=list(test.difference_ci),
        t=test.t,
        df=test.df,
        p_value=test.p_value,
    )
    low, high = test.difference_ci
    span = f"difference {test.difference:,.2f} (95% CI {low:,.2f} to {high:,.2f})"
    if test.p_value < alpha:
        result["claim"] = "higher" if test.difference > 0 else "lower"
        result["verdict"] = f"{names[0]} mean {result['claim']} than {names[1]}: {span}"
    else:
        result["claim"] = None
        result["verdict"] = (
            f"not enough evidence of a difference in means (Welch p = {test.p_value:.3g}): {span}"
        )
    return result
