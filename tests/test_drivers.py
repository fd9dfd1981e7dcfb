"""Causal drivers on the demo product against its ground truth, the CLI, degenerate data.

The demo (20,000 accounts, seed 7, as of 2026-11-01; 8,485 eligible accounts) knows which
behaviours cause conversion and by how much (`ground_truth.json`: the realised ATT of each
causal behaviour); the correlated ones only share the latent engagement that raises every
event rate. Two checks failed while engagement was measured on all of an account's users and
other behaviours were not adjusted for (see docs/causal.md, "What changed").
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from pqlengine.cli import UserError, app
from pqlengine.compute.discovery import discover
from pqlengine.compute.drivers import (
    CORRELATED,
    E_VALUE_THRESHOLD,
    INCONCLUSIVE,
    LIKELY_DRIVER,
    NO_EFFECT,
    driver_matrix,
    drivers,
)
from pqlengine.config import Project, load_project
from pqlengine.demo import write_demo
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.support.cli import pql
from tests.support.config import base_config
from tests.support.demo import DemoProjects

AS_OF = datetime(2026, 11, 1)
DEMO_ACCOUNTS = 20_000  # about 8,500 eligible accounts: intervals of +-2 points, ~15 s to build


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """drivers() on the demo, and the demo's ground truth."""
    directory = tmp_path_factory.mktemp("drivers_demo")
    write_demo(directory, DEMO_ACCOUNTS, 7)
    project = load_project(directory)
    store = Store.for_project(project)
    try:
        result = drivers(store, project, AS_OF, window_days=14)
    finally:
        store.close()
    truth = json.loads((directory / "ground_truth.json").read_text())
    return result, truth


def _row(result: dict[str, Any], event: str) -> dict[str, Any]:
    return next(r for r in result["behaviours"] if r["event"] == event)


@pytest.mark.slow  # the 20,000-account demo
@pytest.mark.parametrize(
    "event",
    [
        "Invited Member",
        "Shared Document",
        "Connected Integration",
    ],
)
def test_true_drivers_cover_the_realised_att(
    demo: tuple[dict[str, Any], dict[str, Any]], event: str
) -> None:
    result, truth = demo
    realised = truth["behaviours"][event]["simulated"]["att"]
    row = _row(result, event)
    low, high = row["effect_ci"]
    assert row["label"] == LIKELY_DRIVER
    assert low <= realised <= high, (row["effect"], low, high, realised)


@pytest.mark.slow  # the 20,000-account demo
@pytest.mark.parametrize("event", ["Invited Member", "Shared Document", "Connected Integration"])
def test_true_drivers_are_found_and_adjustment_shrinks_the_naive_lift(
    demo: tuple[dict[str, Any], dict[str, Any]], event: str
) -> None:
    row = _row(demo[0], event)
    assert row["label"] == LIKELY_DRIVER and row["effect_ci"][0] > 0
    # robust to a hidden confounder of the documented strength, and to multiplicity
    assert row["e_value_ci"] >= E_VALUE_THRESHOLD and row["p_holm"] < 0.05
    assert row["e_value"] > row["e_value_ci"] and row["risk_ratio_ci"][0] > 1
    assert row["effect"] < row["naive_difference"]  # part of the naive lift is engagement
    assert row["max_abs_smd_after"] < 0.1 < row["max_abs_smd_before"]


@pytest.mark.slow  # the 20,000-account demo
@pytest.mark.parametrize(
    "event",
    [
        "Created Document",
        "Uploaded Asset",
        "Added Task",
        "Created Calendar",
    ],
)
def test_correlated_behaviours_with_large_naive_lift_cover_zero(
    demo: tuple[dict[str, Any], dict[str, Any]], event: str
) -> None:
    result, truth = demo
    assert truth["behaviours"][event]["role"] == "correlated"
    row = _row(result, event)
    assert row["naive_ci"][0] > 0 and row["naive_difference"] > 0.05  # large naive lift
    low, high = row["effect_ci"]
    assert low <= 0 <= high, (row["effect"], low, high)
    assert row["label"] == CORRELATED


@pytest.mark.slow  # the 20,000-account demo
def test_correlated_behaviours_lose_most_of_their_naive_lift(
    demo: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    result, truth = demo
    correlated = [n for n, b in truth["behaviours"].items() if b["role"] == "correlated"]
    for event in correlated:
        row = _row(result, event)
        assert row["effect"] < row["naive_difference"] / 3, event


@pytest.mark.slow  # the 20,000-account demo
def test_noise_event_has_no_effect(demo: tuple[dict[str, Any], dict[str, Any]]) -> None:
    row = _row(demo[0], "Changed Theme")
    assert row["label"] == NO_EFFECT
    assert row["effect_ci"][0] < 0 < row["effect_ci"][1]


@pytest.mark.slow  # the 20,000-account demo
def test_naive_rates_are_discoverys(
    demo: tuple[dict[str, Any], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Same eligible entities, same outcome: the 2x2 counts equal discovery's."""
    result, _ = demo
    assert result["entities"] == 8485
    for row in result["behaviours"]:
        assert row["treated"] + row["control"] == result["entities"]
        naive = row["rate_with"] - row["rate_without"]
        assert row["naive_difference"] == pytest.approx(naive, abs=1e-12)
    assert {r["event"] for r in result["behaviours"]} >= {
        "Invited Member",
        "Shared Document",
        "Connected Integration",
        "Created Document",
        "Uploaded Asset",
        "Added Task",
        "Created Calendar",
    }
    assert not {"Page Viewed", "Logged In", "Session Started"} & {
        r["event"] for r in result["behaviours"]
    }


@pytest.mark.slow  # the 20,000-account demo
def test_result_states_its_limits_and_diagnostics(
    demo: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    result, _ = demo
    assert result["estimand"] == "ATT" and result["method"] == "aipw"
    assert any("Observational" in limit for limit in result["limits"])
    assert any("Unmeasured confounding" in limit for limit in result["limits"])
    assert any("active days" in item for item in result["adjusted_for"])
    for row in result["behaviours"]:
        assert row["interval_method"] == "influence function"
        assert row["trim_rule"].startswith("Crump et al. (2009) optimal")
        assert 0 <= row["trimmed_share"] < 1 and row["ess_control"] > 0
        assert 0 < row["propensity_treated"][0] <= row["propensity_treated"][1] < 1


def test_cli_and_discovery_agree_with_the_library(demo_projects: DemoProjects) -> None:
    """On a small demo: the CLI's JSON is the library's result; the table prints the
    limits; the 2x2 counts match discovery's threshold-1 candidates."""
    directory = demo_projects.shared(2000, 7).out_dir
    project = load_project(directory)
    store = Store.for_project(project)
    try:
        expected = drivers(store, project, AS_OF, window_days=14)
        found = discover(store, project, AS_OF, window_days=14)
    finally:
        store.close()
    for row in expected["behaviours"]:
        candidate = next(
            c
            for c in found["candidates"]
            if c["kind"] == "event" and c["event"] == row["event"] and c["threshold"] == 1
        )
        assert (row["treated"], row["rate_with"]) == (
            candidate["with_total"],
            candidate["rate_with"],
        )
    done = pql(
        "drivers", "-C", str(directory), "--as-of", "2026-11-01", "-f", "json", cwd=directory
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(expected))
    runner = CliRunner()
    table = runner.invoke(app, ["drivers", "-C", str(directory), "--as-of", "2026-11-01"])
    assert table.exit_code == 0, table.output
    assert "Connected Integration >= 1" in table.output and "Adjusted for:" in table.output
    assert "limit Observational" in table.output
    bad = runner.invoke(app, ["drivers", "-C", str(directory), "--trim", "often"])
    assert isinstance(bad.exception, UserError) and "--trim: 'often'" in str(bad.exception)


def test_separated_behaviour_is_inconclusive_with_the_reason() -> None:
    """Every doer of X is far busier than every non-doer: no comparable controls."""
    t0 = datetime(2026, 1, 1)
    day = timedelta(days=1)
    store = Store.open(":memory:")
    users = [{"user_id": f"u{i}", "signed_up_at": t0} for i in range(80)]
    ingest_records(store, "users", users)
    events = []
    for i in range(80):
        busy = i % 2 == 0
        for k in range(12 if busy else 1):
            events.append({"user_id": f"u{i}", "event": "Y", "ts": t0 + day + k * 60 * day / 100})
        if busy:
            events.append({"user_id": f"u{i}", "event": "X", "ts": t0 + 2 * day})
        if i % 3 == 0:
            events.append({"user_id": f"u{i}", "event": "Paid", "ts": t0 + 20 * day})
    ingest_records(store, "events", [{"event_id": f"e{n}", **e} for n, e in enumerate(events)])
    project = Project.from_dict(base_config(entity="user", signup={"source": "users"}))
    result = drivers(store, project, t0 + 200 * day, window_days=14, min_support=5)
    row = _row(result, "X")
    assert row["label"] == INCONCLUSIVE
    assert row["reason"]["code"] == "perfect_separation" and row["effect"] is None
    assert row["naive_difference"] is not None
    store.close()


def test_engagement_and_other_behaviours_are_the_first_users() -> None:
    """Treatment is the account's; engagement and the other behaviours are its first user's
    (earliest event in the window, ties to the smallest user_id)."""
    t0 = datetime(2026, 1, 1)
    day = timedelta(days=1)
    store = Store.open(":memory:")
    ingest_records(
        store,
        "accounts",
        [{"account_id": a, "created_at": t0} for a in ("A", "B")],
    )
    ingest_records(
        store,
        "users",
        [
            {"user_id": "a1", "account_id": "A", "signed_up_at": t0},
            {"user_id": "a2", "account_id": "A", "signed_up_at": t0},
            {"user_id": "b1", "account_id": "B", "signed_up_at": t0},
            {"user_id": "b2", "account_id": "B", "signed_up_at": t0},
        ],
    )
    rows = [
        # A: a1 first (day 0), invites; the teammate a2 is busy and does Y on three days
        ("A", "a1", "Invite", t0),
        ("A", "a1", "Y", t0 + 2 * day),
        *[("A", "a2", name, t0 + (3 + k) * day) for k, name in enumerate(["Y", "Z", "Y"])],
        # B: b2 and b1 start at the same moment: b1 (smaller id) is the first user
        ("B", "b2", "Invite", t0 + day),
        ("B", "b1", "Y", t0 + day),
        ("B", "b2", "Y", t0 + 2 * day),
    ]
    events = [
        {"event_id": f"e{n}", "account_id": a, "user_id": u, "event": e, "ts": ts}
        for n, (a, u, e, ts) in enumerate(rows)
    ]
    ingest_records(store, "events", events)
    project = Project.from_dict(base_config())
    matrix = driver_matrix(store, project, t0 + 300 * day, 14, ["Invite", "Y"])
    store.close()
    assert matrix.entity_ids == ["A", "B"]
    assert matrix.counts.tolist() == [[1, 3], [1, 2]]
    assert matrix.founder_counts.tolist() == [[1, 1], [0, 1]]
    assert matrix.event_count.tolist() == [2, 1]
    assert matrix.active_days.tolist() == [2, 1]
    assert matrix.event_types.tolist() == [2, 1]
    invite = matrix.confounders(0)
    assert "did:Invite" not in invite
    assert invite["did:Y"].tolist() == [1.0, 1.0]
    assert invite["log_other_events"].tolist() == pytest.approx(np.log1p([1, 1]).tolist())
    assert invite["other_event_types"].tolist() == [1.0, 1.0]
