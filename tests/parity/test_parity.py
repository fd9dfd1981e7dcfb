"""The same pql.yaml over the same data gives the same qualification, metrics and discovery
on every backend (`backend` fixture: duckdb by default; `--backends=all` adds PostgreSQL
and PySpark). The data sits in user-shaped tables (their table and column names, JSON as
text or jsonb, aware timestamps) read through `store:` and `columns:`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings

from pqlengine.compute.discovery import discover
from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.compute.outcome_labels import parse_outcome
from pqlengine.compute.outcomes import compute_outcomes
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project, load_project
from pqlengine.demo import write_demo
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.parity.backends import Target, user_project
from tests.reference.compare import close_differences, metrics_differences, qualify_differences
from tests.reference.oracle import reference_metrics, reference_qualify
from tests.reference.strategies import Scenario, scenarios
from tests.support.config import base_config
from tests.support.examples import examples
from tests.test_discovery_kinds import PLANTED_AS_OF, ingest_planted
from tests.test_handmade import ingested_copy

HANDMADE_AS_OF = datetime(2026, 3, 1)
DEMO_AS_OF = datetime(2026, 11, 1)
METRIC_VARIANTS = (("week", None), ("month", "plan"))


def _fail_with(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n" + "\n".join(problems[:20]))


def _on_backend(backend: Target, source: Store, config: dict[str, Any], workdir: Path) -> Store:
    """The source store's data laid out in `backend`, opened through pql.yaml's store:."""
    project = Project.from_dict(user_project(config, backend.load(source, workdir)))
    return Store.for_project(project)


def _metrics_all(store: Store, project: Project, as_of: datetime) -> dict[str, Any]:
    out = {}
    for period, by in METRIC_VARIANTS:
        try:
            out[f"{period}/{by}"] = compute_metrics(store, project, as_of, period, by=by)
        except SegmentError as exc:
            out[f"{period}/{by}"] = {"error": str(exc)}
    return out


def _same_metrics(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in expected.items():
        if "error" in value or "error" in got[key]:
            if value != got[key]:
                problems.append(f"{key}: {got[key]} != {value}")
            continue
        problems += [f"{key}: {p}" for p in metrics_differences(got[key], value)]
    return problems


# ---- the hand-made fixture (numbers computed by hand in tests/fixtures/handmade) ----------


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, Store]]:
    directory = ingested_copy(tmp_path_factory.mktemp("handmade"))
    config = yaml.safe_load((directory / "pql.yaml").read_text())
    store = Store.for_project(load_project(directory))
    yield config, store
    store.close()


def test_handmade_fixture_is_identical(
    backend: Target, handmade: tuple[dict, Store], tmp_path: Path
) -> None:
    config, source = handmade
    project = Project.from_dict(config)
    expected_rows = qualify_entities(source, project, HANDMADE_AS_OF)
    expected_metrics = _metrics_all(source, project, HANDMADE_AS_OF)
    store = _on_backend(backend, source, config, tmp_path)
    try:
        mapped = Project.from_dict(user_project(config, store.config.model_dump()))
        _fail_with(
            qualify_differences(qualify_entities(store, mapped, HANDMADE_AS_OF), expected_rows),
            f"qualify on {backend.name}",
        )
        got = _metrics_all(store, mapped, HANDMADE_AS_OF)
        _fail_with(_same_metrics(got, expected_metrics), f"metrics on {backend.name}")
    finally:
        store.close()


# ---- random event logs against the reference oracle --------------------------------------

PARITY_LOGS = settings(
    max_examples=examples(8),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example costs Spark jobs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PARITY_LOGS
@given(scenario=scenarios())
def test_random_logs_match_the_oracle(backend: Target, scenario: Scenario) -> None:
    source = Store.open(":memory:")
    try:
        for table, rows in scenario.tables.items():
            if rows:
                ingest_records(source, table, rows)
        with tempfile.TemporaryDirectory() as work:
            store = _on_backend(backend, source, scenario.config, Path(work))
            try:
                project = Project.from_dict(
                    user_project(scenario.config, store.config.model_dump())
                )
                expected = reference_qualify(scenario.config, scenario.tables, scenario.as_of)
                got = qualify_entities(store, project, scenario.as_of)
                _fail_with(qualify_differences(got, expected), f"qualify on {backend.name}")
                for period, by in METRIC_VARIANTS:
                    oracle = reference_metrics(
                        scenario.config, scenario.tables, scenario.as_of, period=period, by=by
                    )
                    try:
                        metrics = compute_metrics(store, project, scenario.as_of, period, by=by)
                    except SegmentError:
                        continue  # a segment nobody has: the DuckDB suite checks this case
                    _fail_with(
                        metrics_differences(metrics, oracle),
                        f"metrics {period} by={by} on {backend.name}",
                    )
            finally:
                store.close()
    finally:
        source.close()


# ---- the demo product: JSON `where:`, fit on domains, discovery ---------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, Store]]:
    directory = tmp_path_factory.mktemp("demo")
    write_demo(directory, 300, 11)
    config = yaml.safe_load((directory / "pql.yaml").read_text())
    config.pop("store", None)
    store = Store.for_project(load_project(directory))
    yield config, store
    store.close()


def test_demo_qualification_and_metrics_are_identical(
    backend: Target, demo: tuple[dict, Store], tmp_path: Path
) -> None:
    config, source = demo
    project = Project.from_dict(config)
    store = _on_backend(backend, source, config, tmp_path)
    try:
        mapped = Project.from_dict(user_project(config, store.config.model_dump()))
        _fail_with(
            qualify_differences(
                qualify_entities(store, mapped, DEMO_AS_OF),
                qualify_entities(source, project, DEMO_AS_OF),
            ),
            f"qualify on {backend.name}",
        )
        _fail_with(
            _same_metrics(
                _metrics_all(store, mapped, DEMO_AS_OF), _metrics_all(source, project, DEMO_AS_OF)
            ),
            f"metrics on {backend.name}",
        )
    finally:
        store.close()


# Known gaps, kept visible: each must fail for the reason given (strict).
DISCOVERY_GAPS: dict[str, str] = {}


def test_demo_discovery_is_identical(
    backend: Target, demo: tuple[dict, Store], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend.name in DISCOVERY_GAPS:
        request.applymarker(pytest.mark.xfail(reason=DISCOVERY_GAPS[backend.name], strict=True))
    config, source = demo
    project = Project.from_dict(config)
    store = _on_backend(backend, source, config, tmp_path)
    try:
        mapped = Project.from_dict(user_project(config, store.config.model_dump()))
        _fail_with(
            close_differences(
                discover(store, mapped, DEMO_AS_OF, window_days=14, min_support=10),
                discover(source, project, DEMO_AS_OF, window_days=14, min_support=10),
            ),
            f"discover on {backend.name}",
        )
    finally:
        store.close()


@pytest.mark.parametrize("outcome", ["retained_60", "revenue_60"])
def test_demo_discovery_against_customer_outcomes_is_identical(
    backend: Target, demo: tuple[dict, Store], tmp_path: Path, outcome: str
) -> None:
    """`--outcome retained_<D>` / `revenue_<D>` (issue 19): labels from the customers'
    timelines (compute/customers.py) joined to the landmark frame on every backend."""
    config, source = demo
    project = Project.from_dict(config)
    chosen = parse_outcome(outcome)
    store = _on_backend(backend, source, config, tmp_path)
    try:
        mapped = Project.from_dict(user_project(config, store.config.model_dump()))
        expected = discover(source, project, DEMO_AS_OF, 14, 10, outcome=chosen)
        assert expected["outcome"]["entities"] > 0
        _fail_with(
            close_differences(
                discover(store, mapped, DEMO_AS_OF, 14, 10, outcome=chosen), expected
            ),
            f"discover --outcome {outcome} on {backend.name}",
        )
    finally:
        store.close()


def test_demo_customer_outcomes_are_identical(
    backend: Target, demo: tuple[dict, Store], tmp_path: Path
) -> None:
    """`pql outcomes` (issue 19): PQL vs non-PQL customers' revenue, retention and LTV."""
    config, source = demo
    project = Project.from_dict(config)
    store = _on_backend(backend, source, config, tmp_path)
    try:
        mapped = Project.from_dict(user_project(config, store.config.model_dump()))
        expected = compute_outcomes(source, project, DEMO_AS_OF, "month", "plan", 60)
        assert expected["overall"]["pql"]["customers"] > 0
        _fail_with(
            close_differences(
                compute_outcomes(store, mapped, DEMO_AS_OF, "month", "plan", 60), expected
            ),
            f"outcomes on {backend.name}",
        )
    finally:
        store.close()


def test_discovery_of_sums_and_distinct_counts_is_identical(
    backend: Target, tmp_path: Path
) -> None:
    """Numeric properties (JSON numbers, numeric strings, text) summed and wide properties
    counted the same way everywhere (tests/test_discovery_kinds.py's planted product)."""
    source = Store.open(":memory:")
    try:
        ingest_planted(source)
        config = base_config()
        project = Project.from_dict(config)
        store = _on_backend(backend, source, config, tmp_path)
        try:
            mapped = Project.from_dict(user_project(config, store.config.model_dump()))
            expected = discover(source, project, PLANTED_AS_OF, window_days=14)
            assert {"sum", "distinct"} <= {c["kind"] for c in expected["candidates"]}
            _fail_with(
                close_differences(discover(store, mapped, PLANTED_AS_OF, window_days=14), expected),
                f"discover (sums, distinct counts) on {backend.name}",
            )
        finally:
            store.close()
    finally:
        source.close()


# ---- the CLI with store: in pql.yaml ------------------------------------------------------


def _pql(directory: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "pqlengine", *args, "-C", str(directory), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow  # six pql processes
def test_cli_reads_the_store_named_in_pql_yaml(backend: Target, tmp_path: Path) -> None:
    """Each command is its own process: the later ones find the results tables the earlier
    ones wrote (on local Spark, re-registered from the warehouse) and replace them."""
    reference_dir = ingested_copy(_made(tmp_path / "reference"))
    config = yaml.safe_load((reference_dir / "pql.yaml").read_text())
    source = Store.for_project(load_project(reference_dir))
    try:
        block = backend.load(source, tmp_path / "data", portable=True)
    finally:
        source.close()
    directory = _made(tmp_path / "project")
    (directory / "pql.yaml").write_text(yaml.safe_dump(user_project(config, block)))
    as_of = ("--as-of", HANDMADE_AS_OF.date().isoformat())
    commands = (("qualify", *as_of), ("metrics", *as_of, "--period", "week"), ("qualify", *as_of))
    for command in commands:
        got, expected = _pql(directory, *command), _pql(reference_dir, *command)
        _fail_with(close_differences(got, expected), f"pql {command[0]} on {backend.name}")


def _made(directory: Path) -> Path:
    directory.mkdir(parents=True)
    return directory
