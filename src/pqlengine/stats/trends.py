"""Period-over-period comparisons for headline numbers: intervals, tests, trend direction.

Counts get an exact Poisson interval, medians a distribution-free order-statistic interval,
and each change a test, so a trend arrow never claims more than the data supports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Proportion, Unavailable
from pqlengine.stats.tables import TwoByTwo, two_proportion_ztest

Direction = Literal["up", "down", "flat"]
ALPHA = 0.05


@dataclass(frozen=True)
class Trend:
    """How a number moved against its previous value, and whether that is more than noise."""

    direction: Direction
    change: float | None  # current - previous, in the number's own unit
    p_value: float | None
    test: str | None
    note: str | None = None

    @property
    def significant(self) -> bool:
        """True when the test rejects 'no change' at the 5% level."""
        return self.p_value is not None and self.p_value < ALPHA


def _direction(change: float | None) -> Direction:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def poisson_interval(count: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for the mean of a Poisson count."""
    if count < 0:
        raise ValueError(f"count {count} is negative")
    low = 0.0 if count == 0 else float(scipy_stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(scipy_stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def compare_counts(current: int, previous: int) -> Trend:
    """Two counts over equally long spans: exact conditional binomial test of equal rates."""
    total = current + previous
    if total == 0:
        return Trend("flat", 0.0, None, None, "no events in either span, so nothing to compare")
    p_value = float(scipy_stats.binomtest(current, total, 0.5).pvalue)
    return Trend(_direction(current - previous), float(current - previous), p_value, "binomial")


def compare_rates(current: Proportion, previous: Proportion) -> Trend:
    """Two rates: pooled two-sided z-test."""
    if current.rate is None or previous.rate is None:
        return Trend("flat", None, None, None, "a period has no entities, so there is no rate")
    change = current.rate - previous.rate
    tested = two_proportion_ztest(current, previous)
    if isinstance(tested, Unavailable):
        return Trend(_direction(change), change, None, None, tested.message)
    return Trend(_direction(change), change, tested[1], "z")


def median_interval(
    values: Sequence[float] | np.ndarray, alpha: float = ALPHA
) -> tuple[float, float] | Unavailable:
    """Distribution-free interval for a median from order statistics (Conover 1999, 3.2):
    ranks l and n - l + 1 with l the alpha/2 quantile of Binomial(n, 1/2)."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    n = ordered.size
    if n == 0:
        return Unavailable("empty", "no values, so there is no median")
    rank = int(scipy_stats.binom.ppf(alpha / 2, n, 0.5))
    if rank < 1:
        return Unavailable(
            "too_few", f"{n} values are too few to bound the median at {1 - alpha:.0%}"
        )
    return float(ordered[rank - 1]), float(ordered[n - rank])


def compare_samples(
    current: Sequence[float] | np.ndarray, previous: Sequence[float] | np.ndarray
) -> Trend:
    """Medians of two samples: direction by the medians, Mann-Whitney U two-sided test."""
    a = np.asarray(current, dtype=np.float64)
    b = np.asarray(previous, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        return Trend("flat", None, None, None, "a period has no values, so nothing to compare")
    change = float(np.median(a) - np.median(b))
    p_value = float(scipy_stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return Trend(_direction(change), change, p_value, "mann-whitney")


def risk_ratio_interval(table: TwoByTwo, alpha: float = ALPHA) -> tuple[float, float] | Unavailable:
    """Interval for lift = rate with / rate without, on the log scale (Katz et al. 1978)."""
    a, n1 = table.with_converted, table.with_total
    c, n2 = table.without_converted, table.without_total
    if n1 == 0 or n2 == 0:
        return Unavailable("empty", "a group has no entities, so there is no lift")
    if a == 0 or c == 0:
        return Unavailable("zero_cell", "no conversions in a group, so the lift is 0 or infinite")
    z = float(scipy_stats.norm.ppf(1 - alpha / 2))
    log_ratio = math.log((a / n1) / (c / n2))
    spread = z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(log_ratio - spread), math.exp(log_ratio + spread)


@dataclass(frozen=True)
class Lift:
    """PQL conversion against the non-PQL baseline: ratio, Katz interval, two-sided z-test and
    what the interval supports (`higher`, `lower` or `unclear`)."""

    value: float | None
    interval: tuple[float, float] | None
    p_value: float | None
    verdict: Literal["higher", "lower", "unclear"]
    note: str | None = None


def lift_over_baseline(pqls: Proportion, others: Proportion, alpha: float = ALPHA) -> Lift:
    """PQL-to-paid / non-PQL-to-paid; the verdict follows the interval (an interval covering
    1 is `unclear`, never "no difference")."""
    table = TwoByTwo(pqls.successes, pqls.trials, others.successes, others.trials)
    value = pqls.rate / others.rate if pqls.rate is not None and others.rate else None
    tested = two_proportion_ztest(pqls, others)
    p_value = None if isinstance(tested, Unavailable) else tested[1]
    interval = risk_ratio_interval(table, alpha)
    if isinstance(interval, Unavailable):
        return Lift(value, None, p_value, "unclear", interval.message)
    verdict: Literal["higher", "lower", "unclear"] = (
        "higher" if interval[0] > 1 else "lower" if interval[1] < 1 else "unclear"
    )
    return Lift(value, interval, p_value, verdict)
