"""Suggest a PQL definition: search k-of-m behaviour rules on earlier cohorts, check on later."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pqlengine.compute.entities import as_of_literal, to_utc_naive
from pqlengine.compute.features import window_features
from pqlengine.config import (
    PROJECT_FILE,
    Project,
    load_project,
    replace_definition,
    semantic_json,
)
from pqlengine.stats.discovery import is_vanity
from pqlengine.stats.suggest import Objective, Rule, score, search, shortlist
from pqlengine.store import Store


def candidate_events(store: Store, project: Project, as_of: datetime) -> list[str]:
    """Event names worth using as criteria: not signup/conversion markers, not vanity."""
    events = store.table("events")
    names = events.filter(events.ts <= as_of_literal(as_of)).select("event").distinct()
    excluded = {project.signup.event, project.conversion.event}
    return sorted(n for n in names.event.execute() if n not in excluded and n and not is_vanity(n))


def suggest(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    max_criteria: int = 4,
    objective: Objective = "f1",
    train_until: datetime | None = None,
    min_support: int = 25,
) -> dict[str, Any]:
    """The best rule on training cohorts, with its scores there and on later cohorts."""
    events = candidate_events(store, project, as_of)
    features = window_features(store, project, as_of, window_days, events)
    if not features.entity_ids:
        raise ValueError("no entity has finished its window and conversion window at --as-of")
    if train_until is None:
        split_s = float(np.median(features.signup_epoch_s))
    else:
        split_s = train_until.replace(tzinfo=train_until.tzinfo or UTC).timestamp()
    train = features.signup_epoch_s < split_s
    test = ~train
    counts, converted = features.counts, features.converted
    atoms = shortlist(counts[train], converted[train], features.events, min_support)
    found = search(counts[train], converted[train], atoms, max_criteria, objective, min_support)
    split = datetime.fromtimestamp(split_s, UTC)
    result: dict[str, Any] = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "window_days": window_days,
        "objective": objective,
        "train_until": to_utc_naive(split).isoformat() + "Z",
        "candidate_events": features.events,
        "shortlist": [{"event": a.event, "at_least": a.threshold} for a in atoms],
        "rule": None,
    }
    if found is None:
        result["reason"] = (
            "no rule of 2+ criteria reaches the minimum support on the training cohorts"
        )
        return result
    rule, train_scores = found
    result["rule"] = {"definition": definition_of(rule, window_days, objective)}
    result["train"] = train_scores
    result["test"] = score(rule.matches(counts[test]), converted[test])
    return result


def _slug(event: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", event.lower()).strip("_") or "event"


def definition_of(rule: Rule, window_days: int, objective: str) -> dict[str, Any]:
    """The rule as a pql.yaml `definition:` block."""
    criteria = [
        {
            "id": _slug(a.event),
            "event": a.event,
            "at_least": a.threshold,
            "within_days": window_days,
        }
        for a in rule.atoms
    ]
    qualify: Any = "all" if rule.k == len(rule.atoms) else {"at_least": rule.k}
    return {"name": f"suggested-{objective}", "criteria": criteria, "qualify": qualify}


def adopt_suggestion(store: Store, project: Project, definition: dict[str, Any]) -> Path:
    """Make the suggestion pql.yaml's definition (a new version); the previous file is kept
    under .pql/definitions/ and both versions are recorded in the store."""
    assert project.root is not None
    store.record_definition(project.version, project.definition.name, semantic_json(project))
    backup = replace_definition(
        project.root / PROJECT_FILE, definition, project.root / ".pql" / "definitions"
    )
    adopted = load_project(project.root)
    store.record_definition(adopted.version, adopted.definition.name, semantic_json(adopted))
    return backup
