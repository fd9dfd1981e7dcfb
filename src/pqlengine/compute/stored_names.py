"""What the store holds of the names a definition uses: event names, the property keys and
values of events of a name, the traits of accounts or users, and how many events of a name
carry a non-numeric value where a `sum` reads a number. Grouped queries, one per question,
for `pql check` (compute/checks.py); they do not depend on as_of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute import compiled
from pqlengine.compute.discovery import bag_pairs
from pqlengine.compute.matching import Typed, canonical_text
from pqlengine.config import Scalar
from pqlengine.store import Store

# Values listed per (event, key) or attribute for did-you-mean: the most frequent ones (a
# key like a URL can take millions). Values equal to one the definition uses are always
# listed, so "no event has it" stays exact.
VALUES_LISTED = 500


@dataclass(frozen=True)
class PropertyUse:
    """A property `key` the definition reads on events named `event` (None: any event),
    with the values it must equal (empty: the key is read some other way)."""

    where: str
    event: str | None
    key: str
    options: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class AttributeUse:
    """A fit `where` key of the entity, with the values it must equal (empty: other)."""

    key: str
    options: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class SumUse:
    """A `sum` criterion's event name and numeric property."""

    event: str
    key: str


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
        tables = {"names": _event_names(store)}
        if properties:
            tables["properties"] = _property_values(store, properties)
        if sums:
            tables["sums"] = _sum_counts(store, sums)
        if attributes:
            tables["attributes"] = _attribute_values(store, entity_table, attributes)
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


def _event_names(store: Store) -> ir.Table:
    events = store.table("events")
    return events.group_by("event").agg(n=events.count())


def _property_values(store: Store, uses: list[PropertyUse]) -> ir.Table:
    """event, key, value: every property key of the events of the used names (of every
    event when a use names none); values only for the (event, key) pairs compared with
    values (else one row with a NULL value)."""
    events = store.table("events")
    scope = events.filter(events.properties.notnull())
    names = {use.event for use in uses}
    if None not in names:
        scope = scope.filter(scope.event.isin(sorted(n for n in names if n is not None)))
    pairs = bag_pairs(store, scope.select("event", "properties"), keep=("event",))
    compared = sorted({(u.event or "", u.event is None, u.key) for u in uses if u.options})
    tests = [
        pairs.key == key if any_name else (pairs.event == event) & (pairs.key == key)
        for event, any_name, key in compared
    ]
    value = ibis.null("string")
    if tests:
        value = ibis.ifelse(ibis.or_(*tests), pairs.value, ibis.null("string"))
    grouped = pairs.group_by(event=pairs.event, key=pairs.key, value=value).agg(n=pairs.count())
    return _most_common(grouped, ("event", "key"), [o for u in uses for o in u.options])


def _sum_counts(store: Store, uses: list[SumUse]) -> ir.Table:
    """One row: per use, the events of its name and those whose property is present but
    not a number (a JSON number or a string spelling one: what `sum` adds)."""
    events = store.table("events")
    scope = events.filter(events.event.isin(sorted({use.event for use in uses})))
    counts: dict[str, ir.Value] = {}
    for index, use in enumerate(uses):
        value = Typed.of_json(scope.properties, use.key)
        number = value.as_number()
        assert number is not None  # a JSON value can be a number
        named = scope.event == use.event
        counts[f"events_{index}"] = scope.count(where=named)
        counts[f"non_numeric_{index}"] = scope.count(where=named & ~value.missing & number.isnull())
    return scope.aggregate(**counts)


def _attribute_values(store: Store, table: str, uses: list[AttributeUse]) -> ir.Table:
    """key, value: every trait key of the entity table's rows, plus the values of the used
    keys compared with values (a column's values for a column, else the trait's)."""
    source = store.table(table)
    columns = {c for c in source.columns if c != "traits"}
    bags = source.filter(source.traits.notnull()).select(properties=source.traits)
    pairs = bag_pairs(store, bags, keep=())
    compared = {use.key for use in uses if use.options}
    traits = sorted(compared - columns)
    value = ibis.null("string")
    if traits:
        value = ibis.ifelse(pairs.key.isin(traits), pairs.value, ibis.null("string"))
    parts = [pairs.select(key=pairs.key, value=value)]
    for key in sorted(compared & columns):
        text = source[key].cast("string")
        parts.append(source.filter(text.notnull()).select(key=ibis.literal(key), value=text))
    rows = ibis.union(*parts) if len(parts) > 1 else parts[0]
    grouped = rows.group_by("key", "value").agg(n=rows.count())
    return _most_common(grouped, ("key",), [o for u in uses for o in u.options])


def _most_common(grouped: ir.Table, by: tuple[str, ...], options: list[Scalar]) -> ir.Table:
    """`by` and value of the VALUES_LISTED most frequent values per `by` group, plus every
    value that could equal an option (its text, or the same number spelled otherwise)."""
    order = [ibis.desc(grouped.n), grouped.value]
    ranked = grouped.mutate(rank=ibis.row_number().over(group_by=list(by), order_by=order))
    keep = ranked["rank"] < VALUES_LISTED
    texts = sorted({canonical_text(option) for option in options})
    if texts:
        keep = keep | ranked.value.isin(texts).fill_null(False)
    numbers = sorted({float(o) for o in options if _is_number(o)})
    if numbers:
        spelled = Typed.of_column(ranked.value).as_number()
        assert spelled is not None  # text can spell a number
        keep = keep | spelled.isin(numbers).fill_null(False)
    return ranked.filter(keep).select(*by, "value")


def _is_number(option: Scalar) -> bool:
    return isinstance(option, int | float) and not isinstance(option, bool)
