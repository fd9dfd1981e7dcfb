"""The predictive model and its baselines, in the scikit-learn shape (`fit` returns self,
fitted attributes end in `_`).

`PQLScoreModel`: gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) whose
probabilities are calibrated on out-of-fold scores (model/calibration.py):
- the tree settings are picked from three conservative candidates by cross-validated log
  loss on the training rows only (never on the held-out cohorts);
- the calibration map (model/calibration.py) is fitted on 5-fold out-of-fold raw scores and
  applied to one model fitted on all training rows: one model to evaluate per prediction
  instead of five makes scoring and explaining leads five times cheaper;
- calibration is isotonic (top blocks pooled) when the training rows hold at least
  ISOTONIC_MIN_POSITIVES conversions, sigmoid (Platt) otherwise. Boosted trees that stop early
  and are regularised give scores that are monotone in the true probability but not
  sigmoid-shaped, which isotonic regression corrects without assuming a shape; with few
  positives its step function overfits (scikit-learn's guidance: far more than 1,000
  samples), and the two-parameter sigmoid is the safer correction;
- numeric columns with fewer than MIN_KNOWN_VALUES known values in the training rows are left
  out (scikit-learn's binning fails on a column with no known value in a fit's rows, e.g.
  `employees` when no account has it).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from threadpoolctl import threadpool_limits

from pqlengine.model.calibration import ScoreCalibration
from pqlengine.model.insufficient import InsufficientData

Calibration = Literal["auto", "isotonic", "sigmoid"]

ISOTONIC_MIN_POSITIVES = 1000
CALIBRATION_FOLDS = 5
SELECTION_FOLDS = 3
SELECTION_MAX_ROWS = 60_000  # rows used to pick the tree settings (a stratified sample)
# A fit sees ~60% of the training rows (3-fold selection, 10% early-stopping split): a column
# with 20 known values has none there with probability 0.4^20 ~ 1e-8.
MIN_KNOWN_VALUES = 20
COMMON_PARAMS: dict[str, Any] = {
    "max_iter": 1000,
    "early_stopping": True,  # on a 10% validation split of the rows each fit sees
    "validation_fraction": 0.1,
    "n_iter_no_change": 20,
    "l2_regularization": 1.0,
}
CANDIDATE_PARAMS: tuple[dict[str, Any], ...] = (
    {"learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40},
    {"learning_rate": 0.05, "max_leaf_nodes": 7, "min_samples_leaf": 80},
    {"learning_rate": 0.03, "max_depth": 3, "min_samples_leaf": 100},
)
# OpenMP threads per fit. Its workers busy-wait: on a shared 2-core machine two threads made
# a fit ~100x slower than one while other processes ran, so one is the safe default.
DEFAULT_THREADS = 1


class PQLScoreModel:
    """Calibrated gradient-boosted trees: P(convert after the window | window features)."""

    estimator_: Any  # CalibratedClassifierCV, in models stored before `trees_` and `calibrator_`

    def __init__(
        self,
        calibration: Calibration = "auto",
        params: dict[str, Any] | None = None,
        random_state: int = 0,
        n_threads: int = DEFAULT_THREADS,
    ) -> None:
        self.calibration = calibration
        self.params = params
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(
        self, features: np.ndarray, converted: np.ndarray, categorical: np.ndarray
    ) -> PQLScoreModel:
        """Pick the tree settings (unless given), then fit the calibrated ensemble."""
        converted = np.asarray(converted, dtype=bool)
        positives = int(converted.sum())
        if positives < CALIBRATION_FOLDS or converted.size - positives < CALIBRATION_FOLDS:
            few = "conversions" if positives < CALIBRATION_FOLDS else "non_conversions"
            raise InsufficientData(
                f"too_few_{few}",
                f"{positives} training entities converted and {converted.size - positives} did "
                f"not; a model needs at least {CALIBRATION_FOLDS} of each",
            )
        method = self.calibration
        if method == "auto":
            method = "isotonic" if positives >= ISOTONIC_MIN_POSITIVES else "sigmoid"
        self.used_columns_ = usable_columns(features, categorical)
        features, categorical = features[:, self.used_columns_], categorical[self.used_columns_]
        with threadpool_limits(self.n_threads, user_api="openmp"):
            if self.params is None:
                self.selection_ = self._select(features, converted, categorical)
                self.params_ = dict(min(self.selection_, key=lambda s: s["cv_log_loss"])["params"])
            else:
                self.selection_ = []
                self.params_ = dict(self.params)
            folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=self.random_state)
            trees = self._trees(self.params_, categorical)
            out_of_fold = cross_val_predict(
                trees, features, converted, cv=folds, method="decision_function"
            )
            self.trees_ = trees.fit(features, converted)
        self.calibrator_ = ScoreCalibration(method).fit(out_of_fold, converted)
        self.calibration_ = method
        self.n_train_ = int(converted.size)
        self.positives_ = positives
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """P(convert) per row (1-d)."""
        if len(features) == 0:
            return np.zeros(0)
        if not hasattr(self, "trees_"):  # a model stored before the calibration was ours
            with threadpool_limits(self.n_threads, user_api="openmp"):
                return np.asarray(self.estimator_.predict_proba(features)[:, 1], dtype=float)
        return self.calibrator_.predict(self._raw(features))

    def predict_interval(self, features: np.ndarray) -> np.ndarray | None:
        """(n, 2) 95% Wilson interval of the calibration block of each row's score (None for
        a model stored before intervals existed)."""
        if not hasattr(self, "trees_"):
            return None
        if len(features) == 0:
            return np.zeros((0, 2))
        return self.calibrator_.interval(self._raw(features))

    def _raw(self, features: np.ndarray) -> np.ndarray:
        with threadpool_limits(self.n_threads, user_api="openmp"):
            raw = self.trees_.decision_function(features[:, self.used_columns_])
        return np.asarray(raw, dtype=float)

    def summary(self) -> dict[str, Any]:
        """How the model was fitted."""
        return {
            "estimator": "HistGradientBoostingClassifier, calibrated on out-of-fold scores",
            "calibration": self.calibration_,
            "calibration_folds": CALIBRATION_FOLDS,
            "calibration_top_block": self.calibrator_.blocks_.top(),
            "unused_columns": [int(i) for i in np.flatnonzero(~self.used_columns_)],
            "params": {**COMMON_PARAMS, **self.params_},
            "selection": self.selection_,
            "training_entities": self.n_train_,
            "training_conversions": self.positives_,
        }

    def _trees(self, params: dict[str, Any], categorical: np.ndarray) -> Any:
        return HistGradientBoostingClassifier(
            **COMMON_PARAMS,
            **params,
            categorical_features=categorical,
            random_state=self.random_state,
        )

    def _select(
        self, features: np.ndarray, converted: np.ndarray, categorical: np.ndarray
    ) -> list[dict[str, Any]]:
        """Cross-validated log loss of each candidate on (a stratified sample of) the rows."""
        rows = _stratified_sample(converted, SELECTION_MAX_ROWS, self.random_state)
        folds = StratifiedKFold(SELECTION_FOLDS, shuffle=True, random_state=self.random_state)
        found = []
        for params in CANDIDATE_PARAMS:
            scores = cross_val_score(
                self._trees(params, categorical),
                features[rows],
                converted[rows],
                cv=folds,
                scoring="neg_log_loss",
            )
            found.append({"params": params, "cv_log_loss": float(-scores.mean())})
        return found


def usable_columns(features: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Mask of the columns the trees may use: categorical ones, and numeric ones with at least
    MIN_KNOWN_VALUES known (non-missing) values."""
    known = (~np.isnan(features)).sum(axis=0)
    return np.asarray(categorical, dtype=bool) | (known >= MIN_KNOWN_VALUES)


def _stratified_sample(converted: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Row indexes: all rows, or `limit` of them keeping the conversion share."""
    if converted.size <= limit:
        return np.arange(converted.size)
    rng = np.random.default_rng(seed)
    chosen = []
    for value in (True, False):
        rows = np.flatnonzero(converted == value)
        take = max(1, round(limit * rows.size / converted.size))
        chosen.append(rng.choice(rows, size=min(take, rows.size), replace=False))
    return np.sort(np.concatenate(chosen))


class VolumeBaseline:
    """Logistic regression of conversion on log(1 + events in the window): how far plain
    activity volume gets."""

    def fit(self, event_count: np.ndarray, converted: np.ndarray) -> VolumeBaseline:
        """Fit on the training rows."""
        self.model_ = LogisticRegression().fit(_volume(event_count), np.asarray(converted, bool))
        self.coefficient_ = float(self.model_.coef_[0, 0])
        return self

    def predict_proba(self, event_count: np.ndarray) -> np.ndarray:
        """P(convert) per row."""
        return np.asarray(self.model_.predict_proba(_volume(event_count))[:, 1], dtype=float)


def _volume(event_count: np.ndarray) -> np.ndarray:
    return np.log1p(np.asarray(event_count, dtype=float)).reshape(-1, 1)


class RuleBaseline:
    """The current definition as a score: qualified inside the window or not. As a
    probability, each group gets its conversion rate on the training rows."""

    def fit(self, is_pql: np.ndarray, converted: np.ndarray) -> RuleBaseline:
        """The two training conversion rates."""
        is_pql = np.asarray(is_pql, dtype=bool)
        converted = np.asarray(converted, dtype=bool)
        base = float(converted.mean())
        self.rate_pql_ = float(converted[is_pql].mean()) if is_pql.any() else base
        self.rate_other_ = float(converted[~is_pql].mean()) if (~is_pql).any() else base
        return self

    def predict_proba(self, is_pql: np.ndarray) -> np.ndarray:
        """The training rate of each entity's group."""
        return np.where(np.asarray(is_pql, dtype=bool), self.rate_pql_, self.rate_other_)
