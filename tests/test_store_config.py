"""`store:` in pql.yaml: string and block forms, located errors, and reading a user's own
tables through the mapping (the parity suite, tests/parity, runs it on every backend)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pqlengine.config import ConfigError, StoreConfig, load_project
from pqlengine.store import Store, StoreError

HEAD = "project: a\ndefinition:\n  name: d\n  criteria: [{id: a, event: A}]\n"


def _project_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pql.yaml").write_text(HEAD + text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (".pql/acme.duckdb", {"path": ".pql/acme.duckdb"}),
        ("duckdb:///data/w.duckdb", {"path": "/data/w.duckdb"}),
        ("pyspark://local[2]", {"backend": "pyspark", "master": "local[2]"}),
        ("pyspark://", {"backend": "pyspark", "master": "local[*]"}),
        ("postgresql://u@h:5432/db", {"backend": "postgres", "url": "postgresql://u@h:5432/db"}),
        ("snowflake://u@acct/db/s", {"backend": "snowflake", "url": "snowflake://u@acct/db/s"}),
    ],
)
def test_store_strings(text: str, expected: dict) -> None:
    parsed = StoreConfig.parse(text).model_dump(exclude_defaults=True)
    assert parsed == expected


def test_store_string_expands_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PQL_TEST_PW", "s3cret")
    project = load_project(_project_file(tmp_path, "store: postgres://u:${PQL_TEST_PW}@h/db\n"))
    assert project.store_config.url == "postgres://u:s3cret@h/db"


def test_store_block_errors_have_lines(tmp_path: Path) -> None:
    text = (
        "store:\n"
        "  backend: postgres\n"
        "  events_tabel: analytics.tracks\n"
        "  users_table: 'drop table; --'\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_project(_project_file(tmp_path, text))
    messages = [str(p) for p in caught.value.problems]
    assert any("did you mean 'events_table'?" in m and m.endswith("line 7") for m in messages)
    assert any(
        m.startswith("store.users_table: 'drop table; --' is not a table name")
        and m.endswith("line 8")
        for m in messages
    )


def test_store_block_keys_must_fit_the_backend(tmp_path: Path) -> None:
    text = "store: {backend: postgres, path: x.duckdb}\n"
    with pytest.raises(ConfigError, match="path, memory_limit and threads are for backend duckdb"):
        load_project(_project_file(tmp_path, text))


def test_memory_limit_from_the_store_block_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store.memory_limit sets DuckDB's buffer pool; PQL_MEMORY_LIMIT overrides it; a bad
    size is a located error; the progress bar (drawn on stdout) is off."""
    monkeypatch.delenv("PQL_MEMORY_LIMIT", raising=False)
    text = "store: {path: .pql/s.duckdb, memory_limit: 600MB}\n"
    project = load_project(_project_file(tmp_path, text))

    def setting(name: str) -> str:
        store = Store.for_project(project)
        try:
            return str(store.raw.execute(f"SELECT current_setting('{name}')").fetchone()[0])
        finally:
            store.close()

    assert setting("memory_limit") in ("572.2 MiB", "600.0 MB")
    assert setting("enable_progress_bar") == "False"
    monkeypatch.setenv("PQL_MEMORY_LIMIT", "1GB")
    assert setting("memory_limit") in ("953.6 MiB", "1.0 GB")
    bad = "store: {path: .pql/s.duckdb, memory_limit: lots}\n"
    with pytest.raises(ConfigError, match=r"store\.memory_limit.*line 5"):
        load_project(_project_file(tmp_path, bad))


def test_threads_from_the_store_block_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store.threads sets DuckDB's worker threads; PQL_THREADS overrides it; a bad count is
    an error naming the setting."""
    monkeypatch.delenv("PQL_THREADS", raising=False)
    project = load_project(_project_file(tmp_path, "store: {path: .pql/s.duckdb, threads: 3}\n"))

    def threads() -> int:
        store = Store.for_project(project)
        try:
            return int(store.raw.execute("SELECT current_setting('threads')").fetchone()[0])
        finally:
            store.close()

    assert threads() == 3
    monkeypatch.setenv("PQL_THREADS", "1")
    assert threads() == 1
    monkeypatch.setenv("PQL_THREADS", "many")
    with pytest.raises(StoreError, match=r"PQL_THREADS / store\.threads: 'many'"):
        threads()
    with pytest.raises(ConfigError, match=r"store\.threads"):
        load_project(_project_file(tmp_path, "store: {path: .pql/s.duckdb, threads: 0}\n"))


def test_mapped_tables_are_read_in_canonical_shape(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA app")
        con.execute(
            "CREATE TABLE app.tracks AS SELECT 'e1' AS id, 'u1' AS uid, 'A' AS name, "
            "TIMESTAMPTZ '2026-01-02 03:04:05+02:00' AS sent_at, '{\"k\": 1}' AS props"
        )
    text = (
        f"store: {{backend: duckdb, path: '{warehouse}', events_table: app.tracks}}\n"
        "columns:\n"
        "  events: {event_id: id, user_id: uid, event: name, ts: sent_at, properties: props}\n"
    )
    store = Store.for_project(load_project(_project_file(tmp_path, text)))
    try:
        events = store.table("events")
        assert list(events.columns) == [
            "event_id",
            "user_id",
            "account_id",
            "event",
            "ts",
            "properties",
        ]
        row = events.to_pyarrow().to_pylist()[0]
        assert row["ts"].isoformat() == "2026-01-02T01:04:05"  # aware -> UTC wall time
        assert row["account_id"] is None
        assert events.properties["k"].int.execute().tolist() == [1]
    finally:
        store.close()


def test_missing_required_column_names_table_and_columns(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE tracks AS SELECT 'u1' AS uid, 'A' AS event")
    text = f"store: {{path: '{warehouse}', events_table: tracks}}\n"
    store = Store.for_project(load_project(_project_file(tmp_path, text)))
    try:
        with pytest.raises(StoreError) as caught:
            store.table("events")
        message = str(caught.value)
        assert "table tracks (for events)" in message
        assert "no column 'user_id' for events.user_id" in message
        assert "its columns are uid, event" in message
    finally:
        store.close()


def test_missing_table_is_a_store_error(tmp_path: Path) -> None:
    text = f"store: {{path: '{tmp_path / 'w.duckdb'}', events_table: nowhere.tracks}}\n"
    store = Store.for_project(load_project(_project_file(tmp_path, text)))
    try:
        with pytest.raises(StoreError, match=r"table nowhere.tracks \(for events\): cannot read"):
            store.table("events")
    finally:
        store.close()


def test_unreachable_backend_is_a_store_error_without_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    text = "store: postgres://u:hunter2@127.0.0.1:1/db\n"
    with pytest.raises(StoreError) as caught:
        Store.for_project(load_project(_project_file(tmp_path, text)))
    assert "cannot connect to the store postgres://u:***@127.0.0.1:1/db" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_missing_backend_extra_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "ibis.backends.postgres", raising=False)
    text = "store: postgres://u:hunter2@127.0.0.1:1/db\n"
    with pytest.raises(StoreError) as caught:
        Store.for_project(load_project(_project_file(tmp_path, text)))
    assert "pqlengine[postgres]" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_store_made_before_outcome_columns_gains_them_with_its_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(
        "CREATE TABLE conversions (entity_id VARCHAR, converted_at TIMESTAMP, amount DOUBLE, "
        "plan VARCHAR)"
    )
    raw.execute("INSERT INTO conversions VALUES ('a1', TIMESTAMP '2026-01-02', 50, 'pro')")
    raw.close()
    store = Store.open(str(path))
    rows = store.raw.execute("SELECT * FROM conversions").fetchall()
    columns = [d[0] for d in store.raw.description]
    store.close()
    assert columns == ["entity_id", "converted_at", "amount", "plan", "mrr", "churned_at"]
    assert rows == [("a1", datetime(2026, 1, 2), 50.0, "pro", None, None)]
