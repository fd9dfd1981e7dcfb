"""DRAFT (issue 16): the oracle's `where` operators on hand-made cases, from
docs/semantics-signals-draft.md. The engine does not implement them yet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference.matching import as_number, spec_matches

CASES: list[tuple[Any, Any, bool]] = [
    # comparisons with numbers: JSON numbers and strings spelling numbers only
    (80, {"gte": 80}, True),
    (79.999, {"gte": 80}, False),
    ("80", {"gte": 80}, True),
    ("80.5", {"gt": 80}, True),
    ("1e2", {"gt": 80}, True),
    (" 80", {"gte": 80}, False),
    ("+80", {"gte": 80}, False),
    ("080", {"gte": 80}, False),
    ("inf", {"gt": 80}, False),
    (True, {"gte": 1}, False),
    (None, {"lt": 80}, False),
    # comparisons with strings: JSON strings, code point order
    ("b", {"gt": "a"}, True),
    ("B", {"gt": "a"}, False),
    ("é", {"gt": "z"}, True),
    (3, {"gt": "2"}, False),
    # equality family keeps today's matching across types; missing never matches ne/not_in
    ("US", {"ne": "US"}, False),
    ("DE", {"ne": "US"}, True),
    (None, {"ne": "US"}, False),
    ("3", {"eq": 3}, True),
    ("3.0", {"eq": 3}, False),
    ("pro", {"in": ["pro", "team"]}, True),
    ("free", {"not_in": ["pro", "team"]}, True),
    (None, {"not_in": ["pro", "team"]}, False),
    # contains and exists
    ("https://x.io/pricing", {"contains": "pricing"}, True),
    ("https://x.io/Pricing", {"contains": "pricing"}, False),
    (5, {"contains": "5"}, False),
    (None, {"exists": False}, True),
    (0, {"exists": True}, True),
    (None, {"exists": True}, False),
]


@pytest.mark.parametrize(("actual", "spec", "expected"), CASES, ids=repr)
def test_where_operator_on_a_stored_value(actual: Any, spec: Any, expected: bool) -> None:
    assert spec_matches(actual, spec) is expected


def test_numbers_are_spelled_by_the_json_grammar() -> None:
    assert [as_number(v) for v in ("0", "-0.5", "2E3", "1.", ".5", "1_000")] == [
        0.0,
        -0.5,
        2000.0,
        None,
        None,
        None,
    ]
