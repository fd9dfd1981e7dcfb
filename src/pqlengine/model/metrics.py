"""How good a score is on held-out entities: discrimination, calibration, lift by decile.

Pure NumPy (and scikit-learn's reference metrics) over outcomes and scores; nothing here
reads data. A metric that cannot be computed is None with a reason in `notes`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import average_precision_score, roc_auc_score

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

CALIBRATION_BINS = 10
DECILES = 10


def brier_score(converted: np.ndarray, predicted: np.ndarray) -> float:
    """Mean squared difference between the predicted probability and the 0/1 outcome."""
    outcome = np.asarray(converted, dtype=float)
    return float(np.mean((np.asarray(predicted, dtype=float) - outcome) ** 2))


def _bin_index(predicted: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bins over [0, 1]: [0, 0.1), ..., [0.9, 1.0] (1.0 in the last bin)."""
    return np.minimum((np.asarray(predicted, dtype=float) * bins).astype(np.int64), bins - 1)


def expected_calibration_error(
    converted: np.ndarray, predicted: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """ECE over equal-width bins: sum over bins of (share of entities) x |mean predicted -
    observed rate| (Naeini et al. 2015; Guo et al. 2017)."""
    outcome = np.asarray(converted, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    index = _bin_index(predicted, bins)
    total = 0.0
    for b in range(bins):
        inside = index == b
        if inside.any():
            gap = abs(predicted[inside].mean() - outcome[inside].mean())
            total += inside.sum() / outcome.size * gap
    return float(total)


def calibration_table(
    converted: np.ndarray, predicted: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[dict[str, Any]]:
    """Per equal-width bin of the predicted probability (the ECE's bins): entities, mean
    predicted, observed conversion rate with its 95% Wilson interval."""
    outcome = np.asarray(converted, dtype=bool)
    predicted = np.asarray(predicted, dtype=float)
    index = _bin_index(predicted, bins)
    rows = []
    for b in range(bins):
        inside = index == b
        n = int(inside.sum())
        hits = int(outcome[inside].sum())
        interval = wilson_interval(Proportion(hits, n))
        rows.append(
            {
                "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                "entities": n,
                "converted": hits,
                "mean_predicted": float(predicted[inside].mean()) if n else None,
                "observed": hits / n if n else None,
                "observed_ci": None if isinstance(interval, Unavailable) else list(interval),
            }
        )
    return rows


def top_decile_calibration(converted: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """Calibration where it matters most and the equal-width bins hide it: the decile of the
    highest predictions (`decile_index` 1), mean predicted vs observed rate with its 95%
    Wilson interval."""
    outcome = np.asarray(converted, dtype=bool)
    predicted = np.asarray(predicted, dtype=float)
    inside = decile_index(predicted) == 1 if outcome.size else np.zeros(0, dtype=bool)
    n, hits = int(inside.sum()), int(outcome[inside].sum())
    interval = wilson_interval(Proportion(hits, n))
    return {
        "entities": n,
        "converted": hits,
        "mean_predicted": float(predicted[inside].mean()) if n else None,
        "observed": hits / n if n else None,
        "observed_ci": None if isinstance(interval, Unavailable) else list(interval),
    }


def decile_index(score: np.ndarray, groups: int = DECILES) -> np.ndarray:
    """1 (highest scores) .. `groups`, by descending rank. Tied scores stay together, in the
    decile where their group starts (so decile sizes differ when there are ties, and a 0/1
    score fills the first decile with all its 1s)."""
    score = np.asarray(score, dtype=float)
    rank = rankdata(-score, method="min")  # 1 = highest
    return np.minimum(np.floor((rank - 1) * groups / score.size).astype(np.int64), groups - 1) + 1


def decile_table(
    converted: np.ndarray, score: np.ndarray, groups: int = DECILES
) -> list[dict[str, Any]]:
    """Per score decile (1 = top): entities, conversion rate (precision), lift over the base
    rate, and the cumulative share of all conversions captured (recall) and precision."""
    outcome = np.asarray(converted, dtype=bool)
    score = np.asarray(score, dtype=float)
    if outcome.size == 0:
        return []
    base = float(outcome.mean())
    index = decile_index(score, groups)
    rows = []
    seen = hits_so_far = 0
    conversions = int(outcome.sum())
    for decile in range(1, groups + 1):
        inside = index == decile
        n = int(inside.sum())
        hits = int(outcome[inside].sum())
        seen += n
        hits_so_far += hits
        rate = hits / n if n else None
        rows.append(
            {
                "decile": decile,
                "entities": n,
                "converted": hits,
                "min_score": float(score[inside].min()) if n else None,
                "max_score": float(score[inside].max()) if n else None,
                "precision": rate,
                "lift": rate / base if rate is not None and base > 0 else None,
                "cumulative_precision": hits_so_far / seen if seen else None,
                "cumulative_recall": hits_so_far / conversions if conversions else None,
            }
        )
    return rows


def flagged_like(converted: np.ndarray, score: np.ndarray, flagged: int) -> dict[str, Any] | None:
    """Precision and recall when flagging the `flagged` highest scores (entities tied with
    the last one are flagged too, so `entities` can exceed `flagged`)."""
    outcome = np.asarray(converted, dtype=bool)
    score = np.asarray(score, dtype=float)
    if flagged <= 0 or outcome.size == 0:
        return None
    cut = np.sort(score)[::-1][min(flagged, score.size) - 1]
    chosen = score >= cut
    hits = int(outcome[chosen].sum())
    conversions = int(outcome.sum())
    return {
        "entities": int(chosen.sum()),
        "precision": hits / int(chosen.sum()),
        "recall": hits / conversions if conversions else None,
    }


def score_report(converted: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """ROC AUC, PR AUC (average precision), Brier score, ECE, the calibration table, the top
    decile's calibration and the decile table of one score on one set of entities."""
    outcome = np.asarray(converted, dtype=bool)
    predicted = np.asarray(predicted, dtype=float)
    conversions = int(outcome.sum())
    report: dict[str, Any] = {
        "entities": int(outcome.size),
        "conversions": conversions,
        "base_rate": conversions / outcome.size if outcome.size else None,
        "mean_predicted": float(predicted.mean()) if outcome.size else None,
        "roc_auc": None,
        "pr_auc": None,
        "brier": brier_score(outcome, predicted) if outcome.size else None,
        "ece": expected_calibration_error(outcome, predicted) if outcome.size else None,
        "calibration": calibration_table(outcome, predicted),
        "top_decile_calibration": top_decile_calibration(outcome, predicted),
        "deciles": decile_table(outcome, predicted),
        "notes": [],
    }
    if 0 < conversions < outcome.size:
        report["roc_auc"] = float(roc_auc_score(outcome, predicted))
        report["pr_auc"] = float(average_precision_score(outcome, predicted))
    else:
        report["notes"].append(
            "ROC and PR AUC need converted and unconverted entities; "
            f"this set has {conversions} of {outcome.size} converted"
        )
    return report
