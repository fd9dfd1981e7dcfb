"""Checks of a definition against the data in the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pqlengine.compute import compiled
from pqlengine.config import Project
from pqlengine.store import Store

if TYPE_CHECKING:
    import ibis.expr.types as ir


def definition_warnings(store: Store, project: Project) -> list[str]:
    """Things in pql.yaml that the stored data makes suspicious (never errors)."""
    names = {n for c in project.definition.criteria for n in (c.event_names or [])}
    names |= {n for n in (project.signup.event, project.conversion.event) if n is not None}
    wanted = sorted(names)

    def queries() -> dict[str, ir.Expr]:
        events = store.table("events")
        matching = events.filter(events.event.isin(wanted)).select("event").distinct()
        return {"events": events.count().name("n"), "seen": matching.event}

    found = compiled.values(store, {"query": "check", "events": wanted}, queries)
    if found["events"][0] == 0:
        return ["the store has no events yet (run `pql ingest`)"]
    seen = set(found["seen"])
    warnings = []
    for criterion in project.definition.criteria:
        for event_name in criterion.event_names or []:
            if event_name not in seen:
                warnings.append(
                    f"criterion '{criterion.id}': no event named '{event_name}' in the store"
                )
    for label, name in (("signup", project.signup.event), ("conversion", project.conversion.event)):
        if name is not None and name not in seen:
            warnings.append(f"{label}: no event named '{name}' in the store")
    return warnings
