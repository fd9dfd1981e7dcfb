"""Hand-made lifecycle cases (issue 17, docs/semantics.md "Lifecycle"), each a `SignalCase`
(config, canonical tables, as_of) plus the episodes worked out by hand per entity.

Every account is created 2026-01-05 00:00 (a Monday; = signup_at) with users `<id>1`,
`<id>2`; conversion event Paid; as_of 2026-03-01 unless a case says otherwise. at(d, h)
is 2026-01-d h:00 UTC; at(d, h, month=2) in February.

- `rolling_count`: an occurrence leaving at exactly o + D, a re-qualification open at as_of.
- `rolling_sum_points`: points on a rolling sum with negative values under a score rule:
  the rule stops holding, and starts holding when a negative item leaves.
- `rolling_distinct_users`: distinct values (3 and "3" one value) and users present while
  any of their occurrences is.
- `distinct_without_value`: an event without the property is no occurrence.
- `rolling_active_days`: the worked example of docs/semantics.md.
- `expiry` / `expiry_activity`: expire_after_inactive_days without and with `activity`.
- `conversion`: a conversion ends an episode (not a lapse), or comes first.
- `as_of_at_window_end`: as_of exactly at o + D.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from tests.parity.signal_cases import SignalCase, at
from tests.reference.strategies import Scenario

Row = dict[str, Any]
AS_OF = datetime(2026, 3, 1)
SIGNUP = datetime(2026, 1, 5)


def feb(day: int, hour: int = 0) -> datetime:
    return at(day, hour, month=2)


def _scenario(
    name: str, definition: Row, rows: list[tuple[str, str, datetime, Row]], as_of: datetime
) -> Scenario:
    """Accounts named by the first letters of the users in `rows` ((user, event, ts,
    properties), the account the user id without its last character)."""
    ids = itertools.count(1)
    events = [
        {
            "event_id": f"e{next(ids):04d}",
            "user_id": user,
            "account_id": user[:-1],
            "event": event,
            "ts": ts,
            "properties": properties,
        }
        for user, event, ts, properties in rows
    ]
    users = sorted({user for user, *_ in rows})
    accounts = sorted({user[:-1] for user in users})
    config = {
        "project": name,
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": {"name": name, **definition},
    }
    tables = {
        "accounts": [{"account_id": a, "created_at": SIGNUP} for a in accounts],
        "users": [{"user_id": u, "account_id": u[:-1]} for u in users],
        "events": events,
        "conversions": [],
    }
    return Scenario(config, tables, as_of)


def expect(
    episodes: list[list[datetime | None]],
    status: str,
    criteria: dict[str, datetime | None],
    rule: datetime | None,
    last_seen: datetime | None,
    next_change: datetime | None = None,
) -> dict[str, Any]:
    """The lifecycle fields of one entity; qualified_at, pql_since and lapsed_at follow
    from the episodes and the status as docs/semantics.md says."""
    return {
        "episodes": episodes,
        "status": status,
        "qualified_at": episodes[0][0] if episodes else None,
        "pql_since": episodes[-1][0] if status == "pql" else None,
        "lapsed_at": episodes[-1][1] if status == "lapsed" else None,
        "criteria": criteria,
        "rule_satisfied_at": rule,
        "last_seen_at": last_seen,
        "next_change_at": next_change,
    }


def rolling_count() -> SignalCase:
    """2 A in the last 2 days."""
    definition = {"criteria": [{"id": "r", "event": "A", "at_least": 2, "in_last_days": 2}]}
    rows = [
        # A: [06 10, 08 10) and [07 10, 09 10) overlap over [07 10, 08 10); [12 10, 14 10)
        # and [13 09, 15 09) over [13 09, 14 10).
        *[("A1", "A", t, {}) for t in (at(6, 10), at(7, 10), at(12, 10), at(13, 9))],
        # B: the second A comes exactly when the first leaves: W is never 2.
        ("B1", "A", at(6, 10), {}),
        ("B1", "A", at(8, 10), {}),
        # C: [06 12, 08 10), then from 02-28 10, open at as_of (02-27 10 leaves 03-01 10).
        *[("C1", "A", t, {}) for t in (at(6, 10), at(6, 12), feb(27, 10), feb(28, 10))],
    ]
    expected = {
        "A": expect(
            [[at(7, 10), at(8, 10)], [at(13, 9), at(14, 10)]],
            "lapsed",
            {"r": at(7, 10)},
            at(7, 10),
            at(13, 9),
        ),
        "B": expect([], "not_qualified", {"r": None}, None, at(8, 10)),
        "C": expect(
            [[at(6, 12), at(8, 10)], [feb(28, 10), None]],
            "pql",
            {"r": at(6, 12)},
            at(6, 12),
            feb(28, 10),
            next_change=at(1, 10, month=3),
        ),
    }
    scenario = _scenario("rolling-count", definition, rows, AS_OF)
    return SignalCase("rolling_count", scenario, expected)


def rolling_sum_points() -> SignalCase:
    """score 3: points 1 on the sum of `amount` over Pay in the last 3 days (negatives
    included, no cap) and points 1 (max 1) on a Click ever."""
    definition = {
        "criteria": [
            {
                "id": "s",
                "kind": "sum",
                "event": "Pay",
                "property": "amount",
                "at_least": 1,
                "in_last_days": 3,
                "points": 1,
            },
            {"id": "c", "event": "Click", "points": 1, "max_points": 1},
        ],
        "qualify": {"score": 3},
    }
    rows = [
        # R: W = 5 from 06 10, 1 from 06 12, -4 from 09 10, 0 from 09 12, 2 from 10 00, 0
        # from 13 00; the click adds 1 from 07 10: score >= 3 over [06 10, 06 12) and
        # [10 00, 13 00).
        ("R1", "Pay", at(6, 10), {"amount": 5}),
        ("R1", "Pay", at(6, 12), {"amount": -4}),
        ("R1", "Click", at(7, 10), {}),
        ("R1", "Pay", at(10), {"amount": 2}),
        # S: W = -2 from 06 10, 1 from 07 10, 3 from 09 10 (the -2 leaves), 0 from 10 10;
        # with the click: >= 3 over [09 10, 10 10), starting at an o + D.
        ("S1", "Pay", at(6, 10), {"amount": -2}),
        ("S1", "Click", at(6, 11), {}),
        ("S1", "Pay", at(7, 10), {"amount": 3}),
        # T: a numeric string 2.5 and a click: 3.5 from 02-28 01, open (leaves 03-03 00).
        ("T1", "Pay", feb(28), {"amount": "2.5"}),
        ("T1", "Click", feb(28, 1), {}),
    ]
    expected = {
        "R": expect(
            [[at(6, 10), at(6, 12)], [at(10), at(13)]],
            "lapsed",
            {"s": at(6, 10), "c": at(7, 10)},
            at(6, 10),
            at(10),
        ),
        "S": expect(
            [[at(9, 10), at(10, 10)]],
            "lapsed",
            {"s": at(7, 10), "c": at(6, 11)},
            at(9, 10),
            at(7, 10),
        ),
        "T": expect(
            [[feb(28, 1), None]],
            "pql",
            {"s": feb(28), "c": feb(28, 1)},
            feb(28, 1),
            feb(28, 1),
            next_change=at(3, month=3),
        ),
    }
    scenario = _scenario("rolling-sum-points", definition, rows, AS_OF)
    return SignalCase("rolling_sum_points", scenario, expected)


def rolling_distinct_users() -> SignalCase:
    """At least one of: 2 distinct `device` values of A in the last 2 days; 2 users
    sending A in the last 2 days."""
    definition = {
        "criteria": [
            {
                "id": "d",
                "kind": "distinct",
                "event": "A",
                "property": "device",
                "at_least": 2,
                "in_last_days": 2,
            },
            {"id": "u", "kind": "users", "event": "A", "at_least": 2, "in_last_days": 2},
        ],
        "qualify": {"at_least": 1},
    }
    rows = [
        # D: a over [06 10, 10 10) (two occurrences, no gap at 08 10), b over
        # [07 10, 09 10): 2 values over [07 10, 09 10). Later 3 and "3" are one value.
        ("D1", "A", at(6, 10), {"device": "a"}),
        ("D1", "A", at(7, 10), {"device": "b"}),
        ("D1", "A", at(8, 10), {"device": "a"}),
        ("D1", "A", at(20, 10), {"device": 3}),
        ("D1", "A", at(20, 11), {"device": "3"}),
        # U: U1 over [06 10, 10 10), U2 over [07 9, 09 9): 2 users over [07 9, 09 9); no
        # device, so no distinct value.
        ("U1", "A", at(6, 10), {}),
        ("U2", "A", at(7, 9), {}),
        ("U1", "A", at(8, 10), {}),
    ]
    expected = {
        "D": expect(
            [[at(7, 10), at(9, 10)]],
            "lapsed",
            {"d": at(7, 10), "u": None},
            at(7, 10),
            at(20, 11),
        ),
        "U": expect(
            [[at(7, 9), at(9, 9)]], "lapsed", {"d": None, "u": at(7, 9)}, at(7, 9), at(8, 10)
        ),
    }
    scenario = _scenario("rolling-distinct-users", definition, rows, AS_OF)
    return SignalCase("rolling_distinct_users", scenario, expected)


def distinct_without_value() -> SignalCase:
    """2 distinct `device` values of A in the last 2 days: an A without `device` carries no
    item, so it is no occurrence (its ts + D changes nothing)."""
    definition = {
        "criteria": [
            {
                "id": "d",
                "kind": "distinct",
                "event": "A",
                "property": "device",
                "at_least": 2,
                "in_last_days": 2,
            }
        ]
    }
    # Z: "a" leaves at 03-01 00 = as_of; the A without device would leave at 03-02 00.
    rows = [("Z1", "A", feb(27), {"device": "a"}), ("Z1", "A", feb(28), {})]
    expected = {"Z": expect([], "not_qualified", {"d": None}, None, feb(28))}
    scenario = _scenario("distinct-without-value", definition, rows, AS_OF)
    return SignalCase("distinct_without_value", scenario, expected)


def rolling_active_days() -> SignalCase:
    """docs/semantics.md's worked example: active on >= 3 of the last 7 days, each day
    measured from its own events: holds over [01-08 18:00, 01-13 22:00)."""
    definition = {
        "criteria": [{"id": "a", "kind": "active_days", "at_least": 3, "in_last_days": 7}]
    }
    times = (at(5, 10), at(6, 9), at(6, 22), at(8, 18), at(11, 8))
    rows = [("M1", "Login", t, {}) for t in times]
    expected = {
        "M": expect([[at(8, 18), at(13, 22)]], "lapsed", {"a": at(8, 18)}, at(8, 18), at(11, 8))
    }
    scenario = _scenario("rolling-active-days", definition, rows, AS_OF)
    return SignalCase("rolling_active_days", scenario, expected)


def expiry() -> SignalCase:
    """One A ever, expire_after_inactive_days 2 (activity: any event)."""
    definition = {
        "criteria": [{"id": "a", "event": "A"}],
        "expire_after_inactive_days": 2,
    }
    rows = [
        # E: active [06 10, 09 10) (Z counts as activity), again [20 10, 22 10).
        ("E1", "A", at(6, 10), {}),
        ("E1", "Z", at(7, 10), {}),
        ("E1", "Z", at(20, 10), {}),
        # O: active from 02-28 00 until 03-02 00: open.
        ("O1", "A", feb(28), {}),
    ]
    expected = {
        "E": expect(
            [[at(6, 10), at(9, 10)], [at(20, 10), at(22, 10)]],
            "lapsed",
            {"a": at(6, 10)},
            at(6, 10),
            at(20, 10),
        ),
        "O": expect([[feb(28), None]], "pql", {"a": feb(28)}, feb(28), feb(28), at(2, month=3)),
    }
    return SignalCase("expiry", _scenario("expiry", definition, rows, AS_OF), expected)


def expiry_activity() -> SignalCase:
    """One A ever, expire_after_inactive_days 2 with activity {event: B}."""
    definition = {
        "criteria": [{"id": "a", "event": "A"}],
        "expire_after_inactive_days": 2,
        "activity": {"event": "B"},
    }
    rows = [
        # F: A is no activity; B 07 10 and B 09 10 (exactly at its end): [07 10, 11 10).
        ("F1", "A", at(6, 10), {}),
        ("F1", "B", at(7, 10), {}),
        ("F1", "B", at(9, 10), {}),
        # G: no B: the rule holds, never active.
        ("G1", "A", at(6, 10), {}),
        ("G1", "A", at(7, 10), {}),
    ]
    expected = {
        "F": expect([[at(7, 10), at(11, 10)]], "lapsed", {"a": at(6, 10)}, at(6, 10), at(9, 10)),
        "G": expect([], "not_qualified", {"a": at(6, 10)}, at(6, 10), at(7, 10)),
    }
    scenario = _scenario("expiry-activity", definition, rows, AS_OF)
    return SignalCase("expiry_activity", scenario, expected)


def conversion() -> SignalCase:
    """An A in the last 5 days; conversion event Paid."""
    definition = {"criteria": [{"id": "r", "event": "A", "in_last_days": 5}]}
    rows = [
        # K: open from 06 10, the conversion at 08 10 ends it (not a lapse); the A after
        # it matches nothing but is last seen.
        ("K1", "A", at(6, 10), {}),
        ("K1", "Paid", at(8, 10), {}),
        ("K1", "A", at(9, 10), {}),
        # W: converts at the instant its A would start an episode: never a PQL.
        ("W1", "A", at(6, 10), {}),
        ("W1", "Paid", at(6, 10), {}),
        # V: lapses at 11 10, converts on 01-20: converted_pql, the lapse in episodes.
        ("V1", "A", at(6, 10), {}),
        ("V1", "Paid", at(20), {}),
    ]
    expected = {
        "K": expect(
            [[at(6, 10), at(8, 10)]], "converted_pql", {"r": at(6, 10)}, at(6, 10), at(9, 10)
        ),
        "W": expect([], "converted_without_qualifying", {"r": None}, None, at(6, 10)),
        "V": expect(
            [[at(6, 10), at(11, 10)]], "converted_pql", {"r": at(6, 10)}, at(6, 10), at(20)
        ),
    }
    return SignalCase("conversion", _scenario("conversion", definition, rows, AS_OF), expected)


def as_of_at_window_end() -> SignalCase:
    """An A in the last day; as_of 01-07 10:00, exactly one day after 01-06 10:00."""
    definition = {"criteria": [{"id": "r", "event": "A", "in_last_days": 1}]}
    as_of = at(7, 10)
    rows = [
        # G: its A leaves at as_of: the episode is closed there (a lapse at as_of).
        ("G1", "A", at(6, 10), {}),
        # H: a second A exactly at as_of = o + D: no gap, open until 01-08 10.
        ("H1", "A", at(6, 10), {}),
        ("H1", "A", at(7, 10), {}),
        # I: an A one hour later: open until 01-07 11.
        ("I1", "A", at(6, 11), {}),
    ]
    expected = {
        "G": expect([[at(6, 10), at(7, 10)]], "lapsed", {"r": at(6, 10)}, at(6, 10), at(6, 10)),
        "H": expect([[at(6, 10), None]], "pql", {"r": at(6, 10)}, at(6, 10), at(7, 10), at(8, 10)),
        "I": expect([[at(6, 11), None]], "pql", {"r": at(6, 11)}, at(6, 11), at(6, 11), at(7, 11)),
    }
    scenario = _scenario("as-of-at-window-end", definition, rows, as_of)
    return SignalCase("as_of_at_window_end", scenario, expected)


def lifecycle_cases() -> list[SignalCase]:
    """Every hand-made lifecycle case."""
    return [
        rolling_count(),
        rolling_sum_points(),
        rolling_distinct_users(),
        distinct_without_value(),
        rolling_active_days(),
        expiry(),
        expiry_activity(),
        conversion(),
        as_of_at_window_end(),
    ]
