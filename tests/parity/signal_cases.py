"""Hand-made cases for the criterion kinds, `where` operators and points (issue 16), each a
`Scenario` (config, canonical tables, as_of: what the random-log tests take too) plus the
answers worked out by hand from docs/semantics.md.

- `event_operators`: one user per JSON value of property `p` (absent, null, numbers,
  numeric strings, bools, non-ASCII and upper/lower case text, an object, an array), one
  `count` criterion per operator: each criterion's satisfied_at says which values match.
- `fit_operators`: one account per value, the same value under one trait key per
  operator, plus typed columns; `fit_failed` says which checks failed (unknown passes, or
  fails with `require_known`).
- `kinds`: every kind (ties in ts, numeric strings and negative values in a sum, distinct
  keys 3 = 3.0 = "3", users on the account entity, day runs across a gap and a month end,
  sequences with ties, one event name in two steps and bounds, a conversion cutting off).
- `points`: points with and without max_points on count, distinct, users and active_days
  beside a weighted consecutive_days.
- `points_on_sums`: points on sums with negative values, so the rule stops holding again,
  with min_active_days.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.reference.strategies import Scenario

Row = dict[str, Any]
AS_OF = datetime(2026, 3, 1)
SIGNUP = datetime(2026, 1, 5)  # a Monday
_ABSENT = object()  # the key is not in the properties at all


def at(day: int, hour: int = 0, minute: int = 0, month: int = 1) -> datetime:
    """An instant in 2026 (naive UTC)."""
    return datetime(2026, month, day, hour, minute)


@dataclass(frozen=True)
class SignalCase:
    """A scenario and, per entity, the fields of its qualification worked out by hand."""

    name: str
    scenario: Scenario
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)


def _events(rows: list[tuple[Any, ...]]) -> list[Row]:
    """(user_id, account_id, event, ts, properties) tuples as event rows with unique ids."""
    ids = itertools.count(1)
    return [
        {
            "event_id": f"e{next(ids):04d}",
            "user_id": user,
            "account_id": account,
            "event": event,
            "ts": ts,
            "properties": properties,
        }
        for user, account, event, ts, properties in rows
    ]


# ---- where operators ---------------------------------------------------------------------

# name -> the value of `p` (_ABSENT: no key).
VALUES: dict[str, Any] = {
    "absent": _ABSENT,
    "null": None,
    "int3": 3,
    "float3": 3.0,
    "num2_5": 2.5,
    "neg1": -1,
    "s3": "3",
    "s2_5": "2.5",
    "s1e2": "1e2",
    "sp3": " 3",
    "s3_0": "3.0",
    "s3nl": "3\n",
    "sabc": "abc",
    "sABC": "ABC",
    "se_acute": "é",
    "sE_acute": "É",
    "sz": "z",
    "sfull_z": "ｚ",  # U+FF5A: above every surrogate pair in UTF-16, below U+1F600
    "semoji": "😀",  # U+1F600
    "sempty": "",
    "strue": "true",
    "true": True,
    "false": False,
    "obj": {"a": 3},
    "arr": [3, "abc"],
}
MISSING = {"absent", "null"}
PRESENT = set(VALUES) - MISSING
STRINGS = {n for n, v in VALUES.items() if isinstance(v, str)}
# Values that are numbers or spell one in full (JSON number grammar): their numeric value.
NUMERIC = {
    "int3": 3.0,
    "float3": 3.0,
    "num2_5": 2.5,
    "neg1": -1.0,
    "s3": 3.0,
    "s2_5": 2.5,
    "s1e2": 100.0,
    "s3_0": 3.0,
}


def _strings(test: Any) -> set[str]:
    """The string values whose text passes `test` (code point order is Python's)."""
    return {n for n in STRINGS if test(VALUES[n])}


def _numbers(test: Any) -> set[str]:
    return {n for n, x in NUMERIC.items() if test(x)}


EQUALS_3 = {"int3", "float3", "s3"}
# id -> (where spec of `p`, the values that match it), worked out from docs/semantics.md.
OPERATORS: dict[str, tuple[Any, set[str]]] = {
    "eq_3": ({"eq": 3}, EQUALS_3),
    "eq_3_0": ({"eq": 3.0}, EQUALS_3),
    "plain_3": (3, EQUALS_3),
    "eq_s3": ({"eq": "3"}, {"s3"}),  # a string matches only that JSON string
    "eq_2_5": ({"eq": 2.5}, {"num2_5", "s2_5"}),
    "eq_100": ({"eq": 100}, set()),  # "1e2" is not the spelling of 100
    "eq_true": ({"eq": True}, {"true", "strue"}),
    "plain_false": (False, {"false"}),
    "eq_abc": ({"eq": "abc"}, {"sabc"}),
    "eq_e_acute": ({"eq": "é"}, {"se_acute"}),
    "ne_3": ({"ne": 3}, PRESENT - EQUALS_3),
    "ne_abc": ({"ne": "abc"}, PRESENT - {"sabc"}),
    "in_mix": ({"in": [3, "abc", True]}, EQUALS_3 | {"sabc", "true", "strue"}),
    "plain_list": (["abc", 2.5], {"sabc", "num2_5", "s2_5"}),
    "in_numbers": ({"in": [2.5, -1]}, {"num2_5", "s2_5", "neg1"}),
    "not_in_mix": ({"not_in": [3, "abc"]}, PRESENT - EQUALS_3 - {"sabc"}),
    "gt_2": ({"gt": 2}, _numbers(lambda x: x > 2)),
    "gte_3": ({"gte": 3}, _numbers(lambda x: x >= 3)),
    "lt_3": ({"lt": 3}, _numbers(lambda x: x < 3)),
    "lte_neg1": ({"lte": -1}, {"neg1"}),
    "gt_50": ({"gt": 50}, {"s1e2"}),
    "gt_neg2": ({"gt": -2}, set(NUMERIC)),  # booleans never compare as numbers
    "gte_2_5": ({"gte": 2.5}, _numbers(lambda x: x >= 2.5)),
    "lt_s_a": ({"lt": "a"}, _strings(lambda s: s < "a")),
    "gt_s_z": ({"gt": "z"}, {"se_acute", "sE_acute", "sfull_z", "semoji"}),
    "gte_s_abc": ({"gte": "abc"}, _strings(lambda s: s >= "abc")),
    "gt_s_full_z": ({"gt": "ｚ"}, {"semoji"}),  # code points, not UTF-16 units
    "lte_s_E_acute": ({"lte": "É"}, _strings(lambda s: s <= "É")),
    "lt_s_B": ({"lt": "B"}, _strings(lambda s: s < "B")),  # "ABC" < "B" < "abc"
    "contains_b": ({"contains": "b"}, {"sabc"}),
    "contains_3": ({"contains": "3"}, {"s3", "sp3", "s3_0", "s3nl"}),
    "contains_empty": ({"contains": ""}, STRINGS),
    "exists_true": ({"exists": True}, PRESENT),
    "exists_false": ({"exists": False}, MISSING),
}


def _properties(name: str) -> Row:
    value = VALUES[name]
    return {} if value is _ABSENT else {"p": value}


def event_operators() -> SignalCase:
    """User u_<value> has one event E carrying that value at its own minute; criterion
    <operator> is satisfied at that minute exactly when the operator matches the value."""
    names = list(VALUES)
    moments = {n: SIGNUP + timedelta(hours=10, minutes=i) for i, n in enumerate(names)}
    users = [{"user_id": f"u_{n}", "signed_up_at": SIGNUP} for n in names]
    events = _events([(f"u_{n}", None, "E", moments[n], _properties(n)) for n in names])
    criteria = [
        {"id": cid, "event": "E", "where": {"p": spec}} for cid, (spec, _) in OPERATORS.items()
    ]
    config = {
        "project": "operators",
        "entity": "user",
        "signup": {"source": "users"},
        "conversion": {"event": "Paid"},
        "definition": {"name": "ops", "criteria": criteria, "qualify": {"at_least": 1}},
    }
    expected = {
        f"u_{n}": {
            "criteria": {
                cid: (moments[n] if n in matched else None)
                for cid, (_, matched) in OPERATORS.items()
            }
        }
        for n in names
    }
    tables = {"users": users, "events": events, "accounts": [], "conversions": []}
    return SignalCase("event_operators", Scenario(config, tables, AS_OF), expected)


# Fit: one trait key per operator (a key takes one spec), labels as `pql qualify` prints them.
FIT_LABELS = {
    "gt": "≤",
    "gte": "<",
    "lt": "≥",
    "lte": ">",
}


def _fit_label(key: str, spec: Any) -> str:
    if not isinstance(spec, dict):
        return f"{key} is not {spec}"
    ((operator, operand),) = spec.items()
    if operator in ("eq", "in"):
        return f"{key} is not {operand}"
    if operator in FIT_LABELS:
        return f"{key} {FIT_LABELS[operator]} {operand}"
    return {
        "ne": f"{key} is {operand}",
        "not_in": f"{key} is one of {operand}",
        "contains": f"{key} does not contain {operand}",
        "exists": f"{key} is {'missing' if operand else 'present'}",
    }[operator]


# Typed columns of accounts: (employees, plan) per account, and the checks on them.
COLUMN_CHECKS: dict[str, Any] = {
    "employees": {"gte": 50},
    "plan": {"gt": "Pro"},
    "name": {"gte": 50},
}
COLUMN_VALUES: dict[str, tuple[int | None, str | None, str | None]] = {
    # account: (employees, plan, name)
    "c_none": (None, None, None),
    "c_small": (10, "pro", "7"),
    "c_edge": (50, "Pro", "50"),
    "c_big": (100, "Éco", "1e2"),
    "c_text": (3, "PRO", "abc"),
}
COLUMN_PASSES = {
    "employees": lambda v: v >= 50,
    "plan": lambda v: v > "Pro",  # code points: "pro" and "Éco" are above, "PRO" below
    "name": lambda v: v in ("50", "1e2"),  # a text column compares the numbers it spells
}


def fit_operators(require_known: bool) -> SignalCase:
    """Account a_<value> has the value under every trait key k<i> (one operator each);
    accounts c_* carry typed columns instead. Every account has one event E (rule holds)."""
    keys = {cid: f"k{i:02d}" for i, cid in enumerate(OPERATORS)}
    where = {keys[cid]: spec for cid, (spec, _) in OPERATORS.items()}
    where.update(COLUMN_CHECKS)
    accounts: list[Row] = []
    expected: dict[str, dict[str, Any]] = {}
    for name in VALUES:
        value = VALUES[name]
        traits = {} if value is _ABSENT else {keys[cid]: value for cid in OPERATORS}
        accounts.append({"account_id": f"a_{name}", "created_at": SIGNUP, "traits": traits})
        failed = []
        for cid, (spec, matched) in OPERATORS.items():
            label = _fit_label(keys[cid], spec)
            if name in MISSING:
                if require_known:
                    failed.append(f"{label} (unknown)")
            elif name not in matched:
                failed.append(label)
        failed += [
            f"{_fit_label(k, s)} (unknown)" for k, s in COLUMN_CHECKS.items() if require_known
        ]
        expected[f"a_{name}"] = {"fit_failed": failed}
    for account, (employees, plan, title) in COLUMN_VALUES.items():
        accounts.append(
            {
                "account_id": account,
                "created_at": SIGNUP,
                "employees": employees,
                "plan": plan,
                "name": title,
            }
        )
        failed = []
        for key, value in zip(COLUMN_CHECKS, (employees, plan, title), strict=True):
            label = _fit_label(key, COLUMN_CHECKS[key])
            if value is None:
                if require_known:
                    failed.append(f"{label} (unknown)")
            elif not COLUMN_PASSES[key](value):
                failed.append(label)
        # Their traits are empty: every trait check is unknown.
        unknown = [f"{_fit_label(keys[c], s)} (unknown)" for c, (s, _) in OPERATORS.items()]
        expected[account] = {"fit_failed": (unknown if require_known else []) + failed}
    for row in expected.values():
        # Labels come in check order: the traits first, then the columns.
        row["fit_failed"] = sorted(row["fit_failed"], key=lambda label: _order(label, where))
        row["status"] = "pql" if not row["fit_failed"] else "failed_fit"
    events = _events(
        [
            (f"u_{a['account_id']}", a["account_id"], "E", SIGNUP + timedelta(hours=1), {})
            for a in accounts
        ]
    )
    config = {
        "project": "fit-operators",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": {
            "name": "fit",
            "criteria": [{"id": "any", "event": "E"}],
            "fit": {"where": where, "require_known": require_known},
        },
    }
    tables = {"accounts": accounts, "events": events, "users": [], "conversions": []}
    name = "fit_operators_known" if require_known else "fit_operators"
    return SignalCase(name, Scenario(config, tables, AS_OF), expected)


def _order(label: str, where: dict[str, Any]) -> int:
    return list(where).index(label.split(" ", 1)[0])


# ---- kinds -------------------------------------------------------------------------------

KIND_CRITERIA: list[Row] = [
    {"id": "c_ties", "event": "Click", "at_least": 2},
    {"id": "c_within", "event": "Click", "within_days": 1.5},
    {"id": "s_amount", "kind": "sum", "event": "Pay", "property": "amount", "at_least": 10},
    {
        "id": "s_eur",
        "kind": "sum",
        "event": "Pay",
        "property": "amount",
        "where": {"currency": {"in": ["EUR", "eur"]}},
        "at_least": 5,
    },
    {"id": "d_device", "kind": "distinct", "event": "Login", "property": "device", "at_least": 3},
    {"id": "u_users", "kind": "users", "event": "Login", "at_least": 2},
    {"id": "ad_login", "kind": "active_days", "event": "Login", "at_least": 3},
    {"id": "ad_any", "kind": "active_days", "at_least": 4},
    {"id": "cd_login", "kind": "consecutive_days", "event": "Login", "at_least": 3},
    {"id": "cd_any", "kind": "consecutive_days", "at_least": 2},
    {
        "id": "seq_abc",
        "kind": "sequence",
        "steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}],
    },
    {
        "id": "seq_aa",
        "kind": "sequence",
        "steps": [{"event": "A"}, {"event": "A"}],
        "within_hours": 2,
    },
    {
        "id": "seq_where",
        "kind": "sequence",
        "steps": [{"event": "A", "where": {"p": {"gte": 2}}}, {"event": "B"}],
        "within_days": 1,
    },
]


def kinds() -> SignalCase:
    """Accounts A (most kinds), B (day runs across a gap and a month end), C (converts
    before its second click), D (users through users.account_id and events.account_id)."""
    pay = [
        # (ts, amount, currency): the running sum of amount reaches 10 at 01-07 09:00
        (at(6, 9), "3", "EUR"),  # 3
        (at(6, 10), 2.5, "eur"),  # 5.5: s_eur (EUR/eur only) reaches 5 here
        (at(6, 11), " 3", "EUR"),  # not a number: 0
        (at(6, 12), True, "EUR"),  # a bool weighs 0
        (at(6, 13), {"v": 5}, "Eur"),  # an object weighs 0
        (at(6, 14), None, None),  # null weighs 0
        (at(6, 15), -2, "eur"),  # 3.5
        (at(6, 16), "4.5", "EUR"),  # 8
        (at(7, 8), 5, "Eur"),  # tie: +5 and -5 at one instant never make 13
        (at(7, 8), -5, "EUR"),  # 8
        (at(7, 9), "2e0", "EUR"),  # 10: s_amount
    ]
    rows: list[tuple[Any, ...]] = [
        ("a1", "A", "Click", at(5, 10), {}),
        ("a1", "A", "Click", at(5, 10), {}),  # a tie: the 2nd click is at 10:00 too
        *[("a1", "A", "Pay", ts, {"amount": v, "currency": c}) for ts, v, c in pay],
        ("a1", "A", "Login", at(5, 12), {"device": 3}),
        ("a1", "A", "Login", at(5, 13), {"device": 3.0}),  # the same item as 3
        ("a1", "A", "Login", at(5, 14), {"device": "3"}),  # and again
        ("a2", "A", "Login", at(6, 12), {"device": "3.0"}),  # item 2; user 2
        ("a2", "A", "Login", at(7, 12), {"device": True}),  # item 3
        ("a1", "A", "Login", at(8, 12), {"device": "true"}),  # the same item as true
        ("a1", "A", "Login", at(9, 12), {"device": None}),
        ("a1", "A", "Login", at(9, 13), {"device": {"x": 1}}),
        ("a1", "A", "A", at(10, 10), {"p": "2"}),  # "2" spells 2 >= 2
        ("a1", "A", "B", at(10, 10), {}),  # a tie with A: not after it
        ("a1", "A", "C", at(10, 11), {}),
        ("a1", "A", "B", at(10, 12), {}),
        ("a1", "A", "A", at(10, 12, 30), {"p": 1}),
        ("a1", "A", "C", at(10, 13), {}),
        ("a1", "A", "A", at(10, 14), {}),
        # B: Login days 01-28, 01-29, (gap), 01-31, 02-01, 02-02
        ("b1", "B", "Login", at(28, 10), {}),
        ("b1", "B", "Login", at(29, 10), {}),
        ("b1", "B", "Login", at(31, 23, 59), {}),
        ("b1", "B", "Login", at(1, 0, 0, month=2), {}),
        ("b1", "B", "Login", at(2, 5, 0, month=2), {}),
        ("b2", "B", "Click", at(30, 9), {}),  # another user, not a Login
        # C converts at 01-07 00:00
        ("c1", "C", "Click", at(6, 10), {}),
        ("c1", "C", "Click", at(8, 10), {}),
        # D: d1's event has no account_id (users.account_id says D); x9 is not in users
        ("d1", None, "Login", at(5, 9), {}),
        ("x9", "D", "Login", at(5, 9), {}),
    ]
    accounts = [{"account_id": a, "created_at": SIGNUP} for a in "ABCD"]
    users = [
        {"user_id": u, "account_id": u[0].upper(), "signed_up_at": SIGNUP}
        for u in ("a1", "a2", "b1", "b2", "c1", "d1")
    ]
    conversions = [{"entity_id": "C", "converted_at": at(7)}]
    config = {
        "project": "kinds",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"source": "conversions"},
        "definition": {"name": "kinds", "criteria": KIND_CRITERIA, "qualify": {"at_least": 1}},
    }
    none = {c["id"]: None for c in KIND_CRITERIA}
    expected = {
        "A": {
            "criteria": {
                **none,
                "c_ties": at(5, 10),
                "c_within": at(5, 10),
                "s_amount": at(7, 9),
                "s_eur": at(6, 10),
                "d_device": at(7, 12),
                "u_users": at(6, 12),
                "ad_login": at(7, 12),
                "ad_any": at(8, 12),
                "cd_login": at(7, 12),
                "cd_any": at(6, 9),
                "seq_abc": at(10, 13),
                "seq_aa": at(10, 14),
                "seq_where": at(10, 12),
            },
            "qualified_at": at(5, 10),
            "status": "pql",
        },
        "B": {
            "criteria": {
                **none,
                "ad_login": at(31, 23, 59),
                "ad_any": at(31, 23, 59),
                "cd_login": at(2, 5, 0, month=2),
                "cd_any": at(29, 10),
            },
            "qualified_at": at(29, 10),
        },
        "C": {
            "criteria": {**none, "c_within": at(6, 10)},
            "status": "converted_pql",
        },
        "D": {"criteria": {**none, "u_users": at(5, 9)}},
    }
    tables = {
        "accounts": accounts,
        "users": users,
        "events": _events(rows),
        "conversions": conversions,
    }
    return SignalCase("kinds", Scenario(config, tables, AS_OF), expected)


# ---- points ------------------------------------------------------------------------------


def points() -> SignalCase:
    """score 5: count (points 1, max 3), distinct (points 2), users (points 1, max 1),
    active_days of any event (points 0.5), consecutive_days (weight 1, no points)."""
    criteria = [
        {"id": "pc", "event": "Click", "points": 1, "max_points": 3},
        {"id": "pd", "kind": "distinct", "event": "Login", "property": "device", "points": 2},
        {"id": "pu", "kind": "users", "event": "Login", "points": 1, "max_points": 1},
        {"id": "pa", "kind": "active_days", "points": 0.5},
        {"id": "w", "kind": "consecutive_days", "at_least": 2},
    ]
    rows = [
        # P: clicks 1, 2, 3, 3 (capped) + day 1 (0.5) = 3.5; on 01-06 09:00 a login adds
        # 2 + 1 + 0.5 and the 2-day run 1: 8 >= 5.
        *[("p1", "P", "Click", at(5, h), {}) for h in (10, 11, 12, 13, 14)],
        ("p1", "P", "Login", at(6, 9), {"device": "x"}),
        # Q: capped clicks 3 + 0.5 on day 1; day 2 adds 0.5 and the run 1: 5.
        *[("q1", "Q", "Click", at(5, h), {}) for h in (10, 11, 12, 13)],
        ("q1", "Q", "Click", at(6, 8), {}),
        # R: two devices (4) by two users (capped 1) on day 1 (0.5): 5.5 at the second.
        ("r1", "R", "Login", at(5, 10), {"device": 1}),
        ("r2", "R", "Login", at(5, 11), {"device": "1.5"}),
        # S: one device (2), one day (0.5), one user (1), a click (1): 4.5, never 5.
        ("s1", "S", "Login", at(5, 10), {"device": "a"}),
        ("s1", "S", "Click", at(5, 11), {}),
    ]
    accounts = [{"account_id": a, "created_at": SIGNUP} for a in "PQRS"]
    config = {
        "project": "points",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": {"name": "points", "criteria": criteria, "qualify": {"score": 5}},
    }
    expected = {
        "P": {"rule_satisfied_at": at(6, 9), "qualified_at": at(6, 9)},
        "Q": {"rule_satisfied_at": at(6, 8), "qualified_at": at(6, 8)},
        "R": {"rule_satisfied_at": at(5, 11), "qualified_at": at(5, 11)},
        "S": {"rule_satisfied_at": None, "status": "not_qualified"},
    }
    tables = {"accounts": accounts, "users": [], "events": _events(rows), "conversions": []}
    return SignalCase("points", Scenario(config, tables, AS_OF), expected)


def points_on_sums() -> SignalCase:
    """score 3, min_active_days 2: a sum (points 1), a sum of refunds (points 1, max 2, so
    negative totals are not capped) and a count (points 1, max 1): the rule can stop
    holding."""
    criteria = [
        {
            "id": "ps",
            "kind": "sum",
            "event": "Pay",
            "property": "amount",
            "at_least": 1,
            "points": 1,
        },
        {
            "id": "pr",
            "kind": "sum",
            "event": "Refund",
            "property": "amount",
            "at_least": 1,
            "points": 1,
            "max_points": 2,
        },
        {"id": "pc", "event": "Click", "points": 1, "max_points": 1},
    ]
    rows = [
        # R: 5 on day 1 (holds, but one active day), 1 after a refund of the sum, 2 with
        # a click on day 2, 3.5 at 01-06 10:00: qualified then.
        ("r1", "R", "Pay", at(5, 10), {"amount": 5}),
        ("r1", "R", "Pay", at(5, 12), {"amount": -4}),
        ("r1", "R", "Click", at(6, 9), {}),
        ("r1", "R", "Pay", at(6, 10), {"amount": 1.5}),
        # S: -2 (a string), 2, 3 with a click on day 1; still 3 on day 2 at 08:00.
        ("s1", "S", "Pay", at(5, 10), {"amount": "-2"}),
        ("s1", "S", "Pay", at(5, 11), {"amount": 4}),
        ("s1", "S", "Click", at(5, 12), {}),
        ("s1", "S", "View", at(6, 8), {}),
        # T: refunds -3 (not capped below), pay 5: 2; a click on day 2: 3.
        ("t1", "T", "Refund", at(5, 10), {"amount": -3}),
        ("t1", "T", "Pay", at(5, 11), {"amount": 5}),
        ("t1", "T", "Click", at(6, 9), {}),
        # U: refunds 10 capped at 2, a click: 3 on day 1; a pay of -1 on day 2: 2, never 3
        # again.
        ("u1", "U", "Refund", at(5, 10), {"amount": 10}),
        ("u1", "U", "Click", at(5, 11), {}),
        ("u1", "U", "Pay", at(6, 9), {"amount": -1}),
    ]
    accounts = [{"account_id": a, "created_at": SIGNUP} for a in "RSTU"]
    config = {
        "project": "points-on-sums",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": {
            "name": "sums",
            "criteria": criteria,
            "qualify": {"score": 3},
            "min_active_days": 2,
        },
    }
    expected = {
        "R": {
            "rule_satisfied_at": at(5, 10),
            "active_days_satisfied_at": at(6, 9),
            "qualified_at": at(6, 10),
        },
        "S": {"rule_satisfied_at": at(5, 12), "qualified_at": at(6, 8)},
        "T": {"rule_satisfied_at": at(6, 9), "qualified_at": at(6, 9)},
        "U": {"rule_satisfied_at": at(5, 11), "qualified_at": None, "status": "not_qualified"},
    }
    tables = {"accounts": accounts, "users": [], "events": _events(rows), "conversions": []}
    return SignalCase("points_on_sums", Scenario(config, tables, AS_OF), expected)


def signal_cases() -> list[SignalCase]:
    """Every hand-made case."""
    return [
        event_operators(),
        fit_operators(require_known=False),
        fit_operators(require_known=True),
        kinds(),
        points(),
        points_on_sums(),
    ]
