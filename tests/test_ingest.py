"""Ingest: formats, UTC normalisation, dedupe, upserts, and bad input that changes nothing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pqlengine.ingest import IngestError, ingest_file, ingest_records
from pqlengine.store import Store

EVENTS_CSV = """\
event_id,user_id,account_id,event,ts,source
e1,u1,a1,Created Document,2026-01-05T10:00:00Z,web
e2,u1,a1,Created Document,2026-01-05T12:00:00+02:00,
e2,u1,a1,Created Document,2026-01-05T12:00:00+02:00,
e3,u2,,Added Task,1767607200,api
e4,u2,,Added Task,1767607200123,api
e5,u2,,Added Task,2026-01-05 10:00:00,api
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _events(store: Store) -> dict[str, tuple[object, ...]]:
    rows = store.raw.execute("SELECT event_id, ts, account_id, properties FROM events").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_csv_timestamps_normalised_to_utc(store: Store, tmp_path: Path) -> None:
    result = ingest_file(store, "events", _write(tmp_path, "events.csv", EVENTS_CSV))
    assert (result.rows_read, result.rows_added) == (6, 5)
    events = _events(store)
    assert events["e1"][0] == datetime(2026, 1, 5, 10, 0)
    assert events["e2"][0] == datetime(2026, 1, 5, 10, 0)  # +02:00 shifted to UTC
    assert events["e3"][0] == datetime(2026, 1, 5, 10, 0)  # epoch seconds
    assert events["e4"][0] == datetime(2026, 1, 5, 10, 0, 0, 123000)  # epoch millis
    assert events["e5"][0] == datetime(2026, 1, 5, 10, 0)  # naive = UTC
    assert events["e3"][1] is None
    assert json.loads(str(events["e1"][2])) == {"source": "web"}  # extra column -> property
    assert events["e2"][2] is None


def test_reingesting_the_same_file_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "events.csv", EVENTS_CSV)
    ingest_file(store, "events", path)
    again = ingest_file(store, "events", path)
    assert again.rows_added == 0 and again.rows_skipped == 6
    assert store.count("events") == 5


def test_bad_timestamp_rejects_whole_file_with_row_and_column(store: Store, tmp_path: Path) -> None:
    ingest_file(store, "events", _write(tmp_path, "good.csv", EVENTS_CSV))
    bad = EVENTS_CSV.replace("1767607200,api", "yesterday,api", 1) + "e9,u9,,X,2026-02-01,\n"
    with pytest.raises(IngestError) as caught:
        ingest_file(store, "events", _write(tmp_path, "bad.csv", bad))
    message = str(caught.value)
    assert "bad.csv, line 5, column ts: 'yesterday' is not a timestamp" in message
    assert store.count("events") == 5  # nothing from bad.csv, earlier data intact
    assert store.count("ingest_log") == 1


def test_malformed_csv_names_the_line(store: Store, tmp_path: Path) -> None:
    text = "event_id,user_id,event,ts\ne1,u1,A,2026-01-01\ne2,u1,A,2026-01-01,extra\n"
    with pytest.raises(IngestError, match=r"m.csv, line 3: expected 4 fields"):
        ingest_file(store, "events", _write(tmp_path, "m.csv", text))
    assert store.count("events") == 0


def test_unknown_column_mapping_is_explained(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "id,user,name,when\ne1,u1,A,2026-01-01\n")
    with pytest.raises(IngestError) as caught:
        ingest_file(store, "events", path, columns={"user_id": "user", "event": "name"})
    text = str(caught.value)
    assert "column 'ts' not found" in text and "the file has: id, user, name, when" in text
    mapped = ingest_file(
        store,
        "events",
        path,
        columns={"event_id": "id", "user_id": "user", "event": "name", "ts": "when"},
    )
    assert mapped.rows_added == 1


def test_missing_required_value(store: Store, tmp_path: Path) -> None:
    text = "event_id,user_id,event,ts\ne1,,A,2026-01-01\n"
    with pytest.raises(IngestError, match="line 2, column user_id: is empty"):
        ingest_file(store, "events", _write(tmp_path, "e.csv", text))


def test_jsonl_bad_line_and_properties(store: Store, tmp_path: Path) -> None:
    good = {
        "event_id": "j1",
        "user_id": "u",
        "event": "A",
        "ts": "2026-01-01T00:00:00Z",
        "properties": {"n": 3, "flag": True},
        "extra": "x",
    }
    text = json.dumps(good) + "\n" + '{"event_id": "j2", "user_id": "u",\n'
    with pytest.raises(IngestError, match=r"e.jsonl, line 2: not valid JSON"):
        ingest_file(store, "events", _write(tmp_path, "e.jsonl", text))
    assert store.count("events") == 0
    ingest_file(store, "events", _write(tmp_path, "ok.jsonl", json.dumps(good) + "\n"))
    props = json.loads(str(_events(store)["j1"][2]))
    assert props == {"n": 3, "flag": True, "extra": "x"}


def test_properties_column_must_be_a_json_object(store: Store, tmp_path: Path) -> None:
    text = (
        "event_id,user_id,event,ts,properties\n"
        'e1,u,A,2026-01-01,"{""a"": 1}"\n'
        "e2,u,A,2026-01-01,[1]\n"
    )
    with pytest.raises(IngestError, match="line 3, column properties: must be a JSON object"):
        ingest_file(store, "events", _write(tmp_path, "e.csv", text))


def test_parquet_with_native_types(store: Store, tmp_path: Path) -> None:
    table = pa.table(
        {
            "account_id": ["a1", "a2"],
            "employees": pa.array([12, None], pa.int64()),
            "created_at": pa.array(
                [datetime(2026, 1, 1, 8), datetime(2026, 1, 2)],
                pa.timestamp("us", tz="Europe/Berlin"),
            ),
            "country": ["DE", "US"],
        }
    )
    path = tmp_path / "accounts.parquet"
    pq.write_table(table, path)
    assert ingest_file(store, "accounts", path).rows_added == 2
    rows = store.raw.execute(
        "SELECT account_id, employees, created_at, traits->>'country' FROM accounts ORDER BY 1"
    ).fetchall()
    assert rows[0][1] == 12 and rows[0][3] == "DE"
    assert rows[0][2] == datetime(2026, 1, 1, 8)  # tz-aware values are stored as UTC


def test_employees_must_be_whole(store: Store, tmp_path: Path) -> None:
    text = "account_id,employees\na1,12\na2,twelve\n"
    with pytest.raises(IngestError, match="line 3, column employees: 'twelve' is not a whole"):
        ingest_file(store, "accounts", _write(tmp_path, "a.csv", text))


def test_upsert_keeps_columns_the_file_lacks_and_merges_traits(store: Store) -> None:
    ingest_records(
        store,
        "accounts",
        [
            {"account_id": "a1", "employees": 12, "plan": "free", "traits": {"country": "DE"}},
        ],
    )
    second = ingest_records(
        store,
        "accounts",
        [
            {"account_id": "a1", "plan": "pro", "traits": {"industry": "saas"}},
        ],
    )
    assert second.rows_added == 0
    row = store.raw.execute("SELECT employees, plan, traits FROM accounts").fetchone()
    assert row is not None
    assert row[0] == 12 and row[1] == "pro"
    assert json.loads(row[2]) == {"country": "DE", "industry": "saas"}


def test_events_without_ids_get_stable_derived_ids(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "user_id,event,ts\nu1,A,2026-01-01\nu1,B,2026-01-01\n")
    assert ingest_file(store, "events", path).rows_added == 2
    assert ingest_file(store, "events", path).rows_added == 0


def test_unknown_file_type(store: Store, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"unknown file type '\.xlsx'"):
        ingest_file(store, "events", _write(tmp_path, "e.xlsx", ""))


def test_empty_csv(store: Store, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="the file is empty"):
        ingest_file(store, "events", _write(tmp_path, "e.csv", ""))


def test_parquet_properties_as_text_struct_or_invalid(store: Store, tmp_path: Path) -> None:
    base = {
        "event_id": ["p1", "p2"],
        "user_id": ["u", "u"],
        "event": ["A", "A"],
        "ts": ["2026-01-01", "2026-01-02"],
    }
    text = tmp_path / "text.parquet"
    pq.write_table(pa.table({**base, "properties": ['{"a": 1}', None], "extra": ["x", "y"]}), text)
    assert ingest_file(store, "events", text).rows_added == 2
    props = {k: json.loads(str(v[2])) for k, v in _events(store).items()}
    assert props == {"p1": {"a": 1, "extra": "x"}, "p2": {"extra": "y"}}
    struct = tmp_path / "struct.parquet"
    pq.write_table(
        pa.table({**base, "event_id": ["s1", "s2"], "properties": [{"a": 2}, {"a": 3}]}), struct
    )
    ingest_file(store, "events", struct)
    assert json.loads(str(_events(store)["s1"][2])) == {"a": 2}
    bad = tmp_path / "bad.parquet"
    pq.write_table(
        pa.table(
            {**base, "event_id": ["b1", "b2"], "properties": ["{}", "{oops"], "extra": ["x", "y"]}
        ),
        bad,
    )
    with pytest.raises(
        IngestError, match=r"bad\.parquet, row 2, column properties: must be a JSON"
    ):
        ingest_file(store, "events", bad)


def _kept(store: Store) -> dict[str, tuple[object, ...]]:
    query = "SELECT event_id, user_id, event, ts FROM events ORDER BY event_id"
    return {r[0]: r[1:] for r in store.raw.execute(query).fetchall()}


def test_the_earliest_copy_of_an_event_is_kept_within_a_file_and_across_files(
    store: Store, tmp_path: Path
) -> None:
    """One rule with every backend's read (docs/semantics.md, Inputs): the earliest ts, then
    user_id, account_id, event, properties; a later file's earlier copy replaces the stored
    one, a tie keeps it; the registries follow."""
    from tests.test_registry import _both_current

    first = _write(
        tmp_path,
        "first.csv",
        "event_id,user_id,account_id,event,ts\n"
        "e1,u1,a1,Late,2026-01-05T10:00:00Z\n"  # later copy first in the file
        "e1,u1,a1,Early,2026-01-03T10:00:00Z\n"
        "e2,u9,a1,Same,2026-01-04T10:00:00Z\n"  # same instant: the smaller user id
        "e2,u2,a1,Same,2026-01-04T10:00:00Z\n"
        "e3,u3,a2,Stored,2026-01-06T10:00:00Z\n"
        "e4,u4,a2,Stored,2026-01-06T10:00:00Z\n",
    )
    assert ingest_file(store, "events", first).rows_added == 4
    assert _kept(store) == {
        "e1": ("u1", "Early", datetime(2026, 1, 3, 10)),
        "e2": ("u2", "Same", datetime(2026, 1, 4, 10)),
        "e3": ("u3", "Stored", datetime(2026, 1, 6, 10)),
        "e4": ("u4", "Stored", datetime(2026, 1, 6, 10)),
    }
    second = _write(
        tmp_path,
        "second.csv",
        "event_id,user_id,account_id,event,ts\n"
        "e3,u5,a3,Earlier,2026-01-02T10:00:00Z\n"  # earlier copy of a stored event, other pair
        "e4,u4,a2,Stored,2026-01-06T10:00:00Z\n"  # identical copy: nothing changes
        "e5,u5,a3,New,2026-01-07T10:00:00Z\n",
    )
    assert ingest_file(store, "events", second).rows_added == 1
    kept = _kept(store)
    assert kept["e3"] == ("u5", "Earlier", datetime(2026, 1, 2, 10))
    assert kept["e4"] == ("u4", "Stored", datetime(2026, 1, 6, 10)) and len(kept) == 5
    assert _both_current(store)  # (a2, u3) lost its only event; (a3, u5) starts earlier
    pairs = store.raw.execute("SELECT account_id, user_id FROM event_firsts").fetchall()
    assert ("a2", "u3") not in pairs and ("a3", "u5") in pairs


def test_a_header_only_file_reports_progress_and_adds_nothing(store: Store, tmp_path: Path) -> None:
    """No rows means no staged chunk: the progress report at the end must not assume one
    (`pql ingest` always asks for progress)."""
    seen: list[tuple[int, int | None]] = []
    path = _write(tmp_path, "c.csv", "entity_id,converted_at\n")
    result = ingest_file(
        store, "conversions", path, on_progress=lambda done, total: seen.append((done, total))
    )
    assert (result.rows_read, result.rows_added) == (0, 0) and seen[-1] == (0, 0)
