"""Suggest a PQL definition: search k-of-m behaviour rules on earlier cohorts, judge on later.

The search replaces the definition's `criteria` and `qualify`; the gates it does not search
(`min_active_days`, `fit`) are applied while searching and kept when the suggestion is written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pqlengine.compute.behaviours import Behaviour
from pqlengine.compute.discovery import entity_measures
from pqlengine.compute.entities import as_of_literal, to_utc_naive
from pqlengine.compute.model_features import EntityMatrix, matured_matrix
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, require_yes_no
from pqlengine.config import (
    PROJECT_FILE,
    Project,
    load_project,
    replace_definition,
    semantic_json,
)
from pqlengine.stats.discovery import is_vanity
from pqlengine.stats.held_out import PairedTable, held_out_verdict
from pqlengine.stats.suggest import Atom, Feature, Objective, Rule, score, search, shortlist
from pqlengine.store import Store

SEARCHED = ("criteria", "qualify")  # the definition keys a suggestion replaces


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
    outcome: Outcome = CONVERTED,
) -> dict[str, Any]:
    """The best rule on training cohorts (gates applied), its scores there and on later
    cohorts, and the held-out verdict against the current definition and the base rate;
    against conversion, or a yes/no `outcome` such as retained_<D>."""
    require_yes_no(outcome, "suggest")
    events = candidate_events(store, project, as_of)
    matrix = matured_matrix(
        store, project, as_of, window_days, events, with_rule=True, outcome=outcome
    )
    if not matrix.entity_ids:
        raise ValueError("no entity has finished its window and conversion window at --as-of")
    if train_until is None:
        split_s = float(np.median(matrix.signup_epoch_s))
    else:
        split_s = train_until.replace(tzinfo=train_until.tzinfo or UTC).timestamp()
    train = matrix.signup_epoch_s < split_s
    test = ~train
    features, counts = measure_matrix(store, project, as_of, window_days, matrix, events)
    converted, eligible = matrix.converted, gate(project, matrix)
    atoms = shortlist(counts[train], converted[train], features, min_support)
    found = search(
        counts[train],
        converted[train],
        atoms,
        max_criteria,
        objective,
        min_support,
        eligible[train],
    )
    split = datetime.fromtimestamp(split_s, UTC)
    result: dict[str, Any] = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "window_days": window_days,
        "objective": objective,
        "outcome": matrix.population.to_json() if matrix.population else None,
        "train_until": to_utc_naive(split).isoformat() + "Z",
        "candidate_events": matrix.events,
        "shortlist": [_shortlisted(a) for a in atoms],
        "rule": None,
    }
    if found is None:
        result["reason"] = (
            "no rule of 2+ criteria reaches the minimum support on the training cohorts"
        )
        return result
    rule, train_scores = found
    predicted = eligible & rule.matches(counts)
    result["rule"] = {"definition": definition_of(rule, window_days, objective)}
    result["train"] = train_scores
    result["test"] = score(predicted[test], converted[test])
    result["verdict"] = verdict_on(matrix, predicted, test)
    return result


def measure_matrix(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    matrix: EntityMatrix,
    events: list[str],
) -> tuple[list[Feature], np.ndarray]:
    """The features a rule may use and their values per entity of `matrix` (its rows): the
    event counts, active days, and discovery's other measures (users, the longest run of
    days, sums of numeric and distinct counts of wide properties) over the allowed events."""
    allowed = set(events)
    behaviours, rows = entity_measures(store, project, as_of, window_days)
    kept = [i for i, b in enumerate(behaviours) if b.event is None or b.event in allowed]
    extra = np.zeros((len(matrix.entity_ids), len(kept)))
    row_of = {entity: i for i, entity in enumerate(matrix.entity_ids)}
    column_of = {index: j for j, index in enumerate(kept)}
    for row in rows:
        i, j = row_of.get(row["entity_id"]), column_of.get(row["behaviour"])
        if i is not None and j is not None:
            extra[i, j] = row["value"]
    features = [Feature("count", event) for event in matrix.events]
    features.append(Feature("active_days", None))
    features += [
        Feature(behaviours[i].kind, behaviours[i].event, behaviours[i].property) for i in kept
    ]
    values = np.column_stack([matrix.counts.astype(float), matrix.active_days.astype(float), extra])
    return features, values


def _behaviour(atom: Atom) -> Behaviour:
    return Behaviour(atom.kind, atom.event, atom.property)


def _shortlisted(atom: Atom) -> dict[str, Any]:
    """A shortlisted atom: its kind, event, property and threshold."""
    written = _behaviour(atom).criterion(atom.threshold)
    return {
        "kind": atom.kind,
        "event": atom.event,
        "property": atom.property,
        "at_least": written["at_least"],
    }


def gate(project: Project, matrix: EntityMatrix) -> np.ndarray:
    """Entities passing the definition's `fit` and `min_active_days` (needs `with_rule`)."""
    assert matrix.fit is not None
    passed = matrix.fit.copy()
    if project.definition.min_active_days is not None:
        passed &= matrix.active_days >= project.definition.min_active_days
    return passed


def verdict_on(matrix: EntityMatrix, predicted: np.ndarray, held_out: np.ndarray) -> dict[str, Any]:
    """The held-out verdict: `predicted` vs the current definition on the `held_out` rows."""
    assert matrix.rule_pql is not None
    table = PairedTable.of(
        predicted[held_out], matrix.rule_pql[held_out], matrix.converted[held_out]
    )
    return held_out_verdict(table)


def definition_of(rule: Rule, window_days: int, objective: str) -> dict[str, Any]:
    """The rule as a pql.yaml `definition:` block (criteria of any kind, within the window)."""
    criteria = [_behaviour(a).criterion(a.threshold, window_days) for a in rule.atoms]
    seen: set[str] = set()
    for criterion in criteria:  # an event named "Users" and kind users share a slug
        base, n = criterion["id"], 1
        while criterion["id"] in seen:
            n += 1
            criterion["id"] = f"{base}_{n}"
        seen.add(criterion["id"])
    qualify: Any = "all" if rule.k == len(rule.atoms) else {"at_least": rule.k}
    return {"name": f"suggested-{objective}", "criteria": criteria, "qualify": qualify}


def adopt_suggestion(store: Store, project: Project, suggested: dict[str, Any]) -> Path:
    """Make the suggestion pql.yaml's definition (a new version), replacing only the searched
    keys; the previous file is kept under .pql/definitions/ and both versions are recorded in
    the store."""
    assert project.root is not None
    updates = {key: suggested[key] for key in ("name", *SEARCHED)}
    store.record_definition(project.version, project.definition.name, semantic_json(project))
    backup = replace_definition(
        project.root / PROJECT_FILE, updates, project.root / ".pql" / "definitions"
    )
    adopted = load_project(project.root)
    store.record_definition(adopted.version, adopted.definition.name, semantic_json(adopted))
    return backup
