"""The oracle on signal definitions (issue 16), small cases computed by hand from
docs/semantics.md ("Criteria", "Rule satisfied_at", "Fit", "qualified_at").

Unless a case says otherwise: account x created 2026-01-01 00:00 (= signup_at) with user u,
conversion event Paid, as_of 2026-03-01; at(d, h) is 2026-01-d h:00 UTC."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.reference.oracle import reference_qualify
from tests.test_reference_oracle import AS_OF, at, config, ev, one, tables

MISSING = object()  # the property key is absent (JSON null is None)


def sat(criterion: dict[str, Any], events: list[dict], **extra: Any) -> Any:
    """The criterion's satisfied_at for account x."""
    row = one(config([{"id": "c", **criterion}], **extra), tables(events))
    return row["criteria"]["c"]


def u_events(name: str, key: str, timed: list[tuple[Any, Any]]) -> list[dict]:
    """Events `name` of user u at the given times, properties[key] = value (or absent)."""
    return [ev("u", name, ts, **({} if v is MISSING else {key: v})) for ts, v in timed]


# --- count ----------------------------------------------------------------------------


def test_count_written_out_is_the_default_kind() -> None:
    # A at 2/1h, 2/2h, 3/0h: the 2nd matching event is at(2, 2), with or without kind.
    events = [ev("u", "A", at(2, 1)), ev("u", "A", at(2, 2)), ev("u", "A", at(3))]
    assert sat({"event": "A", "at_least": 2}, events) == at(2, 2)
    assert sat({"kind": "count", "event": "A", "at_least": 2}, events) == at(2, 2)


# --- sum ------------------------------------------------------------------------------

SUM_EVENTS = [
    (at(2, 1), 2),  # W = 2
    (at(2, 2), True),  # bool: 0 -> 2
    (at(2, 3), " 3"),  # a space: not a number spelling -> 2
    (at(2, 4), "x"),  # -> 2
    (at(2, 5), {"a": 1}),  # object -> 2
    (at(2, 6), MISSING),  # -> 2
    (at(2, 7), None),  # JSON null -> 2
    (at(2, 8), "2.5"),  # spells 2.5 -> 4.5
    (at(2, 9), [3]),  # array -> 4.5
    (at(2, 10), "5e-1"),  # spells 0.5 -> 5.0
]


@pytest.mark.parametrize(
    ("at_least", "expected"),
    [(2, at(2, 1)), (4.5, at(2, 8)), (4.6, at(2, 10)), (5, at(2, 10)), (5.5, None)],
)
def test_sum_counts_numbers_and_number_spellings_only(at_least: float, expected: Any) -> None:
    events = u_events("U", "n", SUM_EVENTS)
    criterion = {"kind": "sum", "event": "U", "property": "n", "at_least": at_least}
    assert sat(criterion, events) == expected


def test_sum_at_an_instant_includes_every_tie() -> None:
    # n = 3 and n = -1 both at(3): W(at(3)) = 2 < 3 (the 3 alone never counts: ties are
    # included); n = 1 at(4): W = 3 -> holds at(4).
    events = u_events("U", "n", [(at(3), 3), (at(3), -1), (at(4), 1)])
    assert sat({"kind": "sum", "event": "U", "property": "n", "at_least": 3}, events) == at(4)


def test_sum_that_held_once_holds_on_after_negative_values() -> None:
    # n = 3 at(2): W = 3 >= 2, holds; n = -5 at(3): W = -2, but a criterion that held once
    # holds from then on: satisfied at(2), rule (all) at(2), qualified at(2).
    events = u_events("U", "n", [(at(2), 3), (at(3), -5)])
    cfg = config([{"id": "c", "kind": "sum", "event": "U", "property": "n", "at_least": 2}])
    row = one(cfg, tables(events))
    assert row["criteria"]["c"] == at(2)
    assert row["rule_satisfied_at"] == at(2) and row["qualified_at"] == at(2)


# --- distinct -------------------------------------------------------------------------

DISTINCT_EVENTS = [
    (at(2, 1), 3),  # key "3": 1 item
    (at(2, 2), "3"),  # "3": the same item
    (at(2, 3), 3.0),  # integral -> "3": the same
    (at(2, 4), "3.0"),  # "3.0": 2 items
    (at(2, 5), True),  # "true": 3
    (at(2, 6), "true"),  # the same key "true"
    (at(2, 7), {"a": 1}),  # objects are not items
    (at(2, 8), None),  # JSON null is missing
    (at(2, 9), 2.5),  # "2.5": 4
    (at(2, 10), "2.5"),  # the same
    (at(2, 11), [1]),  # arrays are not items
    (at(2, 12), "x"),  # 5
]


@pytest.mark.parametrize(
    ("at_least", "expected"),
    [(1, at(2, 1)), (2, at(2, 4)), (3, at(2, 5)), (4, at(2, 9)), (5, at(2, 12)), (6, None)],
)
def test_distinct_keys_by_canonical_text(at_least: int, expected: Any) -> None:
    events = u_events("D", "v", DISTINCT_EVENTS)
    criterion = {"kind": "distinct", "event": "D", "property": "v", "at_least": at_least}
    assert sat(criterion, events) == expected


# --- users ----------------------------------------------------------------------------


def _team_events() -> list[dict]:
    return [
        ev("u1", "A", at(2)),
        ev("u1", "A", at(3)),
        ev("u2", "B", at(4)),
        ev("u2", "A", at(5)),
        ev("u3", "A", at(6)),
    ]


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        # users with an A: u1 first at(2), u2 at(5), u3 at(6).
        ({"event": "A", "at_least": 2}, at(5)),
        ({"event": "A", "at_least": 3}, at(6)),
        ({"event": "A", "at_least": 4}, None),
        # any event: u1 at(2), u2 at(4) (its B).
        ({"at_least": 2}, at(4)),
    ],
)
def test_users_counts_distinct_user_ids(criterion: dict, expected: Any) -> None:
    users = [{"user_id": f"u{i}", "account_id": "x"} for i in (1, 2, 3)]
    cfg = config([{"id": "c", "kind": "users", **criterion}])
    row = one(cfg, tables(_team_events(), users=users))
    assert row["criteria"]["c"] == expected


def test_users_kind_needs_the_account_entity() -> None:
    cfg = config([{"id": "c", "kind": "users", "at_least": 1}], entity="user")
    with pytest.raises(ValueError, match="account"):
        reference_qualify(cfg, tables([ev("u", "A", at(2))]), AS_OF)


# --- active_days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        # A on day 2 (1h, 5h) and day 4 (2h, 6h): the 2nd day's first A is at(4, 2).
        ({"event": "A", "at_least": 2}, at(4, 2)),
        # any event: days 2, 3 (B at 1h), 4.
        ({"at_least": 2}, at(3, 1)),
        ({"at_least": 3}, at(4, 2)),
        ({"at_least": 4}, None),
        # within_days 3: only days 2 and 3 (day 4 starts at signup + 3 days, excluded).
        ({"at_least": 3, "within_days": 3}, None),
    ],
)
def test_active_days_counts_utc_days_of_matching_events(criterion: dict, expected: Any) -> None:
    events = [
        ev("u", "A", at(2, 5)),
        ev("u", "A", at(2, 1)),
        ev("u", "B", at(3, 1)),
        ev("u", "A", at(4, 6)),
        ev("u", "A", at(4, 2)),
    ]
    assert sat({"kind": "active_days", **criterion}, events) == expected


# --- consecutive_days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        # A on days 2, 3 | gap on 4 | 5, 6, 7: the first run of 3 ends on day 7, whose first
        # A is at(7, 1).
        ({"event": "A", "at_least": 3}, at(7, 1)),
        # a run of 2 ends on day 3 (first A at 3/5h).
        ({"event": "A", "at_least": 2}, at(3, 5)),
        ({"event": "A", "at_least": 4}, None),
        # any event: B fills day 4, so days 2..7 run; the 3rd day is day 4 (B at 4/8h).
        ({"at_least": 3}, at(4, 8)),
        ({"at_least": 6}, at(7, 1)),
        ({"at_least": 1}, at(2, 5)),
    ],
)
def test_consecutive_days_across_a_gap(criterion: dict, expected: Any) -> None:
    days = [(2, 5), (3, 5), (5, 5), (6, 5), (7, 9), (7, 1)]
    events = [ev("u", "A", at(d, h)) for d, h in days] + [ev("u", "B", at(4, 8))]
    assert sat({"kind": "consecutive_days", **criterion}, events) == expected


# --- sequence -------------------------------------------------------------------------

A_THEN_B = [{"event": "A"}, {"event": "B"}]


@pytest.mark.parametrize(
    ("criterion", "events", "expected"),
    [
        # A and B at the same instant: ts not strictly increasing, no completion.
        ({"steps": A_THEN_B}, [("A", at(2, 5)), ("B", at(2, 5))], None),
        # ... a later B completes it.
        ({"steps": A_THEN_B}, [("A", at(2, 5)), ("B", at(2, 5)), ("B", at(2, 6))], at(2, 6)),
        # B before A does not count.
        ({"steps": A_THEN_B}, [("B", at(2, 1)), ("A", at(2, 5))], None),
        # the same name in two steps: one A, or two A at one instant, never complete.
        ({"steps": [{"event": "A"}, {"event": "A"}]}, [("A", at(2))], None),
        ({"steps": [{"event": "A"}, {"event": "A"}]}, [("A", at(2)), ("A", at(2))], None),
        ({"steps": [{"event": "A"}, {"event": "A"}]}, [("A", at(2)), ("A", at(3))], at(3)),
        # bound exactly reached: B at A + 24h is not inside [A, A + 24h).
        ({"steps": A_THEN_B, "within_hours": 24}, [("A", at(2)), ("B", at(3))], None),
        ({"steps": A_THEN_B, "within_days": 1}, [("A", at(2)), ("B", at(3))], None),
        (
            {"steps": A_THEN_B, "within_hours": 24},
            [("A", at(2)), ("B", at(3) - timedelta(microseconds=1))],
            at(3) - timedelta(microseconds=1),
        ),
        # earliest completion: A at 1h is too early for B at 12h within 5h; A at 10h is not.
        (
            {"steps": A_THEN_B, "within_hours": 5},
            [("A", at(2, 1)), ("A", at(2, 10)), ("B", at(2, 12))],
            at(2, 12),
        ),
        # three steps; C at 4h precedes B, C at 8h completes.
        (
            {"steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}]},
            [("A", at(2, 5)), ("C", at(2, 4)), ("B", at(2, 6)), ("C", at(2, 8))],
            at(2, 8),
        ),
        # a sequence's within_days bounds the workflow, not the time since signup: day 10.
        (
            {"steps": A_THEN_B, "within_days": 1},
            [("A", at(10)), ("B", at(10, 12))],
            at(10, 12),
        ),
    ],
)
def test_sequence_completions(criterion: dict, events: list, expected: Any) -> None:
    rows = [ev("u", name, ts) for name, ts in events]
    assert sat({"kind": "sequence", **criterion}, rows) == expected


def test_sequence_steps_apply_their_where() -> None:
    # A(plan free) at 1h does not match step 1; A(plan pro) at 3h, then B at 4h completes.
    steps = [{"event": "A", "where": {"plan": "pro"}}, {"event": "B"}]
    events = [
        ev("u", "A", at(2, 1), plan="free"),
        ev("u", "B", at(2, 2)),
        ev("u", "A", at(2, 3), plan="pro"),
        ev("u", "B", at(2, 4)),
    ]
    assert sat({"kind": "sequence", "steps": steps}, events) == at(2, 4)


def test_sequence_stops_at_the_conversion() -> None:
    # Paid at 3h converts; B at 4h is not before converted_at: no completion.
    events = [ev("u", "A", at(2, 1)), ev("u", "Paid", at(2, 3)), ev("u", "B", at(2, 4))]
    assert sat({"kind": "sequence", "steps": A_THEN_B}, events) is None


def test_new_kinds_under_the_all_rule() -> None:
    # sequence done at(2, 6); consecutive_days 2 (A on days 2, 3) at(3, 1): all -> at(3, 1).
    criteria: list[dict[str, Any]] = [
        {"id": "s", "kind": "sequence", "steps": A_THEN_B},
        {"id": "d", "kind": "consecutive_days", "event": "A", "at_least": 2},
    ]
    events = [ev("u", "A", at(2, 5)), ev("u", "B", at(2, 6)), ev("u", "A", at(3, 1))]
    row = one(config(criteria), tables(events))
    assert row["criteria"] == {"s": at(2, 6), "d": at(3, 1)}
    assert row["rule_satisfied_at"] == at(3, 1) and row["qualified_at"] == at(3, 1)


# --- where operators on events, at the criterion level -----------------------------------

VALUES: list[Any] = [80, "80", " 80", "79.5", 80.5, True, "true", "pricing page"]
VALUES += [{"a": 1}, [80], MISSING, None]


@pytest.mark.parametrize(
    ("spec", "matching"),
    [
        (80, {0, 1}),  # 80 and its canonical spelling "80"
        ([80, "pricing page"], {0, 1, 7}),
        ({"eq": 80}, {0, 1}),
        ({"ne": 80}, {2, 3, 4, 5, 6, 7, 8, 9}),  # present values only
        ({"gt": 80}, {4}),
        ({"gte": 80}, {0, 1, 4}),  # " 80" does not spell a number
        ({"lt": 80}, {3}),
        ({"lte": 80}, {0, 1, 3}),
        ({"gt": "p"}, {6, 7}),  # JSON strings by code point: "true", "pricing page"
        ({"lt": "80"}, {2, 3}),  # " 80" (space first) and "79.5"
        ({"in": [True, 80.5]}, {4, 5, 6}),
        ({"not_in": [80, True]}, {2, 3, 4, 7, 8, 9}),
        ({"contains": "80"}, {1, 2}),
        ({"eq": True}, {5, 6}),
        ({"eq": "true"}, {6}),
        ({"exists": True}, set(range(10))),
        ({"exists": False}, {10, 11}),  # absent and JSON null
    ],
    ids=repr,
)
def test_event_where_operators_select_these_events(spec: Any, matching: set[int]) -> None:
    # Account x<i> has one event A at(2) with s = VALUES[i].
    accounts = [{"account_id": f"x{i}", "created_at": at(1)} for i in range(len(VALUES))]
    users = [{"user_id": f"u{i}", "account_id": f"x{i}"} for i in range(len(VALUES))]
    events = [
        ev(f"u{i}", "A", at(2), **({} if v is MISSING else {"s": v})) for i, v in enumerate(VALUES)
    ]
    cfg = config([{"id": "c", "event": "A", "where": {"s": spec}}])
    rows = reference_qualify(cfg, tables(events, accounts, users=users), AS_OF)
    got = {i for i in range(len(VALUES)) if rows[f"x{i}"]["criteria"]["c"] == at(2)}
    assert got == matching


# --- where operators in fit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "where", "require_known", "passes"),
    [
        # numeric column: a number, never equal to a string
        ({"employees": 50}, {"employees": {"gte": 50}}, False, True),
        ({"employees": 50}, {"employees": {"gt": 50}}, False, False),
        ({"employees": 50}, {"employees": {"lt": 100}}, False, True),
        ({"employees": 50}, {"employees": {"lte": 49}}, False, False),
        ({"employees": 50}, {"employees": {"eq": 50}}, False, True),
        ({"employees": 50}, {"employees": {"eq": "50"}}, False, False),
        ({"employees": 50}, {"employees": {"ne": 50}}, False, False),
        ({"employees": 50}, {"employees": {"in": [3, 50]}}, False, True),
        ({"employees": 50}, {"employees": {"not_in": [50]}}, False, False),
        ({"employees": 50}, {"employees": {"contains": "5"}}, False, False),
        ({"employees": 50}, {"employees": {"gte": "4"}}, False, False),  # text operand
        ({"employees": 50}, {"employees": {"exists": True}}, False, True),
        ({"employees": 50}, {"employees": {"exists": False}}, False, False),
        # text column: a string (comparing with a number reads the number it spells)
        ({"plan": "50"}, {"plan": {"gte": 50}}, False, True),
        ({"plan": "50"}, {"plan": 50}, False, True),
        ({"plan": "pro"}, {"plan": {"gte": 50}}, False, False),
        ({"plan": "pro"}, {"plan": {"gt": "m"}}, False, True),
        ({"plan": "pro"}, {"plan": {"contains": "ro"}}, False, True),
        ({"plan": "pro"}, {"plan": {"contains": "R"}}, False, False),
        ({"plan": "pro"}, {"plan": {"ne": "pro"}}, False, False),
        ({"plan": "pro"}, {"plan": {"not_in": ["free"]}}, False, True),
        ({"domain": "acme.com"}, {"domain": {"lt": "b"}}, False, True),
        # traits: their JSON value
        ({"traits": {"seats": 5}}, {"seats": {"gte": 5}}, False, True),
        ({"traits": {"seats": "5"}}, {"seats": {"gte": 5}}, False, True),
        ({"traits": {"seats": "5"}}, {"seats": 5}, False, True),
        ({"traits": {"seats": " 5"}}, {"seats": {"gte": 5}}, False, False),
        ({"traits": {"seats": True}}, {"seats": {"gte": 1}}, False, False),
        ({"traits": {"seats": 2.5}}, {"seats": {"lt": 3}}, False, True),
        ({"traits": {"seats": {"a": 1}}}, {"seats": {"exists": True}}, False, True),
        ({"traits": {"seats": 5}}, {"seats": {"exists": False}}, False, False),
        # missing: unknown passes unless require_known, whatever the operator
        ({"employees": None}, {"employees": {"gte": 50}}, False, True),
        ({"employees": None}, {"employees": {"gte": 50}}, True, False),
        ({}, {"seats": {"exists": True}}, False, True),
        ({}, {"seats": {"exists": True}}, True, False),
        ({"traits": {"seats": None}}, {"seats": {"exists": False}}, False, True),
        ({"traits": {"seats": None}}, {"seats": {"exists": False}}, True, False),
        ({"plan": None}, {"plan": {"ne": "pro"}}, True, False),
    ],
    ids=repr,
)
def test_fit_where_operators(account: dict, where: dict, require_known: bool, passes: bool) -> None:
    fit = {"where": where, "require_known": require_known}
    row = one(
        config([{"id": "a", "event": "A"}], fit=fit),
        tables([ev("u", "A", at(2))], [{"account_id": "x", "created_at": at(1), **account}]),
    )
    assert row["fit"] is passes
    assert row["qualified_at"] == (at(2) if passes else None)


def test_user_fit_reads_email_as_text_and_plan_as_a_trait() -> None:
    # users has no plan column: `plan` is traits.plan; email is a text column.
    users = [
        {"user_id": "u", "email": "a@acme.com", "signed_up_at": at(1), "traits": {"plan": "pro"}}
    ]
    fit = {"where": {"email": {"contains": "@acme"}, "plan": {"in": ["pro"]}}}
    cfg = config([{"id": "a", "event": "A"}], fit=fit, entity="user", signup={"source": "users"})
    row = one(cfg, tables([ev("u", "A", at(2))], [], users=users), entity="u")
    assert row["fit"] is True and row["qualified_at"] == at(2)


# --- points under a score rule -----------------------------------------------------------


def _points_row(criteria: list[dict], score: float, events: list[dict], **extra: Any) -> dict:
    return one(config(criteria, {"score": score}, **extra), tables(events))


THREE_A = [ev("u", "A", at(2)), ev("u", "A", at(3)), ev("u", "A", at(4))]


def test_points_without_max_points_grow_with_every_event() -> None:
    # 1 point per A: 1 at(2), 2 at(3), 3 at(4) -> score 3 reached at(4).
    row = _points_row([{"id": "a", "event": "A", "points": 1}], 3, THREE_A)
    assert row["criteria"]["a"] == at(2)  # at_least 1: the criterion itself holds at(2)
    assert row["rule_satisfied_at"] == at(4) and row["qualified_at"] == at(4)


def test_max_points_caps_the_contribution() -> None:
    # A gives min(1 * count, 2): at most 2; B (weight 1) at(5): 2 + 1 = 3 at(5).
    criteria: list[dict[str, Any]] = [
        {"id": "a", "event": "A", "points": 1, "max_points": 2},
        {"id": "b", "event": "B"},
    ]
    row = _points_row(criteria, 3, [*THREE_A, ev("u", "B", at(5))])
    assert row["rule_satisfied_at"] == at(5)
    # Alone (score 2, its cap): min(1, 2) at(2), min(2, 2) at(3) -> at(3).
    assert _points_row(criteria[:1], 2, THREE_A)["rule_satisfied_at"] == at(3)


def test_points_count_whether_or_not_the_criterion_holds() -> None:
    # at_least 5 never holds (3 events), but 0.5 points per A reach 1.5 at(4).
    row = _points_row([{"id": "a", "event": "A", "at_least": 5, "points": 0.5}], 1.5, THREE_A)
    assert row["criteria"]["a"] is None and row["rule_satisfied_at"] == at(4)


def test_points_on_distinct_values() -> None:
    # 2 points per distinct v: "a" at(2) -> 2, "a" again at(3) -> 2, "b" at(4) -> 4.
    events = u_events("A", "v", [(at(2), "a"), (at(3), "a"), (at(4), "b")])
    criteria = [{"id": "d", "kind": "distinct", "event": "A", "property": "v", "points": 2}]
    assert _points_row(criteria, 4, events)["rule_satisfied_at"] == at(4)


def _negative_sum_events() -> list[dict]:
    # n: 3 at(2) -> W 3; -2 at(3) -> W 1; 2 at(5) -> W 3. Days with events: 2, 3, 5.
    return u_events("U", "n", [(at(2), 3), (at(3), -2), (at(5), 2)])


SUM_POINTS = [{"id": "s", "kind": "sum", "event": "U", "property": "n", "at_least": 1, "points": 1}]


def test_points_on_a_negative_sum_hold_then_stop() -> None:
    # Rule total = W: 3 at(2) (holds, score 3), 1 at(3) (stops), 3 at(5) (holds again).
    # Without a gate qualified_at = rule_satisfied_at = at(2).
    row = _points_row(SUM_POINTS, 3, _negative_sum_events())
    assert row["rule_satisfied_at"] == at(2) and row["qualified_at"] == at(2)
    assert row["criteria"]["s"] == at(2)  # at_least 1: W(at(2)) = 3 >= 1


def test_points_on_a_negative_sum_need_the_gate_and_the_rule_at_one_instant() -> None:
    # min_active_days 2: the 2nd active day is day 3 -> active_days_satisfied_at = at(3),
    # where the rule does not hold (W = 1). The first instant with both is at(5) (W = 3),
    # not max(rule_satisfied_at, active_days_satisfied_at) = at(3).
    row = _points_row(SUM_POINTS, 3, _negative_sum_events(), min_active_days=2)
    assert row["rule_satisfied_at"] == at(2)
    assert row["active_days_satisfied_at"] == at(3)
    assert row["qualified_at"] == at(5) and row["status"] == "pql"


def test_points_on_a_negative_sum_converting_before_holding_again() -> None:
    # Paid at(4): converted before the rule and the gate meet (at(5) is after conversion,
    # and not a matching event any more): never a PQL.
    events = [*_negative_sum_events(), ev("u", "Paid", at(4))]
    row = _points_row(SUM_POINTS, 3, events, min_active_days=2)
    assert row["qualified_at"] is None and row["status"] == "converted_without_qualifying"


def test_points_and_weights_together_under_a_score() -> None:
    # A: 1 point per event (1 at(2), 2 at(3), 3 at(4)); B (weight 2) holds from at(3, 12):
    # totals 1 | 2 at(3) | 4 at(3, 12) -> score 4 at(3, 12).
    criteria = [{"id": "a", "event": "A", "points": 1}, {"id": "b", "event": "B", "weight": 2}]
    row = _points_row(criteria, 4, [*THREE_A, ev("u", "B", at(3, 12))])
    assert row["rule_satisfied_at"] == at(3, 12)
