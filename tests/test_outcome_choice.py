"""`--outcome` in discover, validate, suggest, drivers and model train (docs/semantics.md
"Outcome choice in discovery"): the parsing, the labels and populations on a hand-made store
(worked by hand in the comments), Welch against SciPy, and every command on a small store."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats
from typer.testing import CliRunner

from pqlengine.cli import UserError, app
from pqlengine.compute.customers import DAYS_PER_MONTH
from pqlengine.compute.discovery import cohort_frame, discover
from pqlengine.compute.drivers import drivers
from pqlengine.compute.outcome_labels import (
    Outcome,
    labelled_frame,
    outcome_from_json,
    parse_outcome,
)
from pqlengine.compute.suggest import suggest
from pqlengine.compute.validation import validate
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.model.train import train
from pqlengine.stats.means import Moments, mean_interval, welch
from pqlengine.store import Store
from tests.support.cli import pql
from tests.support.config import base_config
from tests.support.demo import DemoProjects

T0 = datetime(2026, 1, 1)
DAY = timedelta(days=1)
OUTCOMES = {"mrr": {"property": "mrr"}, "churn_event": "Cancelled"}


def test_parse_outcome() -> None:
    assert parse_outcome("converted") == Outcome()
    assert parse_outcome("retained_90") == Outcome("retained", 90, "converters")
    assert parse_outcome("revenue_365", "all") == Outcome("revenue", 365, "all")
    assert parse_outcome("retained_90").name == "retained_90"
    assert outcome_from_json(None) == Outcome()
    assert outcome_from_json({"outcome": "retained_30", "among": "all"}).among == "all"
    for bad in ("retained_x", "retained_", "revenue_0", "churn_90", "Retained_90", "retained_9d"):
        with pytest.raises(ValueError, match=f"--outcome: '{bad}' is not converted, retained_"):
            parse_outcome(bad)
    with pytest.raises(ValueError, match="--among: 'some' is not converters or all"):
        parse_outcome("retained_90", "some")
    with pytest.raises(ValueError, match="--among: only with"):
        parse_outcome("converted", "all")


def _hand_made() -> tuple[Store, Project]:
    """Accounts a..g; window 14 days, conversion window 60, followed 90 days, as of day 300.

    a: X day 1, pays 100/month day 20, never cancels: retained, revenue 100 x 90/30.4375
    b: Y day 1 (X only on day 30, after its window), pays 50/month day 20, cancels day 50:
       churned, revenue 50 x 30/30.4375
    c: pays day 5 (inside the window): left out by every command (converted in window)
    d: X day 1, never pays: not a converter; with --among all: 14 + 60 + 90 <= 300, kept as 0
    e: signs up day 190, pays day 220 (a converter: 30 days in): 220 + 90 > 300, not followed
    f: signs up day 190, never pays: with --among all, 204 + 60 + 90 > 300, not followed
    g: X day 1, pays day 100 (after window end 14 + 60): not a converter for the command
    """
    store = Store.open(":memory:")
    created = {"a": 0, "b": 0, "c": 0, "d": 0, "e": 190, "f": 190, "g": 0}
    ingest_records(
        store,
        "accounts",
        [{"account_id": a, "created_at": T0 + d * DAY} for a, d in created.items()],
    )
    ingest_records(store, "users", [{"user_id": f"u{a}", "account_id": a} for a in created])
    rows: list[tuple[str, str, int, dict[str, Any] | None]] = [
        ("a", "X", 1, None),
        ("a", "Paid", 20, {"mrr": 100}),
        ("b", "Y", 1, None),
        ("b", "Paid", 20, {"mrr": 50}),
        ("b", "Cancelled", 50, None),
        ("b", "X", 30, None),  # after b's 14-day window: never read (no leakage)
        ("c", "Paid", 5, {"mrr": 10}),
        ("d", "X", 1, None),
        ("e", "X", 191, None),
        ("e", "Paid", 220, {"mrr": 10}),
        ("f", "Y", 191, None),
        ("g", "X", 1, None),
        ("g", "Paid", 100, {"mrr": 10}),
    ]
    ingest_records(
        store,
        "events",
        [
            {
                "event_id": f"e{i}",
                "user_id": f"u{a}",
                "event": name,
                "ts": T0 + day * DAY,
                "properties": props,
            }
            for i, (a, name, day, props) in enumerate(rows)
        ],
    )
    project = Project.from_dict(base_config(conversion_window_days=60, outcomes=OUTCOMES))
    return store, project


def _labels(outcome: Outcome) -> tuple[dict[str, float], Any]:
    store, project = _hand_made()
    framed = cohort_frame(store, project, T0 + 300 * DAY, 14)
    relabelled, population = labelled_frame(store, project, T0 + 300 * DAY, framed, outcome)
    kept = relabelled.filter(~relabelled.converted_in_window).to_pyarrow().to_pylist()
    return {r["entity_id"]: r["outcome_value"] for r in kept}, population


def test_retained_among_converters_and_among_all() -> None:
    labels, population = _labels(parse_outcome("retained_90"))
    assert labels == {"a": 1.0, "b": 0.0}
    assert population.to_json() == {
        "outcome": "retained_90",
        "among": "converters",
        "entities": 2,
        "left_out_not_followed": 1,  # e
        "left_out_not_converters": 3,  # d, f, g
        "left_out": "1 customers not followed 90 days yet were left out; 3 entities that did "
        "not convert were left out",
    }
    labels, population = _labels(parse_outcome("retained_90", "all"))
    assert labels == {"a": 1.0, "b": 0.0, "d": 0.0, "g": 0.0}
    assert (population.entities, population.not_followed) == (4, 2)  # e, f not followed


def test_revenue_labels_and_converted_unchanged() -> None:
    labels, population = _labels(parse_outcome("revenue_90"))
    assert labels == pytest.approx({"a": 100 * 90 / DAYS_PER_MONTH, "b": 50 * 30 / DAYS_PER_MONTH})
    assert population.entities == 2
    labels, population = _labels(Outcome())
    # converted: everyone whose horizon is over but c; a, b and e converted 14-74 days in
    assert labels == {"a": 1.0, "b": 1.0, "d": 0.0, "e": 1.0, "f": 0.0, "g": 0.0}
    assert population.entities is None


def test_discover_on_hand_made_store() -> None:
    store, project = _hand_made()
    as_of = T0 + 300 * DAY
    result = discover(
        store, project, as_of, 14, min_support=1, outcome=parse_outcome("retained_90")
    )
    assert result["outcome"]["outcome"] == "retained_90"
    assert result["entities"] == 2 and result["conversions"] == 1  # a retained, b not
    assert result["excluded_converted_in_window"] == 1  # c
    x = next(c for c in result["candidates"] if c["event"] == "X" and c["kind"] == "event")
    assert (x["with_converted"], x["with_total"], x["without_converted"], x["without_total"]) == (
        1,
        1,
        0,
        1,
    )
    revenue = discover(
        store, project, as_of, 14, min_support=1, outcome=parse_outcome("revenue_90")
    )
    x = next(c for c in revenue["candidates"] if c["event"] == "X" and c["kind"] == "event")
    assert x["mean_with"] == pytest.approx(100 * 90 / DAYS_PER_MONTH)
    assert x["mean_without"] == pytest.approx(50 * 30 / DAYS_PER_MONTH)
    assert x["p_value"] is None and "at least 2" in x["reason"]  # one entity a side


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.gamma(2.0, 50.0, 40), rng.gamma(2.0, 35.0, 70)
    found = welch(_moments(a), _moments(b))
    assert not isinstance(found, type(None)) and hasattr(found, "p_value")
    reference = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert found.p_value == pytest.approx(reference.pvalue, rel=1e-9)  # type: ignore[union-attr]
    low, high = reference.confidence_interval(0.95)
    assert found.difference_ci == pytest.approx((low, high), rel=1e-9)  # type: ignore[union-attr]
    interval = mean_interval(_moments(a))
    expected = scipy_stats.t.interval(0.95, a.size - 1, a.mean(), scipy_stats.sem(a))
    assert interval == pytest.approx(expected, rel=1e-9)


def _moments(values: np.ndarray) -> Moments:
    return Moments(int(values.size), float(values.sum()), float((values**2).sum()))


N_SMALL = 800


@pytest.fixture(scope="module")
def small() -> tuple[Store, Project, dict[str, int]]:
    """800 accounts signing up over 160 days; X (half of them) keeps customers: a converter
    with X churns by day 90 with chance 0.2, without X with 0.7; conversion does not depend
    on X (60% pay on day 40: after validate's 30-day landmark too). As of day 450 every
    converter is followed 90 days."""
    rng = random.Random(5)
    store = Store.open(":memory:")
    accounts = [f"acc{i:03d}" for i in range(N_SMALL)]
    signup = {a: (i * 160) // N_SMALL for i, a in enumerate(accounts)}
    ingest_records(
        store,
        "accounts",
        [{"account_id": a, "created_at": T0 + signup[a] * DAY, "employees": 20} for a in accounts],
    )
    ingest_records(store, "users", [{"user_id": f"u{a}", "account_id": a} for a in accounts])
    events: list[dict[str, Any]] = []
    counts = {"converters": 0, "retained": 0}

    def add(account: str, name: str, day: float, props: dict[str, Any] | None = None) -> None:
        events.append(
            {
                "event_id": f"e{len(events)}",
                "user_id": f"u{account}",
                "event": name,
                "ts": T0 + (signup[account] + day) * DAY,
                "properties": props,
            }
        )

    for account in accounts:
        did_x = rng.random() < 0.5
        add(account, "Z", 1)
        add(account, "Z", 3)
        if did_x:
            add(account, "X", 2)
        if rng.random() < 0.5:
            add(account, "Y", 2)
        if rng.random() < 0.6:
            counts["converters"] += 1
            add(account, "Paid", 40, {"mrr": 100})
            if rng.random() < (0.2 if did_x else 0.7):
                add(account, "Cancelled", 40 + rng.uniform(1, 89))
            else:
                counts["retained"] += 1
    ingest_records(store, "events", events)
    definition = {"name": "x", "criteria": [{"id": "x", "event": "X"}], "qualify": "all"}
    config = base_config(conversion_window_days=60, outcomes=OUTCOMES, definition=definition)
    return store, Project.from_dict(config), counts


AS_OF_SMALL = T0 + 450 * DAY
RETAINED = Outcome("retained", 90)


def test_each_command_takes_retained_90(small: tuple[Store, Project, dict[str, int]]) -> None:
    store, project, counts = small
    found = discover(store, project, AS_OF_SMALL, 14, outcome=RETAINED)
    assert found["outcome"] == {
        "outcome": "retained_90",
        "among": "converters",
        "entities": counts["converters"],
        "left_out_not_followed": 0,
        "left_out_not_converters": N_SMALL - counts["converters"],
        "left_out": "0 customers not followed 90 days yet were left out; "
        f"{N_SMALL - counts['converters']} entities that did not convert were left out",
    }
    assert (found["entities"], found["conversions"]) == (counts["converters"], counts["retained"])
    x = next(c for c in found["candidates"] if c["event"] == "X" and c["threshold"] == 1)
    y = next(c for c in found["candidates"] if c["event"] == "Y" and c["threshold"] == 1)
    assert x["q_value"] < 0.001 and x["rate_with"] > x["rate_without"]
    assert y["q_value"] > 0.05  # Y does nothing here (a false finding would fail this)
    converted = discover(store, project, AS_OF_SMALL, 14)
    x_converted = next(c for c in converted["candidates"] if c["event"] == "X")
    assert x_converted["q_value"] > 0.05  # X does not change conversion

    checked = validate(store, project, AS_OF_SMALL, outcome=RETAINED)
    assert checked["population"]["entities"] == counts["converters"]
    assert "not churned within 90 days" in checked["outcome"]
    assert checked["train"]["verdict"].startswith("PQLs were retained")
    assert (
        checked["train"]["pql"]["entities"]
        + checked["train"]["non_pql"]["entities"]
        + (checked["test"]["pql"]["entities"] + checked["test"]["non_pql"]["entities"])
        == counts["converters"]
    )

    driven = drivers(store, project, AS_OF_SMALL, 14, outcome=RETAINED)
    assert driven["outcome"]["outcome"] == "retained_90"
    assert driven["entities"] == counts["converters"]
    row = next(r for r in driven["behaviours"] if r["event"] == "X")
    assert row["effect"] > 0.2  # 0.8 - 0.3 retained, X is randomised here

    suggested = suggest(store, project, AS_OF_SMALL, 14, min_support=10, outcome=RETAINED)
    assert suggested["outcome"]["entities"] == counts["converters"]

    trained = train(store, project, AS_OF_SMALL, 14, outcome=RETAINED)
    assert trained["outcome"]["outcome"] == "retained_90"
    assert trained["train"]["entities"] + trained["test"]["entities"] == counts["converters"]
    assert trained["train"]["conversions"] + trained["test"]["conversions"] == counts["retained"]


def test_revenue_in_discover_and_validate(small: tuple[Store, Project, dict[str, int]]) -> None:
    store, project, counts = small
    outcome = parse_outcome("revenue_90")
    found = discover(store, project, AS_OF_SMALL, 14, outcome=outcome)
    x = next(c for c in found["candidates"] if c["event"] == "X" and c["threshold"] == 1)
    assert x["test"] == "welch" and x["q_value"] < 0.001
    assert x["difference"] > 0 and x["difference_ci"][0] > 0
    assert x["with_total"] + x["without_total"] == counts["converters"]
    checked = validate(store, project, AS_OF_SMALL, outcome=outcome)
    for period in ("train", "test"):
        assert {"pql", "non_pql", "difference", "difference_ci", "p_value", "verdict"} <= set(
            checked[period]
        )
    for refused in (drivers, suggest, train):
        with pytest.raises(ValueError, match="yes/no outcomes only"):
            refused(store, project, AS_OF_SMALL, 14, outcome=outcome)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["discover", "--outcome", "retained_x"], "--outcome: 'retained_x' is not converted"),
        (["validate", "--outcome", "converted", "--among", "all"], "--among: only with"),
        (["model", "train", "--outcome", "revenue_90"], "model train takes yes/no outcomes only"),
        (["drivers", "--outcome", "revenue_90"], "drivers takes yes/no outcomes only"),
        (["suggest", "--outcome", "revenue_30"], "suggest takes yes/no outcomes only"),
    ],
)
def test_cli_refuses_with_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    done = CliRunner().invoke(app, [*args, "-C", str(tmp_path)])
    assert isinstance(done.exception, UserError) and message in str(done.exception)


def test_cli_names_outcome_and_population(demo_projects: DemoProjects) -> None:
    directory = demo_projects.shared(2000, 7).out_dir
    args = ["-C", str(directory), "--as-of", "2026-11-01", "--outcome", "retained_90"]
    table = pql("discover", *args, "--top", "3", cwd=directory)
    assert table.returncode == 0, table.stderr
    shown = " ".join(table.stdout.split())
    assert "outcome retained_90: not churned within 90 days of converting" in shown
    assert "customers not followed 90 days yet were left out" in shown
    assert "retained if did" in shown
    checked = pql("validate", *args, "--format", "json", cwd=directory)
    assert checked.returncode == 0, checked.stderr
    population = json.loads(checked.stdout)["population"]
    assert population["outcome"] == "retained_90" and population["entities"] > 0
