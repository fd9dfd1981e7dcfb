"""Hypothesis strategies: small random event logs and pql.yaml configs.

Timestamps sit on a coarse grid (6 hours) and are often anchored at an account's
created_at plus whole days, so ties, `ts == signup_at`, `ts == signup_at + within_days`,
`ts == converted_at` and `ts == as_of` all happen often.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

GRID = timedelta(hours=6)
GRID_POINTS = 40 * 4  # ~40 days
MAX_EVENTS = 40
STARTS = (datetime(2026, 1, 1), datetime(2024, 12, 20))  # the second crosses an ISO year
# Weighted towards criterion events so that entities often qualify.
EVENT_NAMES = ("A", "A", "A", "A", "B", "B", "B", "C", "C", "Signup", "Paid")
SOURCES = ("web", "web", "web", "api", 3, 3, True, "3", "true")
DOMAINS = ("acme.com", "gmail.com", "Gmail.com", "hey.com", "corp.io", None)
PLANS = ("free", "trial", "pro", None)
PLUS_TWO = timezone(timedelta(hours=2))

Row = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """One random example: config, canonical tables and as_of."""

    config: Row
    tables: dict[str, list[Row]]
    as_of: datetime


def _presented(draw: st.DrawFn, ts: datetime | None) -> datetime | None:
    """The same instant as naive UTC, tz-aware UTC or tz-aware +02:00."""
    if ts is None:
        return None
    style = draw(st.sampled_from(("naive", "naive", "utc", "plus_two")))
    if style == "utc":
        return ts.replace(tzinfo=UTC)
    if style == "plus_two":
        return ts.replace(tzinfo=UTC).astimezone(PLUS_TWO)
    return ts


def _grid_time(draw: st.DrawFn, start: datetime) -> datetime:
    return start + GRID * draw(st.integers(0, GRID_POINTS))


def _maybe_time(draw: st.DrawFn, start: datetime) -> datetime | None:
    return draw(st.one_of(st.none(), st.builds(lambda k: start + GRID * k, st.integers(0, 60))))


def _near(draw: st.DrawFn, anchor: datetime) -> datetime | None:
    """None, or `anchor` moved by a few grid steps either way."""
    if draw(st.booleans()):
        return None
    return anchor + GRID * draw(st.integers(-4, 4))


@st.composite
def _accounts(draw: st.DrawFn, start: datetime) -> list[Row]:
    rows = []
    for index in range(draw(st.sampled_from((1, 1, 2, 2, 3, 4, 6)))):
        created_at = _maybe_time(draw, start)
        rows.append(
            {
                "account_id": f"a{index}",
                "in_table": draw(st.booleans()) or index == 0,
                "created_at": created_at,
                "anchor": created_at or _grid_time(draw, start),
                "domain": draw(st.sampled_from(DOMAINS)),
                "employees": draw(st.sampled_from((None, 3, 10, 50, 200))),
                "plan": draw(st.sampled_from(PLANS)),
                "traits": draw(
                    st.fixed_dictionaries({}, optional={"tier": st.sampled_from((1, 2, "2"))})
                ),
            }
        )
    return rows


@st.composite
def _users(draw: st.DrawFn, accounts: list[Row], start: datetime) -> list[Row]:
    rows = []
    for account in accounts:
        for index in range(draw(st.sampled_from((1, 1, 2, 3, 4)))):
            domain = draw(st.sampled_from(DOMAINS))
            traits = draw(
                st.fixed_dictionaries({}, optional={"plan": st.sampled_from(("free", "pro"))})
            )
            rows.append(
                {
                    "user_id": f"u{account['account_id']}{index}",
                    "account": account["account_id"],
                    # Users without a users row only exist through their events.
                    "in_table": draw(st.integers(0, 4)) > 0,
                    "account_in_users": draw(st.integers(0, 5)) > 0,
                    "email": None if domain is None else f"p{index}@{domain}",
                    "signed_up_at": _near(draw, account["anchor"]),
                    "traits": traits,
                }
            )
    return rows


def _event_time(draw: st.DrawFn, account: Row, start: datetime) -> datetime:
    """Mostly whole days (plus a grid step or not) after the account's anchor time."""
    if draw(st.integers(0, 3)) == 0:
        return _grid_time(draw, start)
    days = timedelta(days=draw(st.integers(0, 8)))
    # Sometimes one microsecond early: just inside a half-open window, just before a tie.
    early = timedelta(microseconds=draw(st.sampled_from((0, 0, 0, 1))))
    return account["anchor"] + days + GRID * draw(st.sampled_from((0, 0, 1, 2))) - early


def _event(draw: st.DrawFn, event_id: str, user: Row, account: Row, start: datetime) -> Row:
    # A user whose account is only known from the users table sends no account_id.
    carries_account = not (user["in_table"] and user["account_in_users"]) or draw(st.booleans())
    source = draw(st.sampled_from((*SOURCES, None)))
    return {
        "event_id": event_id,
        "user_id": user["user_id"],
        "account_id": user["account"] if carries_account else None,
        "event": draw(st.sampled_from(EVENT_NAMES)),
        "ts": _event_time(draw, account, start),
        "properties": {} if source is None else {"source": source},
    }


@st.composite
def _events(
    draw: st.DrawFn,
    users: list[Row],
    accounts: list[Row],
    start: datetime,
    make: Callable[..., Row] | None = None,
    per_user: int = 10,
) -> list[Row]:
    """Up to MAX_EVENTS events, up to `per_user` per user, then exact duplicates of a few;
    `make` draws one event (default `_event`)."""
    make = make or _event
    by_id = {a["account_id"]: a for a in accounts}
    rows: list[Row] = []
    for user in users:
        for _ in range(draw(st.integers(0, per_user))):
            if len(rows) < MAX_EVENTS:
                account = by_id[user["account"]]
                rows.append(make(draw, f"e{len(rows)}", user, account, start))
    duplicates = draw(st.lists(st.sampled_from(rows), max_size=4)) if rows else []
    return rows + [dict(row) for row in duplicates]


@st.composite
def _conversions(draw: st.DrawFn, users: list[Row], accounts: list[Row], start: datetime) -> list:
    ids = [a["account_id"] for a in accounts] + [u["user_id"] for u in users]
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        rows.append(
            {
                "entity_id": draw(st.sampled_from(ids)),
                "converted_at": _grid_time(draw, start),
                "amount": 10.0,
                "plan": "pro",
            }
        )
    unique = {(r["entity_id"], r["converted_at"]): r for r in rows}
    return list(unique.values())


@st.composite
def _criterion(draw: st.DrawFn, index: int) -> Row:
    criterion: Row = {
        "id": f"c{index}",
        "event": draw(st.sampled_from(("A", "A", "A", "B", "B", "C", "Signup", "Paid"))),
        "at_least": draw(st.sampled_from((1, 1, 2, 3))),
    }
    within_days = draw(st.sampled_from((None, None, 1, 2, 3, 5, 1.5)))
    if within_days is not None:
        criterion["within_days"] = within_days
    where = draw(st.sampled_from((None, None, None, None, "web", 3, True, "3", ("web", "api"))))
    if where is not None:
        criterion["where"] = {"source": list(where) if isinstance(where, tuple) else where}
    criterion["weight"] = draw(st.sampled_from((0.5, 1.0, 2.0)))
    return criterion


@st.composite
def _rule(draw: st.DrawFn, criteria: list[Row]) -> Any:
    kind = draw(st.sampled_from(("all", "at_least", "fraction", "score")))
    if kind == "all":
        return "all"
    if kind == "at_least":
        return {"at_least": draw(st.integers(1, len(criteria)))}
    if kind == "fraction":
        return {"fraction": draw(st.sampled_from((0.25, 0.5, 0.7, 1.0)))}
    total = sum(c["weight"] for c in criteria)
    return {"score": draw(st.sampled_from([s for s in (0.5, 1.0, 2.0, 2.5, 3.0) if s <= total]))}


@st.composite
def _fit(draw: st.DrawFn) -> Row | None:
    if draw(st.integers(0, 2)) > 0:
        return None
    fit: Row = {"require_known": draw(st.integers(0, 3)) == 0}
    if draw(st.booleans()):
        fit["exclude_free_email_domains"] = True
        if draw(st.integers(0, 3)) == 0:
            fit["free_email_domains"] = ["acme.com"]
    if draw(st.booleans()):
        fit["min_employees"] = draw(st.sampled_from((5, 50)))
    where = draw(st.sampled_from((None, {"plan": "pro"}, {"plan": ["free", "trial"]}, {"tier": 2})))
    if where is not None:
        fit["where"] = where
    return fit


def _gate_and_fit(draw: st.DrawFn, definition: Row, fit_strategy: Any) -> None:
    """Draw min_active_days, then fit, into `definition` (in that order: the examples
    drawn depend on it)."""
    min_active_days = draw(st.sampled_from((None, None, 1, 2, 3)))
    if min_active_days is not None:
        definition["min_active_days"] = min_active_days
    fit = draw(fit_strategy)
    if fit is not None:
        definition["fit"] = fit


@st.composite
def configs(draw: st.DrawFn) -> Row:
    """A valid pql.yaml-shaped dict."""
    criteria = [draw(_criterion(i)) for i in range(draw(st.sampled_from((1, 1, 2, 2, 3, 4))))]
    definition: Row = {"name": "d", "criteria": criteria, "qualify": draw(_rule(criteria))}
    _gate_and_fit(draw, definition, _fit())
    return {
        "project": "p",
        "entity": draw(st.sampled_from(("account", "user"))),
        "signup": draw(
            st.sampled_from(({"source": "accounts"}, {"source": "users"}, {"event": "Signup"}))
        ),
        "conversion": draw(st.sampled_from(({"event": "Paid"}, {"source": "conversions"}))),
        "observation_days": draw(st.integers(1, 14)),
        "conversion_window_days": draw(st.integers(1, 20)),
        "definition": definition,
    }


def _table_rows(draw: st.DrawFn, accounts: list[Row], users: list[Row]) -> dict[str, list[Row]]:
    account_rows = [
        {
            "account_id": a["account_id"],
            "name": a["account_id"].upper(),
            "domain": a["domain"],
            "employees": a["employees"],
            "plan": a["plan"],
            "created_at": _presented(draw, a["created_at"]),
            "traits": a["traits"],
        }
        for a in accounts
        if a["in_table"]
    ]
    user_rows = [
        {
            "user_id": u["user_id"],
            "account_id": u["account"] if u["account_in_users"] else None,
            "email": u["email"],
            "signed_up_at": _presented(draw, u["signed_up_at"]),
            "traits": u["traits"],
        }
        for u in users
        if u["in_table"]
    ]
    return {"accounts": account_rows, "users": user_rows}


def _draw_scenario(
    draw: st.DrawFn,
    config: st.SearchStrategy[Row],
    accounts_of: Callable[[datetime], st.SearchStrategy[list[Row]]] = _accounts,
    users_of: Callable[[list[Row], datetime], st.SearchStrategy[list[Row]]] = _users,
    make_event: Callable[..., Row] | None = None,
    per_user: int = 10,
) -> Scenario:
    """A config, a small event log with users/accounts/conversions, and an as_of."""
    start = draw(st.sampled_from(STARTS))
    accounts = draw(accounts_of(start))
    users = draw(users_of(accounts, start))
    events = draw(_events(users, accounts, start, make_event, per_user))
    conversions = draw(_conversions(users, accounts, start))
    tables = _table_rows(draw, accounts, users)
    tables["events"] = [{**e, "ts": _presented(draw, e["ts"])} for e in events]
    tables["conversions"] = [
        {**c, "converted_at": _presented(draw, c["converted_at"])} for c in conversions
    ]
    times = [e["ts"] for e in events] or [start]
    late = start + timedelta(days=50) + GRID * draw(st.integers(0, 120))
    as_of = draw(
        st.sampled_from((late, late, _grid_time(draw, start), draw(st.sampled_from(times))))
    )
    return Scenario(config=draw(config), tables=tables, as_of=_presented(draw, as_of) or as_of)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A config, a small event log with users/accounts/conversions, and an as_of."""
    return _draw_scenario(draw, configs())


@st.composite
def repeated_scenarios(draw: st.DrawFn) -> Scenario:
    """A scenario whose event log also repeats some event_ids with other contents, as a
    user's warehouse table may: copies earlier or later (or at the same instant under
    another name), placed anywhere in the log, so that the first row of an id is not
    always its earliest."""
    scenario = draw(scenarios())
    events = list(scenario.tables["events"])
    if not events:
        return scenario
    for original in draw(st.lists(st.sampled_from(events), max_size=6)):
        shift = draw(st.sampled_from((-3 * 24, -1, 0, 1, 2 * 24)))
        name = draw(st.sampled_from(EVENT_NAMES))
        if shift == 0 and name == original["event"]:
            name = "Other"  # a copy at the same instant differs in its name, nothing else
        copy = {**original, "event": name, "ts": original["ts"] + timedelta(hours=shift)}
        events.insert(draw(st.integers(0, len(events))), copy)
    return Scenario(scenario.config, {**scenario.tables, "events": events}, scenario.as_of)


ID_FIELDS = ("account_id", "user_id", "event_id", "entity_id")
LOGS_PER_BATCH = 3


def log_prefix(index: int) -> str:
    """The prefix of every id of log `index` in a batch."""
    return f"L{index}-"


def _prefixed(tables: dict[str, list[Row]], index: int) -> dict[str, list[Row]]:
    """The tables with every id (account, user, event, converting entity) prefixed."""
    prefix = log_prefix(index)
    return {
        name: [
            {k: prefix + v if k in ID_FIELDS and isinstance(v, str) else v for k, v in row.items()}
            for row in rows
        ]
        for name, rows in tables.items()
    }


@dataclass(frozen=True)
class Batch:
    """Random logs sharing one config and as_of, their ids prefixed by log index (so no id
    is in two logs): one store can hold them all and one compiled query serve them all."""

    logs: tuple[Scenario, ...]

    @property
    def union(self) -> Scenario:
        """All logs as one scenario."""
        first = self.logs[0]
        tables = {
            name: [row for log in self.logs for row in log.tables[name]] for name in first.tables
        }
        return Scenario(config=first.config, tables=tables, as_of=first.as_of)


def _draw_batch(draw: st.DrawFn, logs: st.SearchStrategy[Scenario]) -> Batch:
    """1 to LOGS_PER_BATCH logs drawn from `logs`, under the first log's config and as_of."""
    first = draw(logs)
    more = draw(st.lists(logs, max_size=LOGS_PER_BATCH - 1))
    return Batch(
        logs=tuple(
            Scenario(first.config, _prefixed(log.tables, index), first.as_of)
            for index, log in enumerate([first, *more])
        )
    )


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    """1 to LOGS_PER_BATCH random logs under the first log's config and as_of."""
    return _draw_batch(draw, scenarios())


# ---------------------------------------------------------------------------------------
# Signals (issue 16): criteria of every kind, where operators, points. Kept apart from the
# strategies above so that those keep drawing exactly what they drew.

PROPERTY_KEYS = ("n", "n", "s", "tag")
# Numbers exactly representable in binary (integers, halves, quarters) so that float sums
# are exact on every backend, and no non-integral number below 1e-4 or above 1e15 (its
# text differs between backends).
PROPERTY_VALUES: tuple[Any, ...] = (
    *(0, 1, 1, 1, 2, 2, 2, 3, 3, 3, -1, -2, 2.5, 2.5, 0.5, 0.75, -0.25, 3.0, 100),
    *("3", "2.5", "3.0", " 3", "1e2", "-1", "0.25"),
    *("web", "api", "Web", "true", "x3", ""),
    *(True, False, None, {"n": 3}, [3]),
)
SCALAR_OPERANDS: tuple[Any, ...] = (3, 2.5, -1, "3", "web", "true", True, False)
NUMBER_OPERANDS: tuple[Any, ...] = (0, 1, 2.5, 3, -1, 100)
TEXT_OPERANDS: tuple[Any, ...] = ("3", "m", "web", "Web")
LIST_OPERANDS: tuple[list[Any], ...] = ([3, "web"], [2.5, True], ["3.0", -1], ["api"])
CONTAINS_OPERANDS = ("e", "3", "W", "we")
SIGNAL_KINDS = ("count", "sum", "distinct", "users", "active_days", "consecutive_days", "sequence")
POINT_KINDS = ("count", "sum", "distinct", "users", "active_days")
FIT_KEYS = ("employees", "plan", "domain", "name", "email", "tier", "seats", "region")
SEATS = (5, "5", 2.5, "2.5", "x", True, None, {"a": 1}, [1])  # None: a JSON-null trait
REGIONS = ("US", "DE", "us", None)


def _signal_event(draw: st.DrawFn, event_id: str, user: Row, account: Row, start: datetime) -> Row:
    """An event whose properties draw from keys shared with the criteria: numbers, numeric
    strings, other strings, bools, JSON null, nested values, or nothing."""
    event = _event(draw, event_id, user, account, start)
    keys = [key for key in PROPERTY_KEYS[1:] if draw(st.integers(0, 2)) > 0]
    event["properties"] = {key: draw(st.sampled_from(PROPERTY_VALUES)) for key in keys}
    return event


def _with_traits(rows: list[Row], draw: st.DrawFn) -> list[Row]:
    """The rows with traits `seats` and `region` sometimes added (JSON null included)."""
    for row in rows:
        extra = draw(
            st.fixed_dictionaries(
                {}, optional={"seats": st.sampled_from(SEATS), "region": st.sampled_from(REGIONS)}
            )
        )
        row["traits"] = {**row["traits"], **extra}
    return rows


@st.composite
def _signal_accounts(draw: st.DrawFn, start: datetime) -> list[Row]:
    return _with_traits(draw(_accounts(start)), draw)


@st.composite
def _signal_users(draw: st.DrawFn, accounts: list[Row], start: datetime) -> list[Row]:
    return _with_traits(draw(_users(accounts, start)), draw)


@st.composite
def _where_spec(draw: st.DrawFn) -> Any:
    """A scalar, a list, or a one-operator map with every operator."""
    form = draw(st.sampled_from(("scalar", "list", "eq", "ne", "compare", "in", "not_in")))
    if form == "scalar":
        return draw(st.sampled_from(SCALAR_OPERANDS))
    if form == "list":
        return list(draw(st.sampled_from(LIST_OPERANDS)))
    if form in ("eq", "ne"):
        return {form: draw(st.sampled_from(SCALAR_OPERANDS))}
    if form in ("in", "not_in"):
        return {form: list(draw(st.sampled_from(LIST_OPERANDS)))}
    operator = draw(st.sampled_from(("gt", "gte", "lt", "lte", "contains", "exists")))
    if operator == "contains":
        return {"contains": draw(st.sampled_from(CONTAINS_OPERANDS))}
    if operator == "exists":
        return {"exists": draw(st.booleans())}
    return {operator: draw(st.sampled_from(NUMBER_OPERANDS + TEXT_OPERANDS))}


@st.composite
def _where(draw: st.DrawFn, keys: tuple[str, ...]) -> Row | None:
    """None (most often), or one or two entries on distinct keys."""
    if draw(st.integers(0, 2)) > 0:
        return None
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True))
    return {key: draw(_where_spec()) for key in chosen}


def _steps(draw: st.DrawFn) -> list[Row]:
    steps = []
    for _ in range(draw(st.sampled_from((2, 2, 3)))):
        step: Row = {"event": draw(st.sampled_from(("A", "A", "B", "B", "C")))}
        where = draw(_where(PROPERTY_KEYS)) if draw(st.integers(0, 2)) == 0 else None
        if where is not None:
            step["where"] = where
        steps.append(step)
    return steps


@st.composite
def _signal_criterion(draw: st.DrawFn, index: int, entity: str, scored: bool) -> Row:
    kinds = [k for k in SIGNAL_KINDS if entity == "account" or k != "users"]
    kind = draw(st.sampled_from(kinds))
    criterion: Row = {"id": f"c{index}"}
    if kind != "count" or draw(st.booleans()):  # `kind: count` written out or not
        criterion["kind"] = kind
    if kind == "sequence":
        criterion["steps"] = _steps(draw)
        bound = draw(st.sampled_from(("none", "hours", "days")))
        if bound == "hours":
            criterion["within_hours"] = draw(st.sampled_from((6, 24, 48, 96, 144)))
        elif bound == "days":
            criterion["within_days"] = draw(st.sampled_from((0.5, 1, 3, 5)))
        criterion["weight"] = draw(st.sampled_from((0.5, 1.0, 2.0)))
        return criterion
    optional_event = kind in ("users", "active_days", "consecutive_days")
    if not optional_event or draw(st.integers(0, 2)) > 0:
        criterion["event"] = draw(st.sampled_from(("A", "A", "A", "B", "B", "C", "Signup")))
    if kind == "sum":
        criterion["at_least"] = draw(st.sampled_from((0.5, 1, 1, 2, 2.5, 3, 100)))
    else:
        criterion["at_least"] = draw(st.sampled_from((1, 1, 2, 3)))
    if kind in ("sum", "distinct"):  # `n` is the key events carry most often
        criterion["property"] = draw(st.sampled_from(PROPERTY_KEYS))
    within_days = draw(st.sampled_from((None, None, None, None, None, 1, 2, 5, 1.5)))
    if within_days is not None:
        criterion["within_days"] = within_days
    where = draw(_where(PROPERTY_KEYS))
    if where is not None:
        criterion["where"] = where
    if scored and kind in POINT_KINDS and draw(st.booleans()):
        criterion["points"] = draw(st.sampled_from((0.5, 1, 2)))
        cap = draw(st.sampled_from((None, 1, 2, 3.5)))
        if cap is not None:
            criterion["max_points"] = cap
    else:
        criterion["weight"] = draw(st.sampled_from((0.5, 1.0, 2.0)))
    return criterion


@st.composite
def _fit_spec(draw: st.DrawFn) -> Any:
    """Fit operands that reach columns and traits: numbers, text, sizes and existence."""
    tailored = draw(
        st.sampled_from(
            (
                {"gte": 50},
                {"lt": 10},
                {"gt": 2.5},
                {"in": ["pro", "free"]},
                {"not_in": ["pro"]},
                {"ne": "US"},
                {"contains": "acme"},
                {"gt": "m"},
                {"exists": True},
                {"exists": False},
                "5",
                5,
            )
        )
    )
    return tailored if draw(st.booleans()) else draw(_where_spec())


@st.composite
def _signal_fit(draw: st.DrawFn) -> Row | None:
    if draw(st.integers(0, 2)) > 0:
        return None
    fit: Row = {"require_known": draw(st.integers(0, 2)) == 0}
    if draw(st.integers(0, 3)) == 0:
        fit["exclude_free_email_domains"] = True
    if draw(st.integers(0, 3)) == 0:
        fit["min_employees"] = draw(st.sampled_from((5, 50)))
    keys = draw(st.lists(st.sampled_from(FIT_KEYS), min_size=1, max_size=2, unique=True))
    fit["where"] = {key: draw(_fit_spec()) for key in keys}
    return fit


def _most_points(criterion: Row) -> float:
    """The most a criterion can add to a score."""
    if "points" not in criterion:
        return float(criterion.get("weight", 1))
    return float(criterion.get("max_points", math.inf))


@st.composite
def signal_configs(draw: st.DrawFn) -> Row:
    """A valid pql.yaml-shaped dict whose criteria are of every kind (issue 16)."""
    entity = draw(st.sampled_from(("account", "user")))
    n = draw(st.sampled_from((1, 2, 2, 3, 4)))
    rule_kind = draw(st.sampled_from(("all", "at_least", "fraction", "score", "score")))
    scored = rule_kind == "score"
    criteria = [draw(_signal_criterion(i, entity, scored)) for i in range(n)]
    rule: Any = "all"
    if rule_kind == "at_least":
        rule = {"at_least": draw(st.integers(1, n))}
    elif rule_kind == "fraction":
        rule = {"fraction": draw(st.sampled_from((0.25, 0.5, 0.7, 1.0)))}
    elif scored:
        # A score no contribution can reach is a config error: at most the weights plus
        # max_points (unbounded with points and no max_points).
        reachable = sum(_most_points(c) for c in criteria)
        scores = [s for s in (0.5, 1.0, 2.0, 2.5, 3.0, 5.0) if s <= reachable]
        rule = {"score": draw(st.sampled_from(scores))}
    definition: Row = {"name": "d", "criteria": criteria, "qualify": rule}
    _gate_and_fit(draw, definition, _signal_fit())
    return {
        "project": "p",
        "entity": entity,
        "signup": draw(
            st.sampled_from(({"source": "accounts"}, {"source": "users"}, {"event": "Signup"}))
        ),
        "conversion": draw(st.sampled_from(({"event": "Paid"}, {"source": "conversions"}))),
        "observation_days": draw(st.integers(1, 14)),
        "conversion_window_days": draw(st.integers(1, 20)),
        "definition": definition,
    }


@st.composite
def signal_scenarios(draw: st.DrawFn) -> Scenario:
    """A signal config and a log whose events carry the properties its criteria read."""
    return _draw_scenario(
        draw,
        signal_configs(),
        _signal_accounts,
        _signal_users,
        make_event=_signal_event,
        per_user=16,
    )


@st.composite
def signal_batches(draw: st.DrawFn) -> Batch:
    """Like `batches()`, with signal configs and logs."""
    return _draw_batch(draw, signal_scenarios())


# ---------------------------------------------------------------------------------------
# Lifecycle (issue 17): rolling windows and expiry, drawn after everything a signal config
# draws, so that signal_configs() and the strategies above keep drawing the same examples.

ROLLING_DAYS = (0.5, 1, 1.5, 2, 3, 7)
EXPIRY_DAYS = (None, None, 0.25, 1, 2, 3.5, 7)
ACTIVITY_EVENTS = (None, None, "A", "B", "Never Sent")  # an X no event carries is valid


@st.composite
def lifecycle_configs(draw: st.DrawFn) -> Row:
    """A signal config with `in_last_days` on some counting criteria and, or not,
    `expire_after_inactive_days` with or without `activity`."""
    config = draw(signal_configs())
    definition = config["definition"]
    if draw(st.booleans()):
        # Looser: episodes (and so lapses and re-qualifications) are common, not rare.
        definition.pop("fit", None)
        definition.pop("min_active_days", None)
        if not isinstance(definition["qualify"], dict) or "score" not in definition["qualify"]:
            definition["qualify"] = {"at_least": 1}
    for criterion in definition["criteria"]:
        if criterion.get("kind", "count") in POINT_KINDS and draw(st.integers(0, 2)) > 0:
            criterion["in_last_days"] = draw(st.sampled_from(ROLLING_DAYS))
    expire = draw(st.sampled_from(EXPIRY_DAYS))
    if expire is not None:
        definition["expire_after_inactive_days"] = expire
        activity = draw(st.sampled_from(ACTIVITY_EVENTS))
        if activity is not None:
            definition["activity"] = {"event": activity}
    return config


@st.composite
def lifecycle_scenarios(draw: st.DrawFn) -> Scenario:
    """A lifecycle config and a signal log (not wired to the engine yet: issue 17)."""
    return _draw_scenario(
        draw,
        lifecycle_configs(),
        _signal_accounts,
        _signal_users,
        make_event=_signal_event,
        per_user=16,
    )


@st.composite
def lifecycle_batches(draw: st.DrawFn) -> Batch:
    """Like `batches()`, with lifecycle configs and signal logs."""
    return _draw_batch(draw, lifecycle_scenarios())
