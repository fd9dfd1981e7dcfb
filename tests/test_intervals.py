"""Wilson interval against statsmodels' reference implementation."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 7), (50, 1000), (999, 1000)]
)
def test_wilson_interval_matches_statsmodels(k: int, n: int) -> None:
    ours = wilson_interval(Proportion(k, n))
    assert not isinstance(ours, Unavailable)
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert ours[0] == pytest.approx(low, abs=1e-12)
    assert ours[1] == pytest.approx(high, abs=1e-12)


def test_wilson_without_trials_says_why() -> None:
    result = wilson_interval(Proportion(0, 0))
    assert isinstance(result, Unavailable) and result.code == "empty"


def test_proportions_add() -> None:
    assert Proportion(1, 4) + Proportion(2, 6) == Proportion(3, 10)
    assert Proportion(0, 0).rate is None
