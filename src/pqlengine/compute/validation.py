"""Validate a definition on later cohorts: do PQLs convert more than non-PQLs?"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ibis

from pqlengine.compute.entities import as_of_literal, to_utc_naive
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project
from pqlengine.stats.discovery import is_vanity
from pqlengine.stats.validation import PeriodCounts, judge
from pqlengine.store import Store


def validate(
    store: Store, project: Project, as_of: datetime, train_until: datetime | None = None
) -> dict[str, Any]:
    """PQL vs non-PQL conversion for cohorts before and after `train_until` (default: the
    median signup of the entities that count, so both periods have half of them).

    Only entities whose observation and conversion windows are over at `as_of` count.
    Outcome: converted within observation_days + conversion_window_days of signup.
    """
    table = qualification(store, project, as_of)
    observation = ibis.interval(days=project.observation_days)
    horizon = ibis.interval(days=project.observation_days + project.conversion_window_days)
    ready = table.filter(table.signup_at + horizon <= as_of_literal(as_of))
    if train_until is None:
        median = ready.signup_at.epoch_seconds().median().execute()
        if median is None:
            raise ValueError(
                "no entity has finished its observation and conversion windows at --as-of"
            )
        train_until = datetime.fromtimestamp(float(median), UTC)
    split = ibis.literal(to_utc_naive(train_until), type="timestamp")
    is_pql = ready.qualified_at.notnull() & (ready.qualified_at <= ready.signup_at + observation)
    converted = ready.converted_at.notnull() & (ready.converted_at <= ready.signup_at + horizon)
    labelled = ready.mutate(
        period=ibis.ifelse(ready.signup_at < split, "train", "test"),
        is_pql=is_pql,
        converted=converted,
    )
    rows = (
        labelled.group_by("period", "is_pql")
        .agg(entities=labelled.count(), converted=labelled.converted.sum())
        .to_pyarrow()
        .to_pylist()
    )
    periods: dict[str, PeriodCounts] = {}
    for name in ("train", "test"):
        cells = {bool(r["is_pql"]): r for r in rows if r["period"] == name}
        periods[name] = PeriodCounts(
            pql_converted=int((cells.get(True) or {}).get("converted") or 0),
            pqls=int((cells.get(True) or {}).get("entities") or 0),
            other_converted=int((cells.get(False) or {}).get("converted") or 0),
            others=int((cells.get(False) or {}).get("entities") or 0),
        )
    return {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "train_until": to_utc_naive(train_until).isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "outcome": (
            f"converted within {project.observation_days} + {project.conversion_window_days} "
            "days of signup; entities whose windows are not over are left out"
        ),
        **{name: judge(counts) for name, counts in periods.items()},
        "warnings": single_click_warnings(project),
    }


def single_click_warnings(project: Project) -> list[str]:
    """Criteria that count page views, logins or clicks: activity, not intent."""
    return [
        f"criterion '{c.id}' counts '{c.event}', a page view / login / click: that measures "
        "activity volume, not a key action"
        for c in project.definition.criteria
        if is_vanity(c.event)
    ]
