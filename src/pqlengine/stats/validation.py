"""Does a definition separate converters from the rest? Pure maths over counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval
from pqlengine.stats.tables import two_proportion_ztest

ALPHA = 0.05


@dataclass(frozen=True)
class PeriodCounts:
    """PQLs and other entities of one period, and how many of each converted."""

    pql_converted: int
    pqls: int
    other_converted: int
    others: int


def _rate(proportion: Proportion) -> dict[str, Any]:
    interval = wilson_interval(proportion)
    return {
        "converted": proportion.successes,
        "entities": proportion.trials,
        "rate": proportion.rate,
        "rate_ci": None if isinstance(interval, Unavailable) else list(interval),
    }


def judge(counts: PeriodCounts) -> dict[str, Any]:
    """Rates with Wilson intervals, pooled two-proportion z-test, lift, precision, recall and
    a one-line verdict."""
    pql = Proportion(counts.pql_converted, counts.pqls)
    other = Proportion(counts.other_converted, counts.others)
    result: dict[str, Any] = {"pql": _rate(pql), "non_pql": _rate(other)}
    converters = counts.pql_converted + counts.other_converted
    result["precision"] = pql.rate
    result["recall"] = counts.pql_converted / converters if converters else None
    lift = pql.rate / other.rate if pql.rate is not None and other.rate else None
    result["lift"] = lift
    test = two_proportion_ztest(pql, other)
    if isinstance(test, Unavailable):
        result["z"] = result["p_value"] = None
        result["verdict"] = f"cannot test: {test.message}"
        return result
    z, p_value = test
    result["z"], result["p_value"] = z, p_value
    result["verdict"] = verdict(lift, p_value)
    return result


def verdict(lift: float | None, p_value: float) -> str:
    """One line a person can act on."""
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    if p_value >= ALPHA:
        return f"no significant difference ({shown}): the definition does not predict conversion"
    if lift is None:
        return f"non-PQLs never converted; PQLs did ({shown})"
    if lift < 1:
        return (
            f"PQLs convert {1 / lift:.1f}x LESS than non-PQLs ({shown}): the definition is inverted"
        )
    return f"PQLs convert {lift:.1f}x more than non-PQLs ({shown})"
