"""Reference implementation of docs/semantics.md: plain loops over plain dicts.

Deliberately slow and literal; every function mirrors one paragraph of the semantics doc.
Choices the doc leaves open are marked "Reading:" so a disagreement with the engine can be
traced back to a sentence.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.reference.criteria import Window, evaluate, kind_of
from tests.reference.lifecycle import (
    Episode,
    Timeline,
    activity_times,
    expiry,
    last_seen_at,
    period_pipeline,
    status_of,
)
from tests.reference.matching import fit_spec_outcome, typed_column, value_matches
from tests.reference.maths import (
    days_between,
    next_period_start,
    period_label,
    period_start,
    quantile_type7,
    to_naive_utc,
    wilson_interval,
)
from tests.reference.rule import rule_satisfied_at, rule_threshold
from tests.reference.world import ACCOUNT_COLUMNS, USER_COLUMNS, Row, World, load_world

__all__ = [
    "FREE_EMAIL_DOMAINS",
    "reference_metrics",
    "reference_qualify",
    "rule_threshold",
    "value_matches",
]

FREE_EMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "hey.com",
        "fastmail.com",
        "web.de",
        "qq.com",
        "163.com",
    }
)


# ---------------------------------------------------------------------------------------
# Per-entity timestamps


def _first_named(events: list[Row], name: str) -> datetime | None:
    times = [e["ts"] for e in events if e["event"] == name]
    return min(times) if times else None


def signup_at(config: Row, world: World, entity_id: str) -> datetime | None:
    """The entity's signup_at per the `signup` setting (None: no signup)."""
    signup = config.get("signup", {"source": "accounts"})
    if isinstance(signup, str):
        signup = {"source": signup}
    events = world.events_of.get(entity_id, [])
    if signup.get("event") is not None:
        return _first_named(events, signup["event"])
    if signup.get("source") == "accounts":
        if world.entity == "account":
            account_id: str | None = entity_id
        else:
            account_id = world.user_account(entity_id)
        account = world.accounts.get(account_id) if account_id is not None else None
        if account and account.get("created_at") is not None:
            created: datetime = account["created_at"]
            return created
    if world.entity == "account":
        signed = [
            u["signed_up_at"]
            for u in world.users_of_account(entity_id)
            if u.get("signed_up_at") is not None
        ]
        if signed:
            return min(signed)
    else:
        user = world.users.get(entity_id)
        if user and user.get("signed_up_at") is not None:
            signed_up: datetime = user["signed_up_at"]
            return signed_up
    return min((e["ts"] for e in events), default=None)


def converted_at(config: Row, world: World, entity_id: str) -> datetime | None:
    """The entity's first conversion at or before as_of."""
    conversion = config.get("conversion", {"source": "conversions"})
    if conversion.get("event") is not None:
        return _first_named(world.events_of.get(entity_id, []), conversion["event"])
    times = [c["converted_at"] for c in world.conversions if c.get("entity_id") == entity_id]
    return min(times) if times else None


def active_days(
    events: list[Row], signup: datetime | None, min_active_days: int | None
) -> tuple[int, datetime | None]:
    """(number of active UTC days, earliest ts on the d-th active day or None)."""
    if signup is None:
        return 0, None
    counted = [e["ts"] for e in events if signup <= e["ts"]]
    days = sorted({ts.date() for ts in counted})
    if min_active_days is None or len(days) < min_active_days:
        return len(days), None
    # Reading: "earliest ts on the d-th day" among the counted events (ts >= signup_at).
    day = days[min_active_days - 1]
    return len(days), min(ts for ts in counted if ts.date() == day)


# ---------------------------------------------------------------------------------------
# Fit


def attribute(world: World, entity_id: str, key: str) -> Any:
    """The entity's attribute `key`: a column of its table, else traits[key]."""
    columns: tuple[str, ...]
    if world.entity == "account":
        row, columns = world.accounts.get(entity_id), ACCOUNT_COLUMNS
    else:
        row, columns = world.users.get(entity_id), USER_COLUMNS
    if row is None:
        return None
    if key in columns:
        return row.get(key)
    return row["traits"].get(key)


TIMESTAMP_COLUMNS = ("created_at", "signed_up_at")


def fit_attribute(world: World, entity_id: str, key: str) -> Any:
    """The attribute fit `where` reads: a column typed by its column (numeric: a number,
    text: a string), else the trait's JSON value; None when missing (null column, absent or
    JSON-null trait)."""
    columns = ACCOUNT_COLUMNS if world.entity == "account" else USER_COLUMNS
    if key in TIMESTAMP_COLUMNS and key in columns:
        # Reading: the text types numeric and text columns only; a timestamp column in fit
        # `where` has no stated meaning, so the oracle refuses it rather than guess.
        raise ValueError(f"fit where on timestamp column {key!r} is not specified")
    value = attribute(world, entity_id, key)
    return typed_column(key, value) if key in columns else value


def _email_domain(world: World, entity_id: str) -> str | None:
    if world.entity == "account":
        domain = attribute(world, entity_id, "domain")
    else:
        email = attribute(world, entity_id, "email")
        # Reading: an email without "@" (or with nothing after it) has no domain: unknown.
        domain = email.rsplit("@", 1)[1] if email is not None and "@" in email else None
    return domain.lower() if domain else None


def _employees(world: World, entity_id: str) -> int | None:
    if world.entity == "account":
        account_id: str | None = entity_id
    else:
        # Reading: "the user's account" is users.account_id (events' account_id not used).
        account_id = world.user_account(entity_id)
    account = world.accounts.get(account_id) if account_id is not None else None
    return account.get("employees") if account else None


def fit_passes(fit: Row | None, world: World, entity_id: str) -> bool:
    """True when no configured fit check fails (unknown passes unless require_known)."""
    fit = fit or {}
    outcomes: list[bool | None] = []  # None = value unknown
    if fit.get("exclude_free_email_domains"):
        listed = fit.get("free_email_domains")
        free = FREE_EMAIL_DOMAINS if listed is None else {d.lower() for d in listed}
        domain = _email_domain(world, entity_id)
        outcomes.append(None if domain is None else domain not in free)
    if fit.get("min_employees") is not None:
        employees = _employees(world, entity_id)
        outcomes.append(None if employees is None else employees >= fit["min_employees"])
    for key, spec in (fit.get("where") or {}).items():
        outcomes.append(fit_spec_outcome(fit_attribute(world, entity_id, key), spec))
    unknown_passes = not fit.get("require_known", False)
    return all(unknown_passes if outcome is None else outcome for outcome in outcomes)


# ---------------------------------------------------------------------------------------
# Qualification


def _check_kinds(definition: Row, entity: str) -> None:
    for criterion in definition["criteria"]:
        # Reading: `users` is "account entity only"; on a user entity the oracle refuses it
        # (the engine is expected to reject such a config).
        if kind_of(criterion) == "users" and entity != "account":
            raise ValueError(f"criterion {criterion['id']!r}: kind users needs entity account")
    expiry(definition)  # refuses the lifecycle keys' config errors


def _timeline(
    definition: Row, evaluated: list[Any], fit: bool, times: dict[str, Any], events: list[Row]
) -> Timeline | None:
    """What the entity's state depends on (None before it has signed up: no state)."""
    signup, as_of = times["signup"], times["as_of"]
    if signup is None:
        return None
    return Timeline(
        definition=definition,
        evaluated=tuple(evaluated),
        fit=fit,
        signup=signup,
        converted=times["converted"],
        days_at=times["days_at"],
        as_of=as_of,
        activity=activity_times(definition, events, signup, as_of),
    )


def qualify_one(config: Row, world: World, entity_id: str) -> Row:
    """The qualification row of one entity."""
    return _qualify_and_timeline(config, world, entity_id)[0]


def _qualify_and_timeline(config: Row, world: World, entity_id: str) -> tuple[Row, Timeline | None]:
    """The qualification row of one entity and the timeline its episodes come from."""
    definition = config["definition"]
    _check_kinds(definition, world.entity)
    events = world.events_of.get(entity_id, [])
    signup = signup_at(config, world, entity_id)
    converted = converted_at(config, world, entity_id)
    evaluated = []
    if signup is not None:  # never listed; kept total so qualify_one works on any entity
        window = Window(signup, converted, world.as_of)
        evaluated = [evaluate(c, events, window) for c in definition["criteria"]]
    criteria = {e.criterion["id"]: e.satisfied_at for e in evaluated}
    for criterion in definition["criteria"]:
        criteria.setdefault(criterion["id"], None)
    min_days = definition.get("min_active_days")
    day_count, days_at = active_days(events, signup, min_days)
    fit = fit_passes(definition.get("fit"), world, entity_id)
    times = {"signup": signup, "converted": converted, "days_at": days_at, "as_of": world.as_of}
    timeline = _timeline(definition, evaluated, fit, times, events)
    episodes: list[Episode] = [] if timeline is None else timeline.episodes()
    next_change = None if timeline is None else timeline.next_change_at()
    status = status_of(episodes, converted, fit)
    row = {
        "entity_id": entity_id,
        "signup_at": signup,
        "converted_at": converted,
        "rule_satisfied_at": rule_satisfied_at(definition, evaluated),
        "active_days_satisfied_at": days_at,
        "active_days": day_count,
        "criteria": criteria,
        "fit": fit,
        "qualified_at": episodes[0][0] if episodes else None,
        "status": status,
        "pql_since": episodes[-1][0] if status == "pql" else None,
        "lapsed_at": episodes[-1][1] if status == "lapsed" else None,
        "episodes": [[start, end] for start, end in episodes],
        "last_seen_at": last_seen_at(events),
        "next_change_at": next_change,
    }
    return row, timeline


def reference_qualify(config: Row, tables: dict[str, list[Row]], as_of: datetime) -> dict[str, Row]:
    """Qualification rows keyed by entity_id, for the entities that have signed up by as_of.

    An entity without a signup_at (no signup event at or before as_of) is not listed.
    Reading: the same holds under `signup: {source: ...}` when every fallback is missing
    (no created_at, no signed_up_at and no event).
    """
    as_of_utc = to_naive_utc(as_of)
    assert as_of_utc is not None
    world = load_world(config, tables, as_of_utc)
    result = {}
    for entity_id in world.entity_ids():
        row = qualify_one(config, world, entity_id)
        if row["signup_at"] is not None and row["signup_at"] <= as_of_utc:
            result[entity_id] = row
    return result


def reference_timelines(
    config: Row, tables: dict[str, list[Row]], as_of: datetime
) -> dict[str, Timeline]:
    """The timeline of every entity reference_qualify lists (to probe the state between
    change instants)."""
    as_of_utc = to_naive_utc(as_of)
    assert as_of_utc is not None
    world = load_world(config, tables, as_of_utc)
    found = {}
    for entity_id in world.entity_ids():
        row, timeline = _qualify_and_timeline(config, world, entity_id)
        if timeline is not None and row["signup_at"] <= as_of_utc:
            found[entity_id] = timeline
    return found


# ---------------------------------------------------------------------------------------
# Metrics


def _rate(name: str, successes: int, trials: int, notes: list[Row]) -> tuple[Any, Any]:
    if trials == 0:
        notes.append({"field": name, "code": "empty"})
        return None, None
    return successes / trials, wilson_interval(successes, trials)


def summary_row(
    rows: list[Row], config: Row, cohort: str | None, segment: str | None, complete: bool
) -> Row:
    """One metrics row over the qualification rows of a cohort (or a pool of them)."""
    observation = timedelta(days=config.get("observation_days", 30))
    window = timedelta(days=config.get("conversion_window_days", 90))
    pqls, non_pqls = [], []
    for row in rows:
        qualified = row["qualified_at"]
        if qualified is not None and qualified <= row["signup_at"] + observation:
            pqls.append(row)
        else:
            non_pqls.append(row)
    durations = [days_between(r["signup_at"], r["qualified_at"]) for r in pqls]
    converted_pqls = sum(
        1
        for r in pqls
        if r["converted_at"] is not None
        and r["qualified_at"] < r["converted_at"] <= r["qualified_at"] + window
    )
    converted_non_pqls = sum(
        1
        for r in non_pqls
        if r["converted_at"] is not None
        and r["converted_at"] <= r["signup_at"] + observation + window
    )
    notes: list[Row] = []
    pql_rate, pql_rate_ci = _rate("pql_rate", len(pqls), len(rows), notes)
    to_paid, to_paid_ci = _rate("pql_to_paid", converted_pqls, len(pqls), notes)
    non_pql, non_pql_ci = _rate("non_pql_to_paid", converted_non_pqls, len(non_pqls), notes)
    if not pqls:
        notes.append({"field": "time_to_pql_days", "code": "empty"})
    return {
        "cohort": cohort,
        "segment": segment,
        "complete": complete,
        "signups": len(rows),
        "pqls": len(pqls),
        "pql_rate": pql_rate,
        "pql_rate_ci": pql_rate_ci,
        "time_to_pql_days": {
            "median": quantile_type7(durations, 0.5),
            "p25": quantile_type7(durations, 0.25),
            "p75": quantile_type7(durations, 0.75),
        },
        "converted_pqls": converted_pqls,
        "pql_to_paid": to_paid,
        "pql_to_paid_ci": to_paid_ci,
        "non_pql_converted": converted_non_pqls,
        "non_pql_to_paid": non_pql,
        "non_pql_to_paid_ci": non_pql_ci,
        "notes": notes,
    }


def _segment_key(segment: str | None) -> tuple[int, str]:
    return (0, "") if segment is None else (1, segment)


def _grouped(
    pairs: list[tuple[tuple[str, str | None], Row]],
) -> dict[tuple[str, str | None], list[Row]]:
    groups: dict[tuple[str, str | None], list[Row]] = {}
    for key, row in pairs:
        groups.setdefault(key, []).append(row)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0][0], _segment_key(kv[0][1]))))


def reference_metrics(
    config: Row,
    tables: dict[str, list[Row]],
    as_of: datetime,
    period: str = "month",
    by: str | None = None,
    pipeline: bool = False,
) -> Row:
    """Cohort metrics, the overall row(s) and PQL counts per period, JSON-shaped.

    `pipeline`: the rows of `pql_count_by_period` also carry new, requalified, lapsed,
    ended_by_conversion and open_at_end, over the periods Lifecycle lists; False gives the
    rows of before (pqls only, periods with a qualified_at), which the engine returns until
    it implements issue 17."""
    as_of_utc = to_naive_utc(as_of)
    assert as_of_utc is not None
    qualified = reference_qualify(config, tables, as_of_utc)
    world = load_world(config, tables, as_of_utc)
    observation = timedelta(days=config.get("observation_days", 30))
    counted = list(qualified.values())
    segment_of: dict[str, str | None] = {}
    for row in counted:
        value = attribute(world, row["entity_id"], by) if by is not None else None
        segment_of[row["entity_id"]] = None if value is None else str(value)

    cohort_pairs, complete_rows = [], []
    complete_of: dict[str, bool] = {}
    for row in counted:
        start = period_start(row["signup_at"], period)
        label = period_label(start, period)
        complete_of[label] = as_of_utc >= next_period_start(start, period) + observation
        cohort_pairs.append(((label, segment_of[row["entity_id"]]), row))
        if complete_of[label]:
            complete_rows.append(row)
    cohorts = [
        summary_row(rows, config, label, segment, complete_of[label])
        for (label, segment), rows in _grouped(cohort_pairs).items()
    ]
    result: Row = {
        "as_of": as_of_utc.isoformat() + "Z",
        "definition": {"name": config["definition"]["name"]},
        "cohorts": cohorts,
        "overall": summary_row(complete_rows, config, None, None, True),
    }
    if by is not None:
        # Reading: one row per segment value present among the complete cohorts.
        by_segment: dict[str | None, list[Row]] = {}
        for row in complete_rows:
            by_segment.setdefault(segment_of[row["entity_id"]], []).append(row)
        result["overall_by_segment"] = [
            summary_row(by_segment[segment], config, None, segment, True)
            for segment in sorted(by_segment, key=_segment_key)
        ]
    if pipeline:
        counts = period_pipeline(counted, segment_of, period, as_of_utc)
        result["pql_count_by_period"] = [
            {"period": label, "segment": segment, **counts[(label, segment)]}
            for label, segment in sorted(counts, key=lambda k: (k[0], _segment_key(k[1])))
        ]
        return result
    count_pairs = [
        (
            (
                period_label(period_start(r["qualified_at"], period), period),
                segment_of[r["entity_id"]],
            ),
            r,
        )
        for r in counted
        if r["qualified_at"] is not None
    ]
    result["pql_count_by_period"] = [
        {"period": label, "segment": segment, "pqls": len(rows)}
        for (label, segment), rows in _grouped(count_pairs).items()
    ]
    return result
