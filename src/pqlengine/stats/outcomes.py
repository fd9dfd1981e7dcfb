"""Customer outcomes statistics (docs/semantics.md "Customer outcomes"): ARPA, revenue,
Kaplan-Meier retention, net MRR retention, LTV, and PQL vs non-PQL tests. No I/O: the
per-customer arrays come from compute/outcomes.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Z_95, Unavailable
from pqlengine.stats.survival import KaplanMeier, logrank_test

Floats = NDArray[np.float64]
RETENTION_MONTHS = (3, 6, 12)
ALPHA = 0.05
LTV_FORMULA = "ltv = arpa x margin / monthly_churn, monthly_churn = 1 - S(h) ** (1 / h)"


@dataclass(frozen=True)
class OutcomeSample:
    """Per customer, parallel arrays (NaN = not observable yet at as_of).

    followup_days: conversion to churn or as_of; churned: churn observed; mrr_start:
    MRR at conversion; revenue_year: first-year revenue; revenue_days: revenue of the
    first `--revenue-days` days (all NaN without the option); mrr_12m / mrr_days: MRR 12
    months / `--revenue-days` days after conversion (0 after churn); recurring: some MRR is
    known for the customer (without it MRR is unknown, not 0)."""

    followup_days: Floats
    churned: NDArray[np.bool_]
    mrr_start: Floats
    revenue_year: Floats
    revenue_days: Floats
    mrr_12m: Floats
    mrr_days: Floats
    recurring: NDArray[np.bool_]

    def __add__(self, other: OutcomeSample) -> OutcomeSample:
        return OutcomeSample(
            *(
                np.concatenate([getattr(self, name), getattr(other, name)])
                for name in self.__dataclass_fields__
            )
        )

    @classmethod
    def empty(cls) -> OutcomeSample:
        """No customers."""
        none, no = np.zeros(0), np.zeros(0, dtype=bool)
        return cls(none, no, none, none, none, none, none, no)

    @property
    def customers(self) -> int:
        """Number of customers."""
        return int(self.followup_days.size)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval (`upper` None: unbounded) over `n` customers."""

    estimate: float
    lower: float
    upper: float | None
    n: int

    def to_json(self) -> dict[str, Any]:
        """{estimate, ci: [lower, upper], n}."""
        return {"estimate": self.estimate, "ci": [self.lower, self.upper], "n": self.n}


@dataclass(frozen=True)
class Difference:
    """PQL minus non-PQL: the difference, its 95% interval, the test and its p-value."""

    test: str
    p_value: float
    difference: float | None = None
    lower: float | None = None
    upper: float | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """{test, p_value, difference, ci, verdict}."""
        found: dict[str, Any] = {"test": self.test, "p_value": self.p_value}
        if self.difference is not None:
            found |= {"difference": self.difference, "ci": [self.lower, self.upper]}
        return found | self.extra | {"verdict": verdict(self.p_value)}


def verdict(p_value: float) -> str:
    """Words for a comparison: a difference at 5%, or not enough evidence (never "none")."""
    if p_value < ALPHA:
        return f"difference (p = {p_value:.3g})"
    return f"not enough evidence of a difference (p = {p_value:.3g})"


def _observed(values: Floats) -> Floats:
    return values[~np.isnan(values)]


def mean_estimate(values: Floats) -> Estimate | Unavailable:
    """Mean of the observed (non-NaN) values with a 95% Student t interval."""
    seen = _observed(values)
    if seen.size == 0:
        return Unavailable("empty", "no customer is observable for this yet")
    if seen.size < 2:
        return Unavailable("too_few", "one customer: an interval needs at least two")
    mean = float(seen.mean())
    half = float(scipy_stats.t.ppf(1 - ALPHA / 2, seen.size - 1)) * seen.std(ddof=1)
    half /= math.sqrt(seen.size)
    return Estimate(mean, mean - half, mean + half, int(seen.size))


def welch(a: Floats, b: Floats) -> Difference | Unavailable:
    """Welch's t-test of mean(a) - mean(b) over observed values, Welch-Satterthwaite interval."""
    a, b = _observed(a), _observed(b)
    if a.size == 0 or b.size == 0:
        return Unavailable("empty", "a group has no customer observable for this yet")
    if a.size < 2 or b.size < 2:
        return Unavailable("too_few", "each group needs at least two customers for a t-test")
    var_a, var_b = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    if var_a + var_b == 0:
        return Unavailable("no_variance", "every customer has the same value: no t-test")
    difference = float(a.mean() - b.mean())
    se = math.sqrt(var_a + var_b)
    df = (var_a + var_b) ** 2 / (var_a**2 / (a.size - 1) + var_b**2 / (b.size - 1))
    half = float(scipy_stats.t.ppf(1 - ALPHA / 2, df)) * se
    p = float(2 * scipy_stats.t.sf(abs(difference) / se, df))
    return Difference("welch_t", p, difference, difference - half, difference + half)


def kaplan_meier(sample: OutcomeSample) -> KaplanMeier | Unavailable:
    """The Kaplan-Meier fit of follow-up (event = churned), or why there is none."""
    if sample.customers == 0:
        return Unavailable("empty", "no customers")
    return KaplanMeier(alpha=ALPHA).fit(sample.followup_days, sample.churned)


def retention_at(
    sample: OutcomeSample, fit: KaplanMeier | Unavailable, days: float
) -> Estimate | Unavailable:
    """S(days) with its exponential Greenwood interval; unavailable past the last follow-up."""
    if isinstance(fit, Unavailable):
        return fit
    longest = float(sample.followup_days.max())
    if days > longest:
        return Unavailable(
            "past_followup",
            f"no customer was followed that long (the longest follow-up is {longest:.0f} days)",
        )
    survival = float(fit.survival_function_at_times([days])[0])
    lower, upper = (float(x) for x in fit.confidence_interval_at_times([days])[0])
    at_risk = int((sample.followup_days >= days).sum())
    if survival == 1.0:
        # Greenwood's interval collapses to [1, 1] before the first churn. The exact
        # (Clopper-Pearson) lower bound for 0 churns among the customers followed past
        # `days` is conservative (every earlier customer also survived) and not a made-up 1.
        lower = (ALPHA / 2) ** (1 / at_risk)
    return Estimate(survival, lower, upper, at_risk)


def logrank(a: OutcomeSample, b: OutcomeSample) -> Difference | Unavailable:
    """Log-rank test of equal retention curves, a vs b."""
    if a.customers == 0 or b.customers == 0:
        return Unavailable("empty", "one group has no customers")
    if not (a.churned.any() or b.churned.any()):
        return Unavailable("no_events", "nobody churned: the curves cannot be compared yet")
    try:
        test = logrank_test(a.followup_days, a.churned, b.followup_days, b.churned)
    except ValueError as exc:
        return Unavailable("no_variance", str(exc))
    extra = {"observed_churns": test.observed_a, "expected_churns": test.expected_a}
    return Difference("log_rank", test.p_value, extra={"chi2": test.statistic, **extra})


def ratio_of_means(numerator: Floats, denominator: Floats) -> Estimate | Unavailable:
    """sum(numerator) / sum(denominator) over pairs where both are observed, with a 95%
    delta-method interval for a ratio of means (normal)."""
    both = ~np.isnan(numerator) & ~np.isnan(denominator)
    y, x = numerator[both], denominator[both]
    if y.size < 2:
        return Unavailable("too_few", "fewer than two customers were followed that long")
    mean_x, mean_y = float(x.mean()), float(y.mean())
    if mean_x <= 0:
        return Unavailable("no_revenue", "the starting MRR of these customers sums to 0")
    ratio = mean_y / mean_x
    covariance = np.cov(y, x, ddof=1)
    variance = (
        covariance[0, 0] / mean_x**2
        - 2 * mean_y * covariance[0, 1] / mean_x**3
        + mean_y**2 * covariance[1, 1] / mean_x**4
    ) / y.size
    half = Z_95 * math.sqrt(max(float(variance), 0.0))
    return Estimate(ratio, ratio - half, ratio + half, int(y.size))


@dataclass(frozen=True)
class Ltv:
    """LTV from ARPA and constant monthly churn, with its formula's inputs."""

    estimate: float
    lower: float
    upper: float | None
    inputs: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        """{estimate, ci, formula, inputs, interval}."""
        return {
            "estimate": self.estimate,
            "ci": [self.lower, self.upper],
            "formula": LTV_FORMULA,
            "inputs": self.inputs,
            "interval": "the formula at the bounds of the S(h) interval, ARPA at its "
            "estimate: retention uncertainty only (an upper bound of null is unbounded)",
        }


def ltv(
    arpa: Estimate | Unavailable,
    retention: dict[int, Estimate | Unavailable],
    margin: float,
) -> Ltv | Unavailable:
    """arpa x margin / monthly_churn with h the longest of 12, 6, 3 months estimated."""
    if isinstance(arpa, Unavailable):
        return arpa
    horizons = [h for h in sorted(retention, reverse=True) if isinstance(retention[h], Estimate)]
    if not horizons:
        return Unavailable("no_followup", "nobody was followed 3 months: no churn rate yet")
    h = horizons[0]
    at_h = retention[h]
    assert isinstance(at_h, Estimate)

    def value(survival: float) -> float | None:
        churn = 1 - survival ** (1 / h)
        return None if churn <= 0 else arpa.estimate * margin / churn

    estimate = value(at_h.estimate)
    if estimate is None:
        return Unavailable("no_churn", f"nobody churned in {h} months: churn rate 0, LTV unbounded")
    low = value(at_h.lower)
    assert low is not None  # the lower bound of S is at most S, which is below 1
    inputs = {
        "arpa": arpa.estimate,
        "margin": margin,
        "h_months": float(h),
        "retention_at_h": at_h.estimate,
        "monthly_churn": 1 - at_h.estimate ** (1 / h),
    }
    return Ltv(estimate, low, value(at_h.upper) if at_h.upper is not None else None, inputs)


def _shaped(name: str, value: Any, notes: list[dict[str, str]]) -> Any:
    """JSON of an Estimate/Difference/Ltv, or None with a note saying why."""
    if isinstance(value, Unavailable):
        notes.append({"field": name, "code": value.code, "message": value.message})
        return None
    return value.to_json()


def summarise(
    sample: OutcomeSample,
    days_per_month: float,
    margin: float,
    revenue_days: int | None,
) -> dict[str, Any]:
    """Every statistic of one group of customers (JSON-ready; `notes` says what is null)."""
    notes: list[dict[str, str]] = []
    fit = kaplan_meier(sample)
    retention = {m: retention_at(sample, fit, m * days_per_month) for m in RETENTION_MONTHS}
    arpa = mean_estimate(sample.mrr_start)
    if sample.customers and not sample.recurring.any():
        arpa = Unavailable(
            "no_mrr",
            "no MRR is known for these customers: set outcomes.mrr in pql.yaml or give the "
            "conversions an mrr",
        )
    found: dict[str, Any] = {
        "customers": sample.customers,
        "churned": int(sample.churned.sum()),
        "arpa": _shaped("arpa", arpa, notes),
        "first_year_revenue": _shaped(
            "first_year_revenue", mean_estimate(sample.revenue_year), notes
        ),
        "first_year_pending": int(np.isnan(sample.revenue_year).sum()),
    }
    if revenue_days is not None:
        key = f"revenue_{revenue_days}d"
        found[key] = _shaped(key, mean_estimate(sample.revenue_days), notes)
        found[f"{key}_pending"] = int(np.isnan(sample.revenue_days).sum())
    for months, value in retention.items():
        found[f"retention_{months}m"] = _shaped(f"retention_{months}m", value, notes)
    found["net_mrr_retention_12m"] = _shaped(
        "net_mrr_retention_12m", ratio_of_means(sample.mrr_12m, sample.mrr_start), notes
    )
    if revenue_days is not None:
        key = f"net_mrr_retention_{revenue_days}d"
        found[key] = _shaped(key, ratio_of_means(sample.mrr_days, sample.mrr_start), notes)
    found["ltv"] = _shaped("ltv", ltv(arpa, retention, margin), notes)
    found["notes"] = notes
    return found


def compare(pql: OutcomeSample, non_pql: OutcomeSample, revenue_days: int | None) -> dict[str, Any]:
    """PQL vs non-PQL: Welch's t for the means, log-rank for retention."""
    notes: list[dict[str, str]] = []
    found: dict[str, Any] = {
        "arpa": _shaped("arpa", welch(pql.mrr_start, non_pql.mrr_start), notes),
        "first_year_revenue": _shaped(
            "first_year_revenue", welch(pql.revenue_year, non_pql.revenue_year), notes
        ),
    }
    if revenue_days is not None:
        key = f"revenue_{revenue_days}d"
        found[key] = _shaped(key, welch(pql.revenue_days, non_pql.revenue_days), notes)
    found["retention"] = _shaped("retention", logrank(pql, non_pql), notes)
    found["notes"] = notes
    return found


def curve(sample: OutcomeSample, days_per_month: float) -> list[dict[str, float]]:
    """The Kaplan-Meier retention curve: month, S and its interval per distinct time."""
    fit = kaplan_meier(sample)
    if isinstance(fit, Unavailable):
        return []
    return [
        {
            "months": float(t) / days_per_month,
            "retention": float(s),
            "lower": float(low),
            "upper": float(high),
        }
        for t, s, (low, high) in zip(
            fit.timeline_, fit.survival_function_, fit.confidence_interval_, strict=True
        )
    ]
