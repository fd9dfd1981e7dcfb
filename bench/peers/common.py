"""What every peer computes, and the shape it writes.

The peers are hand-written for one definition per data shape (bench/peers/shapes.py: the
Taskly demo of `pql demo`, the dense-activity data of bench/dense_shape.py), the way an
analyst would write them; `shapes.definition_mismatches` tells when a pql.yaml has drifted
from the shape's definition. Semantics: docs/semantics.md, src/pqlengine/compute/.

Each peer runs as `python -m bench.peers.<name> DATA_DIR OUT_DIR [SHAPE]` (SHAPE: a name in
`shapes.SHAPES`, default demo) and writes OUT_DIR/qualified.parquet (account_id, signup_at,
converted_at, qualified_at; naive UTC microsecond timestamps, one row per account) and
OUT_DIR/metrics.json (`cohort_rows`).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.peers.shapes import (
    CONVERSION_WINDOW_DAYS,
    DEMO,
    FREE_DOMAINS,
    OBSERVATION_DAYS,
    SHAPES,
    Criterion,
    Shape,
)

AS_OF = datetime(2026, 11, 1)  # naive UTC, like the stored timestamps

# The demo shape's definition as constants, for the peers written for the demo only
# (spark_peer.py).
CONVERSION_EVENT = DEMO.conversion_event
CRITERIA = DEMO.criteria
CRITERIA_NEEDED = DEMO.criteria_needed
MIN_ACTIVE_DAYS = DEMO.min_active_days
MIN_EMPLOYEES = DEMO.min_employees
CRITERION_EVENTS = DEMO.criterion_events
__all__ = [
    "AS_OF",
    "CONVERSION_EVENT",
    "CONVERSION_WINDOW_DAYS",
    "CRITERIA",
    "CRITERIA_NEEDED",
    "CRITERION_EVENTS",
    "FREE_DOMAINS",
    "MIN_ACTIVE_DAYS",
    "MIN_EMPLOYEES",
    "OBSERVATION_DAYS",
    "Criterion",
    "Shape",
]


def inputs(data_dir: Path) -> dict[str, str]:
    """Paths (globs) of the accounts, users and events Parquet files."""
    return {
        "accounts": str(data_dir / "accounts.parquet"),
        "users": str(data_dir / "users.parquet"),
        "events": str(data_dir / "events" / "*.parquet"),
    }


def cli_paths() -> tuple[Path, Path]:
    """DATA_DIR and OUT_DIR from the command line (OUT_DIR is created)."""
    if len(sys.argv) not in (3, 4):
        raise SystemExit(f"usage: python -m {sys.argv[0]} DATA_DIR OUT_DIR [SHAPE]")
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    return Path(sys.argv[1]), out


def cli_shape() -> Shape:
    """The SHAPE named on the command line (after DATA_DIR OUT_DIR), demo when none."""
    name = sys.argv[3] if len(sys.argv) > 3 else "demo"
    if name not in SHAPES:
        raise SystemExit(f"unknown shape {name!r}; known: {', '.join(SHAPES)}")
    return SHAPES[name]


def write_metrics(out_dir: Path, rows: list[dict[str, Any]]) -> None:
    """Write cohort rows (see `cohort_row`) to OUT_DIR/metrics.json."""
    (out_dir / "metrics.json").write_text(json.dumps({"cohorts": rows}, indent=1))


def next_month(month_start: datetime) -> datetime:
    """The first instant of the month after `month_start`'s."""
    return month_start.replace(
        year=month_start.year + month_start.month // 12, month=month_start.month % 12 + 1
    )


def cohort_complete(month_start: datetime) -> bool:
    """A monthly cohort is complete once observation_days have passed after its month."""
    return next_month(month_start) + timedelta(days=OBSERVATION_DAYS) <= AS_OF


def previous_month(month_start: datetime) -> datetime:
    """The first instant of the month before `month_start`'s."""
    if month_start.month == 1:
        return month_start.replace(year=month_start.year - 1, month=12)
    return month_start.replace(month=month_start.month - 1)


def _complete_before() -> datetime:
    month = AS_OF.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while not cohort_complete(previous_month(month)):
        month = previous_month(month)
    return month


# Signups before this instant are in complete cohorts at AS_OF (the overall row's entities).
COMPLETE_BEFORE = _complete_before()


def cohort_rows(sums: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cohort rows from per-month sufficient statistics, plus the overall row.

    `sums`: one dict per signup month, by month, with month_start (datetime), signups, pqls,
    converted_pqls, non_pql_converted and median_days_to_pql; plus one with month_start
    None: the same statistics over the complete cohorts (the peer computes that median).
    """
    rows = []
    for item in sums:
        start = item["month_start"]
        cohort = None if start is None else f"{start.year:04d}-{start.month:02d}"
        complete = True if start is None else cohort_complete(start)
        pqls = int(item["pqls"] or 0)
        converted_pqls = int(item["converted_pqls"] or 0)
        median = item["median_days_to_pql"]
        rows.append(
            {
                "cohort": cohort,
                "complete": complete,
                "signups": int(item["signups"]),
                "pqls": pqls,
                "pql_rate": pqls / item["signups"] if item["signups"] else None,
                "median_days_to_pql": float(median) if pqls and median is not None else None,
                "converted_pqls": converted_pqls,
                "pql_to_paid": converted_pqls / pqls if pqls else None,
                "non_pql_converted": int(item["non_pql_converted"] or 0),
            }
        )
    return rows
