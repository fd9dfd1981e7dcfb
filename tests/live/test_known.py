"""live/known.py: which entities may have events, from the registry and the passes."""

from __future__ import annotations

from pathlib import Path

from pqlengine.live.known import KnownEntities
from pqlengine.live.tables import ensure_live_tables
from pqlengine.store import Store


def test_entities_with_registry_rows_at_or_before_the_watermark_are_known(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    raw = store.raw
    raw.execute(
        "INSERT INTO event_firsts (account_id, user_id, first_ts, live_seq) VALUES "
        "('A', 'ua', TIMESTAMP '2026-01-01', NULL), "  # file ingest or merged: history
        "(NULL, 'ub', TIMESTAMP '2026-01-01', 3), "  # a user's event naming no account
        "('C', 'uc', TIMESTAMP '2026-01-01', 9)"  # committed after the watermark (5)
    )
    raw.execute("INSERT INTO users (user_id, account_id) VALUES ('ub', 'B'), ('uc', 'C')")
    accounts = KnownEntities(raw, "account", since=5)
    assert accounts.unknown(raw, {"A", "B", "C", "N"}) == {"C", "N"}
    accounts.met({"C"})  # a pass met C: it may have events from now on
    assert accounts.unknown(raw, {"A", "C", "N"}) == {"N"}
    assert accounts.size() == 3
    users = KnownEntities(raw, "user", since=5)
    assert users.unknown(raw, {"ua", "ub", "uc", "un"}) == {"uc", "un"}
    store.close()
