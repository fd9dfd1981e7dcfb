"""The engine against the reference oracle on random signal definitions (issue 16): criteria
of every kind, where operators on events and fit, points under a score rule."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.reference.strategies import Batch, signal_batches
from tests.support.examples import examples
from tests.test_engine_vs_reference import check_metrics, check_qualification

SIGNAL_LOGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SIGNAL_LOGS
@given(batch=signal_batches())
def test_signal_qualification_matches_reference(batch: Batch) -> None:
    """Up to LOGS_PER_BATCH logs in one store, one qualification; each log's entities (by id
    prefix) against the oracle run on that log alone."""
    check_qualification(batch)


@SIGNAL_LOGS
@given(batch=signal_batches())
def test_signal_metrics_match_reference(batch: Batch) -> None:
    """All logs of a batch in one store: the metrics against the oracle on the same rows."""
    check_metrics(batch.union)
