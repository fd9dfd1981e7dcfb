"""The engine against the reference oracle on random signal definitions (issue 16): criteria
of every kind, where operators on events and fit, points under a score rule."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project
from tests.reference.compare import metrics_differences, qualify_differences
from tests.reference.oracle import reference_metrics, reference_qualify
from tests.reference.strategies import Batch, log_prefix, signal_batches
from tests.support.examples import examples
from tests.test_engine_vs_reference import METRIC_VARIANTS, _fail_with, loaded_store

SIGNAL_LOGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SIGNAL_LOGS
@given(batch=signal_batches())
def test_signal_qualification_matches_reference(batch: Batch) -> None:
    """Up to LOGS_PER_BATCH logs in one store, one qualification; each log's entities (by id
    prefix) against the oracle run on that log alone."""
    union = batch.union
    with loaded_store(union) as store:
        got = qualify_entities(store, Project.from_dict(union.config), union.as_of)
    for index, log in enumerate(batch.logs):
        expected = reference_qualify(log.config, log.tables, log.as_of)
        mine = [row for row in got if row["entity_id"].startswith(log_prefix(index))]
        _fail_with(qualify_differences(mine, expected), log, f"qualify_entities, log {index}")


@SIGNAL_LOGS
@given(batch=signal_batches())
def test_signal_metrics_match_reference(batch: Batch) -> None:
    """All logs of a batch in one store: the metrics against the oracle on the same rows."""
    scenario = batch.union
    project = Project.from_dict(scenario.config)
    with loaded_store(scenario) as store:
        for period, by in METRIC_VARIANTS:
            expected = reference_metrics(
                scenario.config, scenario.tables, scenario.as_of, period=period, by=by
            )
            try:
                got = compute_metrics(store, project, scenario.as_of, period=period, by=by)
            except SegmentError:
                # Engine choice beyond semantics.md: a segment nobody has is an error.
                continue
            _fail_with(metrics_differences(got, expected), scenario, f"metrics {period} by={by}")
