"""Vega-Lite specs (built with Altair) for every chart of the dashboard and the report.

Each function takes the small aggregates of `compute.panels` and returns a spec dict; only
those aggregates are inlined as data. Colours are the Okabe-Ito palette (safe for the common
colour-vision deficiencies) and a single-hue sequential scale; every axis says its unit.
"""

from __future__ import annotations

from typing import Any

import altair as alt

Spec = dict[str, Any]

BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#6b6b6b",
)
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, GREY]
WIDTH, HEIGHT = 600, 260
FONT = "Helvetica, Arial, sans-serif"
PERIOD_NAMES = {"week": "ISO week", "month": "month"}


def _config(chart: alt.TopLevelMixin, description: str) -> Spec:
    spec: Spec = (
        chart.properties(description=description)
        .configure(font=FONT, background="white")
        .configure_axis(labelFontSize=11, titleFontSize=12, titleFontWeight="normal", grid=True)
        .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom")
        .configure_range(category=PALETTE)
        .configure_view(stroke=None)
        .to_dict()
    )
    return spec


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)


def _period_axis(title: str, labels: int) -> alt.Axis:
    """Horizontal labels while they fit, slanted beyond."""
    return alt.Axis(title=title, labelAngle=0 if labels <= 12 else -45)


def pql_count(counts: list[dict[str, Any]], period: str, current: str | None) -> Spec:
    """Bars: PQLs per week/month of qualifying; the running period is lighter (to date)."""
    rows = [
        {"period": c["period"], "pqls": c["pqls"], "to_date": c["period"] == current}
        for c in counts
        if c.get("segment") is None
    ]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X(
            "period:O",
            axis=_period_axis(f"Period of qualifying ({PERIOD_NAMES[period]})", len(rows)),
        ),
        y=alt.Y("pqls:Q", title="PQLs (entities)", axis=alt.Axis(format="~s", tickMinStep=1)),
        tooltip=[
            alt.Tooltip("period:O", title="period"),
            alt.Tooltip("pqls:Q", title="PQLs", format=","),
            alt.Tooltip("to_date:N", title="period still running"),
        ],
    )
    bars = base.mark_bar(color=BLUE).encode(
        opacity=alt.condition("datum.to_date", alt.value(0.45), alt.value(1.0))
    )
    chart = bars.properties(width=WIDTH, height=HEIGHT)
    latest = rows[-1]["pqls"] if rows else 0
    return _config(chart, f"Bar chart of PQLs per {period}; latest {latest}.")


PIPELINE_FLOWS = (
    ("new", "new PQLs", 1, GREEN),
    ("requalified", "re-qualified", 1, SKY),
    ("lapsed", "lapsed", -1, VERMILLION),
    ("ended_by_conversion", "converted", -1, ORANGE),
)


def pipeline(counts: list[dict[str, Any]], period: str, current: str | None) -> Spec:
    """Open PQLs at each period's end (line) and the flows that moved it (bars: entries up,
    exits down); the running period is lighter (to date)."""
    rows = [c for c in counts if c.get("segment") is None]
    flows = [
        {
            "period": c["period"],
            "flow": label,
            "entities": sign * int(c[key]),
            "to_date": c["period"] == current,
        }
        for c in rows
        for key, label, sign, _ in PIPELINE_FLOWS
    ]
    opened = [
        {
            "period": c["period"],
            "open_at_end": int(c["open_at_end"]),
            "to_date": c["period"] == current,
        }
        for c in rows
    ]
    x = alt.X(
        "period:O", axis=_period_axis(f"Period ({PERIOD_NAMES[period]})", len(rows)), sort=None
    )
    bars = (
        alt.Chart(_data(flows))
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(
                "entities:Q",
                title="PQLs (entities); exits below zero",
                axis=alt.Axis(format="~s", tickMinStep=1),
            ),
            color=alt.Color(
                "flow:N",
                title="in the period",
                scale=alt.Scale(
                    domain=[label for _, label, _, _ in PIPELINE_FLOWS],
                    range=[colour for _, _, _, colour in PIPELINE_FLOWS],
                ),
            ),
            opacity=alt.condition("datum.to_date", alt.value(0.45), alt.value(0.85)),
            tooltip=[
                alt.Tooltip("period:O", title="period"),
                alt.Tooltip("flow:N", title="flow"),
                alt.Tooltip("entities:Q", title="entities", format=","),
            ],
        )
    )
    base = alt.Chart(_data(opened)).encode(x=x, y=alt.Y("open_at_end:Q"))
    line = base.mark_line(color=BLUE, strokeWidth=2)
    points = base.mark_point(color=BLUE, size=50, strokeWidth=2).encode(
        fill=alt.condition("datum.to_date", alt.value("white"), alt.value(BLUE)),
        tooltip=[
            alt.Tooltip("period:O", title="period"),
            alt.Tooltip("open_at_end:Q", title="open PQLs at the end", format=","),
            alt.Tooltip("to_date:N", title="period still running"),
        ],
    )
    chart = alt.layer(bars, line, points).properties(width=WIDTH, height=HEIGHT)
    latest = opened[-1]["open_at_end"] if opened else 0
    return _config(
        chart,
        f"Open PQLs at the end of each {period} (line; latest {latest}) with new, re-qualified, "
        "lapsed and converted PQLs per period (bars).",
    )


def rate_by_cohort(
    cohorts: list[dict[str, Any]],
    period: str,
    field: str,
    title: str,
    band: tuple[float, float] | None = None,
    maturing: set[str] | None = None,
) -> Spec:
    """Line with its 95% interval band per signup cohort (one colour per segment, if any);
    hollow points for cohorts still incomplete (or maturing); optional benchmark band."""
    maturing = maturing or set()
    rows = [
        {
            "cohort": c["cohort"],
            "segment": "all" if c.get("segment") is None else str(c["segment"]),
            "value": c[field],
            "low": (c.get(f"{field}_ci") or [None, None])[0],
            "high": (c.get(f"{field}_ci") or [None, None])[1],
            "status": "incomplete"
            if not c["complete"]
            else ("maturing" if c["cohort"] in maturing else "complete"),
        }
        for c in cohorts
        if c[field] is not None
    ]
    segmented = len({r["segment"] for r in rows}) > 1
    shapes = {"complete": "circle", "incomplete": "triangle-up"}
    if maturing:
        shapes["maturing"] = "diamond"
    colour = alt.Color("segment:N", title="segment") if segmented else alt.value(BLUE)
    # Fill repeats the colours without a second legend.
    quiet = alt.Color("segment:N", legend=None) if segmented else alt.value(BLUE)
    x = alt.X(
        "cohort:O",
        axis=_period_axis(
            f"Signup cohort ({PERIOD_NAMES[period]})", len({r["cohort"] for r in rows})
        ),
    )
    y_title = f"{title} (%)"
    base = alt.Chart(_data(rows)).encode(x=x)
    area = base.mark_area(opacity=0.18).encode(
        y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format=".0%")),
        y2="high:Q",
        color=colour,
        detail="segment:N",
    )
    line = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("value:Q"), color=colour, detail="segment:N"
    )
    points = base.mark_point(size=55, strokeWidth=2).encode(
        y="value:Q",
        color=colour,
        shape=alt.Shape(
            "status:N",
            title="cohort",
            scale=alt.Scale(domain=list(shapes), range=list(shapes.values())),
            legend=None,  # the caption says what open triangles and diamonds mean
        ),
        fill=alt.condition("datum.status == 'complete'", quiet, alt.value("white")),
        tooltip=[
            alt.Tooltip("cohort:O", title="cohort"),
            alt.Tooltip("segment:N", title="segment"),
            alt.Tooltip("value:Q", title=title, format=".1%"),
            alt.Tooltip("low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("high:Q", title="95% CI high", format=".1%"),
            alt.Tooltip("status:N", title="status"),
        ],
    )
    layers: list[Any] = [area, line, points]
    if band is not None:
        band_label = f"benchmark {band[0] * 100:.0f}–{band[1] * 100:.0f}%"
        benchmark = (
            alt.Chart(_data([{"low": band[0], "high": band[1], "label": band_label}]))
            .mark_rect(color=GREEN, opacity=0.12)
            .encode(y="low:Q", y2="high:Q", tooltip=alt.Tooltip("label:N", title="band"))
        )
        label = (
            alt.Chart(_data([{"high": band[1], "label": band_label}]))
            .mark_text(align="left", dx=4, dy=-6, color="#1d6b50", fontSize=11)
            .encode(y="high:Q", text="label:N", x=alt.value(0))
        )
        layers = [benchmark, label, *layers]
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _config(chart, f"Line chart of {title} by signup cohort with 95% intervals.")


def cohort_heatmap(grid: dict[str, Any], period: str) -> Spec:
    """Signup cohort x weeks since signup, cumulative share qualified; partial cells faded."""
    rows = [
        {**cell, "label": f"{cell['share'] * 100:.0f}%" if cell["share"] is not None else ""}
        for cell in grid["cells"]
    ]
    top = max((r["share"] or 0.0 for r in rows), default=0.0) or 1.0
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("week:O", title="Weeks since signup (cumulative)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:O", title=f"Signup cohort ({PERIOD_NAMES[period]})"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "share:Q",
            title="Share of cohort qualified (%)",
            scale=alt.Scale(scheme="blues", domain=[0, top]),
            legend=alt.Legend(format=".0%"),
        ),
        opacity=alt.condition("datum.complete", alt.value(1.0), alt.value(0.45)),
        tooltip=[
            alt.Tooltip("cohort:O", title="cohort"),
            alt.Tooltip("week:O", title="weeks since signup"),
            alt.Tooltip("share:Q", title="qualified", format=".1%"),
            alt.Tooltip("qualified:Q", title="PQLs", format=","),
            alt.Tooltip("signups:Q", title="signups", format=","),
            alt.Tooltip("complete:N", title="every entity had this long"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        # White only on the darkest (complete) cells: contrast >= 4.5:1 either way.
        color=alt.condition(
            f"datum.complete && datum.share > {0.7 * top}", alt.value("white"), alt.value("#1b1b1b")
        ),
    )
    height = max(HEIGHT, 18 * len({r["cohort"] for r in rows}))
    chart = (cells + text).properties(width=WIDTH, height=height)
    spec = _config(chart, "Heat map of the cumulative share of each signup cohort qualified.")
    spec["config"]["axis"]["grid"] = False
    return spec


def funnel(steps: list[dict[str, Any]], observation_days: int) -> Spec:
    """Horizontal bars: share of signups meeting each step, with 95% intervals, in order."""
    rows = [
        {
            "label": s["label"],
            "share": s["share"],
            "low": (s["share_ci"] or [None, None])[0],
            "high": (s["share_ci"] or [None, None])[1],
            "entities": s["entities"],
            "text": f"{s['share'] * 100:.1f}%" if s["share"] is not None else "",
        }
        for s in steps
    ]
    order = [r["label"] for r in rows]
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
    )
    bars = base.mark_bar(color=BLUE).encode(
        x=alt.X(
            "share:Q",
            title=f"Share of signups in complete cohorts, within {observation_days} days (%)",
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="step"),
            alt.Tooltip("share:Q", title="share", format=".1%"),
            alt.Tooltip("low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("high:Q", title="95% CI high", format=".1%"),
            alt.Tooltip("entities:Q", title="entities", format=","),
        ],
    )
    errors = base.mark_rule(color="#1b1b1b").encode(x="low:Q", x2="high:Q")
    text = base.mark_text(align="left", dx=6, fontSize=11).encode(x="high:Q", text="text:N")
    chart = (bars + errors + text).properties(width=WIDTH - 200, height=28 * len(rows))
    return _config(chart, "Funnel: share of signups meeting each criterion, in order.")


def time_to_pql(curve: dict[str, Any]) -> Spec:
    """Kaplan-Meier step curve of the share qualified by day since signup, 95% band."""
    rows = curve["points"]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X(
            "day:Q", title="Days since signup", scale=alt.Scale(domain=[0, curve["horizon_days"]])
        )
    )
    band = base.mark_area(opacity=0.2, color=BLUE, interpolate="step-after").encode(
        y=alt.Y(
            "lower:Q",
            title="Share of signups qualified (%)",
            axis=alt.Axis(format=".0%"),
        ),
        y2="upper:Q",
    )
    line = base.mark_line(color=BLUE, strokeWidth=2, interpolate="step-after").encode(
        y="share:Q",
        tooltip=[
            alt.Tooltip("day:Q", title="days since signup", format=".2f"),
            alt.Tooltip("share:Q", title="share qualified", format=".1%"),
            alt.Tooltip("lower:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("upper:Q", title="95% CI high", format=".1%"),
        ],
    )
    window = alt.Chart(_data([{"day": curve["observation_days"], "label": "observation window"}]))
    rule = window.mark_rule(color=VERMILLION, strokeDash=[4, 3]).encode(x="day:Q")
    label = window.mark_text(align="left", dx=4, y=8, color=VERMILLION, fontSize=11).encode(
        x="day:Q", text="label:N"
    )
    chart = (band + line + rule + label).properties(width=WIDTH, height=HEIGHT)
    return _config(chart, "Kaplan-Meier curve of the share of signups qualified by day.")


def drivers(candidates: list[dict[str, Any]]) -> Spec:
    """Lift with its 95% interval (log scale) per behaviour, ranked; flags coloured."""
    rows = [
        {
            "label": c["label"],
            "lift": c["lift"],
            "low": c["lift_ci"][0] if c.get("lift_ci") else None,
            "high": c["lift_ci"][1] if c.get("lift_ci") else None,
            "q_value": c["q_value"],
            "flag": c["flag"],
            "rate_with": c["rate_with"],
            "rate_without": c["rate_without"],
        }
        for c in candidates
        if c["lift"] is not None and c["lift"] > 0
    ]
    order = [r["label"] for r in rows]
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=340))
    )
    colour = alt.Color(
        "flag:N",
        title="flag",
        scale=alt.Scale(domain=["none", "vanity", "volume"], range=[BLUE, ORANGE, VERMILLION]),
    )
    x = alt.X(
        "lift:Q",
        title="Lift: conversion rate if done ÷ if not (×, log scale)",
        scale=alt.Scale(type="log"),
    )
    errors = base.mark_rule(strokeWidth=1.5).encode(x="low:Q", x2="high:Q", color=colour)
    points = base.mark_point(filled=True, size=60).encode(
        x=x,
        color=colour,
        tooltip=[
            alt.Tooltip("label:N", title="behaviour"),
            alt.Tooltip("lift:Q", title="lift", format=".2f"),
            alt.Tooltip("low:Q", title="95% CI low", format=".2f"),
            alt.Tooltip("high:Q", title="95% CI high", format=".2f"),
            alt.Tooltip("rate_with:Q", title="conversion if done", format=".1%"),
            alt.Tooltip("rate_without:Q", title="conversion if not", format=".1%"),
            alt.Tooltip("q_value:Q", title="q-value (BH)", format=".2g"),
            alt.Tooltip("flag:N", title="flag"),
        ],
    )
    one = (
        alt.Chart(_data([{"lift": 1}])).mark_rule(color=GREY, strokeDash=[3, 3]).encode(x="lift:Q")
    )
    chart = (one + errors + points).properties(width=WIDTH - 240, height=max(120, 22 * len(rows)))
    return _config(chart, "Lift of each behaviour on later conversion, with 95% intervals.")


def compare_counts(counts: list[dict[str, Any]], period: str, old: str, new: str) -> Spec:
    """Grouped bars: PQLs per period under the old and the new definition."""
    rows = [
        {"period": c["period"], "definition": f"{name} ({version})", "pqls": c[key]}
        for c in counts
        for key, name, version in (("old", "old", old), ("new", "new", new))
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "period:O",
                axis=_period_axis(f"Period of qualifying ({PERIOD_NAMES[period]})", len(counts)),
            ),
            xOffset="definition:N",
            y=alt.Y("pqls:Q", title="PQLs (entities)", axis=alt.Axis(format="~s", tickMinStep=1)),
            color=alt.Color("definition:N", title="definition"),
            tooltip=[
                alt.Tooltip("period:O"),
                alt.Tooltip("definition:N"),
                alt.Tooltip("pqls:Q", format=","),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _config(chart, "PQLs per period under two definitions.")


def retention(curves: dict[str, list[dict[str, Any]]]) -> Spec:
    """Kaplan-Meier retention of PQL and non-PQL customers by month since converting, 95%
    bands (exponential Greenwood)."""
    names = {"pql": "PQL customers", "non_pql": "non-PQL customers"}
    rows = [
        {**point, "group": names[group]} for group, points in curves.items() for point in points
    ]
    colour = alt.Color(
        "group:N",
        title="customers",
        scale=alt.Scale(domain=list(names.values()), range=[BLUE, ORANGE]),
    )
    base = alt.Chart(_data(rows)).encode(x=alt.X("months:Q", title="Months since converting"))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(
        y=alt.Y(
            "lower:Q",
            title="Customers still paying (%)",
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        y2="upper:Q",
        color=colour,
    )
    line = base.mark_line(strokeWidth=2, interpolate="step-after").encode(
        y="retention:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("group:N", title="customers"),
            alt.Tooltip("months:Q", title="months since converting", format=".1f"),
            alt.Tooltip("retention:Q", title="retained", format=".1%"),
            alt.Tooltip("lower:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("upper:Q", title="95% CI high", format=".1%"),
        ],
    )
    chart = (band + line).properties(width=WIDTH, height=HEIGHT)
    return _config(chart, "Kaplan-Meier retention curves of PQL and non-PQL customers.")
