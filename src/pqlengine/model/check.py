"""`pql model check`: compare what the stored model sees now with what it was trained on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pqlengine.compute.model_features import matured_matrix, recent_matrix
from pqlengine.compute.outcome_labels import outcome_from_json
from pqlengine.config import Project
from pqlengine.model.drift import (
    MIN_RECENT,
    calibration_drift,
    feature_drift,
    verdict,
)
from pqlengine.model.features import design
from pqlengine.model.persist import load_model
from pqlengine.model.score import check_compatible
from pqlengine.model.train import iso
from pqlengine.store import Store


def check(
    store: Store,
    project: Project,
    as_of: datetime,
    version: str | None = None,
    recent_days: int = 28,
) -> dict[str, Any]:
    """Feature drift (PSI) of entities whose window ended in the last `recent_days`, and
    calibration on entities matured since the model's training data; a verdict."""
    stored = load_model(store, version)
    check_compatible(project, stored)
    spec = stored.spec
    events = list(spec.events)
    since = as_of - timedelta(days=recent_days)
    recent = recent_matrix(store, stored.project, as_of, spec.window_days, events, since)
    features: list[dict[str, Any]] | None = None
    notes = []
    if len(recent) >= MIN_RECENT:
        features = feature_drift(design(recent, spec), spec, stored.reference["bins"])
    else:
        notes.append(
            f"{len(recent)} entities finished their first {spec.window_days} days in the last "
            f"{recent_days} days; feature drift is checked from {MIN_RECENT}"
        )
    seen_until = stored.data_signup_until.replace(tzinfo=UTC)
    # calibration is checked against the outcome the model was trained on
    outcome = outcome_from_json(stored.metrics.get("outcome"))
    matured = matured_matrix(
        store,
        stored.project,
        as_of,
        spec.window_days,
        events,
        signed_up_after=seen_until,
        outcome=outcome,
    )
    predicted = stored.estimator.predict_proba(design(matured, spec))
    validated = stored.metrics.get("validation", {}).get("model", {}).get("roc_auc")
    calibration = calibration_drift(matured.converted, predicted, validated)
    if not calibration["checked"]:
        notes.append(calibration["reason"])
    return {
        "as_of": iso(as_of),
        "model": {
            "version": stored.version,
            "trained_as_of": iso(stored.as_of),
            "training_signups_until": iso(seen_until),
            "window_days": spec.window_days,
        },
        "recent_days": recent_days,
        "recent_entities": len(recent),
        "features": features,
        "calibration": calibration,
        **verdict(features, calibration),
        "notes": notes,
    }
