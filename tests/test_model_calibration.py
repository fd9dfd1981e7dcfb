"""The top of the calibration map, on an independent simulator with known probabilities.

Plain isotonic regression ends in a short run of converted rows: its top block's rate is 1.0
and every higher score is clipped to it, so leads whose true probability is ~0.77 score 100.
The pooled map (model/calibration.py) keeps the top block at >= 30 conversions and >= 30
non-conversions, and every score carries its block's Wilson interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression

from pqlengine.model.calibration import (
    TOP_MIN_NEGATIVES,
    TOP_MIN_POSITIVES,
    CalibrationBlocks,
    ScoreCalibration,
    platt,
)
from pqlengine.model.estimator import CANDIDATE_PARAMS, Calibration, PQLScoreModel
from pqlengine.model.metrics import top_decile_calibration
from pqlengine.model.score import SHOW_INTERVAL_BEYOND_POINTS, score_interval
from pqlengine.stats.intervals import Proportion, wilson_interval


def steep_top(
    n: int, rng: np.random.Generator, z: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(latent engagement, true P(convert)): logistic in engagement below its 99th
    percentile (capped at 0.35), then a jump to a plateau of 0.74-0.79 for the top 1%."""
    z = rng.normal(size=n) if z is None else z
    edge = np.quantile(z, 0.99)
    below = np.minimum(1.0 / (1.0 + np.exp(-(-3.0 + 0.9 * z))), 0.35)
    return z, np.where(z > edge, 0.74 + 0.05 * (1.0 - np.exp(-(z - edge))), below)


def raw_scores(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(raw score, outcome, truth): the score is the engagement plus a little noise, so it keeps
    rising through the top 1% while the truth is flat there."""
    z, truth = steep_top(n, rng)
    return z + rng.normal(0.0, 0.1, n), rng.random(n) < truth, truth


@pytest.mark.parametrize("seed", range(4))
def test_pooled_top_block_stays_near_the_truth(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw, converted, _ = raw_scores(20_000, rng)
    new_raw, _, truth = raw_scores(20_000, rng)
    plain = IsotonicRegression(out_of_bounds="clip").fit(raw, converted).predict(new_raw)
    pooled = ScoreCalibration("isotonic").fit(raw, converted).predict(new_raw)
    top = np.argsort(-new_raw)[:40]  # the top 0.2%, true probability ~0.77
    # The simulator shows the problem: plain isotonic overstates the top and reaches 1.0.
    assert plain.max() == 1.0 and plain[top].mean() > truth[top].mean() + 0.04
    assert abs(pooled[top].mean() - truth[top].mean()) < 0.05
    assert pooled.max() < 0.85
    blocks = CalibrationBlocks.fit(raw, converted)
    assert blocks.positives[-1] >= TOP_MIN_POSITIVES
    assert blocks.entities[-1] - blocks.positives[-1] >= TOP_MIN_NEGATIVES


def model_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(six features, outcome, truth): the engagement is feature 0 + half feature 1; four
    features are noise."""
    features = rng.normal(size=(n, 6))
    _, truth = steep_top(n, rng, features[:, 0] + 0.5 * features[:, 1])
    return features, rng.random(n) < truth, truth


def test_model_top_scores_are_capped_near_the_truth() -> None:
    """The whole model (trees, out-of-fold isotonic map). With scikit-learn's isotonic
    CalibratedClassifierCV, 18 of these 20,000 held-out rows scored 100 (true probability
    ~0.77); the pooled map's highest score is 78."""
    rng = np.random.default_rng(0)
    features, converted, _ = model_data(20_000, rng)
    new_features, _, truth = model_data(20_000, rng)
    model = PQLScoreModel(calibration="isotonic", params=CANDIDATE_PARAMS[0]).fit(
        features, converted, np.zeros(6, dtype=bool)
    )
    predicted = model.predict_proba(new_features)
    assert predicted.max() < 0.85  # truth <= 0.79
    top = np.argsort(-predicted)[: int(0.01 * predicted.size)]
    assert abs(predicted[top].mean() - truth[top].mean()) < 0.05
    interval = model.predict_interval(new_features)
    assert interval is not None and interval.shape == (predicted.size, 2)
    assert (interval[:, 0] <= predicted + 1e-12).all() and (predicted <= interval[:, 1]).all()
    summary = model.summary()["calibration_top_block"]
    assert summary["converted"] >= TOP_MIN_POSITIVES
    assert summary["entities"] - summary["converted"] >= TOP_MIN_NEGATIVES


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_no_score_lies_outside_its_interval(method: Calibration) -> None:
    """The whole model on the simulator. Platt's curve cannot follow the jump to the 0.74-0.79
    plateau; unclipped, it put scores above and below their calibration block's interval
    (a score claiming more, or less, than its own training rows support)."""
    rng = np.random.default_rng(1)
    features, converted, _ = model_data(10_000, rng)
    new_features, _, _ = model_data(10_000, rng)
    model = PQLScoreModel(calibration=method, params=CANDIDATE_PARAMS[0]).fit(
        features, converted, np.zeros(6, dtype=bool)
    )
    for rows in (features, new_features):
        predicted = model.predict_proba(rows)
        interval = model.predict_interval(rows)
        assert interval is not None and not np.isnan(interval).any()
        assert (interval[:, 0] <= predicted).all() and (predicted <= interval[:, 1]).all()
    if method == "sigmoid":  # the clip acts: some scores sit on their block's bound
        assert np.isin(predicted, interval).sum() > 0


def test_platt_matches_sklearn_sigmoid_calibration() -> None:
    rng = np.random.default_rng(5)
    raw = rng.normal(-1.0, 1.5, 3000)
    converted = rng.random(raw.size) < 1.0 / (1.0 + np.exp(-(0.7 * raw - 0.4)))
    slope, intercept = platt(raw, converted)
    a, b = _sigmoid_calibration(raw, converted)  # p = 1 / (1 + exp(a raw + b))
    assert slope == pytest.approx(-a, abs=1e-4) and intercept == pytest.approx(-b, abs=1e-4)


def test_top_decile_calibration_by_hand() -> None:
    predicted = np.linspace(0.01, 0.5, 100)
    converted = np.zeros(100, dtype=bool)
    converted[[95, 97, 99, 3]] = True
    found = top_decile_calibration(converted, predicted)
    assert found["entities"] == 10 and found["converted"] == 3
    assert found["mean_predicted"] == pytest.approx(predicted[90:].mean())
    assert found["observed"] == pytest.approx(0.3)
    assert found["observed_ci"] == pytest.approx(list(wilson_interval(Proportion(3, 10))))


def test_score_shows_its_interval_when_wide() -> None:
    assert SHOW_INTERVAL_BEYOND_POINTS == 10.0
    wide = score_interval(0.72, np.array([0.60, 0.82]))
    assert wide == {"score_interval": [60.0, 82.0], "score_text": "72 (60-82)"}
    narrow = score_interval(0.72, np.array([0.66, 0.78]))
    assert narrow == {"score_interval": [66.0, 78.0], "score_text": "72"}
    assert score_interval(0.72, None) == {"score_interval": None, "score_text": "72"}
    # a sigmoid score clipped to the top of its block's interval shows it when the interval
    # reaches far below; one at the edge of a narrow interval does not
    edge = score_interval(0.675, np.array([0.527, 0.675]))
    assert edge == {"score_interval": [52.7, 67.5], "score_text": "68 (53-68)"}
    assert score_interval(0.224, np.array([0.163, 0.224]))["score_text"] == "22"
