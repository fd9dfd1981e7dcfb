"""Hand-written statistics and calendar helpers for the oracle (stdlib only)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

Z_95 = 1.959963984540054
SECONDS_PER_DAY = 86_400


def to_naive_utc(value: Any) -> datetime | None:
    """A datetime (naive = UTC, or tz-aware), ISO string or date as a naive UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def days_between(start: datetime, end: datetime) -> float:
    """(end - start) in days of 86,400 seconds."""
    delta = end - start
    micros = (delta.days * SECONDS_PER_DAY + delta.seconds) * 1_000_000 + delta.microseconds
    return micros / (SECONDS_PER_DAY * 1_000_000)


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> list[float] | None:
    """Wilson score interval [low, high] for successes/trials; None when trials is 0."""
    if trials == 0:
        return None
    n = trials
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return [centre - half, centre + half]


def quantile_type7(values: list[float], probability: float) -> float | None:
    """Hyndman-Fan type 7 quantile (numpy's default): linear between order statistics."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * probability
    lower = math.floor(position)
    if lower + 1 >= len(ordered):
        return ordered[-1]
    fraction = position - lower
    return ordered[lower] + fraction * (ordered[lower + 1] - ordered[lower])


def period_start(ts: datetime, period: str) -> datetime:
    """Monday 00:00 of the ISO week, or the first of the month 00:00, containing `ts`."""
    if period == "week":
        day = ts.date() - timedelta(days=ts.weekday())
        return datetime(day.year, day.month, day.day)
    if period == "month":
        return datetime(ts.year, ts.month, 1)
    raise ValueError(f"unknown period {period!r}")


def next_period_start(start: datetime, period: str) -> datetime:
    """Start of the period after the one starting at `start`."""
    if period == "week":
        return start + timedelta(days=7)
    if start.month == 12:
        return datetime(start.year + 1, 1, 1)
    return datetime(start.year, start.month + 1, 1)


def period_label(start: datetime, period: str) -> str:
    """`2026-01` for a month; `2026-W02` (ISO week-year of the Monday) for a week."""
    if period == "month":
        return f"{start.year:04d}-{start.month:02d}"
    iso_year, iso_week, _ = start.isocalendar()
    return f"{iso_year:04d}-W{iso_week:02d}"
