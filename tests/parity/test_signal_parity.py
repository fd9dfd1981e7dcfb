"""Criterion kinds, `where` operators and points (issue 16) on every backend: the hand-made
cases of signal_cases.py give the answers worked out by hand in our store, and exactly the
same qualification (every field, fit_failed included) and criteria progress in a user's
DuckDB file, on PostgreSQL and on PySpark (`--backends=all`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pqlengine.compute.qualify import criteria_progress, qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.parity.backends import PostgresTarget, Target, user_project
from tests.parity.signal_cases import SignalCase, signal_cases
from tests.reference.compare import keyed_by_entity

CASES = signal_cases()


def loaded(case: SignalCase) -> Store:
    """The case's tables in a fresh in-memory store of ours."""
    store = Store.open(":memory:")
    for table, rows in case.scenario.tables.items():
        if rows:
            ingest_records(store, table, rows)
    return store


def record_differences(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[str]:
    """Every differing field of two qualifications (all fields of the public record)."""
    mine, theirs = keyed_by_entity(got), keyed_by_entity(want)
    problems = [] if set(mine) == set(theirs) else [f"entities {sorted(mine)} != {sorted(theirs)}"]
    for entity in sorted(set(mine) & set(theirs)):
        for name, value in theirs[entity].items():
            if name == "criteria":
                problems += [
                    f"{entity}.criteria.{cid}: {mine[entity][name].get(cid)!r} != {at!r}"
                    for cid, at in value.items()
                    if mine[entity][name].get(cid) != at
                ]
            elif mine[entity].get(name) != value:
                problems.append(f"{entity}.{name}: {mine[entity].get(name)!r} != {value!r}")
    return problems


def _fail_with(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what} ({len(problems)} differences):\n" + "\n".join(problems[:40]))


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> Iterator[tuple[SignalCase, Store]]:
    store = loaded(request.param)
    yield request.param, store
    store.close()


def test_our_store_gives_the_hand_worked_answers(case: tuple[SignalCase, Store]) -> None:
    signal, store = case
    scenario = signal.scenario
    rows = qualify_entities(store, Project.from_dict(scenario.config), scenario.as_of)
    expected = [{"entity_id": e, **fields} for e, fields in signal.expected.items()]
    got = [r for r in rows if r["entity_id"] in signal.expected]
    _fail_with(record_differences(got, expected), f"{signal.name} against the hand answers")


def _localised(backend: Target) -> Target:
    """PostgreSQL in a database that sorts text by a locale, as users' databases do (the
    test cluster's own is C, which would hide a comparison by collation)."""
    return backend.in_icu_database() if isinstance(backend, PostgresTarget) else backend


def test_every_backend_qualifies_like_our_store(
    backend: Target, case: tuple[SignalCase, Store], tmp_path: Path
) -> None:
    backend = _localised(backend)
    signal, source = case
    scenario = signal.scenario
    expected = qualify_entities(source, Project.from_dict(scenario.config), scenario.as_of)
    project = Project.from_dict(user_project(scenario.config, backend.load(source, tmp_path)))
    store = Store.for_project(project)
    try:
        got = qualify_entities(store, project, scenario.as_of)
    finally:
        store.close()
    _fail_with(record_differences(got, expected), f"{signal.name} on {backend.name}")


def _same(got: float | None, want: float | None) -> bool:
    if got is None or want is None:
        return got is want
    return bool(got == pytest.approx(want, rel=1e-12, abs=1e-9))


# Progress of the kinds with their own maths (sums, runs of days, a sequence's duration).
PROGRESS_ENTITIES = ("A", "B")


def test_every_backend_reports_progress_like_our_store(backend: Target, tmp_path: Path) -> None:
    backend = _localised(backend)
    (signal,) = [c for c in CASES if c.name == "kinds"]
    scenario = signal.scenario
    source = loaded(signal)
    try:
        mine = Project.from_dict(scenario.config)
        expected = criteria_progress(source, mine, scenario.as_of, list(PROGRESS_ENTITIES))
        project = Project.from_dict(user_project(scenario.config, backend.load(source, tmp_path)))
    finally:
        source.close()
    store = Store.for_project(project)
    try:
        got = criteria_progress(store, project, scenario.as_of, list(PROGRESS_ENTITIES))
    finally:
        store.close()
    problems = [
        f"{e}.{cid}: {got[e][cid]!r} != {value!r}"
        for e in PROGRESS_ENTITIES
        for cid, value in expected[e].items()
        if not _same(got[e][cid], value)
    ]
    _fail_with(problems, f"progress on {backend.name}")
    # Worked out by hand: 10 of 10 paid, 3 devices, a run of 5 login days for B.
    assert expected["A"]["s_amount"] == 10 and expected["A"]["d_device"] == 3
    assert expected["B"]["cd_login"] == 3 and expected["A"]["seq_abc"] == 3 * 3600
