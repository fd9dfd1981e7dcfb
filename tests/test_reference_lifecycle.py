"""The oracle's lifecycle (issue 17, docs/semantics.md "Lifecycle"): the hand-made fixture
whose episodes tests/fixtures/lifecycle/README.md computes by hand, then small cases
computed by hand from the text.

Unless a case says otherwise: account x created 2026-01-01 00:00 (= signup_at) with user u,
conversion event Paid, as_of 2026-03-01; at(d, h) is 2026-01-d h:00 UTC."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reference.oracle import reference_metrics, reference_qualify
from tests.test_reference_oracle import AS_OF, at, config, ev, one, tables

FIXTURE = Path(__file__).parent / "fixtures" / "lifecycle"
FIXTURE_AS_OF = datetime(2026, 2, 1)
MICRO = timedelta(microseconds=1)


def fixture_tables() -> dict[str, list[dict[str, Any]]]:
    """The fixture's canonical tables as the oracle reads them."""

    def rows(name: str) -> list[dict[str, Any]]:
        with (FIXTURE / name).open(newline="") as handle:
            return list(csv.DictReader(handle))

    accounts = [
        {**row, "employees": int(row["employees"]), "traits": {}} for row in rows("accounts.csv")
    ]
    users = [{**row, "traits": {}} for row in rows("users.csv")]
    conversions = [{**row, "amount": float(row["amount"])} for row in rows("conversions.csv")]
    lines = (FIXTURE / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines if line.strip()]
    return {"accounts": accounts, "users": users, "events": events, "conversions": conversions}


def fixture_config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((FIXTURE / "pql.yaml").read_text())
    return loaded


def t(month: int, day: int, hour: int = 0) -> datetime:
    """2026-`month`-`day` `hour`:00 UTC."""
    return datetime(2026, month, day, hour)


# What README.md computes by hand: episodes, status, pql_since, lapsed_at, last_seen_at,
# next_change_at.
BY_HAND: dict[str, tuple[list[list[Any]], str, Any, Any, Any, Any]] = {
    "Q": ([[t(1, 30, 10), None]], "pql", t(1, 30, 10), None, t(1, 30, 10), t(2, 2, 10)),
    "L": (
        [[t(1, 7, 10), t(1, 11, 10)], [t(1, 29, 10), None]],
        "pql",
        t(1, 29, 10),
        None,
        t(1, 29, 10),
        t(2, 2, 10),
    ),
    "R": ([[t(1, 7, 10), t(1, 14, 10)]], "lapsed", None, t(1, 14, 10), t(1, 13, 9), None),
    "C": ([[t(1, 14, 10), t(1, 16, 12)]], "converted_pql", None, None, t(1, 20, 10), None),
    "V": ([[t(1, 7, 10), t(1, 11, 10)]], "converted_pql", None, None, t(1, 7, 10), None),
    "X": ([[t(1, 28), t(2, 1)]], "lapsed", None, t(2, 1), t(1, 28), None),
    "P": ([[t(1, 12, 8), t(1, 12, 22)]], "lapsed", None, t(1, 12, 22), t(1, 12, 8), None),
    "N": ([], "not_qualified", None, None, t(1, 12, 10), None),
    "F": ([], "failed_fit", None, None, t(1, 7, 10), None),
    "W": ([], "converted_without_qualifying", None, None, t(1, 7, 10), None),
    "E": ([], "not_qualified", None, None, t(1, 10, 10), None),
}


@pytest.mark.parametrize("entity", sorted(BY_HAND))
def test_fixture_entity_matches_the_readme(entity: str) -> None:
    row = reference_qualify(fixture_config(), fixture_tables(), FIXTURE_AS_OF)[entity]
    episodes, status, since, lapsed, seen, next_change = BY_HAND[entity]
    got = (row["episodes"], row["status"], row["pql_since"], row["lapsed_at"])
    assert got == (episodes, status, since, lapsed)
    assert (row["last_seen_at"], row["next_change_at"]) == (seen, next_change)
    assert row["qualified_at"] == (episodes[0][0] if episodes else None)


def test_fixture_lists_every_entity_of_the_readme() -> None:
    assert set(reference_qualify(fixture_config(), fixture_tables(), FIXTURE_AS_OF)) == set(BY_HAND)


def _pipeline(period: str) -> dict[str, tuple[int, ...]]:
    result = reference_metrics(
        fixture_config(), fixture_tables(), FIXTURE_AS_OF, period=period, pipeline=True
    )
    fields = ("pqls", "new", "requalified", "lapsed", "ended_by_conversion", "open_at_end")
    return {r["period"]: tuple(r[f] for f in fields) for r in result["pql_count_by_period"]}


def test_fixture_weekly_pipeline_matches_the_readme() -> None:
    # (pqls, new, requalified, lapsed, ended_by_conversion, open_at_end); W04 all 0: unlisted.
    assert _pipeline("week") == {
        "2026-W02": (3, 3, 0, 2, 0, 1),
        "2026-W03": (2, 2, 0, 2, 1, 0),
        "2026-W05": (2, 2, 1, 1, 0, 2),
    }


def test_fixture_monthly_pipeline_matches_the_readme() -> None:
    # February holds as_of (its first instant): X's lapse at as_of is in it, Q and L open.
    assert _pipeline("month") == {"2026-01": (7, 7, 1, 4, 1, 3), "2026-02": (0, 0, 0, 1, 0, 2)}


def test_fixture_cohorts_read_only_qualified_at() -> None:
    result = reference_metrics(fixture_config(), fixture_tables(), FIXTURE_AS_OF, period="week")
    by_cohort = {c["cohort"]: (c["signups"], c["pqls"]) for c in result["cohorts"]}
    assert by_cohort == {"2026-W02": (10, 5), "2026-W04": (1, 0)}


ANY_A = [{"id": "a", "event": "A"}]  # one A, ever: holds for good


# --- small cases ----------------------------------------------------------------------


def lconfig(criteria: list[dict], qualify: Any = "all", **definition: Any) -> dict[str, Any]:
    """config() with lifecycle keys (and anything else) set on the definition."""
    cfg = config(criteria, qualify)
    cfg["definition"].update(definition)
    return cfg


def a_events(*times: datetime, name: str = "A", **props: Any) -> list[dict]:
    return [ev("u", name, ts, **props) for ts in times]


def episodes_of(cfg: dict, events: list[dict], as_of: datetime = AS_OF, **rest: Any) -> list:
    return one(cfg, tables(events, **rest), as_of)["episodes"]


def rolling(kind: str = "count", at_least: float = 1, days: float = 1, **extra: Any) -> dict:
    criterion = {"id": "c", "kind": kind, "at_least": at_least, "in_last_days": days, **extra}
    if kind in ("count", "sum", "distinct") and "event" not in extra:
        criterion["event"] = "A"
    return criterion


def test_rolling_count_holds_while_enough_occurrences_are_recent() -> None:
    # A at(2), at(3); D = 2, at_least 2: W = 2 over [at(3), at(4)) (at(2)'s window ends).
    cfg = lconfig([rolling(at_least=2, days=2)])
    assert episodes_of(cfg, a_events(at(2), at(3))) == [[at(3), at(4)]]


def test_occurrence_stops_counting_exactly_at_o_plus_d() -> None:
    # A at(2), at(4); D = 2: at at(4) the first has just left: W(at(4)) = 1 < 2, never.
    row = one(lconfig([rolling(at_least=2, days=2)]), tables(a_events(at(2), at(4))))
    assert row["criteria"]["c"] is None and row["episodes"] == []
    # One microsecond earlier both are present: a 1 µs episode.
    early = at(4) - MICRO
    assert episodes_of(lconfig([rolling(at_least=2, days=2)]), a_events(at(2), early)) == [
        [early, at(4)]
    ]


def test_window_starting_when_another_ends_leaves_no_gap() -> None:
    # at_least 1, D = 1: [at(2), at(3)) then [at(3), at(4)): one episode.
    assert episodes_of(lconfig([rolling()]), a_events(at(2), at(3))) == [[at(2), at(4)]]


def test_fractional_in_last_days() -> None:
    # D = 0.5 (12 h): A at(2, 0) and at(2, 11): W = 2 over [at(2, 11), at(2, 12)).
    cfg = lconfig([rolling(at_least=2, days=0.5)])
    assert episodes_of(cfg, a_events(at(2), at(2, 11))) == [[at(2, 11), at(2, 12)]]


def test_in_last_days_is_rounded_to_the_microsecond() -> None:
    # D = 1/3 day = 8 h exactly once rounded: A at(2, 0) and at(2, 8) - 1 µs overlap 1 µs.
    cfg = lconfig([rolling(at_least=2, days=1 / 3)])
    late = at(2, 8) - MICRO
    assert episodes_of(cfg, a_events(at(2), late)) == [[late, at(2, 8)]]


def test_rolling_sum_weights_each_event_by_its_value() -> None:
    # n = 3 at(2), 2 at(3), D = 2, at_least 4: W = 3, 5 at(3), 2 at(4): [at(3), at(4)).
    cfg = lconfig([rolling("sum", at_least=4, days=2, property="n")])
    events = [ev("u", "A", at(2), n=3), ev("u", "A", at(3), n=2)]
    assert episodes_of(cfg, events) == [[at(3), at(4)]]


def test_rolling_sum_can_start_holding_when_a_negative_value_leaves() -> None:
    # n = -3 at(2), 5 at(2, 12), D = 1, at_least 4: W = -3, 2, then 5 at(3) (the -3 left):
    # satisfied at o + D of the negative item, until at(3, 12).
    cfg = lconfig([rolling("sum", at_least=4, days=1, property="n")])
    row = one(cfg, tables([ev("u", "A", at(2), n=-3), ev("u", "A", at(2, 12), n=5)]))
    assert row["criteria"]["c"] == at(3) and row["rule_satisfied_at"] == at(3)
    assert row["episodes"] == [[at(3), at(3, 12)]]


def test_rolling_distinct_item_is_present_while_any_occurrence_is() -> None:
    # s = a at(2), b at(3), a at(4); D = 2: a over [at(2), at(6)), b over [at(3), at(5)).
    cfg = lconfig([rolling("distinct", at_least=2, days=2, property="s")])
    events = [ev("u", "A", at(2), s="a"), ev("u", "A", at(3), s="b"), ev("u", "A", at(4), s="a")]
    assert episodes_of(cfg, events) == [[at(3), at(5)]]


def test_rolling_users_counts_recent_users() -> None:
    # Users u at(2), v at(3), u at(5); D = 2, at_least 2: u [2, 4) ∪ [5, 7), v [3, 5):
    # two users over [at(3), at(4)) only (at(5) u comes back as v leaves).
    events = [ev("u", "A", at(2)), ev("v", "A", at(3), account="x"), ev("u", "A", at(5))]
    cfg = lconfig([rolling("users", at_least=2, days=2, event="A")])
    assert episodes_of(cfg, events) == [[at(3), at(4)]]


def test_rolling_active_days_is_measured_from_each_days_events() -> None:
    # The worked example of docs/semantics.md: Mon 01-05 10:00, Tue 01-06 09:00 and 22:00,
    # Thu 01-08 18:00, Sun 01-11 08:00 -> holds over [01-08 18:00, 01-13 22:00).
    cfg = lconfig([{"id": "c", "kind": "active_days", "at_least": 3, "in_last_days": 7}])
    times = (at(5, 10), at(6, 9), at(6, 22), at(8, 18), at(11, 8))
    assert episodes_of(cfg, a_events(*times)) == [[at(8, 18), at(13, 22)]]


def test_within_days_selects_events_and_in_last_days_keeps_them_present() -> None:
    # within_days 2 (events before at(3)), D = 7: A at(2), at(2, 12) count, A at(3) does
    # not; W = 2 from at(2, 12) until at(9) (at(2) + 7 days), past the within_days end.
    cfg = lconfig([rolling(at_least=2, days=7, within_days=2)])
    assert episodes_of(cfg, a_events(at(2), at(2, 12), at(3))) == [[at(2, 12), at(9)]]


def test_rolling_and_monotone_criteria_together_under_all() -> None:
    # r: A in the last day; b: one B ever. B at(4): episodes where A is recent after at(4).
    criteria = [rolling(), {"id": "b", "event": "B"}]
    events = a_events(at(2), at(5, 12)) + a_events(at(4), name="B")
    assert episodes_of(lconfig(criteria), events) == [[at(5, 12), at(6, 12)]]


@pytest.mark.parametrize(
    "criterion",
    [
        {"id": "c", "kind": "consecutive_days", "at_least": 2, "in_last_days": 7},
        {"id": "c", "kind": "sequence", "steps": [{"event": "A"}, {"event": "B"}]}
        | {"in_last_days": 7},
        {"id": "c", "event": "A", "in_last_days": 0},
    ],
)
def test_in_last_days_where_the_text_refuses_it(criterion: dict) -> None:
    with pytest.raises(ValueError, match="in_last_days"):
        one(lconfig([criterion]), tables(a_events(at(2))))


# --- expiry ---------------------------------------------------------------------------


def test_expiry_lapses_without_events_and_requalifies_on_activity() -> None:
    # A once (holds for ever), E = 2: active [at(2), at(4)), then B at(5): [at(5), at(7)).
    cfg = lconfig(ANY_A, expire_after_inactive_days=2)
    row = one(cfg, tables(a_events(at(2)) + a_events(at(5), name="B")))
    assert row["episodes"] == [[at(2), at(4)], [at(5), at(7)]]
    assert (row["status"], row["lapsed_at"], row["qualified_at"]) == ("lapsed", at(7), at(2))


def test_expiry_with_activity_event_reads_only_that_event() -> None:
    # activity {event: B}: A at(2) alone is not activity; B at(3) starts the episode.
    cfg = lconfig(ANY_A, expire_after_inactive_days=2, activity={"event": "B"})
    events = a_events(at(2), at(4)) + a_events(at(3), name="B")
    assert episodes_of(cfg, events) == [[at(3), at(5)]]


def test_activity_event_never_seen_is_valid_and_nobody_qualifies() -> None:
    cfg = lconfig(ANY_A, expire_after_inactive_days=2, activity={"event": "Z"})
    row = one(cfg, tables(a_events(at(2))))
    assert (row["episodes"], row["status"], row["qualified_at"]) == ([], "not_qualified", None)


def test_activity_at_the_end_of_the_expiry_window_leaves_no_gap() -> None:
    cfg = lconfig(ANY_A, expire_after_inactive_days=2)
    assert episodes_of(cfg, a_events(at(2), at(4))) == [[at(2), at(6)]]


def test_activity_before_signup_does_not_count() -> None:
    # Signup at(3); B at(2, 23) (before signup) is not activity; A at(3, 1), B at(3, 2).
    cfg = lconfig(ANY_A, expire_after_inactive_days=3, activity={"event": "B"})
    events = a_events(at(3, 1)) + a_events(at(2, 23), at(3, 2), name="B")
    accounts = [{"account_id": "x", "created_at": at(3)}]
    assert one(cfg, tables(events, accounts))["episodes"] == [[at(3, 2), at(6, 2)]]


def test_fractional_expiry() -> None:
    # E = 0.25 (6 h): A at(2, 0), at(2, 7): active [0, 6) ∪ [7, 13).
    cfg = lconfig(ANY_A, expire_after_inactive_days=0.25)
    assert episodes_of(cfg, a_events(at(2), at(2, 7))) == [[at(2), at(2, 6)], [at(2, 7), at(2, 13)]]


def test_expiry_and_the_active_days_gate_together() -> None:
    # min_active_days 2 (from at(3)), E = 1: A at(2) qualifies the rule; the gate opens at
    # at(3) (2nd day), active until at(4).
    cfg = lconfig(ANY_A, min_active_days=2, expire_after_inactive_days=1)
    assert episodes_of(cfg, a_events(at(2), at(3))) == [[at(3), at(4)]]


@pytest.mark.parametrize(
    "definition",
    [
        {"activity": {"event": "B"}},
        {"expire_after_inactive_days": 2, "activity": {"event": "B", "where": {"s": 1}}},
        {"expire_after_inactive_days": 0},
    ],
)
def test_expiry_config_errors(definition: dict) -> None:
    with pytest.raises(ValueError):
        one(lconfig(ANY_A, **definition), tables(a_events(at(2))))


# --- points ---------------------------------------------------------------------------


def test_points_use_the_rolling_weight() -> None:
    # points 1 on A in the last 2 days, score 2: W = 1, 2 at(3), 1 at(4): [at(3), at(4)).
    cfg = lconfig([rolling(days=2, points=1)], {"score": 2})
    assert episodes_of(cfg, a_events(at(2), at(3))) == [[at(3), at(4)]]


def test_points_cap_applies_to_the_rolling_weight() -> None:
    # points 2, max_points 3, score 3 with D = 1: W = 2 at(2, 12) gives min(4, 3) = 3 until
    # at(3), when W = 1 gives 2.
    cfg = lconfig([rolling(days=1, points=2, max_points=3)], {"score": 3})
    assert episodes_of(cfg, a_events(at(2), at(2, 12))) == [[at(2, 12), at(3)]]


def test_points_on_a_sum_with_negatives_can_lapse_without_new_keys() -> None:
    # No lifecycle key: points 1 on a sum, n = 3 at(2), -2 at(3), score 2: 3 then 1.
    # qualified_at is at(2) as before; the rule stops holding at at(3): status lapsed
    # (today's engine says pql: this is the one change for definitions without new keys).
    criterion = {"id": "c", "kind": "sum", "event": "A", "property": "n", "points": 1}
    row = one(
        lconfig([criterion], {"score": 2}),
        tables([ev("u", "A", at(2), n=3), ev("u", "A", at(3), n=-2)]),
    )
    assert (row["qualified_at"], row["episodes"], row["status"]) == (
        at(2),
        [[at(2), at(3)]],
        "lapsed",
    )


# --- conversion -----------------------------------------------------------------------


def test_conversion_ends_an_open_episode() -> None:
    cfg = lconfig([rolling(days=5)])
    row = one(cfg, tables(a_events(at(2)) + a_events(at(4), name="Paid")))
    assert row["episodes"] == [[at(2), at(4)]] and row["status"] == "converted_pql"
    assert row["pql_since"] is None and row["lapsed_at"] is None


def test_conversion_at_the_first_start_means_never_a_pql() -> None:
    row = one(lconfig([rolling(days=5)]), tables(a_events(at(2)) + a_events(at(2), name="Paid")))
    assert (row["episodes"], row["status"]) == ([], "converted_without_qualifying")


def test_conversion_after_a_lapse_is_a_converted_pql() -> None:
    row = one(lconfig([rolling(days=1)]), tables(a_events(at(2)) + a_events(at(5), name="Paid")))
    assert row["episodes"] == [[at(2), at(3)]]
    assert (row["status"], row["lapsed_at"], row["qualified_at"]) == ("converted_pql", None, at(2))


# --- as_of ----------------------------------------------------------------------------


def test_as_of_at_an_episode_end_closes_it() -> None:
    row = one(lconfig([rolling(days=1)]), tables(a_events(at(2))), as_of=at(3))
    assert (row["episodes"], row["status"], row["lapsed_at"]) == ([[at(2), at(3)]], "lapsed", at(3))


def test_as_of_just_before_an_episode_end_leaves_it_open() -> None:
    row = one(lconfig([rolling(days=1)]), tables(a_events(at(2))), as_of=at(3) - MICRO)
    assert (row["episodes"], row["status"], row["pql_since"]) == ([[at(2), None]], "pql", at(2))


def test_as_of_at_an_episode_start_opens_it() -> None:
    row = one(lconfig([rolling(days=1)]), tables(a_events(at(2))), as_of=at(2))
    assert row["episodes"] == [[at(2), None]] and row["status"] == "pql"


# --- fields ---------------------------------------------------------------------------


def test_pql_since_is_the_open_episodes_start_and_qualified_at_the_first() -> None:
    row = one(lconfig([rolling(days=1)]), tables(a_events(at(2), at(5))), as_of=at(5, 12))
    assert row["episodes"] == [[at(2), at(3)], [at(5), None]]
    assert (row["qualified_at"], row["pql_since"], row["status"]) == (at(2), at(5), "pql")


def test_last_seen_at_counts_any_event_before_signup_and_after_conversion() -> None:
    accounts = [{"account_id": "x", "created_at": at(3)}]
    events = a_events(at(2), name="Z") + a_events(at(4), name="Paid") + a_events(at(6), name="Y")
    assert one(config(ANY_A), tables(events, accounts))["last_seen_at"] == (at(6))
    only_before = tables(a_events(at(2), name="Z"), accounts)
    assert one(config(ANY_A), only_before)["last_seen_at"] == at(2)
    nothing = tables([], accounts)
    assert one(config(ANY_A), nothing)["last_seen_at"] is None


def test_next_change_at_is_the_first_future_change_of_the_state() -> None:
    # D = 3 on A at(2), at(4); E = 2 on any event; as_of at(4, 12): W falls to 1 at at(5)
    # (at(2) + 3) but at_least 1 still holds (until at(7)); activity ends at at(6)
    # (at(4) + 2): the state changes first at at(6).
    cfg = lconfig([rolling(days=3)], expire_after_inactive_days=2)
    row = one(cfg, tables(a_events(at(2), at(4))), as_of=at(4, 12))
    assert row["next_change_at"] == at(6)
    # at_least 2: W = 1 at at(5) ends it there.
    cfg2 = lconfig([rolling(days=3, at_least=2)], expire_after_inactive_days=2)
    assert one(cfg2, tables(a_events(at(2), at(4))), as_of=at(4, 12))["next_change_at"] == at(5)
    # Converted: the state cannot change again.
    done = one(cfg, tables(a_events(at(2), at(4)) + a_events(at(4, 6), name="Paid")), at(4, 12))
    assert done["next_change_at"] is None
    # Without the new keys: nothing changes without new data.
    assert one(config(ANY_A), tables(a_events(at(2))))["next_change_at"] is None


def test_without_new_keys_one_episode_to_the_conversion() -> None:
    cfg = config([{"id": "a", "event": "A", "at_least": 2}], min_active_days=2)
    row = one(cfg, tables(a_events(at(2), at(3)) + a_events(at(9), name="Paid")))
    assert row["episodes"] == [[at(3), at(9)]] and row["status"] == "converted_pql"
    open_row = one(cfg, tables(a_events(at(2), at(3))))
    assert open_row["episodes"] == [[at(3), None]] and open_row["pql_since"] == at(3)


# --- periods --------------------------------------------------------------------------

PIPELINE_FIELDS = ("pqls", "new", "requalified", "lapsed", "ended_by_conversion", "open_at_end")


def _two_accounts_pipeline(period: str, as_of: datetime) -> list[dict]:
    # x: A at(2), at(20) with D = 1 -> [at(2), at(3)) lapse, [at(20), at(21)) lapse.
    # y: A at(5), converted at(5, 12) -> [at(5), at(5, 12)) ended by conversion.
    # z: A at(31, 12) -> [at(31, 12), 02-01 12:00): open across the month end.
    cfg = lconfig([rolling(days=1)])
    accounts = [{"account_id": a, "created_at": at(1)} for a in "xyz"]
    users = [{"user_id": u, "account_id": a} for u, a in (("u", "x"), ("v", "y"), ("w", "z"))]
    events = [*a_events(at(2), at(20)), ev("v", "A", at(5)), ev("v", "Paid", at(5, 12))]
    events.append(ev("w", "A", at(31, 12)))
    data = tables(events, accounts, users=users)
    rows = reference_metrics(cfg, data, as_of, period=period, pipeline=True)
    return list(rows["pql_count_by_period"])


def test_period_counts_and_balance_by_week() -> None:
    rows = _two_accounts_pipeline("week", datetime(2026, 2, 1))
    got = {r["period"]: tuple(r[f] for f in PIPELINE_FIELDS) for r in rows}
    # W01 [12-29, 01-05): x new and lapsed. W02 [01-05, 01-12): y new, ended by conversion.
    # W03 nothing: unlisted. W04 [01-19, 01-26): x requalified and lapsed. W05 [01-26,
    # 02-02) holds as_of: z new and open.
    assert got == {
        "2026-W01": (1, 1, 0, 1, 0, 0),
        "2026-W02": (1, 1, 0, 0, 1, 0),
        "2026-W04": (0, 0, 1, 1, 0, 0),
        "2026-W05": (1, 1, 0, 0, 0, 1),
    }


def test_a_period_where_nothing_starts_or_ends_is_not_listed() -> None:
    # Monthly at as_of 2026-02-01 12:00: z is open over the month end: January open_at_end
    # 1; in February no episode starts or ends, so it is not listed (its open_at_end is
    # January's, by the balance).
    rows = _two_accounts_pipeline("month", datetime(2026, 2, 1, 12) - MICRO)
    got = {r["period"]: tuple(r[f] for f in PIPELINE_FIELDS) for r in rows}
    assert got == {"2026-01": (3, 3, 1, 2, 1, 1)}


def test_lapse_at_the_conversion_instant_counts_as_ended_by_conversion() -> None:
    # Expiry ends at(4) exactly when the conversion happens: ended by conversion, no lapse.
    cfg = lconfig(ANY_A, expire_after_inactive_days=2)
    data = tables(a_events(at(2)) + a_events(at(4), name="Paid"))
    rows = reference_metrics(cfg, data, AS_OF, period="month", pipeline=True)
    (january,) = rows["pql_count_by_period"]
    assert (january["lapsed"], january["ended_by_conversion"]) == (0, 1)


def test_without_pipeline_the_rows_are_as_before() -> None:
    rows = reference_metrics(fixture_config(), fixture_tables(), FIXTURE_AS_OF, period="month")
    assert rows["pql_count_by_period"] == [{"period": "2026-01", "segment": None, "pqls": 7}]
