"""Map the trees' raw scores (log-odds) to probabilities, with an interval per score.

Fitted on out-of-fold raw scores of the training rows (each row scored by a model that did not
see it). Two maps:
- **isotonic, top pooled**: the pool-adjacent-violators step function (isotonic regression),
  whose top blocks are then merged downwards until the top block holds at least
  `TOP_MIN_POSITIVES` conversions **and** `TOP_MIN_NEGATIVES` non-conversions. Plain isotonic
  regression ends in a short run of converted rows (a block rate of 1.0) and clips every higher
  score to it, so any lead scored above the out-of-fold range gets 100; pooling gives the top
  block a rate estimated from enough of both outcomes to be below 1 and stable.
- **sigmoid**: Platt's two-parameter logistic fit of the outcome on the raw score, with his
  smoothed targets (positives (P+1)/(P+2), negatives 1/(N+2)).

Either way each score carries the 95% Wilson interval of the observed conversion rate of the
(top-pooled) isotonic block it falls into: the training rows whose out-of-fold scores were
alike. It is the uncertainty of the calibration in that region, not a prediction interval.

Either way the calibrated probability is then clipped into that interval: no score claims more
(or less) than the training rows it is calibrated on support. An isotonic block's rate lies
inside its own Wilson interval, so clipping leaves it as it is; the sigmoid's smooth curve
overshoots some blocks (on the 12k demo its highest leads scored 77-83 where their block's
training rows converted at 53-68%), and those scores move to the block's bound.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

Method = Literal["isotonic", "sigmoid"]

# 30 of each: at a top rate of ~0.77 the block holds ~130 rows and its 95% Wilson interval is
# about +-7 points; with 10 of each it would be ~43 rows and +-12 points.
TOP_MIN_POSITIVES = 30
TOP_MIN_NEGATIVES = 30


class CalibrationBlocks:
    """Isotonic blocks of out-of-fold raw scores: lower score edge, rows and conversions."""

    def __init__(self, lower: np.ndarray, entities: np.ndarray, positives: np.ndarray) -> None:
        self.lower = lower
        self.entities = entities
        self.positives = positives

    @classmethod
    def fit(
        cls,
        raw: np.ndarray,
        converted: np.ndarray,
        top_min_positives: int = TOP_MIN_POSITIVES,
        top_min_negatives: int = TOP_MIN_NEGATIVES,
    ) -> CalibrationBlocks:
        """Pool-adjacent-violators blocks, the top ones pooled (module docstring)."""
        order = np.argsort(raw, kind="stable")
        raw, outcome = np.asarray(raw, float)[order], np.asarray(converted, float)[order]
        fitted = IsotonicRegression(out_of_bounds="clip").fit_transform(raw, outcome)
        starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
        entities = np.diff(np.r_[starts, raw.size])
        positives = np.add.reduceat(outcome, starts).round().astype(np.int64)
        lower, entities = raw[starts], entities.astype(np.int64)
        while lower.size > 1 and (
            positives[-1] < top_min_positives or entities[-1] - positives[-1] < top_min_negatives
        ):
            entities = np.r_[entities[:-2], entities[-2] + entities[-1]]
            positives = np.r_[positives[:-2], positives[-2] + positives[-1]]
            lower = lower[:-1]
        return cls(lower, entities, positives)

    def index(self, raw: np.ndarray) -> np.ndarray:
        """The block of each raw score (scores below the first edge go to the first block)."""
        found = np.searchsorted(self.lower, np.asarray(raw, float), side="right") - 1
        return np.clip(found, 0, self.lower.size - 1)

    def rates(self) -> np.ndarray:
        """Observed conversion rate of each block."""
        return self.positives / self.entities

    def intervals(self) -> np.ndarray:
        """(blocks, 2) 95% Wilson intervals of the block rates."""
        rows = []
        for hits, n in zip(self.positives, self.entities, strict=True):
            found = wilson_interval(Proportion(int(hits), int(n)))
            rows.append((np.nan, np.nan) if isinstance(found, Unavailable) else found)
        return np.asarray(rows, dtype=float).reshape(-1, 2)

    def top(self) -> dict[str, float | int]:
        """The top block: rows, conversions, rate (what the highest scores are worth)."""
        low, high = self.intervals()[-1]
        return {
            "entities": int(self.entities[-1]),
            "converted": int(self.positives[-1]),
            "rate": float(self.rates()[-1]),
            "rate_ci_low": float(low),
            "rate_ci_high": float(high),
        }


class ScoreCalibration:
    """Raw tree score -> calibrated probability, and the interval of the score's block."""

    def __init__(self, method: Method) -> None:
        self.method = method

    def fit(self, raw: np.ndarray, converted: np.ndarray) -> ScoreCalibration:
        """Fit on out-of-fold raw scores and outcomes."""
        self.blocks_ = CalibrationBlocks.fit(raw, converted)
        if self.method == "sigmoid":
            self.platt_ = platt(np.asarray(raw, float), np.asarray(converted, bool))
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated P(convert) per raw score, inside its block's interval (module docstring)."""
        raw = np.asarray(raw, float)
        if self.method == "isotonic":
            mapped = self.blocks_.rates()[self.blocks_.index(raw)]
        else:
            slope, intercept = self.platt_
            mapped = 1.0 / (1.0 + np.exp(-(slope * raw + intercept)))
        return within(np.asarray(mapped, dtype=float), self.interval(raw))

    def interval(self, raw: np.ndarray) -> np.ndarray:
        """(n, 2) 95% Wilson interval of the block each raw score falls into."""
        return np.asarray(self.blocks_.intervals()[self.blocks_.index(raw)], dtype=float)


def within(probability: np.ndarray, interval: np.ndarray) -> np.ndarray:
    """Each probability clipped into its (low, high) interval; a bound that is NaN (an interval
    that could not be computed) does not clip."""
    # fmax/fmin return the other argument where one is NaN
    return np.asarray(np.fmin(np.fmax(probability, interval[:, 0]), interval[:, 1]), dtype=float)


def platt(raw: np.ndarray, converted: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of Platt scaling: logistic fit with smoothed targets (Platt 1999)."""
    positives = float(converted.sum())
    negatives = converted.size - positives
    target = np.where(converted, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    scale = max(1.0, float(np.abs(raw).max(initial=0.0)))  # keeps the optimiser well scaled
    x = raw / scale

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * x + params[1]
        # log(1 + e^z) - t z, summed; its gradient is (sigmoid(z) - t) times (x, 1)
        value = float(np.sum(np.logaddexp(0.0, z) - target * z))
        residual = 1.0 / (1.0 + np.exp(-z)) - target
        return value, np.array([float(residual @ x), float(residual.sum())])

    prior = np.log((positives + 1) / (negatives + 1))
    found = minimize(loss, np.array([1.0, prior]), jac=True, method="L-BFGS-B")
    return float(found.x[0] / scale), float(found.x[1])
