"""Headline comparisons against the reference implementations (statsmodels, SciPy)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.rates import confint_poisson

from pqlengine.stats.intervals import Proportion, Unavailable
from pqlengine.stats.tables import TwoByTwo
from pqlengine.stats.trends import (
    compare_counts,
    compare_rates,
    compare_samples,
    median_interval,
    poisson_interval,
    risk_ratio_interval,
)


@pytest.mark.parametrize("count", [0, 1, 5, 37, 1200])
def test_poisson_interval_matches_statsmodels_exact(count: int) -> None:
    expected = confint_poisson(count, 1, method="exact-c")
    assert poisson_interval(count) == pytest.approx(
        (float(expected[0]), float(expected[1])), abs=1e-9
    )


@pytest.mark.parametrize("cells", [(20, 100, 10, 100), (3, 40, 9, 250), (150, 900, 400, 9000)])
def test_risk_ratio_interval_matches_statsmodels(cells: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = cells
    table = Table2x2(np.array([[a, n1 - a], [c, n2 - c]]))
    low, high = table.riskratio_confint(alpha=0.05, method="normal")
    assert risk_ratio_interval(TwoByTwo(a, n1, c, n2)) == pytest.approx((low, high), rel=1e-12)


def test_risk_ratio_interval_says_why_when_undefined() -> None:
    found = risk_ratio_interval(TwoByTwo(0, 10, 4, 20))
    assert isinstance(found, Unavailable) and found.code == "zero_cell"


def test_median_interval_uses_binomial_order_statistics() -> None:
    # n = 10: l = 2 (P(Bin(10, 1/2) <= 1) = 1.1% <= 2.5% < P(<= 2) = 5.5%), so x(2), x(9).
    assert median_interval(list(range(10, 0, -1))) == (2.0, 9.0)
    values = np.arange(1.0, 101.0)
    assert median_interval(values) == (40.0, 61.0)  # the textbook n = 100 ranks
    too_few = median_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert isinstance(too_few, Unavailable) and too_few.code == "too_few"


def test_compare_counts_is_the_conditional_binomial_test() -> None:
    trend = compare_counts(14, 4)
    assert trend.direction == "up" and trend.change == 10
    assert trend.p_value == pytest.approx(scipy_stats.binomtest(14, 18, 0.5).pvalue)
    assert trend.significant
    assert compare_counts(0, 0).p_value is None


def test_compare_rates_and_samples() -> None:
    rates = compare_rates(Proportion(30, 100), Proportion(20, 100))
    assert rates.direction == "up" and rates.change == pytest.approx(0.1)
    assert rates.test == "z" and 0.05 < (rates.p_value or 0) < 0.2
    empty = compare_rates(Proportion(0, 0), Proportion(3, 10))
    assert empty.p_value is None and empty.note
    samples = compare_samples([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert samples.direction == "down" and samples.change == -3.0
    expected = scipy_stats.mannwhitneyu([1, 2, 3], [4, 5, 6], alternative="two-sided").pvalue
    assert samples.p_value == pytest.approx(expected)
