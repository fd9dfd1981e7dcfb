"""`pql report`: every dashboard panel in one self-contained HTML file (inline SVG charts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from pqlengine import __version__
from pqlengine.compute.discovery import discover
from pqlengine.compute.metrics import Period
from pqlengine.compute.panels import dashboard_panels, drivers_panel
from pqlengine.config import Project
from pqlengine.report.jinja import STYLESHEET, definition_text, environment
from pqlengine.report.render import Charts, driver_charts, outcome_charts, panel_charts, to_svg
from pqlengine.store import Store

_IDS = re.compile(r'(id="|url\(#|href="#)([^")]+)')


@dataclass
class Report:
    """The HTML text and the chart specs it shows (for --png)."""

    html: str
    charts: Charts
    panels: dict[str, Any]


def namespaced_svg(svg: str, prefix: str) -> str:
    """An SVG whose ids (gradients, clip paths) cannot clash with another chart's."""
    return _IDS.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


def outcomes_configured(project: Project) -> bool:
    """True when pql.yaml says where revenue or churn comes from (its `outcomes:` block)."""
    outcomes = project.outcomes
    return outcomes.mrr is not None or outcomes.churn_event is not None


def build_report(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    segment: str | None = None,
    with_drivers: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> Report:
    """Compute every panel at `as_of` and render the report."""
    step = on_step or (lambda _name: None)
    step("metrics, cohorts, funnel, time to PQL")
    panels = dashboard_panels(store, project, as_of, period, by, segment)
    drivers = None
    if with_drivers:
        step("drivers (discovery)")
        drivers = drivers_panel(discover(store, project, as_of))
    outcomes = None
    if outcomes_configured(project):
        from pqlengine.compute.outcomes import compute_outcomes

        step("customer outcomes")
        outcomes = compute_outcomes(store, project, as_of, period)
    step("charts")
    charts = panel_charts(panels) | (driver_charts(drivers) if drivers else {})
    charts |= outcome_charts(outcomes) if outcomes else {}
    svgs = {name: Markup(namespaced_svg(to_svg(spec), name)) for name, (_, spec) in charts.items()}
    html = (
        environment()
        .get_template("report.html")
        .render(
            panels=panels,
            drivers=drivers,
            outcomes=outcomes,
            charts=charts,
            svgs=svgs,
            css=Markup(STYLESHEET.read_text(encoding="utf-8")),
            project_name=project.project,
            yaml_text=definition_text(project),
            versions=store.definitions(),
            generated_at=datetime.now(UTC),
            version=__version__,
        )
    )
    return Report(html, charts, panels)
