"""`pql outcomes` as text: one table of PQL vs non-PQL customers, the tests, the LTV formula."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from pqlengine.output import print_table

GROUP_LABEL = {"pql": "PQL", "non_pql": "non-PQL", "all": "all"}


def _money(value: dict[str, Any] | None, digits: int = 1) -> str | None:
    if value is None:
        return None
    low, high = value["ci"]
    top = "unbounded" if high is None else f"{high:,.{digits}f}"
    return f"{value['estimate']:,.{digits}f} ({low:,.{digits}f}-{top})"


def _share(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    low, high = value["ci"]
    return f"{value['estimate'] * 100:.1f}% ({low * 100:.1f}-{high * 100:.1f}%)"


def _ratio(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    low, high = value["ci"]
    return f"{value['estimate']:.2f} ({low:.2f}-{high:.2f})"


def _rows(label: str, segment: str | None, block: dict[str, Any], revenue: str) -> list[dict]:
    rows = []
    for group in ("pql", "non_pql"):
        stats = block[group]
        rows.append(
            {
                "cohort": label,
                "segment": segment,
                "group": GROUP_LABEL[group],
                "customers": stats["customers"],
                "churned": stats["churned"],
                "arpa": _money(stats["arpa"]),
                "revenue": _money(stats[revenue]),
                "retention_3m": _share(stats["retention_3m"]),
                "retention_6m": _share(stats["retention_6m"]),
                "retention_12m": _share(stats["retention_12m"]),
                "nrr": _ratio(stats["net_mrr_retention_12m"]),
                "ltv": _money(stats["ltv"], 0),
            }
        )
    return rows


def print_outcomes(console: Console, result: dict[str, Any]) -> None:
    """The table (intervals are 95%), then the PQL vs non-PQL tests and the LTV inputs."""
    days = result["revenue_days"]
    revenue = "first_year_revenue" if days is None else f"revenue_{days}d"
    rows: list[dict[str, Any]] = []
    for cohort in result["cohorts"]:
        rows += _rows(cohort["cohort"], cohort["segment"], cohort, revenue)
    rows += _rows("overall", None, result["overall"], revenue)
    columns = [("cohort", "converted", "text")]
    if result["by"]:
        columns.append(("segment", result["by"], "text"))
    columns += [
        ("group", "group", "text"),
        ("customers", "customers", ""),
        ("churned", "churned", ""),
        ("arpa", "ARPA (95% CI)", "text"),
        ("revenue", "first-year revenue" if days is None else f"revenue {days}d", "text"),
        ("retention_3m", "retained 3m", "text"),
        ("retention_6m", "retained 6m", "text"),
        ("retention_12m", "retained 12m", "text"),
        ("nrr", "net MRR ret. 12m", "text"),
        ("ltv", "LTV", "text"),
    ]
    title = (
        f"{result['definition']['name']} ({result['definition']['version']}) customers as of "
        f"{result['as_of']}, cohorts by {result['period']} of conversion; 95% intervals"
    )
    print_table(console, rows, columns, title=title)
    _print_tests(console, result["overall"]["comparison"], revenue)
    for group in ("pql", "non_pql"):
        _print_ltv(console, GROUP_LABEL[group], result["overall"][group])


def _print_tests(console: Console, comparison: dict[str, Any], revenue: str) -> None:
    console.print("PQL vs non-PQL customers (overall):")
    for key, label in (("arpa", "ARPA"), (revenue, revenue.replace("_", " "))):
        test = comparison.get(key)
        if test is None:
            why = next((n["message"] for n in comparison["notes"] if n["field"] == key), "")
            console.print(f"  {label}: no test ({escape(why)})")
            continue
        low, high = test["ci"]
        console.print(
            f"  {label}: difference {test['difference']:+,.1f} (95% CI {low:+,.1f} to "
            f"{high:+,.1f}), Welch's t: {test['verdict']}"
        )
    test = comparison.get("retention")
    if test is None:
        why = next((n["message"] for n in comparison["notes"] if n["field"] == "retention"), "")
        console.print(f"  retention: no test ({escape(why)})")
    else:
        console.print(f"  retention: log-rank chi2 {test['chi2']:.2f}: {test['verdict']}")


def _print_ltv(console: Console, label: str, stats: dict[str, Any]) -> None:
    ltv = stats["ltv"]
    if ltv is None:
        why = next((n["message"] for n in stats["notes"] if n["field"] == "ltv"), "")
        console.print(f"LTV {label}: not estimated ({escape(why)})")
        return
    inputs = ltv["inputs"]
    h = inputs["h_months"]
    upper = "unbounded" if ltv["ci"][1] is None else f"{ltv['ci'][1]:,.0f}"
    console.print(
        f"LTV {label} = arpa x margin / (1 - S({h:g}m) ** (1/{h:g})) = "
        f"{inputs['arpa']:,.2f} x {inputs['margin']:g} / (1 - {inputs['retention_at_h']:.3f} "
        f"** (1/{h:g})) = {inputs['arpa']:,.2f} x {inputs['margin']:g} / "
        f"{inputs['monthly_churn']:.4f} = {ltv['estimate']:,.0f} (retention-only 95% CI "
        f"{ltv['ci'][0]:,.0f}-{upper})"
    )
