"""Discovery maths over aggregated histograms: candidates, 2x2 tests, BH, flags.

Input types are the sufficient statistics compute produces; nothing here reads data.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from pqlengine.stats.means import Moments
from pqlengine.stats.tables import TableStats, TwoByTwo, analyse, benjamini_hochberg

VOLUME_STRATA = 4
BASE_THRESHOLDS = (1, 2, 3, 5, 10)
QUANTILES = (0.5, 0.75, 0.9)
# Runs of consecutive days: 1 is any activity; 2..5 are the streaks people write.
RUN_THRESHOLDS = (2, 3, 4, 5)
# A criterion holds when its total reaches at_least within this (docs/semantics.md).
TOLERANCE = 1e-9
DEFAULT_VANITY = r"page|view|screen|login|logged in|log in|sign in|session|visit|click"


@dataclass(frozen=True)
class Histogram:
    """Entities by (value reached, converted, volume stratum) for one behaviour; values are
    counts, or totals for sums."""

    counts: dict[tuple[float, bool, int], int]
    # For a numeric outcome: per value reached, the outcome's moments over those entities.
    moments: dict[float, Moments] = field(default_factory=dict)

    def moments_at_least(self, threshold: float) -> Moments | None:
        """The numeric outcome's moments over entities with value >= threshold (None when
        the outcome is yes/no)."""
        if not self.moments:
            return None
        found = Moments()
        for value, moments in self.moments.items():
            if value >= threshold - TOLERANCE:
                found = found + moments
        return found

    def at_least(self, threshold: float) -> dict[tuple[bool, int], int]:
        """Entities with value >= threshold (the criteria's tolerance), by (converted,
        stratum)."""
        out: dict[tuple[bool, int], int] = defaultdict(int)
        for (value, converted, stratum), n in self.counts.items():
            if value >= threshold - TOLERANCE:
                out[(converted, stratum)] += n
        return dict(out)

    def quantile_thresholds(self, quantiles: tuple[float, ...] = QUANTILES) -> list[float]:
        """Nearest-rank quantiles of the values among doers."""
        by_value: dict[float, int] = defaultdict(int)
        for (value, _, _), n in self.counts.items():
            by_value[value] += n
        total = sum(by_value.values())
        chosen = []
        for q in quantiles:
            rank = max(1, math.ceil(q * total - 1e-9))
            seen = 0
            for value in sorted(by_value):
                seen += by_value[value]
                if seen >= rank:
                    chosen.append(value)
                    break
        return chosen

    @property
    def top(self) -> float:
        """The highest value reached (0 when empty)."""
        return max((value for value, _, _ in self.counts), default=0)

    def thresholds(self, base: tuple[int, ...] = BASE_THRESHOLDS, lowest: int = 1) -> list[float]:
        """Base thresholds plus observed quantiles, deduplicated, ascending, reachable, at
        least `lowest`."""
        wanted = set(base) | set(self.quantile_thresholds())
        return sorted(t for t in wanted if lowest <= t <= self.top)

    def total_thresholds(self) -> list[float]:
        """For sums: the observed quantiles rounded to two significant digits (thresholds
        people would write), positive and reachable."""
        rounded = {float(f"{q:.2g}") for q in self.quantile_thresholds()}
        return sorted(t for t in rounded if 0 < t <= self.top + TOLERANCE)


@dataclass
class DiscoveryData:
    """Everything discovery needs, already aggregated by compute."""

    window_days: int
    eligible: dict[tuple[bool, int], int]  # (converted, stratum) -> entities
    excluded_converted_in_window: int
    events: dict[str, Histogram] = field(default_factory=dict)
    active_days: Histogram | None = None
    # Other measures by (criterion kind, event, property): users, consecutive_days, sum,
    # distinct (event None: any event).
    measures: dict[tuple[str, str | None, str | None], Histogram] = field(default_factory=dict)
    traits: dict[tuple[str, str], dict[tuple[bool, int], int]] = field(default_factory=dict)
    properties: dict[tuple[str, str, str], Histogram] = field(default_factory=dict)
    # Numeric outcome only: its moments over all eligible entities and per trait segment.
    eligible_moments: Moments | None = None
    trait_moments: dict[tuple[str, str], Moments] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        """Eligible entities."""
        return sum(self.eligible.values())

    @property
    def conversions(self) -> int:
        """Eligible entities converting after the window."""
        return sum(n for (converted, _), n in self.eligible.items() if converted)


def is_vanity(event: str, pattern: str = DEFAULT_VANITY) -> bool:
    """Page views, logins, sessions and the like (case-insensitive regex search)."""
    return re.search(pattern, event, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Candidate:
    """One behaviour tested: what it is and its 2x2 counts, split by activity stratum."""

    # event | active_days | users | consecutive_days | sum | distinct | property | trait
    kind: str
    event: str | None
    property: str | None
    value: str | None
    threshold: float | None
    with_by_stratum: dict[tuple[bool, int], int]
    with_moments: Moments | None = None  # numeric outcome: over the entities with it


def measure_thresholds(kind: str, histogram: Histogram) -> list[float]:
    """The thresholds tested for a measure of `kind`."""
    if kind == "sum":
        return histogram.total_thresholds()
    if kind == "consecutive_days":
        return histogram.thresholds(RUN_THRESHOLDS, lowest=2)
    if kind in ("distinct", "users"):
        # >= 1 value is "did the event with it"; >= 1 user is any activity
        return histogram.thresholds(lowest=2)
    raise ValueError(f"no thresholds for a measure of kind {kind}")


def candidates(data: DiscoveryData) -> list[Candidate]:
    """Every candidate: event x thresholds, active days, the other measures (users, runs of
    days, sums, distinct counts) x thresholds, event + property value pairs, trait
    segments. All of them form one multiple-testing family."""
    found: list[Candidate] = []
    for event, done in sorted(data.events.items()):
        for threshold in done.thresholds():
            cells, moments = done.at_least(threshold), done.moments_at_least(threshold)
            found.append(Candidate("event", event, None, None, threshold, cells, moments))
    if data.active_days is not None:
        for threshold in data.active_days.thresholds(lowest=2):
            # >= 1 day is every entity with any event; says nothing beyond "came back"
            cells = data.active_days.at_least(threshold)
            moments = data.active_days.moments_at_least(threshold)
            found.append(Candidate("active_days", None, None, None, threshold, cells, moments))
    for (kind, on_event, key), measure in sorted(data.measures.items(), key=_measure_order):
        for threshold in measure_thresholds(kind, measure):
            cells, moments = measure.at_least(threshold), measure.moments_at_least(threshold)
            found.append(Candidate(kind, on_event, key, None, threshold, cells, moments))
    for (event, key, value), pair in sorted(data.properties.items()):
        cells, moments = pair.at_least(1), pair.moments_at_least(1)
        found.append(Candidate("property", event, key, value, 1, cells, moments))
    numeric = data.eligible_moments is not None
    for (name, value), cells in sorted(data.traits.items()):
        moments = data.trait_moments.get((name, value), Moments()) if numeric else None
        found.append(Candidate("trait", None, name, value, None, cells, moments))
    return found


def _measure_order(
    item: tuple[tuple[str, str | None, str | None], Histogram],
) -> tuple[str, str, str]:
    kind, event, key = item[0]
    return (kind, event or "", key or "")


def mantel_haenszel_odds_ratio(
    with_by_stratum: dict[tuple[bool, int], int], eligible: dict[tuple[bool, int], int]
) -> float | None:
    """Odds ratio pooled over activity strata (Mantel-Haenszel); None when undefined."""
    numerator = denominator = 0.0
    for stratum in {s for _, s in eligible}:
        a = with_by_stratum.get((True, stratum), 0)  # did it, converted
        b = with_by_stratum.get((False, stratum), 0)  # did it, did not convert
        c = eligible.get((True, stratum), 0) - a  # did not, converted
        d = eligible.get((False, stratum), 0) - b  # did not, did not convert
        n = a + b + c + d
        if n == 0:
            continue
        numerator += a * d / n
        denominator += b * c / n
    if denominator == 0:
        return None
    return numerator / denominator


def explained_by_volume(crude: float | None, adjusted: float | None) -> bool:
    """True when stratifying by activity volume removes at least half of a positive log-OR."""
    if crude is None or adjusted is None or crude <= 1:
        return False
    if adjusted <= 1:
        return True
    return math.log(adjusted) <= 0.5 * math.log(crude)


@dataclass(frozen=True)
class CandidateResult:
    """A tested candidate: its 2x2 table, statistics, q-value and flags."""

    candidate: Candidate
    table: TwoByTwo
    stats: TableStats
    q_value: float | None
    volume_adjusted_odds_ratio: float | None
    flags: tuple[str, ...]

    @property
    def ranked(self) -> bool:
        """False for candidates listed as 'not enough data'."""
        return "low_support" not in self.flags


def evaluate(
    data: DiscoveryData, min_support: int = 25, vanity_pattern: str = DEFAULT_VANITY
) -> list[CandidateResult]:
    """Test every candidate; BH over the supported ones; sorted by the stated rule.

    Sort rule: supported candidates without a vanity/volume flag first, then the flagged
    ones, each by q-value ascending, then |phi| descending (on large data many q-values
    underflow to 0; phi then prefers strong predictors that also cover many entities over
    rare extremes), then support descending; then the low-support ones ("not enough data",
    unranked) by support descending.
    """
    total_converted = data.conversions
    total = data.entities
    drafts = []
    for candidate in candidates(data):
        with_converted = sum(n for (c, _), n in candidate.with_by_stratum.items() if c)
        with_total = sum(candidate.with_by_stratum.values())
        table = TwoByTwo(
            with_converted, with_total, total_converted - with_converted, total - with_total
        )
        flags = []
        if candidate.event is not None and is_vanity(candidate.event, vanity_pattern):
            flags.append("vanity")
        if min(table.with_total, table.without_total) < min_support:
            flags.append("low_support")
        stats = analyse(table)
        adjusted = mantel_haenszel_odds_ratio(candidate.with_by_stratum, data.eligible)
        if candidate.kind != "trait" and explained_by_volume(stats.odds_ratio, adjusted):
            flags.append("volume")
        drafts.append((candidate, table, stats, adjusted, tuple(flags)))
    tested = [d[2].p_value if "low_support" not in d[4] else None for d in drafts]
    q_values = benjamini_hochberg(tested)
    results = [
        CandidateResult(c, t, s, q, a, f)
        for (c, t, s, a, f), q in zip(drafts, q_values, strict=True)
    ]
    return sorted(results, key=_sort_key)


SORT_RULE = (
    "unflagged before vanity/volume-flagged, then q-value ascending, |phi| descending, "
    "support descending; low-support candidates last, unranked"
)


def _sort_key(result: CandidateResult) -> tuple[int, float, float, float]:
    support = result.table.support or 0.0
    if not result.ranked:
        return (2, 0.0, 0.0, -support)
    flagged = 1 if {"vanity", "volume"} & set(result.flags) else 0
    q = result.q_value if result.q_value is not None else 2.0
    phi = abs(result.stats.phi) if result.stats.phi is not None else 0.0
    return (flagged, q, -phi, -support)


def candidate_record(result: CandidateResult) -> dict[str, object]:
    """The candidate in the documented JSON shape (exactly these fields)."""
    candidate, table, stats = result.candidate, result.table, result.stats
    return {
        "kind": candidate.kind,
        "event": candidate.event,
        "property": candidate.property,
        "value": candidate.value,
        "threshold": candidate.threshold,
        "with_converted": table.with_converted,
        "with_total": table.with_total,
        "without_converted": table.without_converted,
        "without_total": table.without_total,
        "rate_with": stats.rate_with,
        "rate_with_ci": _pair(stats.rate_with_ci),
        "rate_without": stats.rate_without,
        "rate_without_ci": _pair(stats.rate_without_ci),
        "lift": stats.lift,
        "odds_ratio": stats.odds_ratio,
        "odds_ratio_ci": _pair(stats.odds_ratio_ci),
        "p_value": stats.p_value if result.ranked else None,
        "test": stats.test if result.ranked else None,
        "q_value": result.q_value,
        "support": table.support,
        "precision": stats.precision,
        "recall": stats.recall,
        "phi": stats.phi,
        "flags": list(result.flags),
    }


def _pair(values: tuple[float, float] | None) -> list[float] | None:
    return None if values is None else [values[0], values[1]]
