"""Why a lead scores what it scores: per-feature-group contributions, in score points.

The contribution of a group (an event's count and recency, active days, plan, ...) to one
lead's score is the lead's calibrated probability minus the probability with that group set
to a typical training entity's values (the medians of `features.typical_row`), times 100.
It answers "how much higher is this lead's score than it would be if it looked typical on this
one thing, all else as it is". It is not a SHAP value: contributions interact, so they do not
add up to the score, and a group at its typical value contributes 0. Path-dependent TreeSHAP
would need the fitted trees' internals, which scikit-learn does not expose publicly, and the
calibration step on top of the trees would not be covered by it either.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pqlengine.model.estimator import PQLScoreModel
from pqlengine.model.features import COUNT, DAYS_SINCE, FeatureSpec

TOP_REASONS = 3
MIN_POINTS = 0.05  # smaller contributions are not reasons
PREDICT_ROWS = 200_000  # rows per prediction call (leads x feature-group variants)


def contributions(
    estimator: PQLScoreModel, features: np.ndarray, spec: FeatureSpec, typical: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, (n, groups) probability differences against the typical values)."""
    groups = spec.groups()
    n = len(features)
    probabilities = np.zeros(n)
    out = np.zeros((n, len(groups)))
    step = max(1, PREDICT_ROWS // (len(groups) + 1))
    for start in range(0, n, step):
        rows = features[start : start + step]
        # One prediction call over the rows and their variants; a row already typical in a
        # group contributes 0 there and is not predicted again.
        variants = [rows]
        changed = []
        for _, columns in groups:
            differs = ~_same(rows[:, columns], typical[columns]).all(axis=1)
            swapped = rows[differs].copy()
            swapped[:, columns] = typical[columns]
            variants.append(swapped)
            changed.append(differs)
        predicted = estimator.predict_proba(np.vstack(variants))
        base = predicted[: len(rows)]
        probabilities[start : start + len(rows)] = base
        offset = len(rows)
        for g, differs in enumerate(changed):
            count = int(differs.sum())
            block = out[start : start + len(rows), g]
            block[differs] = base[differs] - predicted[offset : offset + count]
            offset += count
    return probabilities, out


def _same(values: np.ndarray, typical: np.ndarray) -> np.ndarray:
    """Elementwise equality where NaN equals NaN."""
    return (values == typical) | (np.isnan(values) & np.isnan(typical))


def reasons(
    features: np.ndarray, spec: FeatureSpec, typical: np.ndarray, effects: np.ndarray
) -> list[list[dict[str, Any]]]:
    """The TOP_REASONS largest contributions (by size, either sign) per row."""
    groups = spec.groups()
    found = []
    for row, effect in zip(features, effects, strict=True):
        order = np.argsort(-np.abs(effect), kind="stable")[:TOP_REASONS]
        chosen = []
        for g in order:
            points = 100.0 * float(effect[g])
            if abs(points) < MIN_POINTS:
                continue
            label, columns = groups[g]
            value = _describe(label, row, columns, spec)
            usual = _describe(label, typical, columns, spec)
            chosen.append(
                {
                    "feature": label,
                    "value": value,
                    "typical": usual,
                    "points": round(points, 1),
                    "text": f"{label} {value.split(',')[0]} ({points:+.1f})",
                }
            )
        found.append(chosen)
    return found


def _describe(label: str, row: np.ndarray, columns: list[int], spec: FeatureSpec) -> str:
    value = float(row[columns[0]])
    if spec.names[columns[0]].startswith(COUNT):
        recency = float(row[columns[1]])
        text = f"{value:g}x"
        if spec.names[columns[1]].startswith(DAYS_SINCE) and not np.isnan(recency) and value:
            text += f", last {recency:.1f} d before window end"
        return text
    if np.isnan(value):
        return {"recency": "no event"}.get(label, "unknown")
    if label == "plan":
        return spec.plans[int(value)] if 0 <= int(value) < len(spec.plans) else "unknown"
    if label == "email domain":
        return "free-mail" if value else "company"
    units = {
        "active days": "days",
        "event volume": "events",
        "breadth": "distinct events",
        "teammates": "active users",
        "recency": "d since last event",
    }
    return (
        f"{value:.1f} {units[label]}"
        if label == "recency"
        else f"{value:g} {units.get(label, '')}".strip()
    )
