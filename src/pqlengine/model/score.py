"""`pql model score` and fresh scores of given entities: calibrated pql_score 0-100 and the
top reasons. The live service (live/scoring.py) computes the same features with one compiled
query per evaluator pass and scores them with `scored_rows`.

The score is 100 x the calibrated probability of converting after the first `window_days`
(within the conversion window). Features cover the lead's first `window_days` after signup; a
lead still inside that window is scored on the days so far (`window_complete` false), which
understates a lead that keeps going: the model only saw complete windows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from pqlengine.compute.model_features import EntityMatrix, unconverted_matrix
from pqlengine.config import Project
from pqlengine.model.explain import contributions, reasons
from pqlengine.model.features import design
from pqlengine.model.persist import (
    StoredModel,
    ensure_model_tables,
    load_model,
    newest_model_version,
    write_scores,
)
from pqlengine.model.train import iso
from pqlengine.store import Store

# A score is shown with its interval ("72 (61-81)") when the interval reaches more than this
# many points from it (for a centred interval: wider than 20 points). Beyond +-10 the number
# alone reads as more precise than the training data make it; an off-centre interval far from
# the score (a sigmoid score clipped to its block's bound, model/calibration.py) is shown for the
# same reason.
SHOW_INTERVAL_BEYOND_POINTS = 10.0
_LOADED: dict[str, StoredModel] = {}  # by version, a content hash: same version, same model


def check_compatible(project: Project, stored: StoredModel) -> None:
    """The model's features assume its entity, signup and conversion; refuse others."""
    for field in ("entity", "signup", "conversion"):
        now, then = getattr(project, field), getattr(stored.project, field)
        if now != then:
            raise ValueError(
                f"model {stored.version} was trained with {field} {then!r} and pql.yaml now "
                f"says {now!r}: retrain with `pql model train`"
            )


def scored_rows(stored: StoredModel, matrix: EntityMatrix) -> list[dict[str, Any]]:
    """Score, probability, reasons and window completeness per entity of `matrix`."""
    features = design(matrix, stored.spec)
    typical = np.array([np.nan if v is None else v for v in stored.reference["typical"]])
    probabilities, effects = contributions(stored.estimator, features, stored.spec, typical)
    why = reasons(features, stored.spec, typical, effects)
    complete = matrix.observed_days >= stored.spec.window_days - 1e-9
    intervals = stored.estimator.predict_interval(features)
    return [
        {
            "entity_id": entity,
            "score": round(100.0 * float(p), 1),
            **score_interval(float(p), None if intervals is None else intervals[i]),
            "probability": float(p),
            "reasons": why[i],
            "window_complete": bool(complete[i]),
            "observed_days": round(float(matrix.observed_days[i]), 2),
        }
        for i, (entity, p) in enumerate(zip(matrix.entity_ids, probabilities, strict=True))
    ]


def score_interval(probability: float, interval: np.ndarray | None) -> dict[str, Any]:
    """`score_interval` (95%, score points, of the score's calibration block) and `score_text`:
    "72 (61-81)" when the interval reaches more than SHOW_INTERVAL_BEYOND_POINTS from the
    score, else "72"."""
    text = f"{100.0 * probability:.0f}"
    if interval is None or np.isnan(interval).any():
        return {"score_interval": None, "score_text": text}
    low, high = (round(100.0 * float(v), 1) for v in interval)
    score = 100.0 * probability
    if max(score - low, high - score) > SHOW_INTERVAL_BEYOND_POINTS:
        text += f" ({low:.0f}-{high:.0f})"
    return {"score_interval": [low, high], "score_text": text}


def score_leads(
    store: Store, project: Project, as_of: datetime, version: str | None = None
) -> dict[str, Any]:
    """Score every open PQL with the newest (or the given) model; store and return them,
    highest score first."""
    stored = load_model(store, version)
    check_compatible(project, stored)
    spec = stored.spec
    matrix = unconverted_matrix(store, project, as_of, spec.window_days, list(spec.events))
    rows = scored_rows(stored, matrix)
    scored_at = write_scores(store, stored.version, rows, as_of)
    rows.sort(key=lambda r: (-r["score"], r["entity_id"]))
    partial = sum(not r["window_complete"] for r in rows)
    notes = []
    if partial:
        notes.append(
            f"{partial} of {len(rows)} leads are still inside their first {spec.window_days} "
            "days: scored on the days so far, which understates them (window_complete false)"
        )
    return {
        "as_of": iso(as_of),
        "scored_at": iso(scored_at),
        "definition": {"name": project.definition.name, "version": project.version},
        "model": {
            "version": stored.version,
            "trained_as_of": iso(stored.as_of),
            "window_days": spec.window_days,
            "calibration": stored.metrics.get("model", {}).get("calibration"),
        },
        "score": "100 x calibrated P(convert after the window, within the conversion window)",
        "score_interval": "95% Wilson interval of the conversion rate of the training entities "
        "in the score's calibration block; shown next to the score when it reaches more than "
        f"{SHOW_INTERVAL_BEYOND_POINTS:.0f} points from it",
        "reasons_method": "score points lost if the feature group were a typical entity's "
        "(training medians), all else equal",
        "leads": rows,
        "notes": notes,
    }


def model_scores(
    store: Store, entity_ids: list[str], as_of: datetime | None = None
) -> dict[str, tuple[float, list[dict[str, Any]]]]:
    """Fresh (score 0-100, reasons) under the newest stored model for the entities of
    `entity_ids` that exist at `as_of` (default now) and have not converted; {} when no model
    is stored. Features use the entity, signup and conversion the model was trained with.
    Loads (unpickles) the model once per version: trust the store (see model.persist)."""
    ensure_model_tables(store)
    version = newest_model_version(store)
    if version is None or not entity_ids:
        return {}
    if version not in _LOADED:
        _LOADED[version] = load_model(store, version)
    stored = _LOADED[version]
    moment = as_of or datetime.now(UTC)
    spec = stored.spec
    matrix = unconverted_matrix(
        store, stored.project, moment, spec.window_days, list(spec.events), only=entity_ids
    )
    return {r["entity_id"]: (r["score"], r["reasons"]) for r in scored_rows(stored, matrix)}
