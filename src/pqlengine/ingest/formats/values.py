"""Parsing the values vendor exports hold: ids, timestamps, amounts, flags, domains.

Each parser returns None for "no value" and raises ValueError with a short reason for a
value it cannot read, so the importer can name the line and the vendor's field.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(1970, 1, 1)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_AMOUNT = re.compile(r"(?:[A-Z]{3}\s*|[$€£¥])?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def text(value: Any) -> str | None:
    """An id or label as text: strings stripped, whole numbers without '.0'; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def timestamp(value: Any) -> datetime | None:
    """A naive UTC datetime from ISO 8601 text (naive = UTC) or epoch s / ms / us."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("is not a timestamp")
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = value.strip()
        value = float(number) if "." in number else int(number)
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise ValueError("is not a timestamp")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a timestamp") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _from_epoch(number: float) -> datetime:
    """Epoch magnitude picks the unit, as the file importers do: s < 1e11 <= ms < 1e14 <= us."""
    if not math.isfinite(number):
        raise ValueError("is not a timestamp")
    magnitude = abs(number)
    per_second = 1 if magnitude < 1e11 else 1_000 if magnitude < 1e14 else 1_000_000
    # Whole numbers stay exact in integer microseconds (no float rounding of milliseconds).
    micros = (
        number * (1_000_000 // per_second)
        if isinstance(number, int)
        else round(number * 1_000_000 / per_second)
    )
    try:
        return _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise ValueError("is out of range for a timestamp") from None


def amount(value: Any) -> float | None:
    """A money amount: 1200, 1200.50, 1,200.50, USD 1,200.50 or $1,200.50."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if value is None or not str(value).strip():
        return None
    match = _AMOUNT.fullmatch(str(value).strip())
    if match is None:
        raise ValueError("is not an amount (expected a number such as 1200.50)")
    return float(match.group(1).replace(",", ""))


def flag(value: Any) -> bool | None:
    """true/false, 1/0, yes/no (any case)."""
    if isinstance(value, bool):
        return value
    if value is None or not str(value).strip():
        return None
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("is not true or false")


def domain(value: Any) -> str | None:
    """A bare lower-case host: 'https://www.Acme.io/pricing' -> 'acme.io'; emails keep the host."""
    raw = text(value)
    if raw is None:
        return None
    host = raw.lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.rsplit("@", 1)[-1]
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.split(":", 1)[0].strip().strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def json_object(value: Any) -> dict[str, Any] | None:
    """A JSON object given as a dict or as JSON text (CSV exports); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


def whole(value: Any) -> int | None:
    """A whole number if `value` is one (as number or text), else None (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None
