"""Render rows as a Rich table, CSV or JSON (the `--format` option)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    """Output formats every data command accepts."""

    table = "table"
    csv = "csv"
    json = "json"


def json_default(value: Any) -> Any:
    """JSON for datetimes (ISO 8601, UTC with Z) and other odd values."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if value.utcoffset() is not None else text + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(data: Any) -> str:
    """Pretty JSON with our datetime convention."""
    return json.dumps(data, indent=2, default=json_default)


def human(value: Any, kind: str = "") -> str:
    """A cell for people: 12.3%, 4.2, 3,201,600, 2026-01-05 10:00."""
    if value is None:
        return "-"
    if kind == "pct" and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if kind == "ci" and isinstance(value, list | tuple) and len(value) == 2:
        return f"{value[0] * 100:.1f}-{value[1] * 100:.1f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and kind != "text":
        return f"{value:.1f}"
    if isinstance(value, int) and kind != "text":  # counts exact, as in the dashboard tables
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(human(v) if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2g}"
    return str(value)


def flat_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with nested values flattened (dicts as col.key, lists as JSON)."""
    flat = [_flatten(row) for row in rows]
    columns: dict[str, None] = {}  # first-seen order
    for row in flat:
        if row.keys() - columns.keys():
            columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(row.get(c)) for c in columns] for row in flat)
    return buffer.getvalue()


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


_PLAIN = (str, int, float, bool)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, list | tuple):
        return json.dumps(value, default=json_default)
    if isinstance(value, datetime):
        return json_default(value)
    return value


def print_table(
    console: Console,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str, str]],
    title: str | None = None,
) -> None:
    """A Rich table of `rows`; columns are (key, header, kind) with kind in '', pct, ci."""
    table = Table(title=title, header_style="bold", title_justify="left")
    for _, header, kind in columns:
        table.add_column(header, justify="left" if kind == "text" else "right")
    for row in rows:
        table.add_row(*[human(_dig(row, key), kind) for key, _, kind in columns])
    console.print(table)


def _dig(row: dict[str, Any], key: str) -> Any:
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def sparkbar(values: Sequence[float | None]) -> str:
    """A one-line sparkline of values (blank for missing)."""
    blocks = "▁▂▃▄▅▆▇█"
    present = [v for v in values if v is not None]
    if not present:
        return ""
    top = max(present) or 1.0
    return "".join(
        " " if v is None else blocks[min(len(blocks) - 1, int(v / top * (len(blocks) - 1)))]
        for v in values
    )
