"""The demo's revenue and churn (issue 19): events agree with the per-account truth, and the
truth says what it claims (retention drivers differ from conversion drivers)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pqlengine.demo import DEFAULT_END, DemoFiles, generate_files, ground_truth
from pqlengine.demo.model import DAYS_PER_MONTH, RETENTION_BASE_HAZARD_PER_MONTH

N_ACCOUNTS = 1500


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """A 1.5k-account demo, seed 11."""
    return generate_files(tmp_path_factory.mktemp("outcomes"), N_ACCOUNTS, 11)


@pytest.fixture(scope="module")
def con(files: DemoFiles) -> duckdb.DuckDBPyConnection:
    """Views e (events) and truth (per-account ground truth)."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    events = files.events_dir / "*.parquet"
    connection.execute(f"CREATE VIEW e AS SELECT * FROM read_parquet('{events}')")
    truth = files.truth_accounts_file
    connection.execute(f"CREATE VIEW truth AS SELECT * FROM read_parquet('{truth}')")
    return connection


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def test_cancellations_are_the_latent_churns_before_end(con: duckdb.DuckDBPyConnection) -> None:
    mismatches = _rows(
        con,
        f"""
        SELECT account_id FROM truth FULL JOIN
          (SELECT account_id, min(ts) AS ts, count(*) AS n FROM e
           WHERE event = 'Subscription Cancelled' GROUP BY 1) c USING (account_id)
        WHERE c.n > 1
           OR (truth.converted_at IS NOT NULL
               AND truth.churned_at_latent < TIMESTAMP '{DEFAULT_END}')
              IS DISTINCT FROM (c.ts IS NOT NULL)
           OR (c.ts IS NOT NULL AND c.ts <> truth.churned_at_latent)
        """,
    )
    assert mismatches == []
    churned = _rows(con, "SELECT count(*) FROM e WHERE event = 'Subscription Cancelled'")[0][0]
    assert churned > 20
    late = "SELECT count(*) FROM truth WHERE churned_at_latent <= converted_at"
    assert _rows(con, late)[0][0] == 0


def test_changes_are_the_expansions_before_churn_and_end(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        """
        SELECT truth.account_id, c.ts, (c.properties->>'amount')::DOUBLE,
               truth.expansion_at_latent, truth.expansion_mrr, truth.mrr_at_conversion,
               truth.churned_at_latent, s.amount
        FROM truth
        JOIN (SELECT account_id, (properties->>'amount')::DOUBLE AS amount FROM e
              WHERE event = 'Subscription Started') s USING (account_id)
        LEFT JOIN (SELECT * FROM e WHERE event = 'Subscription Changed') c USING (account_id)
        """,
    )
    changed = 0
    for account, ts, amount, at, mrr, start_mrr, churned, started in rows:
        assert start_mrr == started, account  # the truth's MRR is the event's amount
        if ts is None:
            assert at is None or at >= DEFAULT_END, account
            continue
        changed += 1
        assert (ts, amount) == (at, mrr), account
        assert mrr > start_mrr and at < churned, account
    assert changed > 20


def test_subscription_events_are_numbered_apart(con: duckdb.DuckDBPyConnection) -> None:
    """Other events keep ids evt_00000000001.. with no gap, as before issue 19."""
    first, last, count = _rows(
        con,
        "SELECT min(event_id), max(event_id), count(*) FROM e WHERE event_id NOT LIKE 'evt_s%'",
    )[0]
    assert first == "evt_00000000001" and last == f"evt_{count:011d}"
    names = _rows(con, "SELECT DISTINCT event FROM e WHERE event_id LIKE 'evt_s%' ORDER BY 1")
    assert names == [("Subscription Cancelled",), ("Subscription Changed",)]


def test_churn_hazard_follows_the_retention_model(con: duckdb.DuckDBPyConnection) -> None:
    """Hazard = base x exp(-1 per driver); 'Invited Member', 'Shared Document' and engagement
    play no part; and the latent churn times fit that hazard."""
    effects = ground_truth()["retention_model"]["log_hazard"]
    rows = _rows(
        con,
        """
        SELECT churn_hazard_per_month, integration_14d, uploaded_asset_14d,
               date_diff('microsecond', converted_at, churned_at_latent) / 86400e6
        FROM truth WHERE converted_latent AND converted_at IS NOT NULL
        """,
    )
    exposure_months = 0.0
    for hazard, integration, uploaded, days in rows:
        log_hazard = effects["Connected Integration"] * integration
        log_hazard += effects["Uploaded Asset"] * uploaded
        assert hazard == pytest.approx(RETENTION_BASE_HAZARD_PER_MONTH * math.exp(log_hazard))
        exposure_months += hazard * days / DAYS_PER_MONTH
    # sum of hazard x time ~ Gamma(n, 1): mean n, sd sqrt(n)
    assert abs(exposure_months - len(rows)) < 4 * math.sqrt(len(rows))


def test_retention_drivers_differ_from_conversion_drivers() -> None:
    truth = ground_truth()
    retention = set(truth["retention_drivers"])
    conversion = {n for n, b in truth["behaviours"].items() if b["role"] == "causal"}
    assert retention == {"Connected Integration", "Uploaded Asset"}
    assert retention != conversion and "Invited Member" not in retention
    assert truth["behaviours"]["Uploaded Asset"]["retention"]["log_hazard"] < 0
    assert truth["retention_model"]["base_hazard_per_month"] == RETENTION_BASE_HAZARD_PER_MONTH


def test_six_month_retention_is_between_60_and_75_percent(con: duckdb.DuckDBPyConnection) -> None:
    (retained,) = _rows(
        con,
        f"""
        SELECT avg((date_diff('second', converted_at, churned_at_latent)
                    > {6 * DAYS_PER_MONTH * 86400})::INT)
        FROM truth WHERE converted_at IS NOT NULL
        """,
    )[0]
    assert 0.6 <= retained <= 0.78


def test_pql_yaml_has_the_outcomes_block(files: DemoFiles) -> None:
    from pqlengine.config import load_project

    config = yaml.safe_load(Path(files.project_file).read_text())
    assert config["outcomes"] == {
        "mrr": {"property": "amount"},
        "change_event": "Subscription Changed",
        "churn_event": "Subscription Cancelled",
    }
    outcomes = load_project(files.project_file).outcomes
    assert outcomes.churn_event == "Subscription Cancelled"
