"""Cohort periods, instants and segments: what metric results are labelled with (light to
import)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

Period = Literal["week", "month"]


class SegmentError(ValueError):
    """`--by` names something that is neither a column nor a trait."""


MICROSECONDS_PER_DAY = 86_400_000_000


def period_label(start: datetime, period: Period) -> str:
    """`2026-01` for months, ISO week `2026-W02` for weeks."""
    if period == "month":
        return f"{start.year:04d}-{start.month:02d}"
    iso = start.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def next_period_start(start: datetime, period: Period) -> datetime:
    """The start of the period after the one starting at `start`."""
    if period == "week":
        return start + timedelta(days=7)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def period_start(moment: datetime, period: Period) -> datetime:
    """The start of the period holding `moment` (naive UTC)."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def to_utc_naive(moment: datetime) -> datetime:
    """A datetime as naive UTC (naive input is taken to be UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
