"""`pql outcomes` statistics (docs/semantics.md "Customer outcomes"): every statistic on
hand-made data with the numbers worked out in the comments, and the survival tests against
lifelines (KaplanMeierFitter, logrank_test) on random censored data."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as lifelines_logrank
from scipy import stats as scipy_stats

from pqlengine.compute.customers import DAYS_PER_MONTH
from pqlengine.compute.outcomes import compute_outcomes
from pqlengine.stats.intervals import Unavailable
from pqlengine.stats.outcomes import (
    Estimate,
    OutcomeSample,
    kaplan_meier,
    ltv,
    mean_estimate,
    ratio_of_means,
    retention_at,
    welch,
)
from pqlengine.stats.survival import logrank_test
from tests.support.examples import examples
from tests.test_customers import _project, _store

NAN = math.nan


def _sample(days: list[float], churned: list[bool]) -> OutcomeSample:
    n = len(days)
    nothing = np.full(n, NAN)
    return OutcomeSample(
        np.asarray(days, dtype=float),
        np.asarray(churned),
        np.ones(n),
        *([nothing] * 4),
        np.ones(n, dtype=bool),
    )


# --- stats, worked by hand ------------------------------------------------------------------


def test_mean_has_a_t_interval_and_skips_the_unobservable() -> None:
    # mean 20, sd 10, t(0.975, 2 df) = 4.302653: half width 4.302653 * 10 / sqrt(3) = 24.8414
    found = mean_estimate(np.array([10.0, NAN, 20.0, 30.0]))
    assert isinstance(found, Estimate) and found.n == 3
    assert found.estimate == 20
    assert (found.lower, found.upper) == pytest.approx((20 - 24.8414, 20 + 24.8414), abs=1e-4)
    assert mean_estimate(np.array([NAN])) == Unavailable(
        "empty", "no customer is observable for this yet"
    )
    assert isinstance(mean_estimate(np.array([5.0])), Unavailable)


def test_welch_difference_interval_and_p_value() -> None:
    # a: mean 2, var 1 -> 1/3; b: mean 5, var 2 -> 1; se = sqrt(4/3);
    # df = (4/3)^2 / ((1/3)^2 / 2 + 1^2 / 1) = 1.77778 / 1.05556 = 1.68421
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 6.0, NAN])
    found = welch(a, b)
    assert not isinstance(found, Unavailable)
    assert found.difference == pytest.approx(-3)
    half = scipy_stats.t.ppf(0.975, 1.68421) * math.sqrt(4 / 3)
    assert (found.lower, found.upper) == pytest.approx((-3 - half, -3 + half), rel=1e-4)
    reference = scipy_stats.ttest_ind(a, b[:2], equal_var=False)
    assert found.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert found.to_json()["verdict"].startswith("not enough evidence")
    assert welch(np.ones(3), np.ones(4)) == Unavailable(
        "no_variance", "every customer has the same value: no t-test"
    )


def test_kaplan_meier_retention_worked_by_hand() -> None:
    # churn at 30, 60 (plus one censored at 60), 90; censored at 120:
    # S(30) = 4/5 = 0.8, S(60) = 0.8 x 3/4 = 0.6, S(90) = 0.6 x 1/2 = 0.3
    sample = _sample([30, 60, 60, 90, 120], [True, True, False, True, False])
    fit = kaplan_meier(sample)
    found = retention_at(sample, fit, 100)
    assert isinstance(found, Estimate) and found.estimate == pytest.approx(0.3)
    assert found.n == 1  # at risk at 100 days: the one followed to 120
    # exponential Greenwood: V = 1/(5x4) + 1/(4x3) + 1/(2x1) = 0.633333, on log(-log S)
    v, log_s = 0.633333333, math.log(0.3)
    spread = 1.959964 * math.sqrt(v) / log_s
    low, high = (math.exp(-math.exp(math.log(-log_s) + s)) for s in (-spread, spread))
    assert (found.lower, found.upper) == pytest.approx((low, high), rel=1e-5)
    assert retention_at(sample, fit, 45).estimate == pytest.approx(0.8)  # type: ignore[union-attr]
    past = retention_at(sample, fit, 121)
    assert isinstance(past, Unavailable) and past.code == "past_followup"


def test_net_mrr_retention_is_a_ratio_of_means_with_a_delta_interval() -> None:
    # start 100 and 100; 12 months later 150 (expanded) and 0 (churned): 150 / 200 = 0.75.
    # The starts do not vary, so var = s_y^2 / xbar^2 / n = 11250 / 10000 / 2 = 0.5625.
    found = ratio_of_means(np.array([150.0, 0.0, NAN]), np.array([100.0, 100.0, 80.0]))
    assert isinstance(found, Estimate) and found.n == 2
    assert found.estimate == pytest.approx(0.75)
    assert (found.lower, found.upper) == pytest.approx((0.75 - 1.959964 * 0.75, 0.75 + 1.47), 1e-4)
    zero = ratio_of_means(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    assert isinstance(zero, Unavailable) and zero.code == "no_revenue"


def test_ltv_formula_inputs_and_interval() -> None:
    # S(6) = 0.9^6 = 0.531441: monthly churn 1 - 0.9 = 0.1; 50 x 0.8 / 0.1 = 400.
    arpa = Estimate(50.0, 40.0, 60.0, 10)
    retention: dict[int, Estimate | Unavailable] = {
        3: Estimate(0.8, 0.7, 0.9, 8),
        6: Estimate(0.531441, 0.4, 1.0, 5),
        12: Unavailable("past_followup", "too short"),
    }
    found = ltv(arpa, retention, 0.8)
    assert not isinstance(found, Unavailable)
    assert found.estimate == pytest.approx(400)
    assert found.inputs["h_months"] == 6 and found.inputs["monthly_churn"] == pytest.approx(0.1)
    assert found.lower == pytest.approx(40 / (1 - 0.4 ** (1 / 6)))
    assert found.upper is None  # S's upper bound is 1: no churn, unbounded
    assert "retention uncertainty only" in found.to_json()["interval"]
    nobody = {m: Unavailable("past_followup", "x") for m in (3, 6, 12)}
    assert ltv(arpa, nobody, 1.0).code == "no_followup"  # type: ignore[union-attr]
    flat: dict[int, Estimate | Unavailable] = {3: Estimate(1.0, 0.9, 1.0, 3)}
    assert ltv(arpa, flat, 1.0).code == "no_churn"  # type: ignore[union-attr]


# --- against lifelines -----------------------------------------------------------------------


censored_rows = st.lists(
    st.tuples(st.integers(0, 30), st.booleans(), st.booleans()), min_size=2, max_size=80
)


@settings(max_examples=examples(60), deadline=None)
@given(censored_rows)
def test_logrank_matches_lifelines_on_random_censored_data(
    rows: list[tuple[int, bool, bool]],
) -> None:
    days = np.array([r[0] / 2 for r in rows])
    churned = np.array([r[1] for r in rows])
    in_a = np.array([r[2] for r in rows])
    if in_a.all() or not in_a.any() or not churned.any():
        return  # the test needs two groups and an event (the stats layer says so)
    try:
        found = logrank_test(days[in_a], churned[in_a], days[~in_a], churned[~in_a])
    except ValueError:
        return  # every event at one time with no one else at risk: no variance
    expected = lifelines_logrank(days[in_a], days[~in_a], churned[in_a], churned[~in_a])
    assert found.statistic == pytest.approx(expected.test_statistic, rel=1e-9, abs=1e-12)
    assert found.p_value == pytest.approx(expected.p_value, rel=1e-9, abs=1e-12)


def test_retention_matches_lifelines_on_random_censored_data() -> None:
    rng = np.random.default_rng(19)
    for _ in range(20):
        n = int(rng.integers(5, 200))
        churn = rng.exponential(200, n)
        censor = rng.uniform(0, 400, n)
        days = np.round(np.minimum(churn, censor))  # ties, as whole days make them
        sample = _sample(list(days), list(churn <= censor))
        fit = kaplan_meier(sample)
        reference = KaplanMeierFitter().fit(days, churn <= censor)
        for months in (3, 6, 12):
            t = months * DAYS_PER_MONTH
            found = retention_at(sample, fit, t)
            if t > days.max():
                assert isinstance(found, Unavailable)
                continue
            assert isinstance(found, Estimate)
            assert found.estimate == pytest.approx(reference.survival_function_at_times(t).iloc[0])
            if found.estimate == 1:
                continue  # lifelines gives [1, 1] here: see test_no_churn_yet_*
            index = reference.confidence_interval_.index.searchsorted(t, side="right") - 1
            bounds = reference.confidence_interval_.iloc[index].to_numpy()
            assert (found.lower, found.upper) == pytest.approx(tuple(bounds), rel=1e-9)


# --- compute_outcomes on a hand-made store ---------------------------------------------------


AS_OF = datetime(2026, 7, 1)


def _handmade(by: str | None = None) -> dict:
    jan1, jan2, feb1 = datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 2, 1)
    events = [
        # a: a PQL (Used before paying) at 100/month, cancels 59 days later
        ("a", "Used", jan1, {}),
        ("a", "Started", jan2, {"amount": 100}),
        ("a", "Cancelled", datetime(2026, 3, 2), {}),
        # b: a PQL at 50/month, 80 from Feb 1, still paying (followed 180 days)
        ("b", "Used", jan1, {}),
        ("b", "Started", jan2, {"amount": 50}),
        ("b", "Changed", feb1, {"amount": 80}),
        # c: never used the product before paying: non-PQL, 30/month, still paying
        ("c", "Started", jan2, {"amount": 30}),
        # d: used it only after paying: non-PQL; 30/month, cancels 89 days later
        ("d", "Started", feb1, {"amount": 30}),
        ("d", "Used", datetime(2026, 2, 5), {}),
        ("d", "Cancelled", datetime(2026, 5, 1), {}),
    ]
    project = _project(
        conversion={"event": "Started"},
        outcomes={
            "mrr": {"property": "amount"},
            "change_event": "Changed",
            "churn_event": "Cancelled",
            "margin": 0.5,
        },
    )
    store = _store([], events)
    for account, plan in (("a", "pro"), ("b", "team"), ("c", "pro"), ("d", "team")):
        store.raw.execute(
            "INSERT INTO accounts (account_id, plan, created_at) VALUES (?, ?, ?)",
            [account, plan, datetime(2025, 12, 31)],
        )
    try:
        return compute_outcomes(store, project, AS_OF, by=by, revenue_days=90)
    finally:
        store.close()


def test_outcomes_by_group_worked_by_hand() -> None:
    result = _handmade()
    pql, non_pql = result["overall"]["pql"], result["overall"]["non_pql"]
    assert (pql["customers"], non_pql["customers"]) == (2, 2)
    assert (pql["churned"], non_pql["churned"]) == (1, 1)
    assert pql["arpa"]["estimate"] == 75 and non_pql["arpa"]["estimate"] == 30
    month = DAYS_PER_MONTH
    # first 90 days: a 100 x 59 days; b 50 x 30 days + 80 x 60 days; c 30 x 90; d 30 x 89
    a, b = 100 * 59 / month, (50 * 30 + 80 * 60) / month
    assert pql["revenue_90d"]["estimate"] == pytest.approx((a + b) / 2)
    assert non_pql["revenue_90d"]["estimate"] == pytest.approx((30 * 90 + 30 * 89) / month / 2)
    assert pql["first_year_revenue"] is None and pql["first_year_pending"] == 2
    # KM: one churn (59 or 89 days) of two customers, the other followed 180 days
    assert pql["retention_3m"]["estimate"] == 0.5 and non_pql["retention_3m"]["estimate"] == 0.5
    assert pql["retention_6m"] is None  # 182.6 days > the longest follow-up (180 days)
    assert {n["field"]: n["code"] for n in pql["notes"]}["retention_6m"] == "past_followup"
    # MRR 90 days after converting: a 0 (churned), b 80; started at 100 + 50
    assert pql["net_mrr_retention_90d"]["estimate"] == pytest.approx(80 / 150)
    # LTV at h = 3: 75 x 0.5 / (1 - 0.5 ** (1/3)) = 37.5 / 0.206299 = 181.77
    assert pql["ltv"]["estimate"] == pytest.approx(37.5 / (1 - 0.5 ** (1 / 3)))
    assert pql["ltv"]["inputs"] == pytest.approx(
        {"arpa": 75, "margin": 0.5, "h_months": 3, "retention_at_h": 0.5,
         "monthly_churn": 1 - 0.5 ** (1 / 3)}
    )  # fmt: skip
    comparison = result["overall"]["comparison"]
    assert comparison["arpa"]["difference"] == pytest.approx(45)
    assert comparison["retention"]["test"] == "log_rank"


def test_outcomes_cohorts_are_months_of_conversion() -> None:
    result = _handmade()
    cells = {
        (c["cohort"], g): c[g]["customers"] for c in result["cohorts"] for g in ("pql", "non_pql")
    }
    # a, b, c converted in January, d in February
    assert cells == {("2026-01", "pql"): 2, ("2026-01", "non_pql"): 1,
                     ("2026-02", "pql"): 0, ("2026-02", "non_pql"): 1}  # fmt: skip
    february = next(c for c in result["cohorts"] if c["cohort"] == "2026-02")
    assert february["pql"]["arpa"] is None  # nobody: says why
    assert february["comparison"]["notes"]


def test_outcomes_by_segment() -> None:
    result = _handmade(by="plan")
    segments = {row["segment"]: row for row in result["overall_by_segment"]}
    # pro: a (PQL, 100) and c (non-PQL, 30); team: b (PQL, 50) and d (non-PQL, 30)
    assert segments["pro"]["pql"]["arpa"] is None  # one customer: no interval, says why
    assert {n["field"]: n["code"] for n in segments["pro"]["pql"]["notes"]}["arpa"] == "too_few"
    assert (
        segments["pro"]["pql"]["customers"] == 1 and segments["team"]["non_pql"]["customers"] == 1
    )
    assert segments["pro"]["all"]["customers"] == 2
    assert [c["segment"] for c in result["cohorts"]] == ["pro", "team", "team"]


def test_customers_without_known_mrr_have_no_arpa_rather_than_zero() -> None:
    store = _store([("a", datetime(2026, 1, 1), 1200.0, "pro", None, None)])  # a won deal
    try:
        result = compute_outcomes(store, _project(), AS_OF)
    finally:
        store.close()
    every = result["overall"]["all"]
    assert every["customers"] == 1 and every["arpa"] is None and every["ltv"] is None
    assert {n["field"]: n["code"] for n in every["notes"]}["arpa"] == "no_mrr"


def test_no_churn_yet_has_an_exact_lower_bound_not_a_collapsed_interval() -> None:
    # nobody churned; 4 customers followed past 100 days: lower = 0.025 ** (1/4) = 0.3976
    sample = _sample([120, 150, 200, 200, 50], [False] * 5)
    found = retention_at(sample, kaplan_meier(sample), 100)
    assert isinstance(found, Estimate) and found.n == 4
    assert (found.estimate, found.upper) == (1.0, 1.0)
    assert found.lower == pytest.approx(0.025**0.25)
