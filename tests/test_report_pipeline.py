"""The pipeline over time (issue 17): chart and table over `pql_count_by_period` rows with
lifecycle counts, the same in the dashboard and the report."""

from __future__ import annotations

import re
from typing import Any

from pqlengine.report.jinja import environment
from pqlengine.report.render import pipeline_chart, to_svg

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
