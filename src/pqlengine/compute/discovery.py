"""Sufficient statistics for discovery: who did what in the first `window_days` after signup,
and who converted after that window (no leakage), as small histograms.

Only counts leave the database: per behaviour, how many entities reached each count, split
by converted and by overall-activity stratum. `stats` turns them into 2x2 tables.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from pqlengine.compute.bags import bag_pairs
from pqlengine.compute.behaviours import (
    MAX_PROPERTY_VALUES,
    Behaviour,
    PropertySpread,
    active_days,
    behaviour_of,
    longest_runs,
    measured,
    property_behaviours,
    property_measure,
)
from pqlengine.compute.entities import (
    AsOf,
    Only,
    entities,
    entity_events,
    to_utc_naive,
)
from pqlengine.compute.landmark import landmark_frame
from pqlengine.compute.matching import Typed, json_text
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, Population, labelled_frame
from pqlengine.config import Project
from pqlengine.stats.discovery import (
    DEFAULT_VANITY,
    SORT_RULE,
    VOLUME_STRATA,
    Candidate,
    CandidateResult,
    DiscoveryData,
    Histogram,
    candidate_record,
    evaluate,
)
from pqlengine.stats.discovery_numeric import NUMERIC_SORT_RULE, evaluate_numeric, numeric_record
from pqlengine.stats.means import Moments
from pqlengine.store import Store, Tables

EMPLOYEE_BANDS = ((1, 4, "1-4"), (5, 49, "5-49"), (50, 249, "50-249"), (250, None, "250+"))


def cohort_frame(store: Store, project: Project, as_of: datetime, window_days: int) -> ir.Table:
    """Entities whose window and conversion window both ended by `as_of`, with outcome."""
    people = entities(store, project, as_of)
    return landmark_frame(people, as_of, window_days, project.conversion_window_days)


def outcome_frame(
    store: Store, project: Project, as_of: datetime, window_days: int, outcome: Outcome
) -> tuple[ir.Table, Population]:
    """`cohort_frame` with `converted` (and `outcome_value`) set by `outcome`, narrowed to
    the entities it can be measured on (docs/semantics.md "Outcome choice in discovery")."""
    framed = cohort_frame(store, project, as_of, window_days)
    return labelled_frame(store, project, as_of, framed, outcome)


def window_events(
    store: Tables,
    project: Project,
    as_of: AsOf,
    cohort: ir.Table,
    columns: tuple[str, ...],
    only: Only = None,
) -> ir.Table:
    """The events of each cohort entity inside its window [signup_at, window_end), with
    `columns`; `only` narrows the event scan to those entities."""
    events = entity_events(store, project, as_of, columns=("ts", *columns), only=only)
    anchors = cohort.select(
        w_entity="entity_id", w_signup="signup_at", w_end="window_end", w_converted="converted"
    )
    joined = events.inner_join(anchors, events.entity_id == anchors.w_entity)
    return joined.filter(joined.ts >= joined.w_signup, joined.ts < joined.w_end)


def discovery_data(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    outcome: Outcome = CONVERTED,
) -> DiscoveryData:
    """Aggregate the histograms for every candidate behaviour."""
    return discovery_population(store, project, as_of, window_days, outcome)[0]


def discovery_population(
    store: Store, project: Project, as_of: datetime, window_days: int, outcome: Outcome
) -> tuple[DiscoveryData, Population]:
    """The histograms against `outcome`, and who the outcome was measured on."""
    framed, population = outcome_frame(store, project, as_of, window_days, outcome)
    # Materialised once: every histogram below joins it, and recomputing it would rescan
    # all events for signup and conversion times each time.
    framed = framed.cache()
    try:
        data = _histograms_for(store, project, as_of, window_days, framed, outcome.numeric)
    finally:
        framed.release()
    return data, population


def _histograms_for(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    framed: ir.Table,
    numeric: bool,
) -> DiscoveryData:
    excluded = int(framed.converted_in_window.sum().execute() or 0)
    cohort = framed.filter(~framed.converted_in_window)
    events = window_events(store, project, as_of, cohort, _event_columns(project))
    volume = events.group_by(v_entity="entity_id").agg(event_count=events.count())
    with_volume = cohort.left_join(volume, cohort.entity_id == volume.v_entity)
    with_volume = with_volume.mutate(event_count=with_volume.event_count.fill_null(0)).cache()
    strata = with_volume.select(
        s_entity="entity_id",
        stratum=_stratum(with_volume.event_count, _cut_points(with_volume)),
        s_converted="converted",
        s_value="outcome_value",
    ).cache()
    with_volume.release()
    data = DiscoveryData(
        window_days=window_days,
        eligible=_grouped(strata.group_by("s_converted", "stratum").agg(n=strata.count())),
        excluded_converted_in_window=excluded,
        eligible_moments=_moments(strata, ()).get((), Moments()) if numeric else None,
    )
    per_event = events.group_by("entity_id", "event").agg(value=events.count())
    data.events = _histograms(per_event, strata, key="event", numeric=numeric)
    # Materialised once: active days and runs of days both read it.
    days = active_days(events).cache()
    per_days = days.group_by("entity_id").agg(value=days.count())
    data.active_days = _single_histogram(per_days, strata, numeric)
    inside = _with_properties(store, project, as_of, cohort)
    pairs = bag_pairs(store, inside).cache()
    try:
        spreads = _spreads(pairs)
        data.properties = _property_pairs(pairs, spreads, strata, numeric)
        behaviours, values = window_measures(store, project, events, days, inside, spreads)
        data.measures = _measure_histograms(behaviours, values, strata, numeric)
    finally:
        pairs.release()
        days.release()
    data.traits, data.trait_moments = _traits(store, project, strata, numeric)
    strata.release()
    return data


def _event_columns(project: Project) -> tuple[str, ...]:
    """The window event columns the histograms read (user_id counts an account's users)."""
    return ("event", "user_id") if project.entity == "account" else ("event",)


def _with_properties(store: Store, project: Project, as_of: AsOf, cohort: ir.Table) -> ir.Table:
    """The window events that carry properties: entity_id, event, ts, properties."""
    inside = window_events(store, project, as_of, cohort, ("event", "properties"))
    return inside.filter(inside.properties.notnull())


def window_measures(
    store: Store,
    project: Project,
    events: ir.Table,
    days: ir.Table,
    inside: ir.Table,
    spreads: list[PropertySpread],
) -> tuple[list[Behaviour], ir.Table | None]:
    """The measures besides event counts and active days, one long table (entity_id,
    behaviour, value): users (accounts), the longest run of consecutive `days`, and the
    sums and distinct counts of the properties `spreads` marks numeric or wide."""
    parts: list[tuple[Behaviour, ir.Table]] = []
    if project.entity == "account":
        users = events.group_by("entity_id").agg(value=events.user_id.nunique())
        parts.append((Behaviour("users"), users))
    parts.append((Behaviour("consecutive_days"), longest_runs(days)))
    backend = store.capabilities
    for behaviour in property_behaviours(spreads):
        parts.append((behaviour, property_measure(inside, behaviour, backend)))
    return measured(parts)


def entity_measures(
    store: Store, project: Project, as_of: datetime, window_days: int
) -> tuple[list[Behaviour], list[dict[str, Any]]]:
    """`window_measures` for discovery's entities (window and conversion window over, not
    converted inside the window): the behaviours and rows entity_id, behaviour, value."""
    framed = cohort_frame(store, project, as_of, window_days).cache()
    try:
        cohort = framed.filter(~framed.converted_in_window)
        events = window_events(store, project, as_of, cohort, _event_columns(project))
        inside = _with_properties(store, project, as_of, cohort)
        spreads = _spreads(bag_pairs(store, inside))
        days = active_days(events)
        behaviours, values = window_measures(store, project, events, days, inside, spreads)
        rows = [] if values is None else values.to_pyarrow().to_pylist()
    finally:
        framed.release()
    return behaviours, rows


def _measure_histograms(
    behaviours: list[Behaviour], values: ir.Table | None, strata: ir.Table, numeric: bool
) -> dict[tuple[str, str | None, str | None], Histogram]:
    if values is None:
        return {}
    by_index = _histograms(values, strata, key="behaviour", numeric=numeric)
    out = {}
    for index, histogram in by_index.items():
        behaviour = behaviours[int(index)]
        if behaviour.kind != "sum":  # counts: whole numbers, written as such
            histogram = Histogram(
                {(int(v), c, s): n for (v, c, s), n in histogram.counts.items()},
                {int(v): m for v, m in histogram.moments.items()},
            )
        out[(behaviour.kind, behaviour.event, behaviour.property)] = histogram
    return out


def _spreads(pairs: ir.Table) -> list[PropertySpread]:
    """Per (event, property) of the window: distinct values, numeric values, all values."""
    number = Typed.of_column(pairs.value).as_number()
    assert number is not None
    rows = (
        pairs.group_by("event", "key")
        .agg(
            values=pairs.value.nunique(),
            numeric=number.notnull().sum(),
            total=pairs.value.notnull().sum(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    return [
        PropertySpread(
            str(r["event"]),
            str(r["key"]),
            int(r["values"]),
            int(r["numeric"] or 0),
            int(r["total"] or 0),
        )
        for r in rows
        if r["event"] is not None and r["key"] is not None
    ]


def _property_pairs(
    pairs: ir.Table, spreads: list[PropertySpread], strata: ir.Table, numeric: bool
) -> dict[tuple[str, str, str], Histogram]:
    """Entities that did event E with property K = V at least once in the window, for the
    (E, K) pairs whose property takes 2..MAX_PROPERTY_VALUES distinct values."""
    few = [(s.event, s.key) for s in spreads if 2 <= s.values <= MAX_PROPERTY_VALUES]
    if not few:
        return {}
    wanted = ibis.or_(*[(pairs.event == e) & (pairs.key == k) for e, k in few])
    kept = pairs.filter(wanted).distinct()
    joined = kept.inner_join(strata, kept.entity_id == strata.s_entity)
    rows = (
        joined.group_by("event", "key", "value", "s_converted", "stratum")
        .agg(n=joined.count())
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[tuple[str, str, str], dict[tuple[float, bool, int], int]] = defaultdict(dict)
    for row in rows:
        cell = (1, bool(row["s_converted"]), int(row["stratum"]))
        out[(row["event"], row["key"], row["value"])][cell] = int(row["n"])
    moments = _moments(joined, ("event", "key", "value")) if numeric else {}
    return {
        name: Histogram(counts, {1: moments[name]} if name in moments else {})
        for name, counts in out.items()
    }


def _cut_points(table: ir.Table) -> list[float]:
    """Quantiles of `table.event_count` splitting entities into VOLUME_STRATA strata."""
    steps = [i / VOLUME_STRATA for i in range(1, VOLUME_STRATA)]
    row = table.aggregate(**{f"q{i}": table.event_count.quantile(q) for i, q in enumerate(steps)})
    values = row.to_pyarrow().to_pylist()[0]
    return [float(v) for v in values.values() if v is not None]


def _stratum(event_count: ir.IntegerColumn, cuts: list[float]) -> ir.IntegerValue:
    """How many cut points the count exceeds: equal counts always share a stratum."""
    stratum: ir.IntegerValue = ibis.literal(0)
    for cut in cuts:
        stratum = stratum + ibis.ifelse(event_count > cut, 1, 0)
    return stratum


def _histograms(
    per_entity: ir.Table, strata: ir.Table, key: str, numeric: bool = False
) -> dict[Any, Histogram]:
    """Per `key` of `per_entity` (entity_id, key, value): entities by value, converted and
    stratum (and, for a numeric outcome, its moments by value)."""
    joined = per_entity.inner_join(strata, per_entity.entity_id == strata.s_entity)
    rows = (
        joined.group_by(key, "value", "s_converted", "stratum")
        .agg(n=joined.count())
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[Any, dict[tuple[float, bool, int], int]] = defaultdict(dict)
    for row in rows:
        cell = (row["value"], bool(row["s_converted"]), int(row["stratum"]))
        out[row[key]][cell] = int(row["n"])
    moments: dict[Any, dict[float, Moments]] = defaultdict(dict)
    if numeric:
        for (name, value), found in _moments(joined, (key, "value")).items():
            moments[name][value] = found
    return {name: Histogram(counts, moments.get(name, {})) for name, counts in out.items()}


def _moments(joined: ir.Table, keys: tuple[str, ...]) -> dict[Any, Moments]:
    """Per `keys` group of `joined` (which carries strata's s_value): the numeric outcome's
    count, sum and sum of squares; keyed by the tuple of key values."""
    value = joined.s_value
    grouped = joined.group_by(*keys) if keys else joined
    rows = (
        grouped.aggregate(n=joined.count(), total=value.sum(), squares=(value * value).sum())
        .to_pyarrow()
        .to_pylist()
    )
    return {
        tuple(row[k] for k in keys) if len(keys) != 1 else row[keys[0]]: Moments(
            int(row["n"]), float(row["total"] or 0.0), float(row["squares"] or 0.0)
        )
        for row in rows
    }


def _single_histogram(per_entity: ir.Table, strata: ir.Table, numeric: bool) -> Histogram:
    """The histogram of one per-entity `value` column."""
    keyed = per_entity.mutate(event=ibis.literal(""))
    return _histograms(keyed, strata, "event", numeric).get("", Histogram({}))


def _grouped(table: ir.Table) -> dict[tuple[bool, int], int]:
    return {
        (bool(r["s_converted"]), int(r["stratum"])): int(r["n"])
        for r in table.to_pyarrow().to_pylist()
    }


def _traits(
    store: Store, project: Project, strata: ir.Table, numeric: bool
) -> tuple[dict[tuple[str, str], dict[tuple[bool, int], int]], dict[tuple[str, str], Moments]]:
    """Segments (plan, country, employees band, free-mail domain) as 2x2 'with' groups (and,
    for a numeric outcome, its moments per segment)."""
    if project.entity == "account":
        source = store.table("accounts")
        key = source.account_id
        domain = source.domain.lower()
        employees = source.employees
    else:
        users = store.table("users")
        accounts = store.table("accounts").select(
            acc_id="account_id", acc_employees="employees", acc_plan="plan"
        )
        source = users.left_join(accounts, users.account_id == accounts.acc_id)
        key = source.user_id
        domain = source.email.re_extract(r"@([^@]+)$", 1).lower().nullif("")
        employees = source.acc_employees
    free = list(project.definition.fit.free_domains)
    band = ibis.cases(
        *[
            (
                (employees >= low) & (employees <= high) if high is not None else employees >= low,
                label,
            )
            for low, high, label in EMPLOYEE_BANDS
        ],
        else_=ibis.null("string"),
    )
    plan = source.plan if "plan" in source.columns else source.acc_plan
    segments = source.select(
        g_entity=key,
        plan=plan.cast("string"),
        country=json_text(source.traits, "country"),
        employees_band=band,
        email_domain=ibis.ifelse(
            domain.isnull(), ibis.null("string"), ibis.ifelse(domain.isin(free), "free", "company")
        ),
    )
    joined = strata.inner_join(segments, strata.s_entity == segments.g_entity)
    out: dict[tuple[str, str], dict[tuple[bool, int], int]] = {}
    moments: dict[tuple[str, str], Moments] = {}
    for name in ("plan", "country", "employees_band", "email_domain"):
        present = joined.filter(joined[name].notnull())
        if numeric:
            for value, found in _moments(
                present.mutate(t_value=present[name]), ("t_value",)
            ).items():
                moments[(name, str(value))] = found
        rows = (
            present.group_by(value=present[name], s_converted="s_converted", stratum="stratum")
            .agg(n=present.count())
            .to_pyarrow()
            .to_pylist()
        )
        for row in rows:
            cell = out.setdefault((name, str(row["value"])), {})
            cell[(bool(row["s_converted"]), int(row["stratum"]))] = int(row["n"])
    return out, moments


def discover(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    min_support: int = 25,
    vanity_pattern: str = DEFAULT_VANITY,
    outcome: Outcome = CONVERTED,
) -> dict[str, Any]:
    """Every candidate behaviour tested against `outcome` (default: later conversion), in
    the documented shape."""
    data, population = discovery_population(store, project, as_of, window_days, outcome)
    population = population.counted(data.entities)
    head: dict[str, Any] = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "window_days": window_days,
        "outcome": population.to_json(),
        "outcome_description": outcome.describe(
            f"converting within {project.conversion_window_days} days after their first "
            f"{window_days} days"
        ),
        "entities": data.entities,
        "conversions": data.conversions,
        "excluded_converted_in_window": data.excluded_converted_in_window,
        "conversion_window_days": project.conversion_window_days,
        "min_support": min_support,
    }
    if outcome.numeric:
        found = evaluate_numeric(data, min_support=min_support, vanity_pattern=vanity_pattern)
        records = [{**numeric_record(r), **_described(r.candidate, window_days)} for r in found]
        return {**head, "sort": NUMERIC_SORT_RULE, "candidates": records}
    results = evaluate(data, min_support=min_support, vanity_pattern=vanity_pattern)
    return {**head, "sort": SORT_RULE, "candidates": [_record(r, window_days) for r in results]}


def _record(result: CandidateResult, window_days: int) -> dict[str, object]:
    """The documented candidate record plus the criterion it would be (count, sum, distinct,
    users, active_days, consecutive_days within the window; None for value pairs and traits)
    and its label in words."""
    return {**candidate_record(result), **_described(result.candidate, window_days)}


def _described(candidate: Candidate, window_days: int) -> dict[str, Any]:
    """The candidate's criterion (None for value pairs and traits) and label."""
    behaviour = behaviour_of(candidate.kind, candidate.event, candidate.property)
    criterion = None
    if behaviour is not None and candidate.threshold is not None:
        criterion = behaviour.criterion(candidate.threshold, window_days)
    return {"criterion": criterion, "label": candidate_label(candidate, behaviour)}


def candidate_label(candidate: Candidate, behaviour: Behaviour | None) -> str:
    """A candidate in words: the criterion's own words, or 'E with K = V', 'plan = pro'."""
    if behaviour is not None and candidate.threshold is not None:
        return behaviour.label(candidate.threshold)
    if candidate.kind == "property":
        return f"{candidate.event} with {candidate.property} = {candidate.value}"
    return f"{candidate.property} = {candidate.value}"
