"""Properties of the oracle's lifecycle (docs/semantics.md, "Lifecycle") on random logs: the
claims the text makes (the state is constant between change instants, the period balance,
point-in-time episodes, next_change_at, one episode without the new keys) checked on the
oracle itself. The engine is compared with it once it implements issue 17."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reference.maths import next_period_start, period_start, to_naive_utc
from tests.reference.oracle import reference_metrics, reference_qualify, reference_timelines
from tests.reference.strategies import (
    Scenario,
    lifecycle_scenarios,
    scenarios,
    signal_scenarios,
)
from tests.support.examples import examples

LOGS = settings(
    max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MICRO = timedelta(microseconds=1)
PIPELINE_FIELDS = ("new", "requalified", "lapsed", "ended_by_conversion", "open_at_end")


def _as_of(scenario: Scenario) -> datetime:
    as_of = to_naive_utc(scenario.as_of)
    assert as_of is not None
    return as_of


def _near_an_event(scenario: Scenario, pick: int, hours: int) -> Scenario:
    """The scenario at an as_of `hours` after the start of one of its episodes, or of one of
    its events when it has none (the drawn as_of is often weeks after the last event, when
    every lead has lapsed long ago; open leads are what next_change_at is about)."""
    rows = reference_qualify(scenario.config, scenario.tables, scenario.as_of).values()
    times = sorted({start for row in rows for start, _ in row["episodes"]})
    if not times:
        events = scenario.tables["events"]
        times = sorted(t for t in (to_naive_utc(e["ts"]) for e in events) if t is not None)
    if not times:
        return scenario
    as_of = times[pick % len(times)] + timedelta(hours=hours)
    return Scenario(scenario.config, scenario.tables, as_of)


NEAR = {"pick": st.integers(0, 50), "hours": st.sampled_from((0, 0, 1, 6, 24))}


@LOGS
@given(drawn=lifecycle_scenarios(), **NEAR)
def test_state_is_constant_between_change_instants(drawn: Scenario, pick: int, hours: int) -> None:
    """Probing halfway and one microsecond before the next instant finds the state of the
    instant before: the list of change instants misses none."""
    scenario = _near_an_event(drawn, pick, hours)
    for entity_id, timeline in reference_timelines(
        scenario.config, scenario.tables, scenario.as_of
    ).items():
        for here, after in itertools.pairwise(timeline.change_instants()):
            state = timeline.state_at(here)
            for probe in (here + (after - here) / 2, after - MICRO):
                assert timeline.state_at(probe) == state, (entity_id, here, probe, after)


@LOGS
@given(scenario=lifecycle_scenarios(), back_hours=st.integers(0, 24 * 45))
def test_an_earlier_as_of_sees_the_same_episodes_clipped(
    scenario: Scenario, back_hours: int
) -> None:
    """Point in time: at an earlier as_of, an episode that had not ended yet is open, one
    that had not started is absent, the others are the same."""
    as_of = _as_of(scenario)
    earlier = as_of - timedelta(hours=back_hours)
    later = reference_qualify(scenario.config, scenario.tables, as_of)
    for entity_id, row in reference_qualify(scenario.config, scenario.tables, earlier).items():
        expected = [
            [start, None if end is None or end > earlier else end]
            for start, end in later[entity_id]["episodes"]
            if start <= earlier
        ]
        assert row["episodes"] == expected, entity_id


def _data_up_to(scenario: Scenario, as_of: datetime) -> dict[str, list[dict[str, Any]]]:
    """The tables without events and conversions after as_of (no new data)."""

    def upto(row: dict[str, Any], key: str) -> bool:
        moment = to_naive_utc(row[key])
        return moment is not None and moment <= as_of

    tables = dict(scenario.tables)
    tables["events"] = [e for e in tables["events"] if upto(e, "ts")]
    tables["conversions"] = [c for c in tables["conversions"] if upto(c, "converted_at")]
    return tables


@LOGS
@given(drawn=lifecycle_scenarios(), **NEAR)
def test_nothing_changes_before_next_change_at_without_new_data(
    drawn: Scenario, pick: int, hours: int
) -> None:
    """With no data after as_of, every as_of before an entity's next_change_at gives the
    same episodes and status (an open episode stays open)."""
    scenario = _near_an_event(drawn, pick, hours)
    as_of = _as_of(scenario)
    tables = _data_up_to(scenario, as_of)
    now = reference_qualify(scenario.config, tables, as_of)
    for entity_id, row in now.items():
        until = row["next_change_at"] or as_of + timedelta(days=60)
        for probe in (as_of + (until - as_of) / 2, until - MICRO):
            later = reference_qualify(scenario.config, tables, probe)[entity_id]
            assert (later["episodes"], later["status"]) == (row["episodes"], row["status"])
        if row["next_change_at"] is not None:
            # And at next_change_at it does change: an open episode ends, or one starts.
            then = reference_qualify(scenario.config, tables, until)[entity_id]
            open_now = bool(row["episodes"]) and row["episodes"][-1][1] is None
            open_then = bool(then["episodes"]) and then["episodes"][-1][1] is None
            assert open_then != open_now, (entity_id, row, then)


def _period_starts(first: datetime, last: datetime, period: str) -> list[datetime]:
    starts, begin = [], period_start(first, period)
    while begin <= last:
        starts.append(begin)
        begin = next_period_start(begin, period)
    return starts


def _label_start(label: str, period: str) -> datetime:
    if period == "month":
        return datetime(int(label[:4]), int(label[5:7]), 1)
    return datetime.fromisocalendar(int(label[:4]), int(label[6:]), 1)


@LOGS
@given(
    drawn=lifecycle_scenarios(),
    period=st.sampled_from(("week", "month")),
    by=st.booleans(),
    **NEAR,
)
def test_period_pipeline_balances(
    drawn: Scenario, period: str, by: bool, pick: int, hours: int
) -> None:
    """open_at_end(P) = open_at_end(P-1) + new + requalified - lapsed - ended_by_conversion,
    unlisted periods counting 0; new = pqls; listed rows are not all 0; the last period's
    open_at_end is the number of open PQLs."""
    scenario = _near_an_event(drawn, pick, hours)
    as_of = _as_of(scenario)
    segment = "plan" if by else None
    result = reference_metrics(
        scenario.config, scenario.tables, as_of, period=period, by=segment, pipeline=True
    )
    rows = reference_qualify(scenario.config, scenario.tables, as_of)
    by_segment: dict[Any, dict[str, dict[str, Any]]] = {}
    for row in result["pql_count_by_period"]:
        assert row["new"] == row["pqls"] and any(row[f] for f in PIPELINE_FIELDS)
        by_segment.setdefault(row["segment"], {})[row["period"]] = row
    open_total = 0
    for listed in by_segment.values():
        first = min(_label_start(label, period) for label in listed)
        open_before = 0
        for begin in _period_starts(first, as_of, period):
            label = next(iter(k for k in listed if _label_start(k, period) == begin), None)
            counts = listed[label] if label is not None else dict.fromkeys(PIPELINE_FIELDS, 0)
            moved = counts["new"] + counts["requalified"] - counts["lapsed"]
            assert counts["open_at_end"] == open_before + moved - counts["ended_by_conversion"]
            open_before = counts["open_at_end"]
        open_total += open_before
    assert open_total == sum(1 for r in rows.values() if r["status"] == "pql")


def _check_one_episode(scenario: Scenario) -> None:
    """Without the new keys and without points: at most one episode, [qualified_at,
    converted_at or open), and qualified_at = max(rule_satisfied_at, gate) before a
    conversion (docs/semantics.md, qualified_at)."""
    gated = scenario.config["definition"].get("min_active_days") is not None
    for row in reference_qualify(scenario.config, scenario.tables, scenario.as_of).values():
        candidate = row["rule_satisfied_at"]
        if gated and candidate is not None:
            days_at = row["active_days_satisfied_at"]
            candidate = None if days_at is None else max(candidate, days_at)
        converted = row["converted_at"]
        if not row["fit"] or (
            converted is not None and candidate is not None and converted <= candidate
        ):
            candidate = None
        assert row["qualified_at"] == candidate
        expected = [] if candidate is None else [[candidate, converted]]
        assert row["episodes"] == expected and row["status"] != "lapsed"


@LOGS
@given(scenario=scenarios())
def test_without_new_keys_one_episode_from_qualified_at(scenario: Scenario) -> None:
    _check_one_episode(scenario)


@LOGS
@given(scenario=signal_scenarios())
def test_signal_definitions_without_points_have_one_episode(scenario: Scenario) -> None:
    criteria = scenario.config["definition"]["criteria"]
    if not any("points" in c for c in criteria):
        _check_one_episode(scenario)
