"""The pipeline over time (issue 17): chart and table over `pql_count_by_period` rows with
lifecycle counts, the same in the dashboard and the report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from pqlengine.report.jinja import environment
from pqlengine.report.render import pipeline_chart, to_svg
from tests.support.cli import pql

LIFECYCLE = Path(__file__).parent / "fixtures" / "lifecycle"

# Two months balancing as docs/semantics.md "Per period" says:
# open_at_end(P) = open_at_end(P-1) + new + requalified - lapsed - ended_by_conversion.
ROWS: list[dict[str, Any]] = [
    {"period": "2026-01", "segment": None, "pqls": 4, "new": 4, "requalified": 0,
     "lapsed": 1, "ended_by_conversion": 1, "open_at_end": 2},
    {"period": "2026-02", "segment": None, "pqls": 1, "new": 1, "requalified": 2,
     "lapsed": 3, "ended_by_conversion": 0, "open_at_end": 2},
]  # fmt: skip


def test_no_pipeline_chart_without_lifecycle_counts() -> None:
    plain = [{"period": "2026-01", "segment": None, "pqls": 4}]
    assert pipeline_chart(plain, "month", None) == {}
    assert pipeline_chart([], "month", None) == {}


def test_pipeline_chart_draws_open_leads_and_signed_flows() -> None:
    found = pipeline_chart(ROWS, "month", "2026-02")
    title, spec = found["pipeline"]
    assert title == "PQL pipeline over time"
    datasets = [layer["data"]["values"] for layer in spec["layer"]]
    flows = next(d for d in datasets if d and "flow" in d[0])
    by_flow = {(r["period"], r["flow"]): r["entities"] for r in flows}
    assert by_flow == {
        ("2026-01", "new PQLs"): 4, ("2026-01", "re-qualified"): 0,
        ("2026-01", "lapsed"): -1, ("2026-01", "converted"): -1,
        ("2026-02", "new PQLs"): 1, ("2026-02", "re-qualified"): 2,
        ("2026-02", "lapsed"): -3, ("2026-02", "converted"): 0,
    }  # fmt: skip
    opened = next(d for d in datasets if d and "open_at_end" in d[0])
    assert [(r["period"], r["open_at_end"], r["to_date"]) for r in opened] == [
        ("2026-01", 2, False),
        ("2026-02", 2, True),
    ]
    assert "latest 2" in spec["description"]
    svg = to_svg(spec)
    assert svg.startswith("<svg") and svg.count("<path") > 4


def test_pipeline_table_lists_every_number_newest_first() -> None:
    template = environment().from_string(
        '{% import "_panels.html" as p %}{{ p.pipeline_table(rows, "month") }}'
    )
    html = template.render(rows=[*ROWS, {**ROWS[0], "segment": "trial"}])
    periods = re.findall(r'<tr data-period="([^"]+)">', html)
    assert periods == ["2026-02", "2026-01"]  # segment rows are left out
    cells = dict(re.findall(r'data-field="(\w+)" data-value="(\d+)"', html.split("</tr>")[1]))
    assert cells == {"open_at_end": "2", "new": "1", "requalified": "2", "lapsed": "3",
                     "ended_by_conversion": "0"}  # fmt: skip
    plain = environment().from_string(
        '{% import "_panels.html" as p %}{{ p.pipeline_table(rows, "month") }}'
    )
    assert "<table" not in plain.render(rows=[{"period": "2026-01", "segment": None, "pqls": 1}])


def cells(html: str, table: str, key: str) -> dict[str, dict[str, str]]:
    """data-field -> data-value of each row of the table `table`, by the row's `key`."""
    body = html.split(f'data-table="{table}"')[1].split("</table>")[0]
    return {
        name: dict(re.findall(r'data-field="(\w+)" data-value="([^"]*)"', row))
        for name, row in re.findall(rf'<tr {key}="([^"]+)"[^>]*>(.*?)</tr>', body, re.S)
    }


@pytest.fixture(scope="module")
def lifecycle_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`pql report` of recipe d (tests/fixtures/lifecycle) by week at its as_of."""
    target = tmp_path_factory.mktemp("lifecycle")
    for name in ("pql.yaml", "accounts.csv", "users.csv", "events.jsonl", "conversions.csv"):
        shutil.copy(LIFECYCLE / name, target / name)
    files = ("--accounts", "accounts.csv", "--users", "users.csv", "--events", "events.jsonl",
             "--conversions", "conversions.csv")  # fmt: skip
    done = pql("ingest", *files, cwd=target)
    assert done.returncode == 0, done.stderr
    done = pql(
        "report", "--out", "r.html", "--as-of", "2026-02-01", "--period", "week",
        "--no-drivers", cwd=target,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: data ends" not in done.stderr  # Q's last event is 1 s after as_of
    return (target / "r.html").read_text(encoding="utf-8")


def test_report_pipeline_of_recipe_d_equals_the_hand_table(lifecycle_report: str) -> None:
    # fixtures/lifecycle/README.md "Per period", weeks: W04 is not listed (all 0).
    expected = {
        "2026-W05": {"open_at_end": "2", "new": "2", "requalified": "1", "lapsed": "1",
                     "ended_by_conversion": "0"},
        "2026-W03": {"open_at_end": "0", "new": "2", "requalified": "0", "lapsed": "2",
                     "ended_by_conversion": "1"},
        "2026-W02": {"open_at_end": "1", "new": "3", "requalified": "0", "lapsed": "2",
                     "ended_by_conversion": "0"},
    }  # fmt: skip
    found = cells(lifecycle_report, "pipeline", "data-period")
    assert list(found) == list(expected) and found == expected
    assert '<figure class="card chart" data-chart="pipeline"' in lifecycle_report


def test_report_lead_queue_says_when_each_lead_was_last_seen(lifecycle_report: str) -> None:
    # Open at as_of: Q (last event 01-30 10; its 02-01 00:00:01 event is after as_of) and
    # L (re-qualified, last event 01-29 10).
    leads = cells(lifecycle_report, "leads", "data-entity")
    assert {entity: row["last_seen_at"] for entity, row in leads.items()} == {
        "Q": "2026-01-30 10:00 UTC",
        "L": "2026-01-29 10:00 UTC",
    }
    assert 'data-data-end="2026-02-01T00:00:01Z"' in lifecycle_report
