"""What every criterion kind shares: the scan it reads, its matching events, and the
first instant at which a running total of items reaches a threshold (docs/semantics.md,
"Criteria")."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from pqlengine.compute.matching import Typed, event_where, is_operator, json_matches, plain
from pqlengine.config import RULE_TOLERANCE, WhereValue
from pqlengine.store import Capabilities


def window_length(days: float) -> ir.IntervalScalar:
    """`days` rounded to the microsecond, as an interval in the coarsest unit that holds it
    exactly (same instant everywhere; ClickHouse has no sub-second intervals)."""
    microseconds = round(days * 86_400_000_000)
    if microseconds % 86_400_000_000 == 0:
        return ibis.interval(days=microseconds // 86_400_000_000)
    if microseconds % 1_000_000 == 0:
        return ibis.interval(seconds=microseconds // 1_000_000)
    return ibis.interval(microseconds=microseconds)


def where_tests(
    table: ir.Table, where: dict[str, WhereValue] | None, can: Capabilities
) -> list[ir.BooleanValue]:
    """One row test per `where` entry (False where it does not match)."""
    tests = []
    for key, spec in (where or {}).items():
        if is_operator(spec):
            value = Typed.of_json(table.properties, key)
            tests.append(event_where(value, spec, can.text_order_needs_bytes))  # type: ignore[arg-type]
        else:
            tests.append(json_matches(table.properties, key, plain(spec), can.duckdb_functions))
    return tests


def matching_tests(
    table: ir.Table,
    event: str | None,
    where: dict[str, WhereValue] | None,
    within_days: float | None,
    can: Capabilities,
) -> list[ir.BooleanValue]:
    """The row tests of matching events (name first) over events after signup and before
    conversion (`table` has ts, signup_at, event and, with `where`, properties)."""
    tests: list[ir.BooleanValue] = []
    if event is not None:
        tests.append(table.event == event)
    if within_days is not None:
        tests.append(table.ts < table.signup_at + window_length(within_days))
    return tests + where_tests(table, where, can)


def short_circuit(tests: list[ir.BooleanValue]) -> ir.BooleanValue:
    """The tests as one filter that evaluates the rest only where the first holds: a plain
    AND would evaluate every part on every row of an aggregate's input, and parsing the
    properties of every event is most of a scan's cost on DuckDB."""
    if not tests:
        return ibis.literal(True)
    first, *rest = tests
    return first if not rest else ibis.ifelse(first, ibis.and_(*rest), False)


@ibis.udf.agg.builtin(name="min")
def _smallest(arg: dt.timestamp, n: dt.int64) -> dt.Array(dt.timestamp):  # type: ignore[valid-type]
    """DuckDB's min(arg, n): the n smallest values of arg, ascending."""


def nth_smallest(
    value: ir.TimestampColumn, n: int, where: ir.BooleanValue | None, can: Capabilities
) -> ir.TimestampScalar | None:
    """The n-th smallest `value` (rows where `where`) as one aggregate, or None when the
    backend needs a window for it. n = 1 is `min` everywhere; otherwise DuckDB's
    `min(value, n)[n]`, which keeps n values per group instead of sorting every row."""
    if n == 1:
        return value.min(where=where)
    if not can.duckdb_functions:
        return None
    return _smallest(value, n, where=where)[n - 1]


def nth_first(items: ir.Table, n: int, can: Capabilities, name: str) -> ir.Table:
    """s_id and `name`: per entity of `items` (entity_id, first_ts: each item's first
    occurrence), the n-th smallest first_ts (the instant n unit items are present)."""
    nth = nth_smallest(items.first_ts, n, None, can)
    if nth is None:
        ordered = items.mutate(
            position=ibis.row_number().over(group_by="entity_id", order_by="first_ts")
        )
        nth = ordered.first_ts.min(where=ordered.position == n - 1)
        items = ordered
    return items.group_by(s_id=items.entity_id).agg(**{name: nth})


def running(items: ir.Table) -> ir.Table:
    """Per entity and instant of `items` (entity_id, ts, weight): entity_id, ts and
    `present`, the summed weight of the items occurring at or before ts (ties included)."""
    at = items.group_by("entity_id", "ts").agg(weight=items.weight.sum())
    window = ibis.window(group_by="entity_id", order_by="ts", rows=(None, 0))
    return at.mutate(present=at.weight.sum().over(window)).drop("weight")


def first_reaching(items: ir.Table, at_least: float, name: str) -> ir.Table:
    """s_id and `name`: per entity, the first instant at which the running weight of
    `items` (entity_id, ts, weight) is >= at_least (docs: tolerance 1e-9)."""
    totals = running(items)
    reached = totals.present >= at_least - RULE_TOLERANCE
    return totals.group_by(s_id=totals.entity_id).agg(**{name: totals.ts.min(where=reached)})


def present_weight(items: ir.Table) -> ir.Table:
    """p_id, value: per entity, the summed weight of its `items` (a counting kind's progress)."""
    return items.group_by(p_id=items.entity_id).agg(value=items.weight.sum())


def unit_weight() -> ir.FloatingScalar:
    """The weight 1 of an item, as a double on every backend: Ibis writes the literal 1.0
    plainly, which PostgreSQL types as numeric, and a numeric sum comes back as a Decimal
    that a float64 result refuses."""
    return ibis.literal(1).cast("float64")


def keep(table: ir.Table, tests: list[ir.BooleanValue]) -> ir.Table:
    """The rows of `table` passing every test (all of them without tests)."""
    return table.filter(tests) if tests else table
