"""Checks of a definition against the data in the store."""

from __future__ import annotations

from pqlengine.config import Project
from pqlengine.store import Store


def definition_warnings(store: Store, project: Project) -> list[str]:
    """Things in pql.yaml that the stored data makes suspicious (never errors)."""
    events = store.table("events")
    if store.count("events") == 0:
        return ["the store has no events yet (run `pql ingest`)"]
    names = {c.event for c in project.definition.criteria}
    names |= {n for n in (project.signup.event, project.conversion.event) if n is not None}
    matching = events.filter(events.event.isin(sorted(names))).select("event").distinct()
    seen = set(store.values(matching.event))
    warnings = []
    for criterion in project.definition.criteria:
        if criterion.event not in seen:
            warnings.append(
                f"criterion '{criterion.id}': no event named '{criterion.event}' in the store"
            )
    for label, name in (("signup", project.signup.event), ("conversion", project.conversion.event)):
        if name is not None and name not in seen:
            warnings.append(f"{label}: no event named '{name}' in the store")
    return warnings
