"""A file larger than one streaming chunk ingests like a small one: duplicates dropped across
chunk boundaries, within the file and against the store; a bad row in a late chunk rejects
the whole file; the registries stay their recomputation; progress is reported per chunk."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pqlengine import registry
from pqlengine.ingest import IngestError, ingest_file, ingest_records
from pqlengine.store import Store

T0 = datetime(2026, 3, 1)
ROWS = 40
CHUNK = 7  # not a multiple of the Parquet row groups (5 rows), so chunks cut row groups


def _rows() -> list[dict[str, Any]]:
    """40 events; row numbers below are 1-based file rows."""
    rows = [
        {
            "event_id": f"e{i}",
            "user_id": f"u{i % 4}",
            "account_id": f"A{i % 3}",
            "event": "X",
            "ts": T0 + timedelta(hours=7 * i),
            "properties": json.dumps({"n": i}),
        }
        for i in range(1, ROWS + 1)
    ]
    rows[2]["event_id"] = "dup-chunks"  # row 3, chunk 1: kept
    rows[25]["event_id"] = "dup-chunks"  # row 26, chunk 4: dropped
    rows[9]["event_id"] = "dup-chunk"  # rows 10 and 11, both in chunk 2: row 10 kept
    rows[10]["event_id"] = "dup-chunk"
    rows[37]["event_id"] = "stored"  # row 38, last chunk: already in the store
    return rows


def _parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=5)
    return path


def _registries(store: Store) -> tuple[set[Any], set[Any]]:
    firsts = store.raw.execute(
        f"SELECT {registry.FIRSTS.columns} FROM {registry.FIRSTS.table}"
    ).fetchall()
    days = store.raw.execute(
        f"SELECT {registry.DAYS.columns} FROM {registry.DAYS.table}"
    ).fetchall()
    return set(firsts), set(days)


def _recomputed(store: Store) -> tuple[set[Any], set[Any]]:
    firsts = store.raw.execute("SELECT account_id, user_id, min(ts) FROM events GROUP BY ALL")
    first_rows = set(firsts.fetchall())
    days = store.raw.execute(
        "SELECT account_id, user_id, ts::DATE, min(ts), max(ts) FROM events GROUP BY ALL"
    )
    return first_rows, set(days.fetchall())


@pytest.fixture
def store() -> Any:
    opened = Store.open(":memory:")
    stored = {"event_id": "stored", "user_id": "u9", "event": "Old", "ts": T0}
    ingest_records(opened, "events", [stored])
    yield opened
    opened.close()


def test_parquet_in_chunks_dedups_across_them(tmp_path: Path, store: Store) -> None:
    progress: list[tuple[int, int | None]] = []
    path = _parquet(tmp_path / "big.parquet", _rows())
    result = ingest_file(
        store,
        "events",
        path,
        chunk_rows=CHUNK,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert progress == [(7, 40), (14, 40), (21, 40), (28, 40), (35, 40), (40, 40)]
    assert (result.rows_read, result.rows_added) == (ROWS, ROWS - 3)
    kept = dict(store.raw.execute("SELECT event_id, properties->>'n' FROM events").fetchall())
    assert kept["dup-chunks"] == "3" and kept["dup-chunk"] == "10"
    assert kept["stored"] is None  # the stored row, not the file's row 38
    assert store.count("events") == 1 + ROWS - 3
    assert _registries(store) == _recomputed(store)


def test_bad_row_in_a_late_chunk_keeps_nothing(tmp_path: Path, store: Store) -> None:
    rows = _rows()
    rows[33]["ts"] = None  # row 34, chunk 5 of 6
    before_events = store.raw.execute("SELECT * FROM events").fetchall()
    before_registries = _registries(store)
    path = _parquet(tmp_path / "late.parquet", rows)
    progress: list[tuple[int, int | None]] = []
    with pytest.raises(IngestError, match=r"late\.parquet, row 34, column ts: is empty"):
        ingest_file(
            store,
            "events",
            path,
            chunk_rows=CHUNK,
            on_progress=lambda d, t: progress.append((d, t)),
        )
    assert progress[-1] == (40, 40)  # every chunk was staged before the file was rejected
    assert store.raw.execute("SELECT * FROM events").fetchall() == before_events
    assert _registries(store) == before_registries
    log = store.raw.execute("SELECT count(*) FROM ingest_log WHERE source = 'late.parquet'")
    assert log.fetchone() == (0,)


def test_csv_in_chunks_dedups_and_rejects_a_late_line(tmp_path: Path, store: Store) -> None:
    rows = _rows()
    lines = ["event_id,user_id,account_id,event,ts"]
    lines += [
        f"{r['event_id']},{r['user_id']},{r['account_id']},X,{r['ts']:%Y-%m-%dT%H:%M:%S}Z"
        for r in rows
    ]
    good = tmp_path / "big.csv"
    good.write_text("\n".join(lines) + "\n")
    progress: list[tuple[int, int | None]] = []
    result = ingest_file(
        store, "events", good, chunk_rows=CHUNK, on_progress=lambda d, t: progress.append((d, t))
    )
    staged = [(7, None), (14, None), (21, None), (28, None), (35, None), (40, None)]
    assert progress == [*staged, (40, 40)]  # then the total, once the whole file is read
    assert (result.rows_read, result.rows_added) == (ROWS, ROWS - 3)
    assert _registries(store) == _recomputed(store)
    before = store.count("events")
    lines[36] = lines[36].replace(":00:00Z", ":00:00Z-garbage").replace("e36", "new36")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines).replace("e1,", "new1,") + "\n")
    with pytest.raises(IngestError, match=r"bad\.csv, line 37, column ts"):
        ingest_file(store, "events", bad, chunk_rows=CHUNK)
    assert store.count("events") == before
    assert _registries(store) == _recomputed(store)
