"""The oracle itself, on small cases computed by hand from docs/semantics.md."""

from __future__ import annotations

import csv
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from tests.reference.maths import (
    period_label,
    period_start,
    quantile_type7,
    wilson_interval,
)
from tests.reference.oracle import (
    reference_metrics,
    reference_qualify,
    rule_threshold,
    value_matches,
)

AS_OF = datetime(2026, 3, 1)
_ids = itertools.count()


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """2026-01-`day` `hour`:`minute` UTC (naive)."""
    return datetime(2026, 1, 1) + timedelta(days=day - 1, hours=hour, minutes=minute)


def ev(user: str, name: str, ts: datetime, account: str | None = None, **props: Any) -> dict:
    """One event row with a fresh event_id."""
    return {
        "event_id": f"e{next(_ids)}",
        "user_id": user,
        "account_id": account,
        "event": name,
        "ts": ts,
        "properties": props,
    }


def config(criteria: list[dict], qualify: Any = "all", **extra: Any) -> dict[str, Any]:
    """Account-entity config, signup from accounts, conversion event Paid."""
    definition: dict[str, Any] = {"name": "t", "criteria": criteria, "qualify": qualify}
    top: dict[str, Any] = {
        "project": "t",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "observation_days": 30,
        "conversion_window_days": 90,
        "definition": definition,
    }
    for key, value in extra.items():
        (definition if key in {"min_active_days", "fit"} else top)[key] = value
    return top


def tables(events: list[dict], accounts: list[dict] | None = None, **rest: Any) -> dict:
    """Account x (created 01-01 00:00) with user u, plus the given rows."""
    return {
        "events": events,
        "users": rest.get("users", [{"user_id": "u", "account_id": "x"}]),
        "accounts": accounts
        if accounts is not None
        else [{"account_id": "x", "created_at": at(1)}],
        "conversions": rest.get("conversions", []),
    }


def one(cfg: dict, data: dict, as_of: datetime = AS_OF, entity: str = "x") -> dict[str, Any]:
    return reference_qualify(cfg, data, as_of)[entity]


# --- criteria -------------------------------------------------------------------------


def test_nth_matching_event_counts_same_timestamp_events_separately() -> None:
    events = [ev("u", "A", at(1, 10)), ev("u", "A", at(2, 10)), ev("u", "A", at(2, 10))]
    events.append(ev("u", "A", at(3)))
    row = one(config([{"id": "a", "event": "A", "at_least": 3}]), tables(events))
    assert row["criteria"] == {"a": at(2, 10)}
    assert row["qualified_at"] == at(2, 10) and row["status"] == "pql"


def test_fewer_than_at_least_matches_leave_the_criterion_unsatisfied() -> None:
    row = one(config([{"id": "a", "event": "A", "at_least": 2}]), tables([ev("u", "A", at(2))]))
    assert row["criteria"] == {"a": None} and row["status"] == "not_qualified"


def test_within_days_window_excludes_its_end_exactly() -> None:
    cfg = config([{"id": "a", "event": "A", "within_days": 2}])
    assert one(cfg, tables([ev("u", "A", at(3))]))["criteria"]["a"] is None
    just_inside = at(3) - timedelta(microseconds=1)
    assert one(cfg, tables([ev("u", "A", just_inside)]))["criteria"]["a"] == just_inside


def test_event_at_signup_counts_and_event_before_signup_does_not() -> None:
    cfg = config([{"id": "a", "event": "A"}])
    assert one(cfg, tables([ev("u", "A", at(1))]))["criteria"]["a"] == at(1)
    before = at(1) - timedelta(microseconds=1)
    assert one(cfg, tables([ev("u", "A", before)]))["criteria"]["a"] is None


def test_event_at_converted_at_is_excluded() -> None:
    events = [ev("u", "A", at(2, 12)), ev("u", "Paid", at(2, 12))]
    row = one(config([{"id": "a", "event": "A"}]), tables(events))
    assert row["criteria"]["a"] is None
    assert row["converted_at"] == at(2, 12)
    assert row["status"] == "converted_without_qualifying"


def test_where_filters_matching_events() -> None:
    cfg = config([{"id": "a", "event": "A", "where": {"source": ["web", 3]}}])
    events = [ev("u", "A", at(2), source="api"), ev("u", "A", at(3), source="3")]
    assert one(cfg, tables(events))["criteria"]["a"] == at(3)


def test_event_names_are_case_sensitive() -> None:
    row = one(config([{"id": "a", "event": "A"}]), tables([ev("u", "a", at(2))]))
    assert row["criteria"]["a"] is None


# --- where values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected", "matches"),
    [
        ("web", "web", True),
        ("Web", "web", False),
        (3, "3", False),
        (3, 3, True),
        (3.0, 3, True),
        ("3", 3, True),
        ("2.5", 2.5, True),
        ("3.0", 3, False),
        (True, 1, False),
        (True, True, True),
        ("true", True, True),
        ("True", True, False),
        (True, "true", False),
        (False, False, True),
        (None, "web", False),
        ("api", ["web", "api"], True),
        (3, ["web", 3], True),
    ],
)
def test_where_value_matching(actual: Any, expected: Any, matches: bool) -> None:
    assert value_matches(actual, expected) is matches


# --- rules ----------------------------------------------------------------------------


def _four_criteria_events() -> list[dict]:
    # a at day 2, d at day 3, b at day 4, c never.
    return [ev("u", "A", at(2)), ev("u", "D", at(3)), ev("u", "B", at(4))]


def _criteria(weights: dict[str, float] | None = None) -> list[dict]:
    weights = weights or {}
    return [
        {"id": k, "event": k.upper(), **({"weight": weights[k]} if k in weights else {})}
        for k in "abcd"
    ]


@pytest.mark.parametrize(
    ("qualify", "expected"),
    [
        ("all", None),
        ({"at_least": 1}, at(2)),
        ({"at_least": 2}, at(3)),
        ({"at_least": 3}, at(4)),
        ({"fraction": 0.5}, at(3)),
        ({"fraction": 0.75}, at(4)),
        ({"fraction": 1.0}, None),
    ],
)
def test_counting_rules(qualify: Any, expected: datetime | None) -> None:
    row = one(config(_criteria(), qualify), tables(_four_criteria_events()))
    assert row["rule_satisfied_at"] == expected


@pytest.mark.parametrize(("score", "expected"), [(0.5, at(2)), (1.0, at(3)), (2.5, at(4))])
def test_score_rule_sums_weights_in_satisfied_at_order(score: float, expected: datetime) -> None:
    cfg = config(_criteria({"a": 0.5, "b": 2, "c": 1, "d": 0.5}), {"score": score})
    assert one(cfg, tables(_four_criteria_events()))["rule_satisfied_at"] == expected


def test_weights_are_ignored_outside_score_rules() -> None:
    cfg = config(_criteria({"a": 5}), {"at_least": 2})
    assert one(cfg, tables(_four_criteria_events()))["rule_satisfied_at"] == at(3)


def test_fraction_07_of_10_criteria_needs_7() -> None:
    criteria = [{"id": f"c{i}", "event": f"E{i}"} for i in range(10)]
    definition = {"name": "t", "criteria": criteria, "qualify": {"fraction": 0.7}}
    assert rule_threshold(definition) == 7
    events = [ev("u", f"E{i}", at(2 + i)) for i in range(7)]
    row = one(config(criteria, {"fraction": 0.7}), tables(events))
    assert row["rule_satisfied_at"] == at(8)


def test_fraction_threshold_tolerates_rounding_up() -> None:
    criteria = [{"id": f"c{i}", "event": f"E{i}"} for i in range(25)]
    assert 0.28 * 25 > 7  # floating point: ceil alone would ask for 8
    assert rule_threshold({"criteria": criteria, "qualify": {"fraction": 0.28}}) == 7


# --- active days ----------------------------------------------------------------------


def test_min_active_days_uses_earliest_event_of_the_dth_day() -> None:
    events = [
        ev("u", "A", at(1, 9)),
        ev("u", "X", at(1, 20)),
        ev("u", "X", at(3, 18)),
        ev("u", "X", at(3, 7)),
        ev("u", "X", at(5, 1)),
    ]
    cfg = config([{"id": "a", "event": "A"}], min_active_days=2)
    row = one(cfg, tables(events))
    assert row["active_days"] == 3
    assert row["rule_satisfied_at"] == at(1, 9)
    assert row["active_days_satisfied_at"] == at(3, 7)
    assert row["qualified_at"] == at(3, 7)


def test_too_few_active_days_blocks_qualification() -> None:
    cfg = config([{"id": "a", "event": "A"}], min_active_days=2)
    row = one(cfg, tables([ev("u", "A", at(1, 9)), ev("u", "A", at(1, 23))]))
    assert (row["active_days"], row["active_days_satisfied_at"]) == (1, None)
    assert row["qualified_at"] is None and row["status"] == "not_qualified"


def test_active_days_count_only_events_from_signup_to_as_of() -> None:
    events = [ev("u", "X", at(1) - timedelta(hours=1)), ev("u", "X", at(2)), ev("u", "X", at(9))]
    row = one(config([{"id": "a", "event": "A"}]), tables(events), as_of=at(5))
    assert row["active_days"] == 1
    assert row["active_days_satisfied_at"] is None  # no min_active_days configured


# --- fit ------------------------------------------------------------------------------


def _fit_row(account: dict[str, Any], fit: dict[str, Any]) -> dict[str, Any]:
    cfg = config([{"id": "a", "event": "A"}], fit=fit)
    return one(
        cfg, tables([ev("u", "A", at(2))], [{"account_id": "x", "created_at": at(1), **account}])
    )


def test_unknown_fit_values_pass() -> None:
    row = _fit_row(
        {}, {"min_employees": 5, "exclude_free_email_domains": True, "where": {"plan": "pro"}}
    )
    assert row["fit"] is True and row["status"] == "pql"


def test_unknown_fit_values_fail_with_require_known() -> None:
    row = _fit_row({}, {"min_employees": 5, "require_known": True})
    assert row["fit"] is False and row["qualified_at"] is None
    assert row["rule_satisfied_at"] == at(2) and row["status"] == "failed_fit"


@pytest.mark.parametrize(
    ("account", "fit", "passes"),
    [
        ({"employees": 5}, {"min_employees": 5}, True),
        ({"employees": 4}, {"min_employees": 5}, False),
        ({"domain": "Gmail.COM"}, {"exclude_free_email_domains": True}, False),
        ({"domain": "acme.com"}, {"exclude_free_email_domains": True}, True),
        (
            {"domain": "gmail.com"},
            {"exclude_free_email_domains": True, "free_email_domains": ["acme.com"]},
            True,
        ),
        (
            {"domain": "ACME.com"},
            {"exclude_free_email_domains": True, "free_email_domains": ["acme.com"]},
            False,
        ),
        ({"plan": "pro"}, {"where": {"plan": ["pro", "team"]}}, True),
        ({"plan": "free"}, {"where": {"plan": "pro"}}, False),
        ({"traits": {"tier": 2}}, {"where": {"tier": 2}}, True),
        ({"traits": {"tier": "2"}}, {"where": {"tier": 2}}, True),
        ({"traits": {"tier": 3}}, {"where": {"tier": 2}}, False),
        ({"employees": 50}, {"where": {"employees": 50}}, True),
    ],
)
def test_fit_checks(account: dict[str, Any], fit: dict[str, Any], passes: bool) -> None:
    assert _fit_row(account, fit)["fit"] is passes


def test_user_fit_uses_email_domain_and_the_users_account() -> None:
    cfg = config(
        [{"id": "a", "event": "A"}],
        entity="user",
        fit={"exclude_free_email_domains": True, "min_employees": 10},
    )
    data = tables(
        [ev("u", "A", at(2)), ev("v", "A", at(2)), ev("w", "A", at(2))],
        [{"account_id": "x", "created_at": at(1), "employees": 20}],
        users=[
            {"user_id": "u", "account_id": "x", "email": "u@acme.com"},
            {"user_id": "v", "account_id": "x", "email": "v.w@corp@GMAIL.com"},
            {"user_id": "w", "account_id": None, "email": None},
        ],
    )
    rows = reference_qualify(cfg, data, AS_OF)
    assert {k: r["fit"] for k, r in rows.items()} == {"u": True, "v": False, "w": True}


@pytest.mark.parametrize("require_known", [False, True])
def test_email_without_a_domain_is_unknown(require_known: bool) -> None:
    fit = {"exclude_free_email_domains": True, "require_known": require_known}
    cfg = config([{"id": "a", "event": "A"}], entity="user", fit=fit)
    users = [
        {"user_id": "u", "email": "no-at-sign", "signed_up_at": at(1)},
        {"user_id": "v", "email": "trailing@", "signed_up_at": at(1)},
    ]
    rows = reference_qualify(cfg, tables([], users=users), AS_OF)
    assert {k: r["fit"] for k, r in rows.items()} == {
        "u": not require_known,
        "v": not require_known,
    }


def test_failed_fit_that_converts_is_converted_without_qualifying() -> None:
    events = [ev("u", "A", at(2)), ev("u", "Paid", at(3))]
    cfg = config([{"id": "a", "event": "A"}], fit={"min_employees": 5})
    data = tables(events, [{"account_id": "x", "created_at": at(1), "employees": 1}])
    assert one(cfg, data)["status"] == "converted_without_qualifying"


# --- conversion -----------------------------------------------------------------------


def test_conversion_at_or_before_candidate_means_never_a_pql() -> None:
    events = [ev("u", "A", at(2)), ev("u", "X", at(4, 9)), ev("u", "Paid", at(3))]
    cfg = config([{"id": "a", "event": "A"}], min_active_days=2)
    row = one(cfg, tables(events))
    assert row["rule_satisfied_at"] == at(2)
    assert row["active_days_satisfied_at"] == at(3)  # the Paid event is an active day too
    assert row["qualified_at"] is None and row["status"] == "converted_without_qualifying"


def test_conversion_after_qualifying_is_a_converted_pql() -> None:
    events = [ev("u", "A", at(2)), ev("u", "Paid", at(9))]
    row = one(config([{"id": "a", "event": "A"}]), tables(events))
    assert (row["qualified_at"], row["converted_at"], row["status"]) == (
        at(2),
        at(9),
        "converted_pql",
    )


def test_conversions_table_takes_the_earliest_row_up_to_as_of() -> None:
    cfg = config([{"id": "a", "event": "A"}], conversion={"source": "conversions"})
    conversions = [
        {"entity_id": "x", "converted_at": at(20)},
        {"entity_id": "x", "converted_at": at(10)},
        {"entity_id": "u", "converted_at": at(3)},
    ]
    data = tables([ev("u", "A", at(2)), ev("u", "Paid", at(4))], conversions=conversions)
    assert one(cfg, data)["converted_at"] == at(10)
    assert one(cfg, data, as_of=at(15))["converted_at"] == at(10)
    assert one(cfg, data, as_of=at(9))["converted_at"] is None


# --- entities and signup --------------------------------------------------------------


def test_account_rolls_up_events_through_users_account_id() -> None:
    events = [ev("u", "A", at(2)), ev("v", "A", at(3), account="y"), ev("nobody", "A", at(2))]
    cfg = config([{"id": "a", "event": "A"}])
    rows = reference_qualify(cfg, tables(events), AS_OF)
    assert sorted(rows) == ["x", "y"]
    assert rows["x"]["criteria"]["a"] == at(2)
    assert rows["y"]["signup_at"] == at(3)  # no account row, no users: first event


def test_event_account_id_wins_over_users_account_id() -> None:
    events = [ev("u", "A", at(2), account="y")]
    rows = reference_qualify(config([{"id": "a", "event": "A"}]), tables(events), AS_OF)
    assert rows["x"]["criteria"]["a"] is None and rows["y"]["criteria"]["a"] == at(2)


def test_signup_from_accounts_falls_back_to_users_then_first_event() -> None:
    cfg = config([{"id": "a", "event": "A"}])
    users = [
        {"user_id": "u1", "account_id": "x", "signed_up_at": at(5)},
        {"user_id": "u2", "account_id": "x", "signed_up_at": at(4)},
        {"user_id": "u3", "account_id": "x", "signed_up_at": None},
    ]
    events = [ev("u1", "A", at(3)), ev("z1", "A", at(6), account="z")]
    accounts: list[dict] = [
        {"account_id": "x", "created_at": None},
        {"account_id": "w", "created_at": at(2)},
    ]
    rows = reference_qualify(cfg, tables(events, accounts, users=users), AS_OF)
    assert {k: r["signup_at"] for k, r in rows.items()} == {"w": at(2), "x": at(4), "z": at(6)}


def test_user_signup_from_accounts_uses_the_users_account() -> None:
    cfg = config([{"id": "a", "event": "A"}], entity="user")
    users = [
        {"user_id": "u", "account_id": "x", "signed_up_at": at(5)},
        {"user_id": "v", "account_id": None, "signed_up_at": at(6)},
        {"user_id": "w", "account_id": "nowhere"},
    ]
    events = [ev("w", "A", at(7)), ev("loose", "A", at(8))]
    rows = reference_qualify(cfg, tables(events, users=users), AS_OF)
    signups = {k: r["signup_at"] for k, r in rows.items()}
    assert signups == {"u": at(1), "v": at(6), "w": at(7), "loose": at(8)}


def test_signup_from_users_ignores_account_created_at() -> None:
    cfg = config([{"id": "a", "event": "A"}], signup={"source": "users"})
    users = [{"user_id": "u", "account_id": "x", "signed_up_at": at(5)}]
    assert one(cfg, tables([], users=users))["signup_at"] == at(5)


def test_entity_without_signup_event_is_not_listed() -> None:
    cfg = config([{"id": "a", "event": "A"}], signup={"event": "Signup"})
    events = [ev("u", "A", at(2)), ev("u", "Signup", at(3)), ev("u", "A", at(4))]
    events += [ev("v", "A", at(2), account="y"), ev("v", "Signup", at(9), account="y")]
    rows = reference_qualify(cfg, tables(events), at(5))
    assert sorted(rows) == ["x"]
    assert rows["x"]["signup_at"] == at(3) and rows["x"]["criteria"]["a"] == at(4)
    assert sorted(reference_qualify(cfg, tables(events), AS_OF)) == ["x", "y"]


def test_entity_without_any_signup_source_is_not_listed() -> None:
    cfg = config([{"id": "a", "event": "A"}])
    accounts = [{"account_id": "x", "created_at": None}]
    assert reference_qualify(cfg, tables([], accounts, users=[]), AS_OF) == {}


# --- as_of ----------------------------------------------------------------------------


def test_as_of_ignores_later_events_and_drops_later_signups() -> None:
    events = [ev("u", "A", at(2)), ev("u", "A", at(5)), ev("u", "Paid", at(6))]
    accounts = [
        {"account_id": "x", "created_at": at(1)},
        {"account_id": "late", "created_at": at(7)},
    ]
    cfg = config([{"id": "a", "event": "A", "at_least": 2}])
    rows = reference_qualify(cfg, tables(events, accounts), at(5))
    assert sorted(rows) == ["x"]
    assert rows["x"]["qualified_at"] == at(5) and rows["x"]["converted_at"] is None
    assert (
        reference_qualify(cfg, tables(events, accounts), at(5) - timedelta(seconds=1))["x"][
            "criteria"
        ]["a"]
        is None
    )


def test_as_of_and_timestamps_may_be_tz_aware() -> None:
    plus_two = timezone(timedelta(hours=2))
    events = [ev("u", "A", datetime(2026, 1, 2, 2, tzinfo=plus_two))]
    as_of = datetime(2026, 1, 2, tzinfo=UTC)
    assert one(config([{"id": "a", "event": "A"}]), tables(events), as_of)["qualified_at"] == at(2)


def test_duplicate_event_ids_keep_the_first() -> None:
    events = [ev("u", "A", at(2)), ev("u", "A", at(3))]
    events.append({**events[0], "ts": at(4)})
    row = one(config([{"id": "a", "event": "A", "at_least": 2}]), tables(events))
    assert row["criteria"]["a"] == at(3)


# --- periods and statistics -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ts", "week", "month"),
    [
        (datetime(2024, 12, 30), "2025-W01", "2024-12"),
        (datetime(2025, 1, 5, 23, 59), "2025-W01", "2025-01"),
        (datetime(2024, 12, 29, 12), "2024-W52", "2024-12"),
        (datetime(2026, 1, 1), "2026-W01", "2026-01"),
        (datetime(2026, 1, 11, 23), "2026-W02", "2026-01"),
        (datetime(2021, 1, 3), "2020-W53", "2021-01"),
    ],
)
def test_period_labels(ts: datetime, week: str, month: str) -> None:
    assert period_label(period_start(ts, "week"), "week") == week
    assert period_label(period_start(ts, "month"), "month") == month


def test_week_starts_on_monday_midnight() -> None:
    assert period_start(datetime(2026, 1, 11, 23), "week") == datetime(2026, 1, 5)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 7), (2, 7), (7, 7), (1, 2), (13, 1000)])
def test_wilson_interval_matches_statsmodels(k: int, n: int) -> None:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson_interval(k, n) == pytest.approx([low, high], abs=1e-12)


def test_wilson_interval_is_none_without_trials() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize("values", [[1.0], [2.0, 1.0], [1.0, 5.0, 2.5, 4.0], [3.0, 1.0, 2.0]])
@pytest.mark.parametrize("probability", [0.25, 0.5, 0.75])
def test_quantile_type7_matches_numpy(values: list[float], probability: float) -> None:
    expected = float(np.quantile(values, probability))
    assert quantile_type7(values, probability) == pytest.approx(expected, rel=1e-12)


# --- metrics: the hand-made fixture (tests/fixtures/handmade/README.md) ---------------

HANDMADE = Path(__file__).parent / "fixtures" / "handmade"


def _handmade() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    cfg = config(
        [
            {"id": "create", "event": "Create", "at_least": 2},
            {"id": "invite", "event": "Invite", "within_days": 3},
        ],
        conversion={"source": "conversions"},
        observation_days=7,
        conversion_window_days=14,
        min_active_days=2,
        fit={"min_employees": 5},
    )
    with (HANDMADE / "accounts.csv").open() as file:
        accounts = [
            {
                "account_id": r["id"],
                "created_at": r["created"],
                "employees": int(r["employees"]) if r["employees"] else None,
                "plan": r["plan"],
            }
            for r in csv.DictReader(file)
        ]
    with (HANDMADE / "users.csv").open() as file:
        users = list(csv.DictReader(file))
    with (HANDMADE / "conversions.csv").open() as file:
        conversions = list(csv.DictReader(file))
    events = [json.loads(line) for line in (HANDMADE / "events.jsonl").read_text().splitlines()]
    return cfg, {"events": events, "users": users, "accounts": accounts, "conversions": conversions}


def test_handmade_fixture_weekly_metrics() -> None:
    cfg, data = _handmade()
    result = reference_metrics(cfg, data, datetime(2026, 3, 31), period="week")
    summary = [
        (c["cohort"], c["signups"], c["pqls"], c["converted_pqls"]) for c in result["cohorts"]
    ]
    assert summary == [("2026-W02", 4, 1, 1), ("2026-W03", 2, 1, 0), ("2026-W06", 1, 0, 0)]
    assert [c["non_pql_to_paid"] for c in result["cohorts"]] == pytest.approx([1 / 3, 0.0, 1.0])
    overall = result["overall"]
    assert (overall["signups"], overall["pqls"], overall["converted_pqls"]) == (7, 2, 1)
    assert overall["pql_rate_ci"] == pytest.approx(list(proportion_confint(2, 7, method="wilson")))
    assert overall["time_to_pql_days"] == pytest.approx(
        {"median": 2.4583333333, "p25": 2.4375, "p75": 2.4791666667}, abs=1e-9
    )
    assert overall["non_pql_to_paid"] == pytest.approx(2 / 5)
    counts = [(p["period"], p["pqls"]) for p in result["pql_count_by_period"]]
    assert counts == [("2026-W02", 1), ("2026-W03", 1), ("2026-W04", 1)]
    w6 = result["cohorts"][2]
    assert w6["pql_to_paid"] is None and w6["pql_to_paid_ci"] is None
    assert {n["field"] for n in w6["notes"]} == {"pql_to_paid", "time_to_pql_days"}


def test_handmade_fixture_monthly_segments_by_plan() -> None:
    cfg, data = _handmade()
    result = reference_metrics(cfg, data, datetime(2026, 3, 31), period="month", by="plan")
    january = [
        (c["segment"], c["signups"], c["pqls"])
        for c in result["cohorts"]
        if c["cohort"] == "2026-01"
    ]
    assert january == [(None, 1, 0), ("free", 2, 1), ("trial", 3, 1)]
    overall = {s["segment"]: s["signups"] for s in result["overall_by_segment"]}
    assert overall == {None: 1, "free": 3, "trial": 3}


def test_handmade_fixture_incomplete_cohorts_are_left_out_of_overall() -> None:
    cfg, data = _handmade()
    result = reference_metrics(cfg, data, datetime(2026, 2, 10), period="week")
    flags = {c["cohort"]: c["complete"] for c in result["cohorts"]}
    assert flags == {"2026-W02": True, "2026-W03": True, "2026-W06": False}
    assert result["overall"]["signups"] == 6


def test_metrics_without_complete_cohorts_have_null_overall_rates() -> None:
    cfg, data = _handmade()
    overall = reference_metrics(cfg, data, datetime(2026, 1, 10), period="month")["overall"]
    assert overall["signups"] == 0 and overall["pql_rate"] is None
    assert {n["field"] for n in overall["notes"]} == {
        "pql_rate",
        "pql_to_paid",
        "non_pql_to_paid",
        "time_to_pql_days",
    }
