"""Re-baselining: two definitions replayed over the same history and as_of."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from pqlengine.compute.metrics import Period, compute_metrics
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project, load_project
from pqlengine.store import Store

METRIC_FIELDS = ("signups", "pqls", "pql_rate", "time_to_pql_days", "converted_pqls", "pql_to_paid")


def compare(
    store: Store,
    old: Project,
    new: Project,
    as_of: datetime,
    period: Period = "month",
    examples: int = 10,
) -> dict[str, Any]:
    """Side-by-side cohort metrics and PQL counts, plus who moves in or out."""
    # Each definition is qualified once and reused for its metrics and for the movement.
    old_table = qualification(store, old, as_of).cache()
    new_table = qualification(store, new, as_of).cache()
    try:
        return _compare(store, old, new, as_of, period, examples, old_table, new_table)
    finally:
        old_table.release()
        new_table.release()


def _compare(
    store: Store,
    old: Project,
    new: Project,
    as_of: datetime,
    period: Period,
    examples: int,
    old_table: ir.Table,
    new_table: ir.Table,
) -> dict[str, Any]:
    before = compute_metrics(store, old, as_of, period, qualified=old_table)
    after = compute_metrics(store, new, as_of, period, qualified=new_table)
    cohorts = sorted(
        {c["cohort"] for c in before["cohorts"]} | {c["cohort"] for c in after["cohorts"]}
    )
    old_rows = {c["cohort"]: c for c in before["cohorts"]}
    new_rows = {c["cohort"]: c for c in after["cohorts"]}
    side_by_side = [
        {
            "cohort": cohort,
            "complete": (old_rows.get(cohort) or new_rows.get(cohort) or {}).get("complete"),
            "old": {k: (old_rows.get(cohort) or {}).get(k) for k in METRIC_FIELDS},
            "new": {k: (new_rows.get(cohort) or {}).get(k) for k in METRIC_FIELDS},
        }
        for cohort in cohorts
    ]
    # PQLs per period (the pipeline also lists periods where only conversions happen).
    counts_old = {p["period"]: p["pqls"] for p in before["pql_count_by_period"] if p["pqls"]}
    counts_new = {p["period"]: p["pqls"] for p in after["pql_count_by_period"] if p["pqls"]}
    periods = sorted(set(counts_old) | set(counts_new))
    return {
        "as_of": before["as_of"],
        "period": period,
        "old": before["definition"],
        "new": after["definition"],
        "cohorts": side_by_side,
        "overall": {
            "old": {k: before["overall"][k] for k in METRIC_FIELDS},
            "new": {k: after["overall"][k] for k in METRIC_FIELDS},
        },
        "pql_count_by_period": [
            {"period": p, "old": counts_old.get(p, 0), "new": counts_new.get(p, 0)} for p in periods
        ],
        "movement": _movement(old_table, new_table, examples),
    }


def _movement(old_table: ir.Table, new_table: ir.Table, examples: int) -> dict[str, Any]:
    """Entities qualified (qualified_at set) under one definition and not the other."""
    a = old_table.select(a_id="entity_id", a_pql=old_table.qualified_at.notnull())
    b = new_table.select(b_id="entity_id", b_pql=new_table.qualified_at.notnull())
    joined = a.outer_join(b, a.a_id == b.b_id)
    labelled = joined.select(
        entity_id=joined.a_id.fill_null(joined.b_id),
        old_pql=joined.a_pql.fill_null(False),
        new_pql=joined.b_pql.fill_null(False),
    ).cache()
    try:
        summary = (
            labelled.aggregate(
                both=(labelled.old_pql & labelled.new_pql).sum(),
                only_old=(labelled.old_pql & ~labelled.new_pql).sum(),
                only_new=(~labelled.old_pql & labelled.new_pql).sum(),
            )
            .to_pyarrow()
            .to_pylist()[0]
        )
        moved_out = labelled.filter(labelled.old_pql & ~labelled.new_pql).order_by("entity_id")
        moved_in = labelled.filter(~labelled.old_pql & labelled.new_pql).order_by("entity_id")
        return {
            "pql_in_both": int(summary["both"] or 0),
            "left": int(summary["only_old"] or 0),
            "entered": int(summary["only_new"] or 0),
            "left_examples": list(moved_out.limit(examples).entity_id.execute()),
            "entered_examples": list(moved_in.limit(examples).entity_id.execute()),
        }
    finally:
        labelled.release()


def resolve_definition(store: Store, project: Project, ref: str) -> Project:
    """A pql.yaml path, or a stored definition version (hash) replayed with this project."""
    path = Path(ref)
    if path.exists():
        return load_project(path)
    if project.root is not None:
        kept = project.root / ".pql" / "definitions" / f"{ref}.yaml"
        if kept.exists():
            return load_project(kept)
    stored = store.definition_json(ref)
    if stored is None:
        known = ", ".join(d["version"] for d in store.definitions()) or "none yet"
        raise ValueError(f"'{ref}' is neither a file nor a stored definition version ({known})")
    data = project.model_dump(mode="json", exclude={"root"}, exclude_none=True)
    data.update(json.loads(stored))
    return Project.from_dict(data)
