"""Numbers for people: 12.3%, 4.2 days, 1.2k. Used as Jinja filters by the dashboard and
the report, and by the browser tests to compare what a page shows with the API."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

DASH = "–"


def pct(value: float | None, digits: int = 1) -> str:
    """0.1234 -> 12.3%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value * 100:.{digits}f}%"


def pct_interval(interval: list[float] | tuple[float, float] | None, digits: int = 1) -> str:
    """[0.098, 0.151] -> 9.8–15.1%."""
    if not interval or interval[0] is None or interval[1] is None:
        return DASH
    return f"{interval[0] * 100:.{digits}f}–{interval[1] * 100:.{digits}f}%"


def days(value: float | None) -> str:
    """4.21 -> 4.2 days."""
    if value is None or math.isinf(value):
        return DASH
    return f"{value:.1f} days" if abs(value - 1.0) >= 0.05 else "1.0 day"


def days_interval(interval: list[float] | tuple[float, float] | None) -> str:
    """[3.1, 5.02] -> 3.1–5.0 days."""
    if not interval:
        return DASH
    return f"{interval[0]:.1f}–{interval[1]:.1f} days"


def compact(value: float | int | None) -> str:
    """1234 -> 1.2k, 2500000 -> 2.5M; below 1000 as is."""
    if value is None:
        return DASH
    magnitude = abs(value)
    if magnitude >= 999_950:
        return f"{value / 1_000_000:.1f}M"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value)}"


def integer(value: int | None) -> str:
    """1234 -> 1,234."""
    return DASH if value is None else f"{int(value):,}"


def count_interval(interval: list[float] | tuple[float, float] | None) -> str:
    """[3.2, 18.7] -> 3.2–18.7."""
    if not interval:
        return DASH
    return f"{compact(round(interval[0], 1))}–{compact(round(interval[1], 1))}"


def ratio(value: float | None) -> str:
    """2.345 -> 2.3×."""
    if value is None or math.isinf(value) or math.isnan(value):
        return DASH
    return f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


def p_value(value: float | None) -> str:
    """0.0004 -> < 0.001; 0.0234 -> 0.023."""
    if value is None:
        return DASH
    if value < 0.001:
        return "< 0.001"
    return f"{value:.3f}"


def age(hours: float | None) -> str:
    """Hours since an instant: 35 min, 5.2 h, 3.1 days."""
    if hours is None:
        return DASH
    if hours < 1:
        return f"{max(hours * 60, 0):.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def when(value: Any) -> str:
    """A UTC instant as 2026-01-05 10:00 UTC (ISO strings or datetimes)."""
    if value is None:
        return DASH
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


FILTERS = {
    "pct": pct,
    "pct_interval": pct_interval,
    "days": days,
    "days_interval": days_interval,
    "compact": compact,
    "integer": integer,
    "count_interval": count_interval,
    "ratio": ratio,
    "p_value": p_value,
    "age": age,
    "when": when,
}
