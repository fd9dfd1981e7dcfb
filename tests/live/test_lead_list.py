"""`/api/leads` pages (live/queries.py `list_leads`): every sort, both directions, a status
filter, search and offsets give the rows a plain Python ordering of pql_state gives, whether
the page is chosen before the fit data is joined (most sorts) or after (employees, search)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqlengine.config import load_project
from pqlengine.live.queries import LEAD_SORTS, list_leads
from pqlengine.live.tables import ensure_live_tables
from pqlengine.store import Store

STATUSES = ("pql", "not_qualified", "lapsed")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root: Path = tmp_path_factory.mktemp("leads")
    (root / "pql.yaml").write_text(
        "project: a\nentity: account\n"
        "definition:\n  name: d\n  criteria: [{id: a, event: A}]\n  qualify: all\n"
    )
    project = load_project(root)
    store = Store.open(str(root / "s.duckdb"))
    ensure_live_tables(store)
    pick = random.Random(3)
    start = datetime(2026, 11, 1)
    state, accounts = [], []
    for n in range(60):
        entity = f"acc{n:02d}"
        # Ties and NULLs in every sort column, and entities with no accounts row.
        qualified = None if n % 5 == 0 else start + timedelta(days=pick.randrange(4))
        score = None if n % 7 == 0 else float(pick.randrange(5))
        updated = start + timedelta(hours=pick.randrange(3))
        status = STATUSES[n % 3]
        state.append((entity, project.version, status, qualified, score, updated))
        if n % 6:
            employees = None if n % 4 == 0 else pick.randrange(3) * 10
            accounts.append((entity, f"Name {n}", f"d{n % 9}.com", employees))
    state.append(("old", "another-version", "pql", start, 1.0, start))
    store.raw.executemany(
        "INSERT INTO pql_state (entity_id, definition_version, status, qualified_at, score, "
        "updated_at, criteria_met) VALUES (?, ?, ?, ?, ?, ?, '[]')",
        state,
    )
    store.raw.executemany(
        "INSERT INTO accounts (account_id, name, domain, employees) VALUES (?, ?, ?, ?)",
        accounts,
    )
    yield store, project, state, {a[0]: a for a in accounts}
    store.close()


def _expected(
    state: list[tuple[Any, ...]],
    accounts: dict[str, tuple[Any, ...]],
    version: str,
    status: str | None,
    search: str | None,
    sort: str,
) -> list[str]:
    column = sort.removeprefix("-")
    descending = sort.startswith("-")
    rows = []
    for entity, row_version, row_status, qualified, score, updated in state:
        fit = accounts.get(entity, (entity, None, None, None))
        if row_version != version or (status is not None and row_status != status):
            continue
        texts = [entity, fit[1], fit[2]]
        if search and not any(t is not None and search.lower() in t.lower() for t in texts):
            continue
        value = {
            "qualified_at": qualified,
            "score": score,
            "entity_id": entity,
            "employees": fit[3],
            "updated_at": updated,
        }[column]
        rows.append((value, entity))
    # Ties broken by entity_id ascending in both directions (sort is stable, also
    # reversed), NULLs last.
    present = sorted((r for r in rows if r[0] is not None), key=lambda r: r[1])
    present.sort(key=lambda r: r[0], reverse=descending)
    missing = sorted((r for r in rows if r[0] is None), key=lambda r: r[1])
    return [entity for _, entity in present + missing]


@pytest.mark.parametrize("sort", [*LEAD_SORTS, *(f"-{s}" for s in LEAD_SORTS)])
@pytest.mark.parametrize("status", [None, "pql"])
@pytest.mark.parametrize("search", [None, "d3", "acc1"])
def test_every_sort_and_page_matches_a_plain_ordering(
    served: Any, sort: str, status: str | None, search: str | None
) -> None:
    store, project, state, accounts = served
    expected = _expected(state, accounts, project.version, status, search, sort)
    seen: list[str] = []
    for offset in range(0, len(expected) + 7, 7):
        page = list_leads(store, project, status, search, sort, 7, offset)
        assert page["total"] == len(expected)
        seen.extend(item["entity_id"] for item in page["items"])
        for item in page["items"]:
            fit = accounts.get(item["entity_id"])
            assert item["fit"]["name"] == (fit[1] if fit else None)
            assert item["fit"]["employees"] == (fit[3] if fit else None)
    assert seen == expected
