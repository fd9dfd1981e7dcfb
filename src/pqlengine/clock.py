"""The service's clock: one callable every live component reads "now" from, so tests can
move time (a lapse is a matter of time, not of new data) without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, tz-aware UTC."""
    return datetime.now(UTC)


def naive_now(clock: Clock) -> datetime:
    """`clock()` as naive UTC (how the store's TIMESTAMP columns hold instants)."""
    return clock().astimezone(UTC).replace(tzinfo=None)
