"""bench/dense_shape.py and the shape definitions of the hand-written peers (bench/peers/).

The generator must give the shape it promises (several users per account, tens of active
days, about 0.6 event_days rows per event) in the layout the peers and the engine read,
with a pql.yaml that is the definition the peers implement; the DuckDB SQL peer must then
agree with the engine on it, account by account. Each shape's definition must match the
pql.yaml its data comes with (the demo's is the engine's template)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from bench import dense_shape
from bench.peers import duckdb_sql_peer
from bench.peers.common import AS_OF, inputs
from bench.peers.shapes import DEMO, DENSE, definition_mismatches

from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import load_project
from pqlengine.demo import PQL_YAML
from pqlengine.store import Store


@pytest.fixture(scope="module")
def dense_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dense")
    dense_shape.generate(out, n_accounts=400, target_events=80_000, seed=3)
    dense_shape.ingest(out)
    return out


def test_dense_shape_is_dense(dense_project: Path) -> None:
    events = pq.read_table(dense_project / "data" / "events")
    assert 76_000 < events.num_rows < 84_000  # the --events target, within 5%
    con = duckdb.connect(str(dense_project / ".pql" / "dense.duckdb"), read_only=True)
    day_rows = con.execute("SELECT count(*) FROM event_days").fetchone()[0]  # type: ignore[index]
    assert 0.55 < day_rows / events.num_rows < 0.65
    median_days, users = con.execute(
        "SELECT median(n), (SELECT count(*) FROM users) FROM "
        "(SELECT account_id, count(DISTINCT day) AS n FROM event_days GROUP BY ALL)"
    ).fetchone()  # type: ignore[misc]
    assert median_days >= 20
    assert users >= 3 * 400
    con.close()
    assert set(events.column("account_id").to_pylist()) <= set(
        pq.read_table(dense_project / "data" / "accounts.parquet").column("account_id").to_pylist()
    )
    assert events.schema.names == ["event_id", "user_id", "account_id", "event", "ts", "properties"]


def test_shape_definitions_match_their_pql_yaml(dense_project: Path, tmp_path: Path) -> None:
    assert definition_mismatches(load_project(dense_project), DENSE) == []
    (tmp_path / "pql.yaml").write_text(PQL_YAML)
    assert definition_mismatches(load_project(tmp_path), DEMO) == []
    # and a drifted definition is named
    assert definition_mismatches(load_project(tmp_path), DENSE) != []


def test_duckdb_sql_peer_agrees_with_the_engine(dense_project: Path) -> None:
    project = load_project(dense_project)
    store = Store.for_project(project)
    try:
        records = qualify_entities(store, project, AS_OF)
    finally:
        store.close()
    engine = {r["entity_id"]: r["qualified_at"] for r in records}
    assert 0.1 < sum(v is not None for v in engine.values()) / len(engine) < 0.9
    con = duckdb.connect()
    duckdb_sql_peer.run(con, inputs(dense_project / "data"), DENSE)
    peer: dict[str, datetime | None] = dict(
        con.execute("SELECT account_id, qualified_at FROM qualified").fetchall()
    )
    assert peer.keys() == engine.keys()
    for account, qualified_at in engine.items():
        naive = None if qualified_at is None else qualified_at.replace(tzinfo=None)
        assert peer[account] == naive, account
