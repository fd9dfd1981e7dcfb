"""Criteria and progress in words people read ("2 of 3 devices", "1.4 GB of 2 GB")."""

from __future__ import annotations

from typing import Any

_BYTE_UNITS = (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3))


def named(event: str | None) -> str:
    """An event name, or "any event"."""
    return event if event is not None else "any event"


def scope(criterion: Any, before: str = " with ") -> str:
    """Which events count, for a kind whose event is optional: "" for any event, else
    `before` + the name (+ " (filtered)")."""
    if getattr(criterion, "event", None) is None and not getattr(criterion, "where", None):
        return ""
    return f"{before}{named(criterion.event)}{filtered(criterion)}"


def filtered(criterion: Any) -> str:
    """ " (filtered)" when the criterion has a `where`."""
    return " (filtered)" if getattr(criterion, "where", None) else ""


def amount(value: float | None) -> str:
    """A count or total: whole numbers without decimals, thousands separated."""
    number = float(value or 0.0)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.3g}" if abs(number) < 1000 else f"{number:,.1f}"


def quantity(value: float, unit: str) -> str:
    """`value` of a property named `unit`: bytes as kB/MB/GB/TB (powers of 1000), other
    properties as the number and the property's name ("600 minutes_watched")."""
    if "byte" in unit.lower():
        for name, size in _BYTE_UNITS:
            if abs(value) >= size:
                return f"{value / size:.3g} {name}"
        return f"{amount(value)} bytes"
    return f"{amount(value)} {unit}"


def duration(seconds: float) -> str:
    """A duration as "45 min", "5 h" or "2.5 days"."""
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400 * 2:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86_400:.3g} days"


def recency(criterion: Any) -> str:
    """ " in the last 7 days" for a criterion with in_last_days, else ""."""
    days = getattr(criterion, "in_last_days", None)
    if days is None:
        return ""
    return f" in the last {amount(days)} day{'' if days == 1 else 's'}"
