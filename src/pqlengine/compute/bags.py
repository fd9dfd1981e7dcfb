"""The properties (or traits) of rows as key/value rows, on every backend: a JSON column
(DuckDB), jsonb (PostgreSQL) or JSON kept as text (PySpark)."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from pqlengine.store import Store


@ibis.udf.scalar.builtin(name="json_object_keys")
def _pg_keys(bag: dt.json) -> str:  # type: ignore[empty-body]
    """PostgreSQL: the keys of a JSON object, one row each (a set-returning function)."""


@ibis.udf.scalar.builtin(name="json_extract_path_text")
def _pg_text(bag: dt.json, key: str) -> str:  # type: ignore[empty-body]
    """PostgreSQL: `bag[key]` as text (strings unquoted, other values as JSON)."""


@ibis.udf.scalar.builtin(name="from_json")
def _spark_map(bag: str, schema: str) -> dt.Map(dt.string, dt.string):  # type: ignore[valid-type]
    """Spark: a JSON object as a map of text (strings unquoted, other values as JSON)."""


def bag_pairs(
    store: Store, inside: ir.Table, keep: tuple[str, ...] = ("entity_id", "event")
) -> ir.Table:
    """`keep` columns, key, value: one row per property of every row of `inside` (its JSON
    `properties`), the value as text (strings without quotes, other values as JSON)."""
    props = inside.properties
    if store.backend == "postgres":
        # Ibis cannot turn JSON into a map there; a set-returning function in the SELECT
        # list expands each event into one row per key.
        bag = props.cast("json")
        keyed = inside.select(*keep, bag=bag, key=_pg_keys(bag))
        return keyed.select(*keep, "key", value=_pg_text(keyed.bag, keyed.key))
    if store.backend == "pyspark":  # JSON is text there
        text = props if props.type().is_string() else props.cast("string")
        mapped = _spark_map(text, "map<string,string>")
        # Two explodes in one SELECT pair every key with every value there: explode the keys,
        # then look each one up.
        keyed = inside.select(*keep, bag=mapped, key=mapped.keys().unnest())
        return keyed.select(*keep, "key", value=keyed.bag[keyed.key])
    bag = props.map
    pairs = inside.select(*keep, key=bag.keys().unnest(), raw=bag.values().unnest())
    return pairs.select(*keep, "key", value=ibis.coalesce(pairs.raw.str, pairs.raw.cast("string")))
