"""KaplanMeier against lifelines.KaplanMeierFitter (the reference implementation)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from pqlengine.stats.survival import KaplanMeier
from tests.support.examples import examples

TOLERANCE = 1e-12  # both sum the same logs; only summation order could differ


def reference(
    durations: np.ndarray, observed: np.ndarray, weights: np.ndarray | None = None
) -> KaplanMeierFitter:
    return KaplanMeierFitter(alpha=0.05).fit(durations, observed, weights=weights)


def assert_matches_lifelines(ours: KaplanMeier, theirs: KaplanMeierFitter) -> None:
    np.testing.assert_allclose(ours.timeline_, theirs.timeline, rtol=0, atol=0)
    np.testing.assert_allclose(
        ours.survival_function_, theirs.survival_function_.iloc[:, 0].to_numpy(), atol=TOLERANCE
    )
    np.testing.assert_allclose(
        ours.cumulative_density_, theirs.cumulative_density_.iloc[:, 0].to_numpy(), atol=TOLERANCE
    )
    np.testing.assert_allclose(
        ours.confidence_interval_, theirs.confidence_interval_.to_numpy(), atol=1e-9
    )
    np.testing.assert_allclose(
        ours.confidence_interval_cumulative_density_,
        theirs.confidence_interval_cumulative_density_.to_numpy(),
        atol=1e-9,
    )
    table = theirs.event_table
    np.testing.assert_allclose(ours.event_table_.at_risk, table["at_risk"].to_numpy())
    np.testing.assert_allclose(ours.event_table_.observed, table["observed"].to_numpy())
    np.testing.assert_allclose(ours.event_table_.censored, table["censored"].to_numpy())
    assert ours.median_survival_time_ == theirs.median_survival_time_


def test_kaplan_meier_matches_lifelines_on_a_textbook_example() -> None:
    # Freireich et al. (1963) 6-MP arm: remission times in weeks, 0 = censored.
    durations = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32,
                          34, 35], dtype=float)  # fmt: skip
    observed = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    ours = KaplanMeier().fit(durations, observed)
    assert_matches_lifelines(ours, reference(durations, observed))
    # Hand check: S(6) = 1 - 3/21, S(7) = S(6) * (1 - 1/17).
    assert ours.survival_function_at_times([6.0])[0] == pytest.approx(18 / 21, abs=1e-12)
    assert ours.survival_function_at_times([7.5])[0] == pytest.approx(18 / 21 * 16 / 17, abs=1e-12)
    assert ours.median_survival_time_ == 23.0


def test_kaplan_meier_matches_lifelines_with_weights_and_all_censored_tail() -> None:
    durations = np.array([0.0, 0.5, 1.5, 1.5, 2.0, 4.0, 4.0, 9.0])
    observed = np.array([0, 1, 1, 0, 1, 0, 0, 0])
    weights = np.array([2, 1, 3, 1, 5, 2, 1, 4])
    ours = KaplanMeier().fit(durations, observed, weights)
    assert_matches_lifelines(ours, reference(durations, observed, weights))
    assert math.isinf(ours.median_survival_time_) is math.isinf(
        reference(durations, observed, weights).median_survival_time_
    )


def test_everyone_has_the_event_at_once() -> None:
    durations = np.array([3.0, 3.0, 3.0])
    ours = KaplanMeier().fit(durations)
    assert_matches_lifelines(ours, reference(durations, np.ones(3)))
    assert ours.survival_function_.tolist() == [1.0, 0.0]
    assert ours.survival_function_at_times([-1.0, 2.9, 3.0, 10.0]).tolist() == [1, 1, 0, 0]


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.booleans(), st.integers(1, 5)), min_size=1, max_size=60
    )
)
def test_kaplan_meier_matches_lifelines_on_random_samples(
    rows: list[tuple[int, bool, int]],
) -> None:
    durations = np.array([r[0] / 4 for r in rows])
    observed = np.array([r[1] for r in rows])
    weights = np.array([r[2] for r in rows])
    assert_matches_lifelines(
        KaplanMeier().fit(durations, observed, weights), reference(durations, observed, weights)
    )


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        KaplanMeier().fit([])
    with pytest.raises(ValueError, match=">= 0"):
        KaplanMeier().fit([1.0, -2.0])
    with pytest.raises(ValueError, match="same length"):
        KaplanMeier().fit([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="alpha"):
        KaplanMeier(alpha=1.5)
