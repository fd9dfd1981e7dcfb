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
from pqlengine.compute.entities import (
    AsOf,
    Only,
    entities,
    entity_events,
    to_utc_naive,
)
from pqlengine.compute.landmark import landmark_frame
from pqlengine.compute.matching import json_text
from pqlengine.config import Project
from pqlengine.stats.discovery import (
    DEFAULT_VANITY,
    SORT_RULE,
    VOLUME_STRATA,
    DiscoveryData,
    Histogram,
    candidate_record,
    evaluate,
)
from pqlengine.store import Store, Tables

MAX_PROPERTY_VALUES = 10
EMPLOYEE_BANDS = ((1, 4, "1-4"), (5, 49, "5-49"), (50, 249, "50-249"), (250, None, "250+"))


def cohort_frame(store: Store, project: Project, as_of: datetime, window_days: int) -> ir.Table:
    """Entities whose window and conversion window both ended by `as_of`, with outcome."""
    people = entities(store, project, as_of)
    return landmark_frame(people, as_of, window_days, project.conversion_window_days)


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
    store: Store, project: Project, as_of: datetime, window_days: int
) -> DiscoveryData:
    """Aggregate the histograms for every candidate behaviour."""
    # Materialised once: every histogram below joins it, and recomputing it would rescan
    # all events for signup and conversion times each time.
    framed = cohort_frame(store, project, as_of, window_days).cache()
    try:
        return _histograms_for(store, project, as_of, window_days, framed)
    finally:
        framed.release()


def _histograms_for(
    store: Store, project: Project, as_of: datetime, window_days: int, framed: ir.Table
) -> DiscoveryData:
    excluded = int(framed.converted_in_window.sum().execute() or 0)
    cohort = framed.filter(~framed.converted_in_window)
    events = window_events(store, project, as_of, cohort, ("event",))
    volume = events.group_by(v_entity="entity_id").agg(event_count=events.count())
    with_volume = cohort.left_join(volume, cohort.entity_id == volume.v_entity)
    with_volume = with_volume.mutate(event_count=with_volume.event_count.fill_null(0)).cache()
    strata = with_volume.select(
        s_entity="entity_id",
        stratum=_stratum(with_volume.event_count, _cut_points(with_volume)),
        s_converted="converted",
    ).cache()
    with_volume.release()
    data = DiscoveryData(
        window_days=window_days,
        eligible=_grouped(strata.group_by("s_converted", "stratum").agg(n=strata.count())),
        excluded_converted_in_window=excluded,
    )
    per_event = events.group_by("entity_id", "event").agg(value=events.count())
    data.events = _histograms(per_event, strata, key="event")
    days = events.group_by("entity_id").agg(value=events.ts.truncate("D").nunique())
    data.active_days = _single_histogram(days, strata)
    if project.entity == "account":
        data.teammates = _single_histogram(_team_sizes(store, project, as_of, cohort), strata)
    data.properties = _property_pairs(store, project, as_of, cohort, strata)
    data.traits = _traits(store, project, strata)
    strata.release()
    return data


def _property_pairs(
    store: Store, project: Project, as_of: datetime, cohort: ir.Table, strata: ir.Table
) -> dict[tuple[str, str, str], Histogram]:
    """Entities that did event E with property K = V at least once in the window, for the
    (E, K) pairs whose property takes 2..MAX_PROPERTY_VALUES distinct values."""
    inside = window_events(store, project, as_of, cohort, ("event", "properties"))
    inside = inside.filter(inside.properties.notnull())
    pairs = bag_pairs(store, inside).cache()
    try:
        spread = pairs.group_by("event", "key").agg(values=pairs.value.nunique())
        few = spread.filter((spread["values"] >= 2) & (spread["values"] <= MAX_PROPERTY_VALUES))
        kept = pairs.semi_join(few, ["event", "key"]).distinct()
        joined = kept.inner_join(strata, kept.entity_id == strata.s_entity)
        rows = (
            joined.group_by("event", "key", "value", "s_converted", "stratum")
            .agg(n=joined.count())
            .to_pyarrow()
            .to_pylist()
        )
    finally:
        pairs.release()
    out: dict[tuple[str, str, str], dict[tuple[int, bool, int], int]] = defaultdict(dict)
    for row in rows:
        cell = (1, bool(row["s_converted"]), int(row["stratum"]))
        out[(row["event"], row["key"], row["value"])][cell] = int(row["n"])
    return {name: Histogram(counts) for name, counts in out.items()}


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


def _team_sizes(store: Store, project: Project, as_of: datetime, cohort: ir.Table) -> ir.Table:
    """entity_id, value = distinct users active in the window (accounts only)."""
    inside = window_events(store, project, as_of, cohort, ("user_id",))
    return inside.group_by("entity_id").agg(value=inside.user_id.nunique())


def _histograms(per_entity: ir.Table, strata: ir.Table, key: str) -> dict[str, Histogram]:
    joined = per_entity.inner_join(strata, per_entity.entity_id == strata.s_entity)
    rows = (
        joined.group_by(key, "value", "s_converted", "stratum")
        .agg(n=joined.count())
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[str, dict[tuple[int, bool, int], int]] = defaultdict(dict)
    for row in rows:
        out[row[key]][(int(row["value"]), bool(row["s_converted"]), int(row["stratum"]))] = int(
            row["n"]
        )
    return {name: Histogram(counts) for name, counts in out.items()}


def _single_histogram(per_entity: ir.Table, strata: ir.Table) -> Histogram:
    """The histogram of one per-entity `value` column."""
    keyed = per_entity.mutate(event=ibis.literal(""))
    return _histograms(keyed, strata, "event").get("", Histogram({}))


def _grouped(table: ir.Table) -> dict[tuple[bool, int], int]:
    return {
        (bool(r["s_converted"]), int(r["stratum"])): int(r["n"])
        for r in table.to_pyarrow().to_pylist()
    }


def _traits(
    store: Store, project: Project, strata: ir.Table
) -> dict[tuple[str, str], dict[tuple[bool, int], int]]:
    """Segments (plan, country, employees band, free-mail domain) as 2x2 'with' groups."""
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
    for name in ("plan", "country", "employees_band", "email_domain"):
        present = joined.filter(joined[name].notnull())
        rows = (
            present.group_by(value=present[name], s_converted="s_converted", stratum="stratum")
            .agg(n=present.count())
            .to_pyarrow()
            .to_pylist()
        )
        for row in rows:
            cell = out.setdefault((name, str(row["value"])), {})
            cell[(bool(row["s_converted"]), int(row["stratum"]))] = int(row["n"])
    return out


def discover(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    min_support: int = 25,
    vanity_pattern: str = DEFAULT_VANITY,
) -> dict[str, Any]:
    """Every candidate behaviour tested against later conversion, in the documented shape."""
    data = discovery_data(store, project, as_of, window_days)
    results = evaluate(data, min_support=min_support, vanity_pattern=vanity_pattern)
    return {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "window_days": window_days,
        "entities": data.entities,
        "conversions": data.conversions,
        "excluded_converted_in_window": data.excluded_converted_in_window,
        "conversion_window_days": project.conversion_window_days,
        "min_support": min_support,
        "sort": SORT_RULE,
        "candidates": [candidate_record(r) for r in results],
    }
