"""The engine against the reference oracle on random lifecycle definitions (issue 17):
rolling windows (`in_last_days`), expiry with and without an activity event, points on sums
with negative values. Each drawn log is qualified at several as_of values, among them an
instant `o + D` (or `ts + E`) at which an occurrence leaves, where ties decide episodes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.compute.qualify import qualified_rows, to_records
from pqlengine.config import Project
from pqlengine.store import Store
from tests.reference.compare import LIFECYCLE_FIELDS, metrics_differences, qualify_differences
from tests.reference.maths import to_naive_utc
from tests.reference.oracle import reference_metrics, reference_qualify
from tests.reference.strategies import Batch, Scenario, lifecycle_batches, log_prefix
from tests.support.examples import examples
from tests.test_engine_vs_reference import METRIC_VARIANTS, _has_segment_values, loaded_store

# Sized for the file to stay near 90 s of CPU (3 qualifications of a batch, or 3 metrics
# of one variant, per example: 360 engine runs against the oracle in all).
LIFECYCLE_LOGS = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LIFECYCLE_METRICS = settings(LIFECYCLE_LOGS, max_examples=examples(40))
# The record's fields plus the row's next_change_at (docs/semantics.md, "Live").
FIELDS = (*LIFECYCLE_FIELDS, "next_change_at")
MICROSECOND = timedelta(microseconds=1)


def leaving_instants(scenario: Scenario) -> list[datetime]:
    """Every `ts + D` (D: a criterion's in_last_days) and `ts + E` (E: the expiry) over the
    scenario's events: the instants at which an occurrence or an activity event leaves."""
    definition = scenario.config["definition"]
    days = [c["in_last_days"] for c in definition["criteria"] if "in_last_days" in c]
    if "expire_after_inactive_days" in definition:
        days.append(definition["expire_after_inactive_days"])
    times = [e["ts"] for e in scenario.tables["events"]]
    return sorted({to_naive_utc(ts) + timedelta(days=d) for ts in times for d in days})


@st.composite
def batches_and_instants(draw: st.DrawFn) -> tuple[Batch, tuple[datetime, ...]]:
    """A lifecycle batch and three as_of values: the batch's own, an instant at which an
    occurrence or activity event leaves (one at or before the batch's as_of when there is
    one), and an event's ts or the microsecond before it."""
    batch = draw(lifecycle_batches())
    union = batch.union
    own = to_naive_utc(union.as_of)
    leaving = leaving_instants(union)
    earlier = [t for t in leaving if t <= own] or leaving
    times = sorted({to_naive_utc(e["ts"]) for e in union.tables["events"]}) or [own]
    at_event = draw(st.sampled_from(times)) - MICROSECOND * draw(st.sampled_from((0, 0, 1)))
    at_leaving = draw(st.sampled_from(earlier)) if earlier else at_event
    return batch, (union.as_of, at_leaving, at_event)


def engine_rows(store: Store, project: Project, as_of: datetime) -> list[dict[str, Any]]:
    """`qualify_entities` (records from `qualified_rows`), each with its row's
    next_change_at when the row has the column."""
    rows = qualified_rows(store, project, as_of)
    records = to_records(rows, project)
    for record, row in zip(records, rows.to_pylist(), strict=True):
        if "next_change_at" in row:
            record["next_change_at"] = row["next_change_at"]
    return records


def log_text(scenario: Scenario) -> str:
    """The scenario's definition and rows, one line each (to reproduce a failure)."""
    lines = [f"definition: {scenario.config['definition']!r}"]
    lines += [f"config.{k}: {v!r}" for k, v in scenario.config.items() if k != "definition"]
    for table, rows in scenario.tables.items():
        lines += [f"{table}: {row!r}" for row in rows]
    return "\n".join(lines)


def _fail_with(problems: list[str], what: str, as_of: datetime, scenario: Scenario) -> None:
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n... {len(problems) - 20} more" if len(problems) > 20 else ""
        pytest.fail(
            f"{what} at as_of={as_of!r}: engine != oracle\n{shown}{more}\n"
            f"-- the log --\n{log_text(scenario)}"
        )


def check_lifecycle_qualification(batch: Batch, instants: tuple[datetime, ...]) -> None:
    """At each as_of: every log's entities, qualified in one store holding all logs, equal
    the oracle run on that log alone, field by field."""
    union = batch.union
    project = Project.from_dict(union.config)
    with loaded_store(union) as store:
        for as_of in instants:
            got = engine_rows(store, project, as_of)
            for index, log in enumerate(batch.logs):
                expected = reference_qualify(log.config, log.tables, as_of)
                mine = [row for row in got if row["entity_id"].startswith(log_prefix(index))]
                problems = qualify_differences(mine, expected, FIELDS)
                _fail_with(problems, f"qualification of log {index}", as_of, log)


@LIFECYCLE_LOGS
@given(drawn=batches_and_instants())
def test_lifecycle_qualification_matches_reference(
    drawn: tuple[Batch, tuple[datetime, ...]],
) -> None:
    check_lifecycle_qualification(*drawn)


def check_lifecycle_metrics(
    scenario: Scenario, instants: tuple[datetime, ...], period: str, by: str | None
) -> None:
    """At each as_of: cohorts and the per-period pipeline (new, requalified, lapsed,
    ended_by_conversion, open_at_end) equal the oracle's."""
    project = Project.from_dict(scenario.config)
    with loaded_store(scenario) as store:
        for as_of in instants:
            expected = reference_metrics(
                scenario.config, scenario.tables, as_of, period=period, by=by, pipeline=True
            )
            try:
                got = compute_metrics(store, project, as_of, period=period, by=by)
            except SegmentError:
                # Engine choice beyond semantics.md: a segment nobody has is an error.
                assert by is not None and not _has_segment_values(scenario, by)
                return
            problems = metrics_differences(got, expected)
            _fail_with(problems, f"metrics {period} by={by}", as_of, scenario)


@LIFECYCLE_METRICS
@given(drawn=batches_and_instants(), variant=st.sampled_from(METRIC_VARIANTS))
def test_lifecycle_metrics_match_reference(
    drawn: tuple[Batch, tuple[datetime, ...]], variant: tuple[str, str | None]
) -> None:
    """All logs of a batch in one store, one variant (period, --by) per example."""
    batch, instants = drawn
    check_lifecycle_metrics(batch.union, instants, *variant)
