"""The grouped queries of `stored_names`: one per question, over every backend."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from pqlengine.compute.bags import bag_pairs
from pqlengine.compute.matching import Typed
from pqlengine.compute.uses import AttributeUse, PropertyUse, SumUse
from pqlengine.compute.where_values import canonical_text
from pqlengine.config import Scalar
from pqlengine.store import Store

# Values listed per (event, key) or attribute for did-you-mean: the most frequent ones (a
# key like a URL can take millions). Values equal to one the definition uses are always
# listed, so "no event has it" stays exact.
VALUES_LISTED = 500


def event_names(store: Store) -> ir.Table:
    """event, n: every stored event name with its number of events."""
    events = store.table("events")
    return events.group_by("event").agg(n=events.count())


def property_values(store: Store, uses: list[PropertyUse]) -> ir.Table:
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


def sum_counts(store: Store, uses: list[SumUse]) -> ir.Table:
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


def attribute_values(store: Store, table: str, uses: list[AttributeUse]) -> ir.Table:
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
