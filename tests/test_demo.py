"""The demo generator: determinism, table structure, and the ground truth it claims."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from pqlengine import demo
from pqlengine.demo import DEFAULT_END, DemoFiles, generate_files, ground_truth

N_ACCOUNTS = 1000
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], DemoFiles]:
    """Generate (once per name) a 1k-account demo with the given seed."""
    cache: dict[str, DemoFiles] = {}

    def make(name: str, seed: int) -> DemoFiles:
        if name not in cache:
            cache[name] = generate_files(tmp_path_factory.mktemp(name), N_ACCOUNTS, seed)
        return cache[name]

    return make


@pytest.fixture(scope="module")
def files(generated: Callable[[str, int], DemoFiles]) -> DemoFiles:
    """The 1k-account demo, seed 7."""
    return generated("seed7", 7)


@pytest.fixture(scope="module")
def con(files: DemoFiles) -> duckdb.DuckDBPyConnection:
    """DuckDB views a, u, e over the generated files, and truth over the per-account truth."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    views = {
        "a": files.accounts_file,
        "u": files.users_file,
        "e": files.events_dir / "*.parquet",
        "truth": files.truth_accounts_file,
    }
    for view, path in views.items():
        connection.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{path}')")
    return connection


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _content_hashes(files: DemoFiles) -> dict[str, str]:
    paths = [files.accounts_file, files.users_file, *files.event_files]
    paths += [files.ground_truth_file, files.truth_accounts_file, files.project_file]
    return {p.relative_to(files.out_dir).as_posix(): _sha256(p) for p in paths}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_json_text(kind: pa.DataType) -> bool:
    """Plain strings, or strings annotated as JSON (Parquet's JSON logical type)."""
    return getattr(kind, "storage_type", kind) == pa.string()


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_files(
    generated: Callable[[str, int], DemoFiles], files: DemoFiles
) -> None:
    again = generated("seed7-again", 7)
    assert _content_hashes(again) == _content_hashes(files)


def test_different_seed_gives_different_data(
    generated: Callable[[str, int], DemoFiles], files: DemoFiles
) -> None:
    other = _content_hashes(generated("seed8", 8))
    mine = _content_hashes(files)
    for name in ("data/accounts.parquet", "data/users.parquet", "data/events/part-00000.parquet"):
        assert other[name] != mine[name], name


# --- structure -----------------------------------------------------------------------------


def test_canonical_columns_and_types(files: DemoFiles) -> None:
    accounts = pq.read_schema(files.accounts_file)
    users = pq.read_schema(files.users_file)
    events = pq.read_schema(files.event_files[0])
    assert accounts.names == [
        "account_id", "name", "domain", "employees", "plan", "created_at", "traits",
    ]  # fmt: skip
    assert users.names == ["user_id", "account_id", "email", "signed_up_at", "traits"]
    assert events.names == ["event_id", "user_id", "account_id", "event", "ts", "properties"]
    assert accounts.field("employees").type == pa.int64()
    for schema, column in ((accounts, "created_at"), (users, "signed_up_at"), (events, "ts")):
        assert schema.field(column).type == pa.timestamp("us"), column  # naive UTC
    for schema, column in ((accounts, "traits"), (users, "traits"), (events, "properties")):
        assert _is_json_text(schema.field(column).type), column
    for column in ("account_id", "name", "domain", "plan"):
        assert accounts.field(column).type == pa.string(), column


def test_counts_match_the_returned_summary(
    files: DemoFiles, con: duckdb.DuckDBPyConnection
) -> None:
    assert _scalar(con, "SELECT count(*) FROM a") == files.accounts == N_ACCOUNTS
    assert _scalar(con, "SELECT count(*) FROM u") == files.users
    assert _scalar(con, "SELECT count(*) FROM e") == files.events
    conversions = "SELECT count(*) FROM e WHERE event = 'Subscription Started'"
    assert _scalar(con, conversions) == files.conversions > 0
    assert 60 <= files.events / files.accounts <= 160  # about 100 events per account


def test_ids_are_unique(con: duckdb.DuckDBPyConnection) -> None:
    for view, column in (("a", "account_id"), ("u", "user_id"), ("e", "event_id")):
        total, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT {column}) FROM {view}"
        ).fetchone() or (0, -1)
        assert total == distinct, column


def test_every_account_has_1_to_20_users_most_of_them_few(con: duckdb.DuckDBPyConnection) -> None:
    sizes = con.execute(
        "SELECT count(u.user_id) FROM a LEFT JOIN u USING (account_id) GROUP BY a.account_id"
    ).fetchall()
    counts = [n for (n,) in sizes]
    assert len(counts) == N_ACCOUNTS
    assert min(counts) >= 1 and max(counts) <= 20
    assert sum(n <= 4 for n in counts) / len(counts) > 0.85
    assert max(counts) >= 5  # some larger teams


def test_owner_signs_up_with_the_account_and_members_later(
    con: duckdb.DuckDBPyConnection,
) -> None:
    owners = con.execute(
        "SELECT count(*) FROM u JOIN a USING (account_id) "
        "WHERE u.traits->>'role' = 'owner' AND u.signed_up_at = a.created_at"
    ).fetchone()
    assert owners == (N_ACCOUNTS,)
    early = "SELECT count(*) FROM u JOIN a USING (account_id) WHERE u.signed_up_at < a.created_at"
    assert _scalar(con, early) == 0


def test_timestamps_lie_between_signup_and_end(con: duckdb.DuckDBPyConnection) -> None:
    first, last = con.execute("SELECT min(created_at), max(created_at) FROM a").fetchone() or ()
    assert DEFAULT_END - timedelta(days=250) <= first < DEFAULT_END - timedelta(days=200)
    assert DEFAULT_END - timedelta(days=7) < last < DEFAULT_END
    assert _scalar(con, "SELECT max(ts) FROM e") < DEFAULT_END
    before_signup = (
        "SELECT count(*) FROM e JOIN a USING (account_id) "
        "JOIN u ON u.user_id = e.user_id AND u.account_id = e.account_id "
        "WHERE e.ts < a.created_at OR e.ts < u.signed_up_at"
    )
    assert _scalar(con, before_signup) == 0
    orphan = "SELECT count(*) FROM e ANTI JOIN u USING (user_id, account_id)"
    assert _scalar(con, orphan) == 0


def test_signups_grow_and_dip_on_weekends(con: duckdb.DuckDBPyConnection) -> None:
    early, late = con.execute(
        "SELECT count(*) FILTER (WHERE created_at < TIMESTAMP '2026-05-01'), "
        "count(*) FILTER (WHERE created_at >= TIMESTAMP '2026-09-01') FROM a"
    ).fetchone() or (0, 0)
    assert late > early * 1.3  # both are two-month spans
    weekend, weekday = con.execute(
        "SELECT count(*) FILTER (WHERE isodow(created_at) >= 6) / 2, "
        "count(*) FILTER (WHERE isodow(created_at) <= 5) / 5 FROM a"
    ).fetchone() or (0, 0)
    assert weekend < weekday * 0.8


def test_firmographics(con: duckdb.DuckDBPyConnection) -> None:
    free = _scalar(con, f"SELECT avg((domain IN {FREE_MAIL})::INT) FROM a")
    assert 0.2 < free < 0.4
    unknown = _scalar(con, "SELECT avg((employees IS NULL)::INT) FROM a")
    assert 0.02 < unknown < 0.2
    plans = {p for (p,) in con.execute("SELECT DISTINCT plan FROM a").fetchall()}
    assert plans == {"free", "trial", "starter"}
    company = "SELECT count(*) FROM a WHERE domain NOT IN {} AND NOT regexp_matches(domain, {})"
    assert _scalar(con, company.format(FREE_MAIL, r"'^[a-z-]+-\d+\.com$'")) == 0
    assert _scalar(con, "SELECT count(DISTINCT traits->>'country') FROM a") >= 6


def test_events_and_properties(con: duckdb.DuckDBPyConnection) -> None:
    names = {n for (n,) in con.execute("SELECT DISTINCT event FROM e").fetchall()}
    assert names == set(demo.EVENT_NAMES)
    sources = con.execute(
        "SELECT properties->>'source', count(*) FROM e WHERE event = 'Added Task' GROUP BY 1"
    ).fetchall()
    assert {s for s, _ in sources} == {"web", "api", "mobile"}
    paid = con.execute(
        "SELECT properties->>'plan', (properties->>'amount')::DOUBLE FROM e "
        "WHERE event = 'Subscription Started'"
    ).fetchall()
    assert {plan for plan, _ in paid} <= {"pro", "business"} and min(a for _, a in paid) > 0
    created = "SELECT count(*) FROM e JOIN a USING (account_id) WHERE event = 'Account Created' "
    assert _scalar(con, created + "AND e.ts = a.created_at") == N_ACCOUNTS


def test_conversions_come_once_after_signup_within_90_days(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = (
        con.execute(
            "SELECT count(*), count(DISTINCT account_id), "
            "min(date_diff('second', a.created_at, e.ts)), max(e.ts - a.created_at) "
            "FROM e JOIN a USING (account_id) WHERE event = 'Subscription Started'"
        ).fetchone()
        or ()
    )
    total, accounts, min_seconds, max_delay = rows
    assert total == accounts > 0
    assert min_seconds > 0
    assert max_delay <= timedelta(days=90)


def test_spike_accounts_are_active_on_their_signup_day_only(
    con: duckdb.DuckDBPyConnection,
) -> None:
    spikes = con.execute(
        "SELECT e.account_id, count(DISTINCT e.ts::DATE), count(*), "
        "count(*) FILTER (WHERE event = 'Subscription Started') "
        "FROM e JOIN truth USING (account_id) WHERE truth.spike GROUP BY 1"
    ).fetchall()
    assert 5 <= len(spikes) <= 40  # about 2% of 1000
    for account, days, events, conversions in spikes:
        assert days == 1, account
        assert events >= 20, account
        assert conversions == 0, account
    others = (
        "SELECT avg((n_days >= 2)::INT) FROM (SELECT account_id, "
        "count(DISTINCT ts::DATE) AS n_days FROM e JOIN truth USING (account_id) "
        "WHERE NOT truth.spike GROUP BY 1)"
    )
    assert _scalar(con, others) > 0.9


# --- ground truth --------------------------------------------------------------------------


def test_ground_truth_roles() -> None:
    truth = ground_truth()
    roles = {name: b["role"] for name, b in truth["behaviours"].items()}
    assert {n for n, r in roles.items() if r == "causal"} == {
        "Invited Member", "Shared Document", "Connected Integration",
    }  # fmt: skip
    assert {"Uploaded Asset", "Created Calendar", "Created Document", "Added Task"} == {
        n for n, r in roles.items() if r == "correlated"
    }
    assert {n for n, r in roles.items() if r == "vanity"} == {
        "Page Viewed", "Logged In", "Session Started",
    }  # fmt: skip
    assert {n for n, r in roles.items() if r == "noise"} == {"Changed Theme", "Viewed Help Article"}
    for name, behaviour in truth["behaviours"].items():
        if behaviour["role"] == "causal":
            assert behaviour["log_odds"] > 0, name
    assert truth["fit"]["log_odds"] > 0
    json.dumps(truth)  # serialisable


def test_ground_truth_file_has_simulated_effects(files: DemoFiles) -> None:
    truth = json.loads(files.ground_truth_file.read_text())
    for name, behaviour in truth["behaviours"].items():
        if behaviour["role"] == "causal":
            simulated = behaviour["simulated"]
            assert 0 < simulated["att"] < 0.5, name
            # confounding by engagement: the naive difference overstates the effect
            naive = simulated["mean_p_treated"] - simulated["mean_p_untreated"]
            assert naive > simulated["att"], name
    assert 0 < truth["fit"]["simulated"]["att"] < 0.5
    simulation = truth["simulation"]
    assert simulation["seed"] == 7 and simulation["accounts"] == N_ACCOUNTS
    assert (simulation["events"], simulation["conversions"]) == (files.events, files.conversions)


def test_treatment_flags_match_the_events(con: duckdb.DuckDBPyConnection) -> None:
    """An account is 'treated' exactly when it did the behaviour in its first 14 days."""
    for key, event in (
        ("invited", "Invited Member"),
        ("shared", "Shared Document"),
        ("integration", "Connected Integration"),
        ("uploaded_asset", "Uploaded Asset"),  # a retention driver (issue 19)
    ):
        mismatches = _scalar(
            con,
            f"""
            SELECT count(*) FROM truth JOIN a USING (account_id)
            LEFT JOIN (SELECT DISTINCT e.account_id FROM e JOIN a USING (account_id)
                       WHERE e.event = '{event}' AND e.ts < a.created_at + INTERVAL 14 DAY) d
              USING (account_id)
            WHERE a.created_at + INTERVAL 14 DAY < TIMESTAMP '{DEFAULT_END}'
              AND truth.{key}_14d <> (d.account_id IS NOT NULL)
            """,
        )
        assert mismatches == 0, event


def _naive_lift(con: duckdb.DuckDBPyConnection, event: str) -> float:
    """Conversion after day 14 of accounts doing `event` in days 0-14 / of the others."""
    rate_with, rate_without = con.execute(
        f"""
        WITH conv AS (SELECT account_id, min(ts) converted_at FROM e
                      WHERE event = 'Subscription Started' GROUP BY 1),
        cohort AS (SELECT a.account_id, a.created_at, conv.converted_at IS NOT NULL AS converted
                   FROM a LEFT JOIN conv USING (account_id)
                   WHERE a.created_at + INTERVAL 14 DAY < TIMESTAMP '{DEFAULT_END}'
                     AND (conv.converted_at IS NULL
                          OR conv.converted_at >= a.created_at + INTERVAL 14 DAY)),
        did AS (SELECT DISTINCT e.account_id FROM e JOIN cohort USING (account_id)
                WHERE e.event = '{event}' AND e.ts < cohort.created_at + INTERVAL 14 DAY)
        SELECT avg(converted::INT) FILTER (WHERE did.account_id IS NOT NULL),
               avg(converted::INT) FILTER (WHERE did.account_id IS NULL)
        FROM cohort LEFT JOIN did USING (account_id)
        """
    ).fetchone() or (0.0, 1.0)
    return float(rate_with) / float(rate_without)


@pytest.mark.parametrize("event", ["Invited Member", "Shared Document", "Connected Integration"])
def test_causal_behaviours_show_a_naive_lift(con: duckdb.DuckDBPyConnection, event: str) -> None:
    assert _naive_lift(con, event) > 1.8


@pytest.mark.parametrize("event", ["Uploaded Asset", "Created Calendar", "Created Document"])
def test_merely_correlated_behaviours_show_a_naive_lift_too(
    con: duckdb.DuckDBPyConnection, event: str
) -> None:
    """Engagement drives them and conversion alike: the trap discovery must not fall into."""
    assert _naive_lift(con, event) > 1.1


@pytest.mark.parametrize("event", ["Changed Theme", "Viewed Help Article"])
def test_noise_behaviours_show_no_strong_lift(con: duckdb.DuckDBPyConnection, event: str) -> None:
    assert 0.4 < _naive_lift(con, event) < 2.0  # wide: only ~60-90 accounts do them early


def test_per_account_truth_matches_conversions(con: duckdb.DuckDBPyConnection) -> None:
    mismatches = _scalar(
        con,
        """
        SELECT count(*) FROM truth LEFT JOIN
          (SELECT account_id, min(ts) ts FROM e WHERE event = 'Subscription Started' GROUP BY 1) c
          USING (account_id)
        WHERE truth.converted_at IS DISTINCT FROM c.ts
           OR (truth.converted_at IS NOT NULL AND NOT truth.converted_latent)
        """,
    )
    assert mismatches == 0
    assert _scalar(con, "SELECT max(p_convert) FROM truth WHERE spike") == 0


# --- project file, options, ingest ---------------------------------------------------------


def test_pql_yaml_is_the_design_example(files: DemoFiles) -> None:
    text = files.project_file.read_text()
    config = yaml.safe_load(text)
    assert text.count("#") > 10  # commented
    assert config["project"] == "taskly" and config["entity"] == "account"
    assert config["store"] == ".pql/taskly.duckdb"
    assert config["signup"] == {"source": "accounts"}
    assert config["conversion"] == {"event": "Subscription Started"}
    assert (config["observation_days"], config["conversion_window_days"]) == (30, 90)
    definition = config["definition"]
    assert [c["id"] for c in definition["criteria"]] == [
        "invited", "docs", "shared", "assets", "tasks", "calendar",
    ]  # fmt: skip
    assert definition["criteria"][4]["where"] == {"source": "web"}
    assert definition["qualify"] == {"fraction": 0.4}
    assert definition["min_active_days"] == 2
    assert definition["fit"] == {"exclude_free_email_domains": True, "min_employees": 5}
    assert "destinations" not in config


def test_pql_yaml_loads(files: DemoFiles) -> None:
    from pqlengine.config import load_project

    project = load_project(files.project_file)
    assert project.store_path == str(files.out_dir.resolve() / ".pql" / "taskly.duckdb")


def test_end_chunks_and_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "CHUNK_ACCOUNTS", 20)
    calls: list[tuple[int, int]] = []
    end = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    small = generate_files(
        tmp_path, 50, seed=3, end=end, on_progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(20, 50), (40, 50), (50, 50)]
    assert [p.name for p in small.event_files] == [f"part-0000{i}.parquet" for i in range(3)]
    events = pa.concat_tables(pq.read_table(p) for p in small.event_files)
    assert events.num_rows == small.events
    assert len(set(events["event_id"].to_pylist())) == small.events
    naive_end = end.replace(tzinfo=None)
    assert max(events["ts"].to_pylist()) < naive_end
    created = pq.read_table(small.accounts_file)["created_at"].to_pylist()
    assert min(created) >= naive_end - timedelta(days=244)


def test_write_demo_ingests_everything(tmp_path: Path) -> None:
    from pqlengine.store import Store

    files = demo.write_demo(tmp_path, 150, seed=5)
    store = Store.open(tmp_path / ".pql" / "taskly.duckdb")
    try:
        assert store.count("accounts") == files.accounts
        assert store.count("users") == files.users
        assert store.count("events") == files.events
    finally:
        store.close()
