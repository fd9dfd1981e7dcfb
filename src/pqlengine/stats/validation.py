"""Does a definition separate converters from the rest? Pure maths over counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Z_95, Proportion, Unavailable, wilson_interval
from pqlengine.stats.tables import TwoByTwo, two_proportion_ztest
from pqlengine.stats.trends import risk_ratio_interval

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class PeriodCounts:
    """PQLs and other entities of one period, and how many of each converted after the
    landmark; entities converting before it are left out and counted in
    `converted_before_landmark`; `cohorts` is the number of signup months in the period."""

    pql_converted: int
    pqls: int
    other_converted: int
    others: int
    converted_before_landmark: int = 0
    cohorts: int = 0


def rate_difference_interval(
    a: Proportion, b: Proportion, z: float = Z_95
) -> tuple[float, float] | Unavailable:
    """95% interval for rate(a) - rate(b): Newcombe's hybrid score interval (Newcombe 1998,
    method 10), built from the two Wilson intervals."""
    wilson_a, wilson_b = wilson_interval(a, z), wilson_interval(b, z)
    if isinstance(wilson_a, Unavailable) or isinstance(wilson_b, Unavailable):
        return Unavailable("empty", "a group has no entities, so there is no difference")
    rate_a, rate_b = a.successes / a.trials, b.successes / b.trials
    (low_a, high_a), (low_b, high_b) = wilson_a, wilson_b
    difference = rate_a - rate_b
    lower = difference - math.sqrt((rate_a - low_a) ** 2 + (high_b - rate_b) ** 2)
    upper = difference + math.sqrt((high_a - rate_a) ** 2 + (rate_b - low_b) ** 2)
    return lower, upper


def entities_for_power(
    rate_a: float, rate_b: float, share_a: float, alpha: float = ALPHA, power: float = POWER
) -> int | Unavailable:
    """Total entities N (share_a of them in group a) for the pooled two-sided z-test at
    level `alpha` to reach `power` when the true rates are rate_a and rate_b.

    Normal approximation with the pooled variance under the null and the unpooled one
    under the alternative (Fleiss, Levin & Paik 2003, 4.14, unequal groups, without
    continuity correction): sqrt(N) |rate_a - rate_b| = z_(1-alpha/2) sqrt(p q / (k (1-k)))
    + z_power sqrt(rate_a (1-rate_a) / k + rate_b (1-rate_b) / (1-k)), with k = share_a and
    p the pooled rate k rate_a + (1-k) rate_b.
    """
    if not 0 < share_a < 1:
        return Unavailable("one_group", "every entity is in one group, so there is no comparison")
    difference = abs(rate_a - rate_b)
    if difference == 0:
        return Unavailable(
            "equal_rates",
            "the observed rates are equal, so no number of further entities is estimated",
        )
    k = share_a
    pooled = k * rate_a + (1 - k) * rate_b
    null_sd = math.sqrt(pooled * (1 - pooled) / (k * (1 - k)))
    alternative_sd = math.sqrt(rate_a * (1 - rate_a) / k + rate_b * (1 - rate_b) / (1 - k))
    z_alpha = float(scipy_stats.norm.ppf(1 - alpha / 2))
    z_power = float(scipy_stats.norm.ppf(power))
    return math.ceil(((z_alpha * null_sd + z_power * alternative_sd) / difference) ** 2)


def _rate(proportion: Proportion) -> dict[str, Any]:
    interval = wilson_interval(proportion)
    return {
        "converted": proportion.successes,
        "entities": proportion.trials,
        "rate": proportion.rate,
        "rate_ci": None if isinstance(interval, Unavailable) else list(interval),
    }


def _interval(value: tuple[float, float] | Unavailable) -> list[float] | None:
    return None if isinstance(value, Unavailable) else list(value)


def judge(counts: PeriodCounts, verb: str = "converted") -> dict[str, Any]:
    """Rates with Wilson intervals, lift (risk ratio) with its log-method interval, the
    difference in rates with Newcombe's interval, pooled two-proportion z-test, precision,
    recall, how many more entities would decide it, and a one-line verdict.

    `claim` is "higher" or "lower" only when the z-test has p < ALPHA and the lift's
    interval excludes 1 on the same side (the two approximations can disagree at the edge;
    then nothing is claimed), else None.
    """
    pql = Proportion(counts.pql_converted, counts.pqls)
    other = Proportion(counts.other_converted, counts.others)
    result: dict[str, Any] = {"pql": _rate(pql), "non_pql": _rate(other)}
    converters = counts.pql_converted + counts.other_converted
    result["converted_before_landmark"] = counts.converted_before_landmark
    result["cohorts"] = counts.cohorts
    result["precision"] = pql.rate
    result["recall"] = counts.pql_converted / converters if converters else None
    lift = pql.rate / other.rate if pql.rate is not None and other.rate else None
    result["lift"] = lift
    table = TwoByTwo(counts.pql_converted, counts.pqls, counts.other_converted, counts.others)
    lift_ci = risk_ratio_interval(table, ALPHA)
    result["lift_ci"] = _interval(lift_ci)
    difference = None if pql.rate is None or other.rate is None else pql.rate - other.rate
    result["rate_difference"] = difference
    difference_ci = rate_difference_interval(pql, other)
    result["rate_difference_ci"] = _interval(difference_ci)
    result["notes"] = [
        {"field": name, "code": value.code, "message": value.message}
        for name, value in (("lift_ci", lift_ci), ("rate_difference_ci", difference_ci))
        if isinstance(value, Unavailable)
    ]
    result["claim"] = None
    result["more_needed"] = None
    test = two_proportion_ztest(pql, other)
    if isinstance(test, Unavailable):
        result["z"] = result["p_value"] = None
        result["verdict"] = f"cannot test: {test.message}"
        return result
    z, p_value = test
    result["z"], result["p_value"] = z, p_value
    result["claim"] = _claim(z, p_value, lift_ci)
    if result["claim"] is None:
        result["more_needed"] = more_needed(counts)
    result["verdict"] = verdict(result, verb)
    return result


def _claim(z: float, p_value: float, lift_ci: tuple[float, float] | Unavailable) -> str | None:
    if p_value >= ALPHA:
        return None
    if isinstance(lift_ci, Unavailable):  # a group without conversions: the test alone decides
        return "higher" if z > 0 else "lower"
    low, high = lift_ci
    if z > 0 and low > 1:
        return "higher"
    if z < 0 and high < 1:
        return "lower"
    return None


def more_needed(counts: PeriodCounts) -> dict[str, Any]:
    """How many more entities (and signup months of the period's average size) the z-test
    needs for POWER at ALPHA, if the observed rates and PQL share are the true ones."""
    entities = counts.pqls + counts.others
    needed = entities_for_power(
        counts.pql_converted / counts.pqls,
        counts.other_converted / counts.others,
        counts.pqls / entities,
    )
    if isinstance(needed, Unavailable):
        return {"code": needed.code, "message": needed.message}
    more = max(0, needed - entities)
    cohort_size = entities / counts.cohorts if counts.cohorts else None
    return {
        "power": POWER,
        "entities_needed": needed,
        "more_entities": more,
        "cohort_size": cohort_size,
        "more_cohorts": math.ceil(more / cohort_size) if cohort_size else None,
    }


def _ratio(value: float) -> str:
    """A ratio with one decimal, two below 1 (0.06 is not 0.1)."""
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def _ci(values: list[float] | None) -> str:
    return "" if values is None else f" (95% CI {_ratio(values[0])}-{_ratio(values[1])})"


def verdict(result: dict[str, Any], verb: str = "converted") -> str:
    """One line a person can act on: what was seen, with its interval, and what it means;
    `verb` says what the outcome is in the past tense ("converted", "were retained")."""
    p_value = result["p_value"]
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    pql, other = result["pql"], result["non_pql"]
    if result["lift"] is not None:
        lift = _ratio(result["lift"])
        seen = f"PQLs {verb} {lift}x as often as non-PQLs{_ci(result['lift_ci'])}"
    else:
        seen = (
            f"PQLs {verb} {pql['rate']:.1%} ({pql['converted']} of {pql['entities']}), "
            f"non-PQLs {other['rate']:.1%} ({other['converted']} of {other['entities']})"
        )
    if result["claim"] == "higher":
        return f"{seen}, {shown}"
    if result["claim"] == "lower":
        return f"{seen}, {shown}: the definition is inverted"
    borderline = ", but the interval includes 1" if p_value < ALPHA else ""
    return (
        f"{seen}, {shown}{borderline}: not enough evidence yet either way"
        + _more_text(result["more_needed"])
        + _ruled_out(result["lift_ci"], result["more_needed"], verb)
    )


_GERUNDS = {"converted": "converting", "were retained": "being retained"}
SLOW_TO_DECIDE_COHORTS = 24  # two years of monthly cohorts: waiting will not settle it soon


def _ruled_out(lift_ci: list[float] | None, needed: dict[str, Any] | None, verb: str) -> str:
    """When the seen difference is too small to decide soon, what the interval already says."""
    cohorts = None if needed is None or "code" in needed else needed.get("more_cohorts")
    if lift_ci is None or cohorts is None or cohorts <= SLOW_TO_DECIDE_COHORTS:
        return ""
    return (
        f"; that will not come soon, but the interval already rules out PQLs "
        f"{_GERUNDS.get(verb, verb)} more than {_ratio(lift_ci[1])}x as often as non-PQLs"
    )


def _more_text(needed: dict[str, Any] | None) -> str:
    if needed is None or "code" in needed:
        return "" if needed is None else f" ({needed['message']})"
    cohorts = needed["more_cohorts"]
    months = (
        ""
        if cohorts is None
        else f" (about {cohorts:,} more monthly cohorts of {needed['cohort_size']:.0f})"
    )
    return (
        f"; if these rates held, about {needed['more_entities']:,} more entities{months} "
        f"would give {needed['power']:.0%} power to tell them apart"
    )
