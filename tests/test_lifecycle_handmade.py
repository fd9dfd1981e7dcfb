"""The engine on the hand-made lifecycle fixture (tests/fixtures/lifecycle/README.md, issue
17) through `pql ingest`, `pql qualify` and `pql metrics`: the episodes, status, pql_since,
lapsed_at, last_seen_at, next_change_at and per-period numbers the README computes by hand.
(tests/test_reference_lifecycle.py checks the oracle against the same README.)"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pqlengine.compute.qualify import qualified_rows
from pqlengine.config import load_project
from pqlengine.store import Store
from tests.support.cli import pql
from tests.test_reference_lifecycle import BY_HAND, FIXTURE, FIXTURE_AS_OF

AS_OF = "2026-02-01T00:00:00Z"
PIPELINE_FIELDS = ("pqls", "new", "requalified", "lapsed", "ended_by_conversion", "open_at_end")
# The README's tables: (pqls, new, requalified, lapsed, ended_by_conversion, open_at_end).
BY_WEEK = {
    "2026-W02": (3, 3, 0, 2, 0, 1),
    "2026-W03": (2, 2, 0, 2, 1, 0),
    "2026-W05": (2, 2, 1, 1, 0, 2),
}
BY_MONTH = {"2026-01": (7, 7, 1, 4, 1, 3), "2026-02": (0, 0, 0, 1, 0, 2)}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture copied and ingested with the real CLI."""
    target = tmp_path_factory.mktemp("lifecycle")
    for name in ("pql.yaml", "accounts.csv", "users.csv", "events.jsonl", "conversions.csv"):
        shutil.copy(FIXTURE / name, target / name)
    done = pql(
        "ingest",
        *("--accounts", "accounts.csv", "--users", "users.csv"),
        *("--events", "events.jsonl", "--conversions", "conversions.csv"),
        cwd=target,
    )
    assert done.returncode == 0, done.stderr
    return target


def _instant(text: str | None) -> datetime | None:
    """An ISO timestamp of the JSON output as naive UTC (the README's times)."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text!r} has no UTC offset"
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def entities(project: Path) -> dict[str, dict[str, Any]]:
    done = pql("qualify", "--as-of", AS_OF, "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    return {row["entity_id"]: row for row in json.loads(done.stdout)["entities"]}


def test_qualify_lists_every_entity_of_the_readme(entities: dict[str, dict[str, Any]]) -> None:
    assert set(entities) == set(BY_HAND)


@pytest.mark.parametrize("entity", sorted(BY_HAND))
def test_qualify_json_gives_the_readme_episodes(
    entities: dict[str, dict[str, Any]], entity: str
) -> None:
    row = entities[entity]
    episodes, status, since, lapsed, seen, _ = BY_HAND[entity]
    got = {
        "episodes": [[_instant(start), _instant(end)] for start, end in row["episodes"]],
        "status": row["status"],
        "pql_since": _instant(row["pql_since"]),
        "lapsed_at": _instant(row["lapsed_at"]),
        "last_seen_at": _instant(row["last_seen_at"]),
        "qualified_at": _instant(row["qualified_at"]),
    }
    assert got == {
        "episodes": episodes,
        "status": status,
        "pql_since": since,
        "lapsed_at": lapsed,
        "last_seen_at": seen,
        "qualified_at": episodes[0][0] if episodes else None,
    }


def test_rows_give_the_readme_next_change_at_and_episode_columns(project: Path) -> None:
    loaded = load_project(project)
    store = Store.for_project(loaded)
    try:
        rows = {r["entity_id"]: r for r in qualified_rows(store, loaded, FIXTURE_AS_OF).to_pylist()}
    finally:
        store.close()
    for entity, (episodes, *_, next_change) in BY_HAND.items():
        row = rows[entity]
        closed = [end for _, end in episodes if end is not None]
        # No instants are stored as NULL (qualify._no_instants: PostgreSQL cannot type an
        # empty array literal); readers take it as [].
        starts, ends = row["episode_starts"] or [], row["episode_ends"] or []
        got = (starts, ends, row["next_change_at"])
        assert got == ([start for start, _ in episodes], closed, next_change), entity


@pytest.mark.parametrize(("period", "expected"), [("week", BY_WEEK), ("month", BY_MONTH)])
def test_metrics_give_the_readme_pipeline(
    project: Path, period: str, expected: dict[str, tuple[int, ...]]
) -> None:
    done = pql("metrics", "--as-of", AS_OF, "--period", period, "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["pql_count_by_period"]
    assert {r["period"]: tuple(r.get(f) for f in PIPELINE_FIELDS) for r in rows} == expected
