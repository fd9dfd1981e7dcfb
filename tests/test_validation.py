"""validate: PQL vs non-PQL conversion on earlier and later cohorts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportions_ztest,
)

from pqlengine.compute.validation import validate
from pqlengine.config import Project, load_project
from pqlengine.ingest import ingest_records
from pqlengine.output import to_json
from pqlengine.stats.intervals import Proportion, Unavailable
from pqlengine.stats.validation import (
    PeriodCounts,
    entities_for_power,
    judge,
    rate_difference_interval,
)
from pqlengine.store import Store
from tests.support.cli import pql
from tests.support.config import base_config
from tests.support.demo import DemoProjects


def test_judge_matches_statsmodels_and_says_what_it_means() -> None:
    result = judge(PeriodCounts(pql_converted=30, pqls=100, other_converted=40, others=400))
    z, p = proportions_ztest([30, 40], [100, 400])
    assert result["z"] == pytest.approx(z, rel=1e-9) and result["p_value"] == pytest.approx(p)
    assert result["lift"] == pytest.approx(3.0)
    assert result["recall"] == pytest.approx(30 / 70)
    assert result["claim"] == "higher" and result["more_needed"] is None
    low, high = result["lift_ci"]
    assert result["verdict"] == (
        f"PQLs converted 3.0x as often as non-PQLs (95% CI {low:.1f}-{high:.1f}), p < 0.001"
    )
    inverted = judge(PeriodCounts(10, 200, 60, 400))
    assert inverted["claim"] == "lower" and inverted["verdict"].endswith(
        "the definition is inverted"
    )
    flat = judge(PeriodCounts(10, 100, 40, 400))
    assert flat["claim"] is None and "not enough evidence yet either way" in flat["verdict"]
    assert flat["more_needed"]["code"] == "equal_rates"
    zero = judge(PeriodCounts(8, 40, 0, 60))
    assert zero["lift"] is None and zero["lift_ci"] is None and zero["claim"] == "higher"
    assert [n["code"] for n in zero["notes"]] == ["zero_cell"]
    assert zero["verdict"].startswith("PQLs converted 20.0% (8 of 40), non-PQLs 0.0% (0 of 60)")
    empty = judge(PeriodCounts(0, 0, 5, 50))
    assert empty["p_value"] is None and empty["verdict"].startswith("cannot test")


def test_not_significant_is_not_no_effect() -> None:
    """Issue 14 item 7: n = 18, lift 3.0, p = 0.058 is 'not enough evidence yet', with the
    interval and how many more entities and cohorts would decide it."""
    counts = PeriodCounts(pql_converted=3, pqls=5, other_converted=2, others=13, cohorts=2)
    result = judge(counts)
    assert result["lift"] == pytest.approx(3.9)
    assert result["p_value"] == pytest.approx(proportions_ztest([3, 2], [5, 13])[1])
    assert 0.05 < result["p_value"] < 0.07
    verdict = result["verdict"]
    assert "does not predict" not in verdict and "no significant" not in verdict
    low, high = result["lift_ci"]
    assert low < 1 < high
    assert verdict.startswith(
        f"PQLs converted 3.9x as often as non-PQLs (95% CI {low:.2f}-{high:.1f}), "
        f"p = {result['p_value']:.3f}: not enough evidence yet either way; "
    )
    needed = result["more_needed"]
    assert needed["entities_needed"] == entities_for_power(3 / 5, 2 / 13, 5 / 18)
    assert needed["more_entities"] == needed["entities_needed"] - 18 > 0
    assert needed["cohort_size"] == 9 and needed["more_cohorts"] == -(-needed["more_entities"] // 9)
    assert f"about {needed['more_cohorts']} more monthly cohorts of 9" in verdict
    assert "rules out" not in verdict  # a few more cohorts would decide it


def test_a_difference_too_small_to_decide_soon_says_what_the_interval_rules_out() -> None:
    """Planday-like: lift ~1 on ~400 trials; millions more entities would be needed, so the
    verdict also says what the interval already excludes (a claim the data support)."""
    result = judge(PeriodCounts(40, 200, 43, 205, cohorts=2))
    high = result["lift_ci"][1]
    assert result["claim"] is None and result["more_needed"]["more_cohorts"] > 24
    assert result["verdict"].endswith(
        f"; that will not come soon, but the interval already rules out PQLs converting more "
        f"than {high:.1f}x as often as non-PQLs"
    )


def test_rate_difference_interval_matches_statsmodels() -> None:
    """Newcombe hybrid score interval: statsmodels confint_proportions_2indep(newcomb)."""
    for a, b in [((30, 100), (40, 400)), ((3, 5), (2, 13)), ((0, 20), (4, 30))]:
        reference = confint_proportions_2indep(*a, *b, method="newcomb", compare="diff")
        interval = rate_difference_interval(Proportion(*a), Proportion(*b))
        assert not isinstance(interval, Unavailable)
        assert interval == pytest.approx(reference, rel=1e-9, abs=1e-12)


def _power(total: float, rate_a: float, rate_b: float, share: float) -> float:
    return float(
        power_proportions_2indep(
            rate_a - rate_b, rate_b, total * share, ratio=(1 - share) / share, return_results=False
        )
    )


def test_entities_for_power_matches_statsmodels() -> None:
    """The returned N is the smallest total with statsmodels' power (pooled null variance,
    unpooled alternative, two-sided) at least 0.8; the other tail adds < 1e-6 here."""
    for rate_a, rate_b, share in [(0.3, 0.1, 0.2), (0.6, 2 / 13, 5 / 18), (0.08, 0.12, 0.5)]:
        needed = entities_for_power(rate_a, rate_b, share)
        assert isinstance(needed, int)

        assert _power(needed, rate_a, rate_b, share) >= 0.8 - 1e-6
        assert _power(needed - 1, rate_a, rate_b, share) < 0.8
    assert isinstance(entities_for_power(0.1, 0.1, 0.5), Unavailable)


def test_early_converters_are_left_out_and_counted(store: Store) -> None:
    """Landmark = signup + 30 days: PQL = qualified before it, outcome = converted in the
    90 days after it; entities converting before it are left out, whatever their events."""
    t0 = datetime(2026, 1, 5)
    plan = {  # account: (days of its "A" events, day it paid)
        "early_pql": ([1], 5),  # qualified, then paid inside the window: left out
        "early_payer": ([10], 2),  # paid before it would qualify (the old bias): left out
        "pql_paid": ([3], 40),
        "pql_unpaid": ([3], None),
        "pql_paid_too_late": ([1], 130),
        "other_paid": ([], 60),
        "other_unpaid": ([], None),
        "qualified_after_landmark": ([35], 50),
    }
    ingest_records(store, "accounts", [{"account_id": a, "created_at": t0} for a in plan])
    ingest_records(store, "users", [{"user_id": a, "account_id": a} for a in plan])
    events = [(account, "A", day) for account, (days, _) in plan.items() for day in days] + [
        (account, "Paid", paid) for account, (_, paid) in plan.items() if paid is not None
    ]
    ingest_records(
        store,
        "events",
        [
            {"event_id": f"e{i}", "user_id": a, "event": name, "ts": t0 + timedelta(days=day)}
            for i, (a, name, day) in enumerate(events)
        ],
    )
    project = Project.from_dict(base_config())
    result = validate(store, project, datetime(2026, 6, 1), train_until=datetime(2026, 2, 1))
    train = result["train"]
    assert train["converted_before_landmark"] == 2
    assert (train["pql"]["converted"], train["pql"]["entities"]) == (1, 3)
    assert (train["non_pql"]["converted"], train["non_pql"]["entities"]) == (2, 3)
    assert train["cohorts"] == 1
    assert result["test"]["pql"]["entities"] + result["test"]["non_pql"]["entities"] == 0


def test_demo_definition_predicts_conversion_on_later_cohorts(
    demo_projects: DemoProjects,
) -> None:
    directory = demo_projects.shared(2000, 7).out_dir
    project = load_project(directory)
    store = Store.for_project(project)
    try:
        result = validate(
            store, project, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
        )
    finally:
        store.close()
    for period in ("train", "test"):
        # Most demo accounts pay inside their first 30 days and are left out, so few
        # conversions remain: the evidence is weaker than it looked with them in.
        assert result[period]["claim"] == "higher" and result[period]["lift_ci"][0] > 1
        assert result[period]["lift"] > 2 and result[period]["converted_before_landmark"] > 40
    assert result["train"]["pql"]["entities"] + result["train"]["non_pql"]["entities"] > 250
    assert result["warnings"] == []
    args = ("--as-of", "2026-11-01", "--train-until", "2026-05-01")
    done = pql("validate", "-C", ".", *args, "--format", "json", cwd=directory)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["test"] == json.loads(to_json(result["test"]))
    table = pql("validate", "-C", ".", *args, cwd=directory)
    assert table.returncode == 0 and "left out" in table.stdout, table.stderr
