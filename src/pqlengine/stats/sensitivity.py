"""Sensitivity to unmeasured confounding (E-values) and multiplicity (Holm).

Pure functions over numbers. The E-value (VanderWeele & Ding 2017, "Sensitivity analysis in
observational research: introducing the E-value", Ann Intern Med 167:268-274) is the minimum
strength of association, on the risk ratio scale, that an unmeasured confounder would need
with both the treatment and the outcome, beyond the measured confounders, to fully explain
away an observed risk ratio. Weaker confounding cannot; stronger confounding could, but need
not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm


def e_value(risk_ratio: float) -> float:
    """E-value of a risk ratio: RR + sqrt(RR * (RR - 1)) for RR >= 1, and the same of 1/RR
    for RR < 1 (the formula is symmetric in that sense). 1 means no confounding is needed;
    an unbounded ratio (inf) has an unbounded E-value."""
    if not risk_ratio > 0:
        raise ValueError(f"risk ratio {risk_ratio} is not a positive number")
    rr = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    if math.isinf(rr):
        return math.inf
    return rr + math.sqrt(rr * (rr - 1))


def e_value_of_interval(low: float, high: float) -> float:
    """E-value of the confidence-interval limit closest to 1 (1 when the interval covers 1):
    the confounder strength that could move the interval to include no effect."""
    if not 0 < low <= high:
        raise ValueError(f"interval ({low}, {high}) is not 0 < low <= high")
    if low > 1:
        return e_value(low)
    if high < 1:
        return e_value(high)
    return 1.0


@dataclass(frozen=True)
class RiskRatio:
    """Risk ratio among the treated, treated mean / (treated mean - ATT), with its interval."""

    estimate: float
    low: float
    high: float


def att_risk_ratio(
    treated_mean: float, att: float, att_low: float, att_high: float
) -> RiskRatio | None:
    """The ATT on the risk ratio scale: observed risk of the treated over their estimated risk
    without treatment, mu1 / (mu1 - ATT). The interval maps the ATT interval through the same
    function with mu1 held at its estimate (the function is increasing in the ATT), so the
    ratio's interval excludes 1 exactly when the ATT interval excludes 0. A counterfactual
    risk at or below 0 (ATT >= mu1) makes the ratio unbounded (inf). None when mu1 is 0:
    no treated entity had the outcome, so no ratio exists.
    """
    if not treated_mean > 0:
        return None

    def ratio(effect: float) -> float:
        baseline = treated_mean - effect
        return treated_mean / baseline if baseline > 0 else math.inf

    return RiskRatio(ratio(att), ratio(att_low), ratio(att_high))


def wald_p_value(estimate: float, std_error: float) -> float:
    """Two-sided normal p-value of estimate / std_error (the test matching a Wald interval)."""
    if std_error <= 0:
        return 0.0 if estimate != 0 else 1.0
    return float(2 * norm.sf(abs(estimate) / std_error))


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm (1979) step-down adjusted p-values in input order; None stays None, uncounted.

    Rejecting where the adjusted p-value is below alpha keeps the chance of any false
    rejection among the tests at most alpha, whatever their dependence.
    """
    positions = [i for i, p in enumerate(p_values) if p is not None]
    present = np.array([p_values[i] for i in positions], dtype=np.float64)
    if not np.all((present >= 0) & (present <= 1)):  # also rejects NaN
        raise ValueError("p-values must lie in [0, 1]")
    adjusted: list[float | None] = [None] * len(p_values)
    m = len(present)
    order = np.argsort(present, kind="mergesort")
    scaled = present[order] * (m - np.arange(m))
    stepped = np.minimum(np.maximum.accumulate(scaled), 1.0)
    for sorted_index, value in zip(order, stepped, strict=True):
        adjusted[positions[sorted_index]] = float(value)
    return adjusted
