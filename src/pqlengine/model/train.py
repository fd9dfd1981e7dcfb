"""`pql model train`: fit the calibrated model on earlier cohorts, compare it with the rule
and a volume-only baseline on later ones, refit on every matured cohort and store it.

Population and outcome are discovery's: entities whose `window_days` and conversion window
are over at `as_of`, minus those who converted inside the window; outcome = converted after
the window, within the conversion window. Features only look inside the window (no leakage).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from pqlengine.compute.entities import to_utc_naive
from pqlengine.compute.model_features import EntityMatrix, matured_matrix, model_events
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, require_yes_no
from pqlengine.config import Project
from pqlengine.model.drift import reference_bins
from pqlengine.model.estimator import PQLScoreModel, RuleBaseline, VolumeBaseline
from pqlengine.model.features import design, spec_for, typical_row
from pqlengine.model.insufficient import InsufficientData
from pqlengine.model.metrics import flagged_like, score_report
from pqlengine.model.persist import save_model
from pqlengine.store import Store

MAX_EVENT_FEATURES = 30
MIN_CONVERSIONS = 20  # per period, to fit on one and measure on the other


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with Z."""
    return to_utc_naive(moment).isoformat() + "Z"


def time_split(
    signup_epoch_s: np.ndarray, train_until: datetime | None
) -> tuple[np.ndarray, datetime]:
    """(train mask, split instant): train = signed up before `train_until`, by default the
    median signup of the entities (the split `pql suggest` uses)."""
    if signup_epoch_s.size == 0:
        raise InsufficientData(
            "no_population", "no entity has finished its window and conversion window at --as-of"
        )
    if train_until is None:
        split_s = float(np.median(signup_epoch_s))
    else:
        split_s = train_until.replace(tzinfo=train_until.tzinfo or UTC).timestamp()
    return signup_epoch_s < split_s, datetime.fromtimestamp(split_s, UTC)


def split_population(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    train_until: datetime | None,
    outcome: Outcome = CONVERTED,
) -> tuple[EntityMatrix, np.ndarray, datetime]:
    """The matured population (with the rule's verdict), its train mask and split instant;
    raises when a period lacks conversions or non-conversions (of `outcome`)."""
    matrix = matured_matrix(
        store, project, as_of, window_days, events, with_rule=True, outcome=outcome
    )
    train_rows, split = time_split(matrix.signup_epoch_s, train_until)
    check_periods(matrix.converted, train_rows, split)
    return matrix, train_rows, split


def check_periods(converted: np.ndarray, train: np.ndarray, split: datetime) -> None:
    """Both periods need conversions and non-conversions to fit and to measure; raises
    InsufficientData naming what is missing."""
    for name, rows in (("before", train), ("from", ~train)):
        hits, n = int(converted[rows].sum()), int(rows.sum())
        if n == 0:
            raise InsufficientData(
                "too_few_cohorts",
                f"no entity signed up {name} {iso(split)}: a time split needs cohorts on both "
                "sides (move --train-until or --as-of)",
            )
        if hits < MIN_CONVERSIONS or n - hits < MIN_CONVERSIONS:
            raise InsufficientData(
                "too_few_conversions" if hits < MIN_CONVERSIONS else "too_few_non_conversions",
                f"cohorts signing up {name} {iso(split)}: {n} entities, {hits} converted; "
                f"need at least {MIN_CONVERSIONS} converted and {MIN_CONVERSIONS} not "
                "(move --train-until or --as-of)",
            )


def train(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    train_until: datetime | None = None,
    refit: bool = True,
    outcome: Outcome = CONVERTED,
) -> dict[str, Any]:
    """Train, validate on later cohorts, store; the result in the documented shape. With a
    yes/no `outcome` other than converted (retained_<D>) the model predicts that outcome
    among its population, and `outcome` in the stored result says so."""
    require_yes_no(outcome, "model train")
    events = model_events(store, project, as_of, MAX_EVENT_FEATURES)
    matrix, train_rows, split = split_population(
        store, project, as_of, window_days, events, train_until, outcome
    )
    converted = matrix.converted
    test_rows = ~train_rows
    spec = spec_for(matrix, window_days, project.entity)
    features = design(matrix, spec)
    model = PQLScoreModel().fit(features[train_rows], converted[train_rows], spec.categorical)
    scores = _held_out_scores(matrix, features, model, train_rows)
    validation = {name: score_report(converted[test_rows], p) for name, p in scores.items()}
    rule_count = int(matrix.rule_pql[test_rows].sum()) if matrix.rule_pql is not None else 0
    at_rule = {
        name: flagged_like(converted[test_rows], p, rule_count) for name, p in scores.items()
    }
    final, fitted_on = model, train_rows
    if refit:
        fitted_on = np.ones(len(matrix), dtype=bool)
        final = PQLScoreModel(calibration=model.calibration_, params=model.params_).fit(
            features, converted, spec.categorical
        )
    result: dict[str, Any] = {
        "as_of": iso(as_of),
        "window_days": window_days,
        "conversion_window_days": project.conversion_window_days,
        "train_until": iso(split),
        "definition": {"name": project.definition.name, "version": project.version},
        "population": (
            f"entities whose first {window_days} days and {project.conversion_window_days}-day "
            "conversion window are over, minus those converted inside the window; outcome: "
            "converted after the window, within the conversion window"
            if outcome.kind == "converted"
            else outcome.describe("converting after the window, within the conversion window")
        ),
        "outcome": matrix.population.to_json() if matrix.population else None,
        "features": spec.names,
        "train": _period(converted[train_rows]),
        "test": _period(converted[test_rows]),
        "model": model.summary(),
        "validation": validation,
        "at_rule_pql_count": {"flagged": rule_count, **at_rule},
        "comparison": _comparison(validation, at_rule),
        "final_model": {
            "fitted_on": "every matured entity (train and test cohorts)"
            if refit
            else "the training cohorts only",
            "entities": int(fitted_on.sum()),
            "conversions": int(converted[fitted_on].sum()),
            "calibration": final.calibration_,
        },
    }
    reference = {
        "typical": _jsonable(typical_row(features[fitted_on], spec)),
        "bins": reference_bins(features[fitted_on], spec),
    }
    data_until = datetime.fromtimestamp(float(matrix.signup_epoch_s[fitted_on].max()), UTC)
    result["version"] = save_model(
        store, final, spec, project, as_of, split, data_until, result, reference
    )
    return result


def _held_out_scores(
    matrix: EntityMatrix, features: np.ndarray, model: PQLScoreModel, train_rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Each score's probabilities on the test cohorts, every one fitted on the train ones."""
    test_rows = ~train_rows
    converted = matrix.converted
    assert matrix.rule_pql is not None
    rule = RuleBaseline().fit(matrix.rule_pql[train_rows], converted[train_rows])
    volume = VolumeBaseline().fit(matrix.event_count[train_rows], converted[train_rows])
    return {
        "model": model.predict_proba(features[test_rows]),
        "rule": rule.predict_proba(matrix.rule_pql[test_rows]),
        "volume_only": volume.predict_proba(matrix.event_count[test_rows]),
    }


def _period(converted: np.ndarray) -> dict[str, Any]:
    n, hits = int(converted.size), int(converted.sum())
    return {"entities": n, "conversions": hits, "base_rate": hits / n if n else None}


def _comparison(
    validation: dict[str, dict[str, Any]], at_rule: dict[str, dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """One row per score for the table: the headline metrics side by side."""
    labels = {
        "model": "model (calibrated boosted trees)",
        "rule": "current rule (PQL in window: 0/1)",
        "volume_only": "volume only (logistic on log events)",
    }
    rows = []
    for name, report in validation.items():
        top = report["deciles"][0] if report["deciles"] else {}
        same = at_rule.get(name) or {}
        rows.append(
            {
                "score": labels[name],
                "roc_auc": report["roc_auc"],
                "pr_auc": report["pr_auc"],
                "brier": report["brier"],
                "ece": report["ece"],
                "top_decile_precision": top.get("precision"),
                "top_decile_lift": top.get("lift"),
                "precision_at_rule_count": same.get("precision"),
                "recall_at_rule_count": same.get("recall"),
            }
        )
    return rows


def _jsonable(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values]
