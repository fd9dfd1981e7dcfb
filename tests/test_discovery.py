"""Discovery: no leakage, exact output shape, statistics that match SciPy, and the demo's
ground truth (causal behaviours rank above vanity and merely-correlated ones)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import chi2_contingency, fisher_exact

from pqlengine.compute.discovery import discover, discovery_data
from pqlengine.config import Project, load_project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.support.config import base_config
from tests.support.demo import DemoProjects

FIELDS = [
    "kind",
    "event",
    "property",
    "value",
    "threshold",
    "with_converted",
    "with_total",
    "without_converted",
    "without_total",
    "rate_with",
    "rate_with_ci",
    "rate_without",
    "rate_without_ci",
    "lift",
    "odds_ratio",
    "odds_ratio_ci",
    "p_value",
    "test",
    "q_value",
    "support",
    "precision",
    "recall",
    "phi",
    "flags",
    "criterion",
    "label",
]
T0 = datetime(2026, 1, 1)


@pytest.fixture(scope="module")
def demo_result(demo_projects: DemoProjects) -> tuple[dict[str, Any], Path]:
    directory = demo_projects.shared(2000, 7).out_dir
    project = load_project(directory)
    store = Store.for_project(project)
    try:
        result = discover(store, project, datetime(2026, 11, 1), window_days=14)
    finally:
        store.close()
    return result, directory


def test_every_candidate_has_exactly_the_documented_fields(
    demo_result: tuple[dict[str, Any], Path],
) -> None:
    result, _ = demo_result
    assert {"as_of", "window_days", "entities", "conversions", "candidates"} <= set(result)
    kinds = set()
    for candidate in result["candidates"]:
        assert list(candidate) == FIELDS
        assert candidate["with_total"] + candidate["without_total"] == result["entities"]
        assert candidate["with_converted"] + candidate["without_converted"] == result["conversions"]
        kinds.add(candidate["kind"])
    assert kinds == {"event", "active_days", "users", "consecutive_days", "property", "trait"}


def test_p_values_match_scipy(demo_result: tuple[dict[str, Any], Path]) -> None:
    result, _ = demo_result
    checked = 0
    for candidate in result["candidates"]:
        if candidate["p_value"] is None:
            continue
        a, b = candidate["with_converted"], candidate["with_total"] - candidate["with_converted"]
        c = candidate["without_converted"]
        d = candidate["without_total"] - c
        if candidate["test"] == "fisher":
            expected = fisher_exact([[a, b], [c, d]]).pvalue
        else:
            expected = chi2_contingency([[a, b], [c, d]], correction=False).pvalue
        assert candidate["p_value"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        checked += 1
    assert checked > 50


def test_causal_behaviours_rank_above_vanity_and_correlated(
    demo_result: tuple[dict[str, Any], Path],
) -> None:
    result, directory = demo_result
    truth = json.loads((directory / "ground_truth.json").read_text())["behaviours"]
    best_rank: dict[str, int] = {}
    for rank, candidate in enumerate(result["candidates"]):
        if candidate["kind"] == "event" and "low_support" not in candidate["flags"]:
            best_rank.setdefault(candidate["event"], rank)
    causal = [name for name, b in truth.items() if b["role"] == "causal"]
    others = [name for name, b in truth.items() if b["role"] in ("vanity", "correlated")]
    assert len(causal) == 3 and len(others) >= 5
    assert max(best_rank[n] for n in causal) < min(best_rank[n] for n in others if n in best_rank)
    for candidate in result["candidates"]:
        if candidate["event"] in ("Page Viewed", "Logged In", "Session Started"):
            assert "vanity" in candidate["flags"]


def test_low_support_is_listed_but_not_ranked(demo_result: tuple[dict[str, Any], Path]) -> None:
    result, _ = demo_result
    flags = [("low_support" in c["flags"]) for c in result["candidates"]]
    assert any(flags)
    first_low = flags.index(True)
    assert all(flags[first_low:])  # all of them at the end
    for candidate in result["candidates"][first_low:]:
        assert candidate["q_value"] is None and candidate["p_value"] is None


def _store_with(events: list[tuple[str, str, datetime]], accounts: list[str]) -> Store:
    store = Store.open(":memory:")
    ingest_records(store, "accounts", [{"account_id": a, "created_at": T0} for a in accounts])
    ingest_records(store, "users", [{"user_id": f"u{a}", "account_id": a} for a in accounts])
    ingest_records(
        store,
        "events",
        [
            {"event_id": f"e{i}", "user_id": f"u{a}", "event": name, "ts": ts}
            for i, (a, name, ts) in enumerate(events)
        ],
    )
    return store


def test_no_leakage_window_and_outcome() -> None:
    day = timedelta(days=1)
    events = [
        ("a", "X", T0 + day),
        ("a", "Paid", T0 + 20 * day),  # did X in window, paid after
        ("b", "X", T0 + 15 * day),
        ("b", "Paid", T0 + 20 * day),  # X after the window
        ("c", "X", T0 + day),
        ("c", "Paid", T0 + 5 * day),  # paid inside: left out
        ("d", "Y", T0 + day),
        ("e", "X", T0 + day),
        ("e", "Paid", T0 + 200 * day),  # paid after the horizon
    ]
    store = _store_with(events, ["a", "b", "c", "d", "e", "f"])
    project = Project.from_dict(base_config(conversion_window_days=60))
    data = discovery_data(store, project, T0 + 300 * day, window_days=14)
    assert data.entities == 5 and data.excluded_converted_in_window == 1
    assert data.conversions == 2  # a and b; e converted after window + 60 days
    x = data.events["X"].at_least(1)
    assert sum(x.values()) == 2  # a and e did X inside the window
    assert sum(n for (converted, _), n in x.items() if converted) == 1
    young = discovery_data(store, project, T0 + 70 * day, window_days=14)
    assert young.entities == 0  # window + conversion window not over yet


def test_cli_discover_json_and_table(demo_result: tuple[dict[str, Any], Path]) -> None:
    from tests.support.cli import pql

    result, directory = demo_result
    done = pql(
        "discover", "-C", str(directory), "--as-of", "2026-11-01", "--format", "json", cwd=directory
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["candidates"] == json.loads(json.dumps(result["candidates"]))
    table = pql(
        "discover", "-C", str(directory), "--as-of", "2026-11-01", "--top", "5", cwd=directory
    )
    assert "Connected Integration ≥ 1" in table.stdout
    assert "Invited Member with role = member" in table.stdout


def test_user_entity_discovery() -> None:
    day = timedelta(days=1)
    store = Store.open(":memory:")
    users = [{"user_id": f"u{i}", "signed_up_at": T0} for i in range(40)]
    ingest_records(store, "users", users)
    events = []
    for i in range(40):
        if i % 2 == 0:
            events.append({"event_id": f"x{i}", "user_id": f"u{i}", "event": "X", "ts": T0 + day})
        if i % 4 == 0 or i == 1:
            events.append(
                {"event_id": f"p{i}", "user_id": f"u{i}", "event": "Paid", "ts": T0 + 20 * day}
            )
    ingest_records(store, "events", events)
    project = Project.from_dict(base_config(entity="user", signup={"source": "users"}))
    result = discover(store, project, T0 + 200 * day, window_days=14, min_support=5)
    x = next(c for c in result["candidates"] if c["event"] == "X" and c["threshold"] == 1)
    assert (x["with_converted"], x["with_total"]) == (10, 20)
    assert (x["without_converted"], x["without_total"]) == (1, 20)
    assert not any(c["kind"] == "users" for c in result["candidates"])


def _longest_run(ts: Any) -> int:
    """The longest run of consecutive UTC calendar days among `ts` (a pandas Series)."""
    days = sorted({stamp.date() for stamp in ts})
    best = run = 1
    for before, after in pairwise(days):
        run = run + 1 if (after - before).days == 1 else 1
        best = max(best, run)
    return best


def _recomputed_groups(directory: Path, window_days: int, as_of: datetime) -> dict[str, Any]:
    """Every candidate's 'with' group recomputed from the demo's files with pandas, written
    from the discovery contract (docs/semantics.md), not from the engine's code."""
    import pandas as pd

    data = directory / "data"
    accounts = pd.read_parquet(data / "accounts.parquet")
    events = pd.read_parquet(data / "events")
    events = events[events.ts <= as_of]
    window, horizon = timedelta(days=window_days), timedelta(days=window_days + 90)
    paid = events[events.event == "Subscription Started"].groupby("account_id").ts.min()
    frame = accounts.set_index("account_id")[["created_at", "domain", "employees", "plan"]]
    frame["traits"] = accounts.set_index("account_id").traits
    frame["converted_at"] = paid
    frame = frame[frame.created_at + horizon <= as_of]
    end = frame.created_at + window
    frame = frame[~(frame.converted_at.notna() & (frame.converted_at < end))]
    converted = frame.converted_at.notna() & (frame.converted_at <= frame.created_at + horizon)
    inside = events.join(frame.created_at, on="account_id", how="inner")
    inside = inside[(inside.ts >= inside.created_at) & (inside.ts < inside.created_at + window)]
    per_event = inside.groupby(["account_id", "event"]).size()
    days = inside.groupby("account_id").ts.apply(lambda ts: ts.dt.floor("D").nunique())
    team = inside.groupby("account_id").user_id.nunique()
    runs = inside.groupby("account_id").ts.apply(_longest_run)
    pairs = [
        (account, event, key, value if isinstance(value, str) else json.dumps(value))
        for account, event, props in zip(
            inside.account_id, inside.event, inside.properties, strict=True
        )
        if props
        for key, value in json.loads(props).items()
    ]
    by_pair = pd.DataFrame(pairs, columns=["account_id", "event", "key", "value"])
    spread = by_pair.groupby(["event", "key"]).value.nunique()
    free = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"}
    return {
        "converted": set(frame.index[converted]),
        "eligible": set(frame.index),
        "event": lambda event, k: {a for (a, e), n in per_event.items() if e == event and n >= k},
        "active_days": lambda k: set(days[days >= k].index),
        "users": lambda k: set(team[team >= k].index),
        "consecutive_days": lambda k: set(runs[runs >= k].index),
        "property": lambda event, key, value: (
            set(
                by_pair[
                    (by_pair.event == event) & (by_pair.key == key) & (by_pair.value == value)
                ].account_id
            )
            if 2 <= spread.get((event, key), 0) <= 10
            else None
        ),
        "trait": {
            "plan": frame.plan,
            "country": frame.traits.map(lambda t: json.loads(t).get("country") if t else None),
            "employees_band": frame.employees.map(
                lambda n: (
                    None
                    if pd.isna(n)
                    else "1-4"
                    if n <= 4
                    else "5-49"
                    if n <= 49
                    else "50-249"
                    if n <= 249
                    else "250+"
                )
            ),
            "email_domain": frame.domain.map(
                lambda d: None if d is None else "free" if d.lower() in free else "company"
            ),
        },
        "free": free,
    }


def test_every_candidate_kind_counts_match_a_recomputation_from_the_files(
    demo_result: tuple[dict[str, Any], Path],
) -> None:
    """Each reported 2x2 (event, active_days, users, consecutive_days, property, trait) equals
    the groups recomputed from the raw demo files; a candidate reading another's counts fails."""
    result, directory = demo_result
    project = load_project(directory)
    truth = _recomputed_groups(directory, 14, datetime(2026, 11, 1))
    assert truth["free"] <= set(project.definition.fit.free_domains)
    eligible, converted = truth["eligible"], truth["converted"]
    assert (result["entities"], result["conversions"]) == (len(eligible), len(converted))
    seen_kinds = set()
    for row in result["candidates"]:
        kind = row["kind"]
        seen_kinds.add(kind)
        if kind == "event":
            group = truth["event"](row["event"], row["threshold"])
        elif kind in ("active_days", "users", "consecutive_days"):
            group = truth[kind](row["threshold"])
        elif kind == "property":
            group = truth["property"](row["event"], row["property"], row["value"])
            assert group is not None, row
        else:
            column = truth["trait"][row["property"]]
            group = set(column[column.astype("string") == row["value"]].index)
        group &= eligible
        counts = (row["with_converted"], row["with_total"])
        assert counts == (len(group & converted), len(group)), (kind, row)
        assert row["without_total"] == len(eligible) - len(group), (kind, row)
    assert seen_kinds == {"event", "active_days", "users", "consecutive_days", "property", "trait"}
