"""DRAFT (issue 16): `where` operator maps in pql.yaml are validated, and strings that look
like a comparison are refused with the operator form (they would match nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from pqlengine.config import Project
from tests.support.config import base_config


def _with_where(where: dict[str, Any], fit: bool = False) -> dict[str, Any]:
    config = base_config()
    if fit:
        config["definition"]["fit"] = {"where": where}
    else:
        config["definition"]["criteria"] = [{"id": "a", "event": "A", "where": where}]
    return config


@pytest.mark.parametrize("fit", [False, True], ids=["event", "fit"])
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"usage_pct": ">= 80"}, "write the comparison as {gte: 80}"),
        ({"country": "!US"}, "write the comparison as {ne: US}"),
        ({"n": "> 3"}, "write the comparison as {gt: 3}"),
        ({"plan": ["pro", "!free"]}, "write the comparison as {ne: free}"),
        ({"x": {"gtee": 80}}, "did you mean gte?"),
        ({"x": {"gt": 1, "lt": 3}}, "exactly one operator per key (got gt, lt)"),
        ({"x": {"in": "a"}}, "in: give a non-empty list"),
        ({"x": {"contains": 3}}, "contains: give a string"),
        ({"x": {"exists": "yes"}}, "exists: give true or false"),
        ({"x": {"gte": True}}, "true/false are not ordered"),
        ({"x": {"ne": ["a"]}}, "use in/not_in for a list"),
    ],
    ids=repr,
)
def test_misused_where_is_a_located_error(where: dict, message: str, fit: bool) -> None:
    with pytest.raises(ValueError, match="where") as raised:
        Project.from_dict(_with_where(where, fit))
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "spec",
    [
        {"gte": 80},
        {"lt": "m"},
        {"ne": "US"},
        {"in": ["pro", 3]},
        {"not_in": [True]},
        {"contains": "pricing"},
        {"exists": False},
        {"eq": 2.5},
        "web",
        3,
        ["a", "b"],
    ],
    ids=repr,
)
def test_operator_maps_and_plain_values_are_accepted(spec: Any) -> None:
    Project.from_dict(_with_where({"k": spec}))


def test_definitions_without_operators_keep_their_version() -> None:
    """The hash of a definition that uses none of the new forms does not move."""
    plain = Project.from_dict(_with_where({"source": "web", "n": [1, 2]}))
    assert plain.version == Project.from_dict(_with_where({"source": "web", "n": [1, 2]})).version
    assert plain.version != Project.from_dict(_with_where({"source": {"eq": "web"}})).version
