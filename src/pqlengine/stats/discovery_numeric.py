"""Discovery against a numeric outcome (revenue in the D days after converting): per
candidate behaviour, the mean outcome with vs without it, Welch's t-test, the difference
with its 95% interval, and Benjamini-Hochberg q-values over the same family of candidates
as for a yes/no outcome. Nothing here reads data."""

from __future__ import annotations

from dataclasses import dataclass

from pqlengine.stats.discovery import (
    DEFAULT_VANITY,
    Candidate,
    DiscoveryData,
    candidates,
    is_vanity,
)
from pqlengine.stats.intervals import Unavailable
from pqlengine.stats.means import Moments, WelchResult, welch
from pqlengine.stats.tables import benjamini_hochberg

NUMERIC_SORT_RULE = (
    "unflagged before vanity-flagged, then q-value ascending, |difference| descending, "
    "support descending; low-support candidates last, unranked"
)


@dataclass(frozen=True)
class NumericResult:
    """A candidate tested on a numeric outcome: both sides' moments, Welch, q-value, flags."""

    candidate: Candidate
    with_: Moments
    without: Moments
    test: WelchResult | Unavailable
    q_value: float | None
    flags: tuple[str, ...]

    @property
    def ranked(self) -> bool:
        """False for candidates listed as 'not enough data'."""
        return "low_support" not in self.flags


def evaluate_numeric(
    data: DiscoveryData, min_support: int = 25, vanity_pattern: str = DEFAULT_VANITY
) -> list[NumericResult]:
    """Welch's test for every candidate, BH over the supported ones, sorted by
    NUMERIC_SORT_RULE. The activity-volume flag of yes/no discovery (a stratified odds
    ratio) has no counterpart here and is not computed."""
    total = data.eligible_moments
    if total is None:
        raise ValueError("evaluate_numeric needs a numeric outcome (eligible_moments)")
    drafts = []
    for candidate in candidates(data):
        with_ = candidate.with_moments or Moments()
        without = total - with_
        flags = []
        if candidate.event is not None and is_vanity(candidate.event, vanity_pattern):
            flags.append("vanity")
        if min(with_.n, without.n) < min_support:
            flags.append("low_support")
        drafts.append((candidate, with_, without, welch(with_, without), tuple(flags)))
    tested = [
        d[3].p_value if isinstance(d[3], WelchResult) and "low_support" not in d[4] else None
        for d in drafts
    ]
    q_values = benjamini_hochberg(tested)
    results = [
        NumericResult(c, w, wo, t, q, f)
        for (c, w, wo, t, f), q in zip(drafts, q_values, strict=True)
    ]
    return sorted(results, key=_sort_key)


def _sort_key(result: NumericResult) -> tuple[int, float, float, float]:
    support = float(result.with_.n)
    if not result.ranked:
        return (2, 0.0, 0.0, -support)
    flagged = 1 if "vanity" in result.flags else 0
    q = result.q_value if result.q_value is not None else 2.0
    test = result.test
    size = abs(test.difference) if isinstance(test, WelchResult) else 0.0
    return (flagged, q, -size, -support)


def numeric_record(result: NumericResult) -> dict[str, object]:
    """The candidate in the documented JSON shape for a numeric outcome."""
    candidate, test = result.candidate, result.test
    tested = isinstance(test, WelchResult) and result.ranked
    total_n = result.with_.n + result.without.n
    return {
        "kind": candidate.kind,
        "event": candidate.event,
        "property": candidate.property,
        "value": candidate.value,
        "threshold": candidate.threshold,
        "with_total": result.with_.n,
        "without_total": result.without.n,
        "mean_with": result.with_.mean,
        "mean_without": result.without.mean,
        "difference": test.difference if isinstance(test, WelchResult) else None,
        "difference_ci": list(test.difference_ci) if isinstance(test, WelchResult) else None,
        "p_value": test.p_value if tested and isinstance(test, WelchResult) else None,
        "test": "welch" if tested else None,
        "q_value": result.q_value,
        "support": result.with_.n / total_n if total_n else None,
        "flags": list(result.flags),
        "reason": test.message if isinstance(test, Unavailable) else None,
    }
