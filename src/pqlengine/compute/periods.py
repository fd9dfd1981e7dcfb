"""Cohort periods, instants and segments: what metric results are labelled with (light to
import)."""

from __future__ import annotations

from datetime import UTC, datetime
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


def to_utc_naive(moment: datetime) -> datetime:
    """A datetime as naive UTC (naive input is taken to be UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
