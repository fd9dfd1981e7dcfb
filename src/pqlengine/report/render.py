"""From panel aggregates to chart specs, SVG and PNG."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from pqlengine.compute.lead_queue import NO_SEGMENT
from pqlengine.compute.panels import BENCHMARK_PQL_TO_PAID, label_start, next_period
from pqlengine.report import charts

PNG_SCALE = 2  # pixels per CSS pixel: sharp on slides and high-density screens

Charts = dict[str, tuple[str, dict[str, Any]]]


def maturing_cohorts(panels: dict[str, Any], moment: datetime) -> set[str]:
    """Cohorts whose PQL-to-paid window (observation + conversion window) is not over."""
    period = panels["period"]
    span = panels["observation_days"] + panels["conversion_window_days"]
    found = set()
    for row in panels["metrics"]["cohorts"]:
        end = next_period(label_start(row["cohort"], period), period)
        if (moment - end).total_seconds() < span * 86_400:
            found.add(row["cohort"])
    return found


def panel_charts(panels: dict[str, Any]) -> Charts:
    """name -> (title, Vega-Lite spec) for every chart of the aggregate panels."""
    period = panels["period"]
    metrics = panels["metrics"]
    moment = datetime.fromisoformat(panels["as_of"].removesuffix("Z"))
    rates = metrics["cohorts"]
    if panels["breakdown"] is not None:
        rates = [
            {**row, "segment": NO_SEGMENT if row["segment"] is None else row["segment"]}
            for row in panels["breakdown"]["cohorts"]
        ]
    current = panels["tiles"]["pqls"]["period"]
    counts = metrics["pql_count_by_period"]
    return {
        "pql_count": (f"PQLs per {period}", charts.pql_count(counts, period, current)),
        **pipeline_chart(counts, period, current),
        "pql_rate": (
            "PQL rate by signup cohort",
            charts.rate_by_cohort(rates, period, "pql_rate", "PQL rate"),
        ),
        "pql_to_paid": (
            "PQL-to-paid by signup cohort",
            charts.rate_by_cohort(
                metrics["cohorts"],
                period,
                "pql_to_paid",
                "PQL-to-paid",
                band=BENCHMARK_PQL_TO_PAID,
                maturing=maturing_cohorts(panels, moment),
            ),
        ),
        "time_to_pql": ("Time to PQL (Kaplan–Meier)", charts.time_to_pql(panels["time_to_pql"])),
        "cohort_grid": (
            "Cumulative PQL share by weeks since signup",
            charts.cohort_heatmap(panels["cohort_grid"], period),
        ),
        "funnel": (
            "Activation funnel",
            charts.funnel(panels["funnel"]["steps"], panels["observation_days"]),
        ),
    }


def pipeline_chart(counts: list[dict[str, Any]], period: str, current: str | None) -> Charts:
    """The pipeline over time, once the periods carry lifecycle counts (open_at_end)."""
    if not counts or "open_at_end" not in counts[0]:
        return {}
    return {"pipeline": ("PQL pipeline over time", charts.pipeline(counts, period, current))}


def driver_charts(drivers: dict[str, Any]) -> Charts:
    """The lift chart of the discovery panel (none without ranked candidates)."""
    if not drivers["candidates"]:
        return {}
    return {"drivers": ("Drivers of conversion (lift)", charts.drivers(drivers["candidates"]))}


def compare_charts(compared: dict[str, Any]) -> Charts:
    """PQLs per period under the two definitions of a compare."""
    spec = charts.compare_counts(
        compared["pql_count_by_period"],
        compared["period"],
        compared["old"]["version"],
        compared["new"]["version"],
    )
    return {"compare": ("PQLs per period: old vs new definition", spec)}


def _vl_version() -> str | None:
    wanted = ".".join(alt.SCHEMA_VERSION.removeprefix("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def to_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document (rendered offline by vl-convert)."""
    svg: str = vlc.vegalite_to_svg(spec, vl_version=_vl_version())
    return svg


def to_png(spec: dict[str, Any], title: str, scale: float = PNG_SCALE) -> bytes:
    """The chart as PNG, with its title (for slides)."""
    titled = {**spec, "title": {"text": title, "anchor": "start", "fontSize": 15}}
    png: bytes = vlc.vegalite_to_png(titled, vl_version=_vl_version(), scale=scale)
    return png


def write_pngs(found: Charts, directory: Path) -> list[Path]:
    """One PNG per chart, named after the chart."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (title, spec) in found.items():
        path = directory / f"{name}.png"
        path.write_bytes(to_png(spec, title))
        written.append(path)
    return written


def outcome_charts(outcomes: dict[str, Any]) -> Charts:
    """The retention curves of PQL vs non-PQL customers (none without customers)."""
    if not any(outcomes["curves"].values()):
        return {}
    title = "Retention of PQL vs non-PQL customers (Kaplan–Meier)"
    return {"retention": (title, charts.retention(outcomes["curves"]))}
