"""The stale-data warning: every evaluating command says when --as-of is far past the newest
event (7 days, or the definition's expire_after_inactive_days when shorter)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pqlengine.compute.freshness import data_end, newest_event_at
from pqlengine.config import load_project
from pqlengine.store import Store
from tests.support.cli import pql
from tests.test_handmade import ingested_copy

# The newest event of tests/fixtures/handmade/events.jsonl (f3).
DATA_END = "2026-02-03T11:00:00Z"
SEVEN_DAYS_LATER = "2026-02-10T11:00:00Z"
JUST_OVER_SEVEN = "2026-02-10T11:00:01Z"
WARNING = "warning: data ends at"

# Every command evaluating at --as-of (cli.py), with the arguments it needs besides it.
EVALUATING = [
    ("qualify",),
    ("metrics",),
    ("leads",),
    ("discover",),
    ("drivers",),
    ("suggest",),
    ("validate",),
    ("compare", "pql.yaml", "pql.yaml"),
    ("report", "--out", "r.html", "--no-drivers"),
    ("model", "train"),
    ("model", "score"),
    ("model", "points"),
    ("model", "check"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_copy(tmp_path_factory.mktemp("freshness"))


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(WARNING)]


def test_newest_event_from_the_registry_equals_max_ts(project: Path) -> None:
    store = Store.for_project(load_project(project))
    try:
        assert store.has_registry
        from_registry = newest_event_at(store)
        store.has_registry = False  # the path of mapped tables and other backends
        from_events = newest_event_at(store)
    finally:
        store.close()
    expected = datetime(2026, 2, 3, 11, tzinfo=UTC)
    assert from_registry == from_events == expected


def test_an_empty_store_is_never_stale(tmp_path: Path) -> None:
    shutil.copy(project_yaml(), tmp_path / "pql.yaml")
    loaded = load_project(tmp_path)
    store = Store.for_project(loaded)
    try:
        found = data_end(store, loaded, datetime(2030, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    assert found.data_end is None and not found.stale and found.warning() is None


def project_yaml() -> Path:
    return Path(__file__).parent / "fixtures" / "handmade" / "pql.yaml"


@pytest.mark.parametrize("command", EVALUATING, ids=" ".join)
def test_every_evaluating_command_warns_once_past_seven_days(
    project: Path, command: tuple[str, ...]
) -> None:
    done = pql(*command, "-C", ".", "--as-of", JUST_OVER_SEVEN, cwd=project)
    assert warnings(done.stderr) == [
        f"{WARNING} {DATA_END}, 7 days before --as-of {JUST_OVER_SEVEN} (more than 7 days); "
        "counts of the periods after the data's end are partial and leads may look inactive "
        "or lapsed only because their newer events are not loaded (ingest newer events, or "
        "evaluate at an earlier as-of)"
    ], done.stderr


@pytest.mark.parametrize("as_of", [SEVEN_DAYS_LATER, DATA_END, "2026-01-20"])
def test_no_warning_up_to_exactly_seven_days(project: Path, as_of: str) -> None:
    done = pql("qualify", "-C", ".", "--as-of", as_of, cwd=project)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == []


def test_a_shorter_expiry_is_the_limit(project: Path, tmp_path: Path) -> None:
    expiring = Path(shutil.copytree(project, tmp_path / "expiring"))
    text = (expiring / "pql.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  min_active_days: 2\n", "  min_active_days: 2\n  expire_after_inactive_days: 2\n"
    )
    (expiring / "pql.yaml").write_text(text, encoding="utf-8")
    exactly = pql("metrics", "-C", ".", "--as-of", "2026-02-05T11:00:00Z", cwd=expiring)
    assert exactly.returncode == 0, exactly.stderr
    assert warnings(exactly.stderr) == []
    later = pql("metrics", "-C", ".", "--as-of", "2026-02-06T05:00:00Z", cwd=expiring)
    assert warnings(later.stderr) == [
        f"{WARNING} {DATA_END}, 2.8 days before --as-of 2026-02-06T05:00:00Z (more than the "
        "definition's expire_after_inactive_days (2)); counts of the periods after the data's "
        "end are partial and leads may look inactive or lapsed only because their newer "
        "events are not loaded (ingest newer events, or evaluate at an earlier as-of)"
    ]
