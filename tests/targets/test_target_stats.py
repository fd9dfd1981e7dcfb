"""The targets' trend and probability: the fit matches statsmodels, and the stated
probability of reaching a target is calibrated, checked by simulating cohorts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Unavailable
from pqlengine.stats.targets import (
    CohortPoint,
    Projection,
    binomial_variance,
    fit_trend,
    project,
    status_of,
    weighted_mean_interval,
)


def test_fit_and_prediction_match_statsmodels_wls() -> None:
    sm = pytest.importorskip("statsmodels.api")
    x = np.arange(8, dtype=float) + 660
    y = np.array([0.10, 0.12, 0.11, 0.13, 0.15, 0.14, 0.16, 0.18])
    w = np.array([300, 420, 380, 500, 310, 450, 390, 410], dtype=float)
    fit = fit_trend([CohortPoint(a, b, c) for a, b, c in zip(x, y, w, strict=True)])
    assert not isinstance(fit, Unavailable)
    reference = sm.WLS(y, sm.add_constant(x), weights=w).fit()
    assert fit.slope == pytest.approx(reference.params[1], rel=1e-9)
    assert fit.at(0.0) == pytest.approx(reference.params[0], rel=1e-9)
    assert fit.slope_interval() == pytest.approx(tuple(reference.conf_int()[1]), rel=1e-9)
    predicted = reference.get_prediction(np.array([[1.0, 674.0]]), weights=np.array([400.0]))
    frame = predicted.summary_frame(alpha=0.05)
    mine = project(fit, 674.0, 400.0, 0.2, "up")
    assert mine.projected == pytest.approx(frame["mean"].iloc[0], rel=1e-9)
    low, high = frame["obs_ci_lower"].iloc[0], frame["obs_ci_upper"].iloc[0]
    assert mine.prediction_interval == pytest.approx((low, high), rel=1e-9)


MONTHS = np.arange(12, dtype=float)
FUTURE = 17.0  # the target cohort: 6 months after the last observed one


def _simulate(
    rng: np.random.Generator, direction: str, reps: int, line_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: a pace (start rate and slope per month), 12 monthly cohorts of
    300-500 entities converting binomially at that pace, the stated probability that the
    cohort 6 months later is at/beyond a target, then that cohort drawn at the same pace.
    The target is placed around the projection (a function of the data only), so stated
    probabilities cover 0..1. Returns (stated probabilities, reached)."""
    stated, hit = [], []
    for _ in range(reps):
        start = rng.uniform(0.08, 0.20)
        slope = rng.uniform(-0.004, 0.008)
        sizes = rng.integers(300, 501, size=12)
        rates = rng.binomial(sizes, start + slope * MONTHS) / sizes
        points = [CohortPoint(m, r, n) for m, r, n in zip(MONTHS, rates, sizes, strict=True)]
        fit = fit_trend(points, binomial=True)
        assert not isinstance(fit, Unavailable)
        weight = float(np.mean(sizes[-3:]))
        se = fit.prediction_se(FUTURE, weight)
        target = fit.at(FUTURE) + rng.uniform(-2.5, 2.5) * se
        if line_only:  # the wrong method: only the line's error, not the cohort's noise
            se = math.sqrt(
                se**2 - fit.residual_variance * binomial_variance(fit.at(FUTURE)) / weight
            )
            q = float(scipy_stats.t.sf((target - fit.at(FUTURE)) / se, fit.dof))
            stated.append(q if direction == "up" else 1 - q)
        else:
            stated.append(project(fit, FUTURE, weight, target, direction).probability)  # type: ignore[arg-type]
        n_future = int(rng.integers(300, 501))
        observed = rng.binomial(n_future, start + slope * FUTURE) / n_future
        hit.append(observed >= target if direction == "up" else observed <= target)
    return np.array(stated), np.array(hit, dtype=float)


def _miscalibration(q: np.ndarray, h: np.ndarray) -> list[float]:
    """Per band of stated probability (a reliability diagram) and overall: |frequency of
    reaching - mean stated probability| in Monte Carlo standard errors."""
    found = []
    for low, high in ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0001), (0, 2)):
        band = (q >= low) & (q < high)
        assert band.sum() >= 150, (low, high, band.sum())
        se = math.sqrt(np.mean(q[band] * (1 - q[band])) / band.sum())
        found.append(abs(h[band].mean() - q[band].mean()) / se)
    return found


@pytest.mark.parametrize("direction", ["up", "down"])
def test_probability_of_reaching_is_calibrated_by_simulation(direction: str) -> None:
    """Among targets stated at probability q, a share q is reached (within 4 Monte Carlo
    standard errors per band; the seed is fixed, so the check is deterministic)."""
    q, h = _simulate(np.random.default_rng(19 if direction == "up" else 20), direction, reps=3000)
    assert max(_miscalibration(q, h)) < 4, _miscalibration(q, h)


def test_the_simulation_rejects_a_probability_from_the_line_alone() -> None:
    """The check can fail: leaving out the target cohort's own (binomial) noise makes the
    probabilities overconfident, and the same simulation says so."""
    q, h = _simulate(np.random.default_rng(19), "up", reps=3000, line_only=True)
    assert max(_miscalibration(q, h)) > 6, _miscalibration(q, h)


def test_at_one_fixed_pace_the_prediction_interval_covers_95_percent() -> None:
    """For one known pace (no variation across replications) the t prediction is a
    frequentist statement: the target cohort falls in the 95% prediction interval 95% of
    the time."""
    rng = np.random.default_rng(5)
    inside = 0
    reps = 3000
    for _ in range(reps):
        sizes = rng.integers(300, 501, size=12)
        rates = rng.binomial(sizes, 0.10 + 0.004 * MONTHS) / sizes
        fit = fit_trend(
            [CohortPoint(m, r, n) for m, r, n in zip(MONTHS, rates, sizes, strict=True)],
            binomial=True,
        )
        assert not isinstance(fit, Unavailable)
        low, high = project(fit, FUTURE, float(np.mean(sizes[-3:])), 0.2, "up").prediction_interval
        n_future = int(rng.integers(300, 501))
        inside += low <= rng.binomial(n_future, 0.10 + 0.004 * FUTURE) / n_future <= high
    assert abs(inside / reps - 0.95) < 4 * math.sqrt(0.95 * 0.05 / reps)


def test_too_few_cohorts_and_no_variance_say_why() -> None:
    few = fit_trend([CohortPoint(i, 0.1, 100) for i in range(3)])
    assert isinstance(few, Unavailable) and few.code == "too_few_cohorts"
    flat = fit_trend([CohortPoint(i, 0.1 + 0.01 * i, 100) for i in range(5)])
    assert isinstance(flat, Unavailable) and flat.code == "no_variance"


def test_status_reached_needs_the_whole_interval_beyond() -> None:
    sure = Projection(0.3, (0.25, 0.35), 0.9)
    unsure = Projection(0.3, (0.25, 0.35), 0.3)
    assert status_of((0.21, 0.25), 0.2, "up", unsure) == ("reached", None)
    assert status_of((0.19, 0.25), 0.2, "up", sure) == ("on_track", None)
    assert status_of((0.19, 0.25), 0.2, "up", unsure) == ("off_track", None)
    assert status_of((4.0, 6.0), 7.0, "down", unsure) == ("reached", None)
    why = Unavailable("too_few_cohorts", "x")
    assert status_of((0.1, 0.15), 0.2, "up", why) == ("cannot_say", why)


def test_weighted_mean_interval_by_hand() -> None:
    # values 4, 6 with weights 1, 3: mean 5.5; s^2 = (1*2.25 + 3*0.25) / 1 = 3;
    # se = sqrt(3 / 4); t_{0.975, 1} = 12.7062047
    mean, interval = weighted_mean_interval([4.0, 6.0], [1.0, 3.0])
    assert mean == pytest.approx(5.5)
    half = 12.706204736174707 * math.sqrt(3 / 4)
    assert interval == pytest.approx((5.5 - half, 5.5 + half))
