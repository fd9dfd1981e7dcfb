"""Has the world moved since the model was trained? Feature distributions (PSI) and
calibration on cohorts the model has not seen. Pure NumPy; the verdict rules are here.

Retrain when any of these holds (documented in docs/model.md):
- a feature's population stability index between the training rows and the entities whose
  window ended in the last `recent_days` is >= PSI_RETRAIN (0.25, the usual "significant
  shift"); 0.1 to 0.25 is reported as "watch";
- among entities that matured since training (not seen by the model, at least MIN_MATURED of
  them and MIN_CONVERSIONS conversions), the observed conversion rate's 95% Wilson interval
  excludes the mean predicted probability and the two differ by >= 20% of the prediction;
- on those entities, ROC AUC fell by >= AUC_DROP (0.05) from the held-out validation's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pqlengine.model.features import FeatureSpec
from pqlengine.model.metrics import score_report
from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

PSI_RETRAIN = 0.25
PSI_WATCH = 0.1
CALIBRATION_RELATIVE_GAP = 0.2
AUC_DROP = 0.05
MIN_MATURED = 500
MIN_CONVERSIONS = 30
MIN_RECENT = 200
REFERENCE_QUANTILES = tuple(q / 10 for q in range(1, 10))
SHARE_FLOOR = 1e-4  # an empty bin counts as this share, so PSI stays finite


def reference_bins(features: np.ndarray, spec: FeatureSpec) -> dict[str, dict[str, Any]]:
    """Per feature: bin edges (deciles of the known values; categories for plan and email
    domain) and the training share of each bin, the last bin being 'missing'."""
    found: dict[str, dict[str, Any]] = {}
    for column, name in enumerate(spec.names):
        values = features[:, column]
        known = values[~np.isnan(values)]
        if name in ("plan", "free_email_domain"):
            bins: dict[str, Any] = {"categories": sorted({float(v) for v in known})}
        else:
            edges: Any = np.unique(np.quantile(known, REFERENCE_QUANTILES)) if known.size else []
            bins = {"edges": [float(e) for e in edges]}
        bins["shares"] = bin_shares(values, bins).tolist()
        found[name] = bins
    return found


def bin_shares(values: np.ndarray, bins: dict[str, Any]) -> np.ndarray:
    """Share of `values` in each bin of `bins` (numeric: (-inf, e1], (e1, e2], ... (ek, inf);
    categorical: each category, then any other value), the last share being missing."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    known = values[~missing]
    if "categories" in bins:
        categories = np.asarray(bins["categories"], dtype=float)
        counts = [int((known == c).sum()) for c in categories]
        counts.append(int((~np.isin(known, categories)).sum()))
    else:
        index = np.searchsorted(np.asarray(bins["edges"], dtype=float), known, side="left")
        counts = np.bincount(index, minlength=len(bins["edges"]) + 1).tolist()
    counts.append(int(missing.sum()))
    total = max(values.size, 1)
    return np.asarray(counts, dtype=float) / total


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index: sum over bins of (actual - expected) * ln(actual /
    expected), shares floored at SHARE_FLOOR."""
    e = np.maximum(np.asarray(expected, dtype=float), SHARE_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def feature_drift(
    features: np.ndarray, spec: FeatureSpec, reference: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """PSI of every feature against the training reference, largest first."""
    rows: list[dict[str, Any]] = []
    for column, name in enumerate(spec.names):
        bins = reference[name]
        value = psi(np.asarray(bins["shares"]), bin_shares(features[:, column], bins))
        status = "shifted" if value >= PSI_RETRAIN else "watch" if value >= PSI_WATCH else "ok"
        rows.append({"feature": name, "psi": value, "status": status})
    rows.sort(key=lambda r: -r["psi"])
    return rows


def calibration_drift(
    converted: np.ndarray, predicted: np.ndarray, validated_roc_auc: float | None
) -> dict[str, Any]:
    """Observed vs predicted conversion among matured, unseen entities, and the AUC change."""
    converted = np.asarray(converted, dtype=bool)
    n, hits = int(converted.size), int(converted.sum())
    result: dict[str, Any] = {"entities": n, "conversions": hits, "checked": False}
    if n < MIN_MATURED or hits < MIN_CONVERSIONS:
        result["reason"] = (
            f"{n} entities with {hits} conversions matured since training; calibration is "
            f"checked from {MIN_MATURED} entities and {MIN_CONVERSIONS} conversions"
        )
        return result
    report = score_report(converted, predicted)
    observed, expected = hits / n, float(np.mean(predicted))
    interval = wilson_interval(Proportion(hits, n))
    assert not isinstance(interval, Unavailable)
    outside = not interval[0] <= expected <= interval[1]
    relative = abs(observed - expected) / expected if expected > 0 else float("inf")
    auc = report["roc_auc"]
    result.update(
        checked=True,
        observed=observed,
        observed_ci=list(interval),
        mean_predicted=expected,
        relative_gap=relative,
        miscalibrated=outside and relative >= CALIBRATION_RELATIVE_GAP,
        roc_auc=auc,
        validated_roc_auc=validated_roc_auc,
        auc_dropped=auc is not None
        and validated_roc_auc is not None
        and validated_roc_auc - auc >= AUC_DROP,
        ece=report["ece"],
        calibration=report["calibration"],
        top_decile_calibration=report["top_decile_calibration"],
    )
    return result


def verdict(features: list[dict[str, Any]] | None, calibration: dict[str, Any]) -> dict[str, Any]:
    """'retrain' with the reasons, 'ok' (with what to watch), or 'not_checked' when neither
    the features nor the calibration had enough entities to check."""
    reasons = []
    watch = []
    for row in features or []:
        if row["status"] == "shifted":
            reasons.append(
                f"feature '{row['feature']}' shifted: PSI {row['psi']:.2f} >= {PSI_RETRAIN}"
            )
        elif row["status"] == "watch":
            watch.append(f"feature '{row['feature']}': PSI {row['psi']:.2f}")
    if calibration.get("miscalibrated"):
        reasons.append(
            f"calibration: {calibration['observed']:.1%} converted (95% CI "
            f"{calibration['observed_ci'][0]:.1%}-{calibration['observed_ci'][1]:.1%}) against "
            f"{calibration['mean_predicted']:.1%} predicted among {calibration['entities']:,} "
            "entities matured since training"
        )
    if calibration.get("auc_dropped"):
        reasons.append(
            f"discrimination: ROC AUC {calibration['roc_auc']:.3f} on entities matured since "
            f"training, {calibration['validated_roc_auc']:.3f} at validation "
            f"(drop >= {AUC_DROP})"
        )
    if reasons:
        action = "retrain"
    elif features is None and not calibration.get("checked"):
        action = "not_checked"  # too few recent or matured entities: "ok" would claim too much
    else:
        action = "ok"
    return {"action": action, "reasons": reasons, "watch": watch}
