"""PQLs for sales: open ones (or lapsed ones), not converted, newest first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pqlengine.compute.activity import last_seen
from pqlengine.compute.qualify import qualified_rows, to_records
from pqlengine.config import Project
from pqlengine.store import Store

LEAD_STATUSES = ("pql", "lapsed")


def open_leads(
    store: Store, project: Project, as_of: datetime, top: int | None = 20, status: str = "pql"
) -> list[dict[str, Any]]:
    """The `top` newest open PQLs (status `pql`, by the start of their open episode) or
    lapsed ones (`lapsed`, by their lapse), each with the criteria met and when it was last
    seen (days_since_qualified and days_since_seen in days; None without events)."""
    if status not in LEAD_STATUSES:
        raise ValueError(f"leads are {' or '.join(LEAD_STATUSES)}, not '{status}'")
    # Last seen of these leads only: for every entity it is a pass over every event.
    leads = qualified_rows(
        store, project, as_of, status=status, newest_first=True, limit=top, seen=False
    )
    now = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
    rows = to_records(leads, project)
    seen = {}
    if rows:
        found = last_seen(store, project, as_of, [row["entity_id"] for row in rows])
        if store.is_duckdb:  # without Ibis' result conversion (it imports pandas)
            seen = dict(store.raw.execute(str(store.con.compile(found))).fetchall())
        else:
            seen = {r["l_id"]: r["last_seen_at"] for r in found.to_pyarrow().to_pylist()}
    for row in rows:
        moment = seen.get(row["entity_id"])
        row["last_seen_at"] = None if moment is None else moment.replace(tzinfo=UTC)
        row["days_since_qualified"] = _days(now, row["qualified_at"])
        row["days_since_seen"] = _days(now, row["last_seen_at"])
    _add_model_scores(store, rows)
    return rows


def _days(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else (now - then).total_seconds() / 86_400


# Written by `pql model score` (pqlengine.model.persist); read here, not imported from there,
# because compute does not depend on model.
SCORES_TABLE = "lead_scores"


def _add_model_scores(store: Store, rows: list[dict[str, Any]]) -> None:
    """`score` (0-100) and `reasons` from the latest `pql model score` run, when there is one
    (None and [] for leads it did not score)."""
    if not rows or not store.has_table(SCORES_TABLE):
        return
    scores = store.table(SCORES_TABLE)
    if int(store.values(scores.count())[0]) == 0:
        return
    latest = scores.filter(scores.scored_at == scores.scored_at.max())
    wanted = latest.filter(latest.entity_id.isin([row["entity_id"] for row in rows]))
    found = {
        r["entity_id"]: r
        for r in wanted.select("entity_id", "score", "reasons").to_pyarrow().to_pylist()
    }
    for row in rows:
        hit = found.get(row["entity_id"])
        reasons = hit["reasons"] if hit else None
        row["score"] = hit["score"] if hit else None
        row["reasons"] = json.loads(reasons) if isinstance(reasons, str) else reasons or []
