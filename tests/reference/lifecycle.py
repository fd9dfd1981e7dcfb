"""Episodes (docs/semantics.md, "Lifecycle"): the state of an entity evaluated from scratch
at every instant where it can change, and the episodes, status and period counts read off.

Brute force on purpose: `state_at` recomputes W(t), the rule, the active-days gate and
expiry at each instant; nothing is carried from one instant to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tests.reference.criteria import Evaluated, rolling_window
from tests.reference.maths import next_period_start, period_label, period_start
from tests.reference.rule import rule_holds_at, rule_instants
from tests.reference.world import Row

Episode = tuple[datetime, datetime | None]  # [start, end): end None while open


def expiry(definition: Row) -> timedelta | None:
    """`expire_after_inactive_days` as a timedelta (rounded to the microsecond), or None;
    refuses what the text calls config errors."""
    days = definition.get("expire_after_inactive_days")
    activity = definition.get("activity")
    if activity is not None:
        if days is None:
            raise ValueError("activity needs expire_after_inactive_days")
        if set(activity) != {"event"}:
            raise ValueError(f"activity takes only `event`, got {sorted(activity)}")
    if days is None:
        return None
    if isinstance(days, bool) or not days > 0:
        raise ValueError("expire_after_inactive_days must be > 0")
    return timedelta(days=days)


def activity_times(
    definition: Row, events: list[Row], signup: datetime, as_of: datetime
) -> tuple[datetime, ...]:
    """The ts of the activity events: signup_at <= ts <= as_of, named `activity.event` when
    set (any name otherwise), after a conversion too."""
    name = (definition.get("activity") or {}).get("event")
    return tuple(
        e["ts"]
        for e in events
        if signup <= e["ts"] <= as_of and (name is None or e["event"] == name)
    )


@dataclass(frozen=True)
class Timeline:
    """Everything the state of one entity depends on."""

    definition: Row
    evaluated: tuple[Evaluated, ...]
    fit: bool
    signup: datetime
    converted: datetime | None
    days_at: datetime | None  # active_days_satisfied_at
    as_of: datetime
    activity: tuple[datetime, ...]

    def active_at(self, t: datetime) -> bool:
        """Some activity event has ts <= t < ts + E (always true without expiry)."""
        window = expiry(self.definition)
        return window is None or any(a <= t < a + window for a in self.activity)

    def state_at(self, t: datetime) -> bool:
        """Fit, signup_at <= t <= as_of, t < converted_at, the gate, activity and the rule,
        all evaluated at t from scratch."""
        if not self.fit or not self.signup <= t <= self.as_of:
            return False
        if self.converted is not None and not t < self.converted:
            return False
        if self.definition.get("min_active_days") is not None and (
            self.days_at is None or t < self.days_at
        ):
            return False
        if not self.active_at(t):
            return False
        return rule_holds_at(self.definition, list(self.evaluated), t)

    def change_instants(self) -> list[datetime]:
        """Every instant in [signup_at, as_of] at which the state may change, ascending."""
        instants = {self.signup, self.as_of, *rule_instants(list(self.evaluated))}
        instants |= {t for t in (self.converted, self.days_at) if t is not None}
        window = expiry(self.definition)
        if window is not None:
            instants |= set(self.activity) | {a + window for a in self.activity}
        return sorted(t for t in instants if self.signup <= t <= self.as_of)

    def episodes(self) -> list[Episode]:
        """Maximal runs of change instants at which the state holds: [start, end), end the
        first instant it does not (None when it still holds at as_of)."""
        found: list[Episode] = []
        start: datetime | None = None
        for t in self.change_instants():
            holding = self.state_at(t)
            if holding and start is None:
                start = t
            elif not holding and start is not None:
                found.append((start, t))
                start = None
        if start is not None:
            found.append((start, None))
        return found

    def next_change_at(self) -> datetime | None:
        """The first instant after as_of at which the state changes with no data after
        as_of (None when converted, failing fit, or when it never does): the state is
        evaluated, past as_of, at every candidate (each o + D and activity ts + E)."""
        if not self.fit or self.converted is not None:
            return None
        later = []
        for evaluated in self.evaluated:
            window = rolling_window(evaluated.criterion)
            if window is not None:
                later += [e["ts"] + window for e in evaluated.matching]
        window = expiry(self.definition)
        if window is not None:
            later += [a + window for a in self.activity]
        now = self.state_at(self.as_of)
        unbounded = replace(self, as_of=datetime.max)
        for t in sorted(t for t in set(later) if t > self.as_of):
            if unbounded.state_at(t) != now:
                return t
        return None


def status_of(episodes: list[Episode], converted: datetime | None, fit: bool) -> str:
    """Status at as_of, first match wins (docs/semantics.md, Lifecycle)."""
    if episodes and converted is not None:
        return "converted_pql"
    if episodes:
        return "pql" if episodes[-1][1] is None else "lapsed"
    if converted is not None:
        return "converted_without_qualifying"
    return "not_qualified" if fit else "failed_fit"


def last_seen_at(events: list[Row]) -> datetime | None:
    """The newest ts among the entity's events at or before as_of (any name, before signup
    included), None without events."""
    return max((e["ts"] for e in events), default=None)


# ---------------------------------------------------------------------------------------
# Per period: new, requalified, lapsed, ended_by_conversion, open_at_end


def _counts(rows: list[Row], start: datetime, end: datetime) -> Row:
    """The period [start, end)'s numbers over the qualification rows `rows`."""

    def inside(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    counts = dict.fromkeys(
        ("pqls", "new", "requalified", "lapsed", "ended_by_conversion", "open_at_end"), 0
    )
    for row in rows:
        counts["pqls"] += inside(row["qualified_at"])
        for index, (first, last) in enumerate(row["episodes"]):
            counts["new" if index == 0 else "requalified"] += inside(first)
            if inside(last):
                by_conversion = last == row["converted_at"]
                counts["ended_by_conversion" if by_conversion else "lapsed"] += 1
            counts["open_at_end"] += first < end and (last is None or last >= end)
    return counts


# A period is listed when one of these is not 0 (an episode starts or ends in it).
CHANGES = ("new", "requalified", "lapsed", "ended_by_conversion")


def period_pipeline(
    rows: list[Row], segment_of: dict[str, str | None], period: str, as_of: datetime
) -> dict[tuple[str, str | None], Row]:
    """(period label, segment) -> the six numbers, for every period up to the one holding
    as_of in which an episode starts or ends (open_at_end carries over the others)."""
    starts = [first for row in rows for first, _ in row["episodes"]]
    if not starts:
        return {}
    by_segment: dict[str | None, list[Row]] = {}
    for row in rows:
        by_segment.setdefault(segment_of[row["entity_id"]], []).append(row)
    result = {}
    begin = period_start(min(starts), period)
    while begin <= as_of:
        end = next_period_start(begin, period)
        for segment, members in by_segment.items():
            counts = _counts(members, begin, end)
            if any(counts[name] for name in CHANGES):
                result[(period_label(begin, period), segment)] = counts
        begin = end
    return result
