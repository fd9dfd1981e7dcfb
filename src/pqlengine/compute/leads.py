"""Open PQLs for sales: qualified, not converted, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pqlengine.compute.qualify import qualification, to_record
from pqlengine.config import Project
from pqlengine.store import Store


def open_leads(
    store: Store, project: Project, as_of: datetime, top: int | None = 20
) -> list[dict[str, Any]]:
    """The `top` most recently qualified open PQLs, each with the criteria met."""
    table = qualification(store, project, as_of)
    leads = table.filter(table.status == "pql").order_by(table.qualified_at.desc(), table.entity_id)
    if top is not None:
        leads = leads.limit(top)
    now = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
    rows = [to_record(row, project) for row in leads.to_pyarrow().to_pylist()]
    for row in rows:
        row["days_since_qualified"] = (now - row["qualified_at"]).total_seconds() / 86_400
    return rows
