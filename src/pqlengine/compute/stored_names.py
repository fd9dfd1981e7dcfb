"""What the store holds of the names a definition uses: event names, the property keys and
values of events of a name, the traits of accounts or users, and how many events of a name
carry a non-numeric value where a `sum` reads a number; for `pql check`
(compute/checks.py). The grouped queries are in stored_queries.py; none depends on as_of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pqlengine.compute import compiled
from pqlengine.compute.uses import AttributeUse, PropertyUse, SumUse
from pqlengine.config import Scalar
from pqlengine.store import Store

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass
class Stored:
    """The answers: what the store holds of what the definition names."""

    event_counts: dict[str, int] = field(default_factory=dict)
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    values: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    sums: dict[SumUse, tuple[int, int]] = field(default_factory=dict)  # events, non-numeric
    attribute_keys: set[str] = field(default_factory=set)  # trait keys
    attribute_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def total_events(self) -> int:
        return sum(self.event_counts.values())


def stored(
    store: Store,
    properties: list[PropertyUse],
    sums: list[SumUse],
    attributes: list[AttributeUse],
    entity_table: str,
) -> Stored:
    """Run the grouped queries the uses need (cached SQL on our DuckDB store)."""

    def build() -> dict[str, ir.Table]:
        # Imported here: a check answered from cached SQL never imports Ibis.
        from pqlengine.compute import stored_queries as queries

        tables = {"names": queries.event_names(store)}
        if properties:
            tables["properties"] = queries.property_values(store, properties)
        if sums:
            tables["sums"] = queries.sum_counts(store, sums)
        if attributes:
            tables["attributes"] = queries.attribute_values(store, entity_table, attributes)
        return tables

    parts = {
        "query": "check",
        "properties": [[u.event, u.key, _json_options(u.options)] for u in properties],
        "sums": [[u.event, u.key] for u in sums],
        "attributes": [[u.key, _json_options(u.options)] for u in attributes],
        "entity_table": entity_table,
    }
    found = compiled.table_rows(store, parts, build)
    out = Stored()
    for row in found["names"]:
        if row["event"] is not None:
            out.event_counts[row["event"]] = int(row["n"])
    for row in found.get("properties", []):
        out.keys[row["event"]].add(row["key"])
        if row["value"] is not None:
            out.values[(row["event"], row["key"])].add(row["value"])
    for row in found.get("sums", []):
        for index, use in enumerate(sums):
            out.sums[use] = (int(row[f"events_{index}"]), int(row[f"non_numeric_{index}"]))
    for row in found.get("attributes", []):
        out.attribute_keys.add(row["key"])
        if row["value"] is not None:
            out.attribute_values[row["key"]].add(row["value"])
    return out


def _json_options(options: tuple[Scalar, ...]) -> list[list[Any]]:
    """Options with their type (1 and True are equal in JSON's eyes, not in ours)."""
    return [[type(option).__name__, option] for option in options]
