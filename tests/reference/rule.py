"""The rule (docs/semantics.md, "Rule satisfied_at"): contributions summed at an instant."""

from __future__ import annotations

import math
from datetime import datetime

from tests.reference.criteria import Evaluated, change_instants, contribution
from tests.reference.world import Row

RULE_TOLERANCE = 1e-9


def rule_threshold(definition: Row) -> float:
    """T: the total the contributions must reach."""
    rule = definition.get("qualify", "all")
    n = len(definition["criteria"])
    if rule == "all" or (isinstance(rule, dict) and rule.get("all")):
        return float(n)
    if "at_least" in rule:
        return float(rule["at_least"])
    if "fraction" in rule:
        return float(math.ceil(rule["fraction"] * n - RULE_TOLERANCE))
    return float(rule["score"])


def is_scored(definition: Row) -> bool:
    """Whether the rule is `{score: s}`."""
    rule = definition.get("qualify", "all")
    return isinstance(rule, dict) and "score" in rule


def rule_holds_at(definition: Row, evaluated: list[Evaluated], t: datetime) -> bool:
    """The contributions of every criterion at t sum to >= T - 1e-9."""
    scored = is_scored(definition)
    total = math.fsum(contribution(e, t, scored) for e in evaluated)
    return total >= rule_threshold(definition) - RULE_TOLERANCE


def rule_instants(evaluated: list[Evaluated]) -> list[datetime]:
    """Every instant at which a contribution may change, ascending.

    Reading: contributions are constant between these instants (W only moves at
    occurrences and, with `in_last_days`, at occurrence + D; `holds` of a criterion without
    it only at satisfied_at), and before the first of them every contribution is 0; the
    rule is only looked at there (a threshold <= 0, which the config refuses, would hold
    before any event)."""
    return sorted({t for e in evaluated for t in change_instants(e)})


def rule_satisfied_at(definition: Row, evaluated: list[Evaluated]) -> datetime | None:
    """The first instant at which the rule holds (null if never)."""
    for t in rule_instants(evaluated):
        if rule_holds_at(definition, evaluated, t):
            return t
    return None
