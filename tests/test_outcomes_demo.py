"""Issue 19 acceptance on the demo (2,000 accounts, seed 7, the session's shared project):
`pql outcomes` recovers the TRUE retention of the same customers (their latent, uncensored
churn times in ground_truth_accounts.parquet) within its intervals, PQL customers retain
better as the truth says, and Kaplan-Meier corrects the censoring bias of the naive share."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest

from pqlengine.compute.customers import DAYS_PER_MONTH
from pqlengine.compute.outcomes import compute_outcomes, outcome_samples
from pqlengine.config import load_project
from pqlengine.demo import DemoFiles
from pqlengine.store import Store
from tests.support.cli import pql
from tests.support.demo import DemoProjects

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(demo_projects: DemoProjects) -> DemoFiles:
    """The shared demo project (read only)."""
    return demo_projects.shared(2000, 7)


@pytest.fixture(scope="module")
def outcome(demo: DemoFiles) -> dict[str, Any]:
    """compute_outcomes on the demo, plus each group's customers and their truth rows."""
    project = load_project(demo.project_file)
    store = Store.for_project(project)
    try:
        result = compute_outcomes(store, project, AS_OF)
        _, found = outcome_samples(store, project, AS_OF)
        groups = _group_members(store, project, found)
    finally:
        store.close()
    truth = pq.read_table(demo.truth_accounts_file).to_pylist()
    return {
        "result": result,
        "groups": groups,
        "found": found,
        "truth": {row["account_id"]: row for row in truth},
    }


def _group_members(store: Store, project: Any, found: Any) -> dict[str, list[str]]:
    from pqlengine.compute.outcomes import _qualified_at

    qualified = _qualified_at(store, project, AS_OF)
    groups: dict[str, list[str]] = {"pql": [], "non_pql": []}
    for entity_id, customer in found.by_id.items():
        at = qualified.get(entity_id)
        pql_customer = at is not None and at < customer.converted_at
        groups["pql" if pql_customer else "non_pql"].append(entity_id)
    return groups


def _true_retention(outcome: dict[str, Any], group: str, months: int) -> float:
    """Share of the group's customers whose latent churn comes after `months` (uncensored)."""
    horizon = timedelta(days=months * DAYS_PER_MONTH)
    rows = [outcome["truth"][i] for i in outcome["groups"][group]]
    return sum(r["churned_at_latent"] > r["converted_at"] + horizon for r in rows) / len(rows)


def test_truth_table_agrees_with_the_store(outcome: dict[str, Any]) -> None:
    for entity_id, customer in outcome["found"].by_id.items():
        row = outcome["truth"][entity_id]
        assert row["converted_at"] == customer.converted_at
        churned = row["churned_at_latent"]
        assert customer.churned_at == (churned if churned < AS_OF.replace(tzinfo=None) else None)


@pytest.mark.parametrize("group", ["pql", "non_pql"])
@pytest.mark.parametrize("months", [3, 6])
def test_retention_intervals_cover_the_true_retention(
    outcome: dict[str, Any], group: str, months: int
) -> None:
    estimate = outcome["result"]["overall"][group][f"retention_{months}m"]
    assert estimate is not None
    true = _true_retention(outcome, group, months)
    low, high = estimate["ci"]
    assert low <= true <= high, (group, months, true, estimate)


def test_pql_customers_retain_better_as_the_truth_says(outcome: dict[str, Any]) -> None:
    overall = outcome["result"]["overall"]
    for months in (3, 6):
        truth_gap = _true_retention(outcome, "pql", months) - _true_retention(
            outcome, "non_pql", months
        )
        assert truth_gap > 0.05  # the known amount: PQLs upload assets more (a driver)
        key = f"retention_{months}m"
        assert overall["pql"][key]["estimate"] > overall["non_pql"][key]["estimate"]
    assert overall["comparison"]["retention"]["test"] == "log_rank"


def test_kaplan_meier_corrects_the_censoring_bias_of_the_naive_share(
    outcome: dict[str, Any],
) -> None:
    """Counting a customer as retained at 6 months when simply not churned yet (censored
    early) overstates retention; Kaplan-Meier does not."""
    found = outcome["found"]
    groups = outcome["groups"]
    outcome = {**outcome, "groups": {**groups, "all": [*groups["pql"], *groups["non_pql"]]}}
    for group in ("pql", "non_pql", "all"):
        members = [found.by_id[i] for i in outcome["groups"][group]]
        naive = sum(found.retained(c, 6 * DAYS_PER_MONTH) is not False for c in members)
        naive_share = naive / len(members)
        true = _true_retention(outcome, group, 6)
        km = outcome["result"]["overall"][group]["retention_6m"]
        assert naive_share - true > 0.05, (group, naive_share, true)
        assert km["ci"][0] <= true <= km["ci"][1]
        assert abs(km["estimate"] - true) < naive_share - true
        if group == "all":  # the pooled interval is narrow enough to exclude the naive share
            assert naive_share > km["ci"][1]


def test_cli_table_and_json(demo: DemoFiles) -> None:
    ran = pql("outcomes", "-C", str(demo.out_dir), "--as-of", "2026-11-01", cwd=demo.out_dir)
    assert ran.returncode == 0, ran.stderr
    assert "retained 6m" in ran.stdout and "LTV PQL = arpa x margin / (1 - S(6m)" in ran.stdout
    assert "log-rank" in ran.stdout
    ran = pql(
        "outcomes", "-C", str(demo.out_dir), "--as-of", "2026-11-01", "--format", "json",
        "--by", "plan", "--period", "week", "--revenue-days", "60", cwd=demo.out_dir,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["by"] == "plan" and result["overall_by_segment"]
    assert result["cohorts"][0]["cohort"].startswith("2026-W")
    assert result["overall"]["all"]["revenue_60d"]["ci"][0] > 0
    bad = pql("outcomes", "-C", str(demo.out_dir), "--period", "day", cwd=demo.out_dir)
    assert bad.returncode == 1 and "--period" in bad.stderr
