"""Compare engine output with the oracle, reporting every differing field at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.reference.maths import to_naive_utc

QUALIFY_FIELDS = (
    "signup_at",
    "converted_at",
    "rule_satisfied_at",
    "active_days_satisfied_at",
    "active_days",
    "criteria",
    "fit",
    "qualified_at",
    "status",
)
# What issue 17 adds to a qualification record (docs/semantics.md, "Lifecycle").
LIFECYCLE_FIELDS = (*QUALIFY_FIELDS, "pql_since", "lapsed_at", "episodes", "last_seen_at")
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-9


def normalised(value: Any) -> Any:
    """Datetimes as naive UTC, recursively through dicts, lists and tuples."""
    if isinstance(value, datetime):
        return to_naive_utc(value)
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    return value


def keyed_by_entity(rows: list[dict[str, Any]] | dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Qualification rows keyed by entity_id, datetimes normalised."""
    listed = rows.values() if isinstance(rows, dict) else rows
    return {row["entity_id"]: normalised(row) for row in listed}


def qualify_differences(
    engine: Any, oracle: Any, fields: tuple[str, ...] = QUALIFY_FIELDS
) -> list[str]:
    """Human-readable differences between engine and oracle qualification rows, over
    `fields` (a field the engine row lacks is a difference, not a None)."""
    got, want = keyed_by_entity(engine), keyed_by_entity(oracle)
    problems = []
    if set(got) != set(want):
        problems.append(
            f"entity ids: engine only {sorted(set(got) - set(want))}, "
            f"oracle only {sorted(set(want) - set(got))}"
        )
    for entity_id in sorted(set(got) & set(want)):
        for name in fields:
            if name not in got[entity_id]:
                problems.append(f"{entity_id}.{name}: missing in engine row")
            elif got[entity_id][name] != want[entity_id][name]:
                problems.append(
                    f"{entity_id}.{name}: engine {got[entity_id].get(name)!r} "
                    f"!= oracle {want[entity_id][name]!r}"
                )
    return problems


def close_differences(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Differences of `actual` from `expected` (only keys `expected` has; floats approx)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: engine {actual!r} is not a mapping"]
        problems = []
        for key, want in expected.items():
            if key == "notes":
                got_fields = sorted(n["field"] for n in actual.get("notes", []))
                want_fields = sorted(n["field"] for n in want)
                if got_fields != want_fields:
                    problems.append(f"{path}.notes fields: {got_fields} != {want_fields}")
                continue
            if key not in actual:
                problems.append(f"{path}.{key}: missing in engine output")
                continue
            problems += close_differences(actual[key], want, f"{path}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list | tuple) or len(actual) != len(expected):
            return [f"{path}: engine {actual!r} != oracle {expected!r}"]
        problems = []
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            problems += close_differences(got, want, f"{path}[{index}]")
        return problems
    if isinstance(expected, float) and not isinstance(actual, bool):
        if isinstance(actual, int | float) and actual == pytest.approx(
            expected, rel=REL_TOLERANCE, abs=ABS_TOLERANCE
        ):
            return []
        return [f"{path}: engine {actual!r} != oracle {expected!r}"]
    if isinstance(expected, bool) or expected is None or isinstance(actual, bool):
        same = actual is expected or (isinstance(actual, bool) and actual == expected)
        return [] if same else [f"{path}: engine {actual!r} != oracle {expected!r}"]
    if actual != expected:
        return [f"{path}: engine {actual!r} != oracle {expected!r}"]
    return []


def metrics_differences(engine: dict[str, Any], oracle: dict[str, Any]) -> list[str]:
    """Differences between engine and oracle metrics (as_of compared as an instant)."""
    problems = []
    if to_naive_utc(engine.get("as_of")) != to_naive_utc(oracle["as_of"]):
        problems.append(f"$.as_of: engine {engine.get('as_of')!r} != oracle {oracle['as_of']!r}")
    rest = {k: v for k, v in oracle.items() if k != "as_of"}
    return problems + close_differences(engine, rest)
