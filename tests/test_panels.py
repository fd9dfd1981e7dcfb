"""Dashboard/report aggregates on the hand-made project (tests/fixtures/handmade/README.md),
checked against values computed by hand and against the reference estimators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

from pqlengine.compute.lead_queue import NO_SEGMENT
from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.panels import (
    dashboard_panels,
    label_start,
    next_period,
    period_start,
    previous_period,
    segment_choices,
)
from pqlengine.config import Project, load_project
from pqlengine.store import Store
from tests.test_handmade import ingested_copy

AS_OF = datetime(2026, 3, 31, tzinfo=UTC)
DAY = 86_400


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Store]]:
    project = load_project(ingested_copy(tmp_path_factory.mktemp("panels")))
    store = Store.for_project(project)
    yield project, store
    store.close()


@pytest.fixture(scope="module")
def weekly(handmade: tuple[Project, Store]) -> dict[str, Any]:
    project, store = handmade
    return dashboard_panels(store, project, AS_OF, "week")


def wilson(k: int, n: int) -> list[float]:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return [float(low), float(high)]


def test_cohort_grid_matches_hand_computation(weekly: dict[str, Any]) -> None:
    grid = weekly["cohort_grid"]
    assert grid["weeks"] == 4  # 2 x 7 observation days, at least 4 weeks
    shares = {(c["cohort"], c["week"]): c["share"] for c in grid["cells"]}
    # W02 {A,B,C,G}: A after 2.5 days. W03 {D,E}: E after 2.4 days, D after 8.2 days.
    assert [shares[("2026-W02", k)] for k in range(1, 5)] == [0.25] * 4
    assert [shares[("2026-W03", k)] for k in range(1, 5)] == [0.5, 1.0, 1.0, 1.0]
    assert [shares[("2026-W06", k)] for k in range(1, 5)] == [0.0] * 4
    assert all(c["complete"] for c in grid["cells"])


def test_cohort_grid_flags_partial_and_leaves_out_unreached_weeks(
    handmade: tuple[Project, Store],
) -> None:
    project, store = handmade
    # As of 01-22: W03 started 01-12 (ends 01-19). Week 1 = 7 days after signup: everyone
    # of W03 has had it only when 01-19 + 7 days <= as_of, so it is partial; week 2 is
    # reached by nobody's 14 days since 01-12 + 14 > 01-22: left out.
    grid = dashboard_panels(store, project, datetime(2026, 1, 22, tzinfo=UTC), "week")
    cells = {(c["cohort"], c["week"]): c for c in grid["cohort_grid"]["cells"]}
    assert cells[("2026-W03", 1)]["complete"] is False
    assert cells[("2026-W03", 1)]["qualified"] == 1  # E; D qualified on day 8.2
    assert ("2026-W03", 2) not in cells
    assert cells[("2026-W02", 1)]["complete"] is True
    assert ("2026-W02", 2) in cells and cells[("2026-W02", 2)]["complete"] is False


def test_funnel_matches_hand_computation(weekly: dict[str, Any]) -> None:
    steps = {s["step"]: s for s in weekly["funnel"]["steps"]}
    # create >= 2 within 7 days: all but G; invite within 3 days and before converting:
    # A, B, D, E (C's is at exactly 3 days, F's at the conversion instant); rule (both):
    # A, B, D, E; 2 active days within 7 days: all but D (second day 01-20) and G; PQL: A, E.
    expected = {"signups": 7, "create": 6, "invite": 4, "rule": 4, "active_days": 5, "pql": 2}
    assert {k: s["entities"] for k, s in steps.items()} == expected
    assert [s["step"] for s in weekly["funnel"]["steps"]] == list(expected)
    for key, count in expected.items():
        assert steps[key]["share"] == pytest.approx(count / 7)
        assert steps[key]["share_ci"] == pytest.approx(wilson(count, 7), abs=1e-12)


def test_funnel_ends_at_the_overall_pql_rate(weekly: dict[str, Any]) -> None:
    pql = weekly["funnel"]["steps"][-1]
    overall = weekly["metrics"]["overall"]
    assert pql["share"] == pytest.approx(overall["pql_rate"])
    assert pql["entities"] == overall["pqls"]


def test_time_to_pql_curve_matches_lifelines_and_hand_values(weekly: dict[str, Any]) -> None:
    curve = weekly["time_to_pql"]
    assert (curve["entities"], curve["pqls"], curve["censored"]) == (7, 3, 4)
    # Events: E at 2 + 10/24 days, A at 2.5, D at 8 + 5/24; censored at as_of: B 84 days,
    # C 83, G 82, F 57. S drops to 6/7, 5/7, then 5/7 * 4/5 = 4/7.
    durations = np.array([2.5, 84, 83, 82, 8 + 5 / 24, 2 + 10 / 24, 57])
    observed = np.array([1, 0, 0, 0, 1, 1, 0])
    reference = KaplanMeierFitter().fit(durations, observed)
    points = {p["day"]: p for p in curve["points"]}
    for day in (0.0, 2.25, 2.5, 5.0, 8.25, 14.0):
        expected = 1 - reference.survival_function_at_times(day).iloc[0]
        assert points[day]["share"] == pytest.approx(expected, abs=1e-12)
    assert points[2.5]["share"] == pytest.approx(2 / 7)
    assert points[8.25]["share"] == pytest.approx(3 / 7)
    milestones = {m["day"]: m["share"] for m in curve["milestones"]}
    assert milestones == pytest.approx({7.0: 2 / 7, 14.0: 3 / 7})
    band = reference.confidence_interval_cumulative_density_
    lower, upper = band.loc[band.index <= 14.0].iloc[-1]
    assert (points[14.0]["lower"], points[14.0]["upper"]) == pytest.approx((lower, upper))


def test_tiles_take_the_latest_complete_cohorts(weekly: dict[str, Any]) -> None:
    tiles = weekly["tiles"]
    rate = tiles["pql_rate"]
    assert (rate["cohort"], rate["successes"], rate["trials"]) == ("2026-W06", 0, 1)
    assert (rate["previous_cohort"], rate["previous_value"]) == ("2026-W03", 0.5)
    assert rate["trend"]["direction"] == "down" and not rate["trend"]["significant"]
    # Time to PQL and PQL-to-paid skip W06, which has no PQL.
    time = tiles["time_to_pql"]
    assert time["cohort"] == "2026-W03" and time["value"] == pytest.approx(2 + 10 / 24)
    assert time["interval"] is None and "too few" in time["interval_note"]
    paid = tiles["pql_to_paid"]
    assert (paid["cohort"], paid["value"], paid["previous_value"]) == ("2026-W03", 0.0, 1.0)
    assert paid["benchmark"]["position"] == "below" and paid["maturing"] is False


def test_pqls_this_period_against_the_same_span_of_the_last(
    handmade: tuple[Project, Store],
) -> None:
    project, store = handmade
    # As of Wednesday 01-21 00:00: week W04 has D (01-20 05:00); the first two days of W03
    # (01-12 to 01-14 00:00) have nobody (E qualified 01-15 10:00), all of W03 has E.
    tile = dashboard_panels(store, project, datetime(2026, 1, 21, tzinfo=UTC), "week")["tiles"]
    pqls = tile["pqls"]
    assert (pqls["period"], pqls["value"]) == ("2026-W04", 1)
    assert (pqls["previous_period"], pqls["previous_same_span"], pqls["previous_total"]) == (
        "2026-W03",
        0,
        1,
    )
    assert pqls["days_elapsed"] == pytest.approx(2.0)
    assert pqls["interval"] == pytest.approx([0.0253178, 5.5716434], abs=1e-6)


def test_segment_filter_equals_the_segment_row_of_metrics_by(
    handmade: tuple[Project, Store],
) -> None:
    project, store = handmade
    by_plan = compute_metrics(store, project, AS_OF, "month", "plan")
    rows = {r["segment"]: r for r in by_plan["overall_by_segment"]}
    for segment, key in (("trial", "trial"), ("free", "free"), (NO_SEGMENT, None)):
        filtered = dashboard_panels(store, project, AS_OF, "month", "plan", segment)
        overall = filtered["metrics"]["overall"]
        assert {k: overall[k] for k in ("signups", "pqls", "pql_rate", "converted_pqls")} == {
            k: rows[key][k] for k in ("signups", "pqls", "pql_rate", "converted_pqls")
        }
        assert filtered["funnel"]["entities"] == rows[key]["signups"]
        assert filtered["time_to_pql"]["entities"] == rows[key]["signups"]
    assert dashboard_panels(store, project, AS_OF, "month", "plan", "free")["leads"]["total"] == 1


def test_breakdown_by_segment_without_a_filter(handmade: tuple[Project, Store]) -> None:
    project, store = handmade
    panels = dashboard_panels(store, project, AS_OF, "month", "plan")
    assert panels["metrics"]["overall"]["signups"] == 7
    assert {r["segment"] for r in panels["breakdown"]["overall_by_segment"]} == {
        None,
        "free",
        "trial",
    }


def test_report_lead_queue_ranks_open_pqls(weekly: dict[str, Any]) -> None:
    leads = weekly["leads"]
    assert leads["total"] == 1
    (lead,) = leads["items"]
    assert (lead["entity_id"], lead["score"], lead["employees"], lead["teammates"]) == (
        "D",
        100.0,
        50,
        1,
    )
    assert lead["criteria_met"] == ["create", "invite"]
    assert lead["hours_since_qualified"] == pytest.approx(
        (AS_OF.replace(tzinfo=None) - datetime(2026, 1, 20, 5)).total_seconds() / 3600
    )
    assert lead["reach_out"] is False
    assert lead["last_seen_at"] == datetime(2026, 1, 20, 5)  # D's newest event, d4


def test_segment_choices_list_text_columns_with_few_values(
    handmade: tuple[Project, Store],
) -> None:
    project, store = handmade
    assert segment_choices(store, project) == {"plan": ["free", "trial"]}


def test_period_arithmetic() -> None:
    assert period_start(datetime(2026, 1, 21, 13, tzinfo=UTC), "week") == datetime(2026, 1, 19)
    assert period_start(datetime(2026, 3, 31, 23, tzinfo=UTC), "month") == datetime(2026, 3, 1)
    assert next_period(datetime(2026, 12, 1), "month") == datetime(2027, 1, 1)
    assert previous_period(datetime(2026, 1, 1), "month") == datetime(2025, 12, 1)
    assert previous_period(datetime(2026, 1, 5), "week") == datetime(2025, 12, 29)
    assert label_start("2026-W02", "week") == datetime(2026, 1, 5)
    assert label_start("2027-W01", "week") == datetime(2027, 1, 4)
    assert label_start("2026-11", "month") == datetime(2026, 11, 1)


def test_report_module_paths_exist() -> None:
    from pqlengine.report.jinja import STYLESHEET, TEMPLATES

    assert STYLESHEET.exists() and (TEMPLATES / "_panels.html").exists()
    assert (Path(__file__).parents[1] / "src/pqlengine/live/static/vega-bundle.js").exists()


def _paid_tile(converted_pqls: int, pqls: int, non_pql_converted: int, others: int) -> str:
    """The PQL-to-paid tile as rendered by the shared macro, for one cohort row."""
    from pqlengine.compute.panels import _baseline
    from pqlengine.report.jinja import environment

    value = converted_pqls / pqls
    row = {
        "converted_pqls": converted_pqls,
        "pqls": pqls,
        "signups": pqls + others,
        "non_pql_converted": non_pql_converted,
        "non_pql_to_paid": non_pql_converted / others,
        "non_pql_to_paid_ci": wilson(non_pql_converted, others),
    }
    tile = {
        "value": value,
        "interval": wilson(converted_pqls, pqls),
        "benchmark": {"low": 0.15, "high": 0.25, "position": "within"},
        **_baseline(row),
    }
    macro = environment().from_string('{% import "_panels.html" as p %}{{ p.benchmark(tile) }}')
    return macro.render(tile=tile)


def test_paid_tile_colour_follows_the_lift_not_the_benchmark_band() -> None:
    # Planday-like: PQLs convert at 20% (inside the 15-25% band), non-PQLs at 20.9%.
    same = _paid_tile(60, 300, 140, 670)
    assert 'data-lift="unclear"' in same and "non-PQLs 20.9% (140 of 670)" in same
    assert "not distinguishable from non-PQLs yet" in same
    better = _paid_tile(60, 300, 30, 670)
    assert 'data-lift="higher"' in better
    worse = _paid_tile(10, 300, 140, 670)
    assert 'data-lift="lower"' in worse and "convert less" in worse


def test_lift_over_baseline_matches_hand_katz_interval() -> None:
    from pqlengine.stats.intervals import Proportion
    from pqlengine.stats.trends import lift_over_baseline

    lift = lift_over_baseline(Proportion(60, 300), Proportion(30, 670))
    assert lift.value == pytest.approx((60 / 300) / (30 / 670))
    spread = 1.959963984540054 * np.sqrt(1 / 60 - 1 / 300 + 1 / 30 - 1 / 670)
    assert lift.interval == pytest.approx(
        (lift.value * np.exp(-spread), lift.value * np.exp(spread)), rel=1e-9
    )
    assert lift.verdict == "higher" and lift.p_value is not None and lift.p_value < 1e-6
    none_converted = lift_over_baseline(Proportion(5, 50), Proportion(0, 40))
    assert none_converted.verdict == "unclear" and none_converted.note
