"""What every peer computes, and the shape it writes, for the Taskly demo definition.

The peers are hand-written for one definition (bench/out/*/pql.yaml of `pql demo`), the way
an analyst would write them; `definition_mismatches` tells when a pql.yaml has drifted from
these constants. Semantics: /work/shared/DESIGN.md "Semantics", src/pqlengine/compute/.

Each peer runs as `python -m bench.peers.<name> DATA_DIR OUT_DIR` and writes
OUT_DIR/qualified.parquet (account_id, signup_at, converted_at, qualified_at; naive UTC
microsecond timestamps, one row per account) and OUT_DIR/metrics.json (`cohort_rows`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pqlengine.config import FREE_EMAIL_DOMAINS, Project

AS_OF = datetime(2026, 11, 1)  # naive UTC, like the stored timestamps
CONVERSION_EVENT = "Subscription Started"
OBSERVATION_DAYS = 30
CONVERSION_WINDOW_DAYS = 90
CRITERIA_NEEDED = 3  # qualify: {fraction: 0.4} of 6 criteria, all of weight 1
MIN_ACTIVE_DAYS = 2
MIN_EMPLOYEES = 5
FREE_DOMAINS = list(FREE_EMAIL_DOMAINS)


@dataclass(frozen=True)
class Criterion:
    """One criterion of the demo definition (`source`: properties.source must equal it)."""

    event: str
    at_least: int
    within_days: int | None = None
    source: str | None = None


CRITERIA = (
    Criterion("Invited Member", 1),
    Criterion("Created Document", 2),
    Criterion("Shared Document", 1, within_days=14),
    Criterion("Uploaded Asset", 3),
    Criterion("Added Task", 3, source="web"),
    Criterion("Created Calendar", 1),
)
CRITERION_EVENTS = sorted({c.event for c in CRITERIA})
RELEVANT_EVENTS = sorted({*CRITERION_EVENTS, CONVERSION_EVENT})
MAX_AT_LEAST = max(c.at_least for c in CRITERIA)


def inputs(data_dir: Path) -> dict[str, str]:
    """Paths (globs) of the accounts, users and events Parquet files."""
    return {
        "accounts": str(data_dir / "accounts.parquet"),
        "users": str(data_dir / "users.parquet"),
        "events": str(data_dir / "events" / "*.parquet"),
    }


def cli_paths() -> tuple[Path, Path]:
    """DATA_DIR and OUT_DIR from the command line (OUT_DIR is created)."""
    if len(sys.argv) != 3:
        raise SystemExit(f"usage: python -m {sys.argv[0]} DATA_DIR OUT_DIR")
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    return Path(sys.argv[1]), out


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


def definition_mismatches(project: Project) -> list[str]:
    """How a loaded pql.yaml differs from the definition the peers hard-code."""
    definition = project.definition
    problems = []
    expected = [(c.event, c.at_least, c.within_days, c.source) for c in CRITERIA]
    found = [
        (c.event, c.at_least, c.within_days, (c.where or {}).get("source"))
        for c in definition.criteria
    ]
    if found != expected:
        problems.append(f"criteria {found} != {expected}")
    if any(set(c.where or {}) - {"source"} for c in definition.criteria):
        problems.append("a criterion filters on a property other than source")
    checks = {
        "entity": (project.entity, "account"),
        "signup source": (project.signup.source, "accounts"),
        "conversion event": (project.conversion.event, CONVERSION_EVENT),
        "observation_days": (project.observation_days, OBSERVATION_DAYS),
        "conversion_window_days": (project.conversion_window_days, CONVERSION_WINDOW_DAYS),
        "threshold": (definition.threshold, float(CRITERIA_NEEDED)),
        "min_active_days": (definition.min_active_days, MIN_ACTIVE_DAYS),
        "min_employees": (definition.fit.min_employees, MIN_EMPLOYEES),
        "free email domains": (
            list(definition.fit.free_domains) if definition.fit.exclude_free_email_domains else [],
            FREE_DOMAINS,
        ),
        "fit where": (definition.fit.where or None, None),
        "require_known": (definition.fit.require_known, False),
    }
    for name, (have, want) in checks.items():
        if have != want:
            problems.append(f"{name}: {have!r} != {want!r}")
    return problems
