"""The dashboard's default view is computed when the service starts on a store of up to
`WARM_AT_START_ENTITIES` entities, and left to the first visit on a larger one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pqlengine.config import load_project
from pqlengine.live import dashboard as dashboard_module
from pqlengine.store import Store
from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import write_project


@pytest.mark.parametrize(("limit", "warmed"), [(3, True), (2, False)])
def test_the_default_view_is_computed_at_start_only_on_a_store_of_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, warmed: bool
) -> None:
    """Three accounts: computed at start with the limit at 3, left to the first visit at 2
    (which then computes it: the overview answers either way)."""
    monkeypatch.setattr(dashboard_module, "WARM_AT_START_ENTITIES", limit)
    asked: list[bool] = []
    panels = dashboard_module.Dashboard.panels

    def spy(board: Any, view: Any, wait: bool = True) -> Any:
        asked.append(wait)
        return panels(board, view, wait)

    monkeypatch.setattr(dashboard_module.Dashboard, "panels", spy)
    project = write_project(tmp_path / "p", None)
    store = Store.for_project(load_project(project))
    for n in range(3):
        store.raw.execute("INSERT INTO accounts (account_id) VALUES (?)", [f"a{n}"])
    store.close()
    server = ClockedServer(project, ManualClock(datetime(2026, 11, 24, 12, tzinfo=UTC))).start()
    try:
        assert asked == ([False] if warmed else [])
        assert server.api("/api/leads")["total"] == 0  # the service runs either way
    finally:
        server.stop()
