"""A repeated event_id counts once on every backend: our store (deduplicated at ingest), a
DuckDB view over the user's files, and the user's own tables on DuckDB, PostgreSQL and
PySpark (deduplicated when read). The hand-worked answer is in tests/repeated_ids.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store, unique_events
from tests.parity.backends import Target, user_project
from tests.reference.compare import qualify_differences
from tests.reference.oracle import reference_qualify
from tests.reference.strategies import Scenario, repeated_scenarios
from tests.reference.world import earliest_copies_first
from tests.repeated_ids import AS_OF, CONFIG, DAYS_TO_PQL, QUALIFIED_AT, TABLES, users_tables
from tests.support.examples import examples


def _assert_deduplicated_answer(store: Store, project: Project) -> None:
    rows = {row["entity_id"]: row for row in qualify_entities(store, project, AS_OF)}
    assert rows["A"]["qualified_at"].replace(tzinfo=None) == QUALIFIED_AT
    overall = compute_metrics(store, project, AS_OF, "month")["overall"]
    assert overall["time_to_pql_days"]["median"] == pytest.approx(DAYS_TO_PQL, abs=1e-9)


def test_our_store_keeps_one_row_per_event_id() -> None:
    store = Store.open(":memory:")
    try:
        for table, rows in TABLES.items():
            ingest_records(store, table, rows)
        _assert_deduplicated_answer(store, Project.from_dict(CONFIG))
    finally:
        store.close()


def test_a_view_over_the_users_files_is_deduplicated(tmp_path: Path) -> None:
    """`events` a view over Parquet files in our DuckDB file: nobody deduplicated them."""
    events_file = tmp_path / "events.parquet"
    source = users_tables()
    try:
        source.raw.execute(f"COPY events TO '{events_file}' (FORMAT parquet)")
    finally:
        source.close()
    with duckdb.connect(str(tmp_path / "view.duckdb")) as con:
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{events_file}')")
    store = Store.open(tmp_path / "view.duckdb")
    try:
        for table, rows in TABLES.items():
            if table != "events":
                ingest_records(store, table, rows)
        assert not store.events_unique
        _assert_deduplicated_answer(store, Project.from_dict(CONFIG))
    finally:
        store.close()


def test_the_users_tables_are_deduplicated_on_every_backend(
    backend: Target, tmp_path: Path
) -> None:
    source = users_tables()
    try:
        block = backend.load(source, tmp_path)
    finally:
        source.close()
    project = Project.from_dict(user_project(CONFIG, block))
    store = Store.for_project(project)
    try:
        _assert_deduplicated_answer(store, project)
    finally:
        store.close()


def test_the_earliest_copy_wins_and_ties_go_to_the_first_in_column_order() -> None:
    store = users_tables()
    try:
        kept = unique_events(store.con.table("events")).order_by("event_id").to_pyarrow()
        assert kept.select(["event_id", "event", "ts"]).to_pylist() == [
            {"event_id": "c1", "event": "Create", "ts": TABLES["events"][0]["ts"]},
            {"event_id": "c2", "event": "Create", "ts": TABLES["events"][4]["ts"]},
            {"event_id": "i1", "event": "Invite", "ts": TABLES["events"][2]["ts"]},
        ]
    finally:
        store.close()


@settings(
    max_examples=examples(6),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example costs Spark jobs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario=repeated_scenarios())
def test_random_repeated_ids_match_the_oracle(backend: Target, scenario: Scenario) -> None:
    """Copies of an id earlier, later or at the same instant under another name: the engine
    on the user's tables keeps what the oracle's independent rule keeps."""
    source = users_tables(scenario.tables)
    with tempfile.TemporaryDirectory() as work:
        try:
            block = backend.load(source, Path(work))
        finally:
            source.close()
        project = Project.from_dict(user_project(scenario.config, block))
        store = Store.for_project(project)
        try:
            tables = {**scenario.tables, "events": earliest_copies_first(scenario.tables["events"])}
            expected = reference_qualify(scenario.config, tables, scenario.as_of)
            problems = qualify_differences(
                qualify_entities(store, project, scenario.as_of), expected
            )
            assert not problems, "\n".join(problems[:20])
        finally:
            store.close()
