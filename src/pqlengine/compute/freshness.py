"""How far the data reaches: the newest stored event against the evaluation instant.

An evaluation at an `as_of` well after the last event reads a quiet stretch that is only
missing data: periods after the data's end count nothing, and with a lifecycle
(docs/semantics.md "Lifecycle") leads look inactive and lapse. `pql` commands warn, the
report and the dashboard show the data's end next to the as-of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pqlengine import registry
from pqlengine.config import Project
from pqlengine.store import Store

STALE_AFTER_DAYS = 7.0
SECONDS_PER_DAY = 86_400.0


def newest_event_at(store: Store) -> datetime | None:
    """Time of the newest stored event (aware UTC), None without events.

    Our own store reads its day registry (one row per entity and day with an event, kept
    exact on every insert: registry.py) instead of every event."""
    if store.has_registry:
        # Plain SQL on our own file: a repeated command imports no Ibis (tests/test_startup).
        row = store.raw.execute(f"SELECT max(last_ts) FROM {registry.DAYS.table}").fetchone()
        newest = row[0] if row else None
    else:
        found = store.values(store.table("events").ts.max().name("newest"))
        newest = found[0] if found else None
    if newest is None:
        return None
    if not isinstance(newest, datetime):  # a backend handing back text
        newest = datetime.fromisoformat(str(newest))
    return newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class DataEnd:
    """The newest event (`data_end`, None without events) seen from `as_of`; `limit_days`
    is how far behind as_of the data may end before evaluations mislead, and
    `expire_after_inactive_days` whether the definition's expiry set that limit."""

    data_end: datetime | None
    as_of: datetime
    limit_days: float
    limited_by_expiry: bool

    @property
    def gap_days(self) -> float | None:
        """Days from the data's end to as_of (negative: events after as_of exist)."""
        if self.data_end is None:
            return None
        return (self.as_of - self.data_end).total_seconds() / SECONDS_PER_DAY

    @property
    def stale(self) -> bool:
        """True when the data ends more than `limit_days` before as_of."""
        gap = self.gap_days
        return gap is not None and gap > self.limit_days

    def warning(self, as_of_name: str = "--as-of") -> str | None:
        """One line on what a stale evaluation means, None when the data is recent enough."""
        if not self.stale or self.data_end is None or self.gap_days is None:
            return None
        limit = (
            f"the definition's expire_after_inactive_days ({self.limit_days:g})"
            if self.limited_by_expiry
            else f"{self.limit_days:g} days"
        )
        return (
            f"data ends at {_iso(self.data_end)}, {_days_text(self.gap_days)} before "
            f"{as_of_name} {_iso(self.as_of)} (more than {limit}); counts of the periods "
            "after the data's end are partial and leads may look inactive or lapsed only "
            "because their newer events are not loaded (ingest newer events, or evaluate "
            "at an earlier as-of)"
        )

    def to_json(self) -> dict[str, Any]:
        """The fields the report and the dashboard show (data_end as ISO 8601 with Z)."""
        return {
            "data_end": None if self.data_end is None else _iso(self.data_end),
            "gap_days": self.gap_days,
            "limit_days": self.limit_days,
            "stale": self.stale,
            "warning": self.warning("as-of"),
        }


def _days_text(days: float) -> str:
    rounded = round(days, 1)
    return f"{rounded:g} day" if rounded == 1 else f"{rounded:g} days"


def data_end(store: Store, project: Project, as_of: datetime) -> DataEnd:
    """The store's newest event seen from `as_of`: stale beyond 7 days, or beyond the
    definition's expire_after_inactive_days when that is shorter."""
    limit, by_expiry = STALE_AFTER_DAYS, False
    expiry = project.definition.expire_after_inactive_days
    if expiry is not None and expiry < STALE_AFTER_DAYS:
        limit, by_expiry = float(expiry), True
    moment = as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of.astimezone(UTC)
    return DataEnd(newest_event_at(store), moment, limit, by_expiry)
