"""A hand-made data set (tests/fixtures/handmade/README.md) through `pql ingest` + `pql metrics`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from statsmodels.stats.proportion import proportion_confint

from tests.support.cli import pql

FIXTURE = Path(__file__).parent / "fixtures" / "handmade"
AS_OF = "2026-03-31T00:00:00Z"


def ingested_copy(target: Path) -> Path:
    """The hand-made project copied into `target` and ingested with the real CLI."""
    for name in ("pql.yaml", "accounts.csv", "users.csv", "events.jsonl", "conversions.csv"):
        shutil.copy(FIXTURE / name, target / name)
    done = pql(
        "ingest",
        "--accounts",
        "accounts.csv",
        "--users",
        "users.csv",
        "--events",
        "events.jsonl",
        "--conversions",
        "conversions.csv",
        cwd=target,
    )
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_copy(tmp_path_factory.mktemp("handmade"))


def metrics(project: Path, *extra: str) -> dict[str, Any]:
    done = pql("metrics", "-C", ".", "--as-of", AS_OF, "--format", "json", *extra, cwd=project)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def wilson(k: int, n: int) -> list[float]:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return [float(low), float(high)]


def test_weekly_cohorts_match_hand_computation(project: Path) -> None:
    result = metrics(project, "--period", "week")
    assert result["definition"]["name"] == "hand" and len(result["definition"]["version"]) == 12
    by_cohort = {c["cohort"]: c for c in result["cohorts"]}
    assert list(by_cohort) == ["2026-W02", "2026-W03", "2026-W06"]
    w2, w3, w6 = by_cohort["2026-W02"], by_cohort["2026-W03"], by_cohort["2026-W06"]
    assert (w2["signups"], w2["pqls"], w2["converted_pqls"]) == (4, 1, 1)
    assert w2["pql_rate"] == 0.25 and w2["pql_to_paid"] == 1.0
    assert w2["non_pql_to_paid"] == pytest.approx(1 / 3)
    assert w2["time_to_pql_days"] == {"median": 2.5, "p25": 2.5, "p75": 2.5}
    assert (w3["signups"], w3["pqls"], w3["converted_pqls"]) == (2, 1, 0)
    assert w3["pql_to_paid"] == 0.0 and w3["non_pql_to_paid"] == 0.0
    assert w3["time_to_pql_days"]["median"] == pytest.approx(2 + 10 / 24)
    assert (w6["signups"], w6["pqls"], w6["non_pql_to_paid"]) == (1, 0, 1.0)
    assert w6["pql_to_paid"] is None and w6["pql_to_paid_ci"] is None
    assert {n["field"] for n in w6["notes"]} == {"pql_to_paid", "time_to_pql_days"}
    assert all(c["complete"] for c in result["cohorts"])


def test_overall_row_and_intervals(project: Path) -> None:
    overall = metrics(project, "--period", "week")["overall"]
    assert (overall["signups"], overall["pqls"], overall["converted_pqls"]) == (7, 2, 1)
    assert overall["pql_rate"] == pytest.approx(2 / 7)
    assert overall["pql_rate_ci"] == pytest.approx(wilson(2, 7), abs=1e-12)
    assert overall["pql_to_paid_ci"] == pytest.approx(wilson(1, 2), abs=1e-12)
    assert overall["non_pql_to_paid"] == pytest.approx(2 / 5)
    ttp = overall["time_to_pql_days"]
    assert ttp["median"] == pytest.approx(2.4583333333, abs=1e-9)
    assert ttp["p25"] == pytest.approx(2.4375, abs=1e-9)
    assert ttp["p75"] == pytest.approx(2.4791666667, abs=1e-9)


def test_pql_count_by_period_ignores_cohorts(project: Path) -> None:
    weekly = metrics(project, "--period", "week")["pql_count_by_period"]
    # (period, pqls, ended_by_conversion, open_at_end), the pipeline (docs/semantics.md
    # "Per period"): A qualifies in W02 and converts in W04 (01-20), E converts in W11
    # (03-10), which is listed for it.
    assert [
        (p["period"], p["pqls"], p["ended_by_conversion"], p["open_at_end"]) for p in weekly
    ] == [
        ("2026-W02", 1, 0, 1),
        ("2026-W03", 1, 0, 2),
        ("2026-W04", 1, 1, 2),
        ("2026-W11", 0, 1, 1),
    ]
    monthly = metrics(project, "--period", "month")
    assert [(p["period"], p["pqls"]) for p in monthly["pql_count_by_period"]] == [
        ("2026-01", 3),
        ("2026-03", 0),
    ]
    assert [(c["cohort"], c["signups"], c["pqls"]) for c in monthly["cohorts"]] == [
        ("2026-01", 6, 2),
        ("2026-02", 1, 0),
    ]


def test_segments_by_plan(project: Path) -> None:
    result = metrics(project, "--period", "month", "--by", "plan")
    january = [
        (c["segment"], c["signups"], c["pqls"])
        for c in result["cohorts"]
        if c["cohort"] == "2026-01"
    ]
    assert january == [(None, 1, 0), ("free", 2, 1), ("trial", 3, 1)]
    overall = {s["segment"]: s["signups"] for s in result["overall_by_segment"]}
    assert overall == {None: 1, "free": 3, "trial": 3}


def test_incomplete_cohorts_are_flagged_and_left_out_of_overall(project: Path) -> None:
    result = metrics(project, "--period", "week", "--as-of", "2026-02-10")
    flags = {c["cohort"]: c["complete"] for c in result["cohorts"]}
    assert flags == {"2026-W02": True, "2026-W03": True, "2026-W06": False}
    assert result["overall"]["signups"] == 6


def test_qualify_json_lists_every_entity(project: Path) -> None:
    done = pql("qualify", "-C", ".", "--as-of", AS_OF, "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    entities = {e["entity_id"]: e for e in json.loads(done.stdout)["entities"]}
    assert sorted(entities) == ["A", "B", "C", "D", "E", "F", "G"]
    assert entities["A"]["qualified_at"] == "2026-01-07T12:00:00Z"
    assert entities["A"]["status"] == "converted_pql"
    assert entities["B"]["status"] == "converted_without_qualifying"
    assert entities["B"]["fit_failed"] == ["employees < 5"]
    assert entities["C"]["criteria"]["invite"] is None
    assert entities["D"]["qualified_at"] == "2026-01-20T05:00:00Z"
    assert entities["F"]["status"] == "converted_without_qualifying"
    assert entities["G"]["signup_at"] == "2026-01-08T00:00:00Z"


def test_leads_are_open_pqls_newest_first(project: Path) -> None:
    done = pql("leads", "-C", ".", "--as-of", AS_OF, "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    leads = json.loads(done.stdout)["leads"]
    assert [lead["entity_id"] for lead in leads] == ["D"]  # E converted on 03-10
    assert leads[0]["criteria_met"] == ["create", "invite"]
