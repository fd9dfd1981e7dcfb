"""Causal drivers: which behaviours raise conversion once engagement and fit are adjusted for.

For every behaviour discovery lists, treatment = did it (at least `threshold` times) in the
first `window_days` after signup; outcome = converted after that window, within the
conversion window (the same eligible entities and outcome as discovery). The database builds
one row per eligible entity (behaviour counts, engagement, firmographics); only that matrix
leaves it, and `stats.causal` does the maths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from pqlengine.compute.attributes import entity_attributes
from pqlengine.compute.discovery import discover, outcome_frame, window_events
from pqlengine.compute.entities import to_utc_naive
from pqlengine.compute.outcome_labels import CONVERTED, Outcome, require_yes_no
from pqlengine.config import Project
from pqlengine.stats.causal import CausalEstimate, TrimRule, estimate_effect
from pqlengine.stats.sensitivity import (
    RiskRatio,
    att_risk_ratio,
    e_value,
    e_value_of_interval,
    holm,
    wald_p_value,
)
from pqlengine.store import Store, Tables

LIKELY_DRIVER = "likely driver"
CONFOUNDABLE = "associated, could be explained by a confounder"
CORRELATED = "correlated with engagement"
NO_EFFECT = "no clear effect"
NEGATIVE = "negative after adjustment"
INCONCLUSIVE = "inconclusive (poor overlap / too few)"
LABEL_ORDER = (LIKELY_DRIVER, CONFOUNDABLE, CORRELATED, NO_EFFECT, NEGATIVE, INCONCLUSIVE)
# "likely driver" needs the E-value of the interval limit to reach this: a hidden confounder
# associated with both the behaviour and conversion by a risk ratio below it, beyond the
# engagement and fit adjusted for, cannot explain the effect away. Chosen on an independent
# simulator with latent engagement (docs/causal.md, bench/RESULTS.md).
E_VALUE_THRESHOLD = 2.0

ADJUSTED_FOR = (
    "the first user's active days in the window (distinct UTC days with any event)",
    "the first user's event volume in the window excluding the behaviour itself (log(1 + count))",
    "the first user's breadth: distinct event names in the window excluding the behaviour itself",
    "whether the first user did each of the other listed behaviours in the window",
    "employees (log(1 + employees), plus an 'unknown' indicator)",
    "plan (unknown as its own level)",
    "email domain type (free-mail, company or unknown)",
)
LIMITS = (
    "Observational: entities chose these behaviours. The adjusted effect removes only the "
    "differences in what was adjusted for; it is evidence, not proof, of causation.",
    "Unmeasured confounding is possible: anything that drives both the behaviour and "
    "conversion and is not captured by the engagement and fit measures above (intent, budget, "
    "an existing team, sales contact) still biases the estimate.",
    "Engagement is the first user's (for an account, the user with its earliest event in the "
    "window): teammates' activity is left out because it can be a consequence of the "
    "behaviour (inviting them). It is measured in the same window as the behaviour, so the "
    "first user's own activity can still partly be a consequence; adjusting for it then "
    "understates a real effect.",
    "Each effect holds the other listed behaviours fixed: it is the effect of this behaviour "
    "beyond them. A behaviour that mostly leads to another one (creating what is then shared) "
    "gets little credit, and doers who always do another behaviour too have no comparable "
    "controls and are trimmed.",
    "Effects are averaged over the entities that did the behaviour (ATT) among those not "
    "converted by the end of the window, on the chance of converting afterwards within the "
    "conversion window; after trimming, over those with comparable propensity only.",
    "The 95% intervals are per behaviour; the labels use Holm-adjusted p-values across the "
    "behaviours analysed in this run, so the chance of any false 'likely driver' from chance "
    "alone is at most alpha.",
    f"'likely driver' also needs an E-value of the interval limit of at least "
    f"{E_VALUE_THRESHOLD:g}: weaker hidden confounding (a risk ratio below that with both the "
    "behaviour and conversion) cannot explain the effect away; stronger hidden confounding "
    "could. Engagement measured with error leaves such confounding behind.",
)


@dataclass(frozen=True)
class DriverMatrix:
    """One row per eligible entity (window and conversion window over, not converted in the
    window): behaviour counts, engagement and firmographics; `converted` is the outcome.

    Treatments (`counts`) are the entity's: any of its users doing the behaviour counts.
    Engagement and the other behaviours (`founder_counts`) are measured on the entity's first
    user only (the user with its earliest event in the window; for user entities the user
    itself): teammates' activity is largely a consequence of behaviours such as inviting them,
    and adjusting for a consequence of the treatment would remove part of its effect.
    """

    entity_ids: list[str]
    converted: np.ndarray
    events: list[str]
    counts: np.ndarray  # counts[:, j]: how often the entity did events[j] in the window
    founder_counts: np.ndarray  # the same, by the entity's first user only
    active_days: np.ndarray  # the first user's distinct UTC days with an event in the window
    event_count: np.ndarray  # the first user's events in the window
    event_types: np.ndarray  # the first user's distinct event names in the window
    employees: np.ndarray  # float, NaN when unknown
    plan: np.ndarray  # text, "unknown" when missing
    email_domain: np.ndarray  # free | company | unknown

    def confounders(self, column: int) -> dict[str, np.ndarray]:
        """The confounders for the behaviour in `counts[:, column]`: the first user's
        engagement without the behaviour itself, whether the first user did each other
        behaviour, and fit."""
        own = self.founder_counts[:, column]
        known = ~np.isnan(self.employees)
        others = {
            _other(name): (self.founder_counts[:, j] > 0).astype(float)
            for j, name in enumerate(self.events)
            if j != column
        }
        return {
            "active_days": self.active_days.astype(float),
            "log_other_events": np.log1p(self.event_count - own),
            "other_event_types": (self.event_types - (own > 0)).astype(float),
            **others,
            "log_employees": np.where(known, np.log1p(np.where(known, self.employees, 0)), 0.0),
            "employees_unknown": (~known).astype(float),
            "plan": self.plan,
            "email_domain": self.email_domain,
        }


def _other(event: str) -> str:
    return f"did:{event}"


def driver_matrix(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int,
    events: list[str],
    outcome: Outcome = CONVERTED,
) -> DriverMatrix:
    """Aggregate the per-entity matrix in the database; only the matrix leaves it.
    `converted` holds the yes/no `outcome` over the entities it can be measured on."""
    cohort = outcome_frame(store, project, as_of, window_days, outcome)[0]
    cohort = cohort.filter(~cohort.converted_in_window)
    inside = window_events(store, project, as_of, cohort, ("event", "user_id"))
    mine = _by_first_user(inside)
    per_entity = mine.group_by(p_entity="entity_id").agg(
        active_days=mine.ts.truncate("D").nunique(where=mine.by_first),
        event_count=mine.by_first.sum(),
        event_types=mine.event.nunique(where=mine.by_first),
        **{f"c{j}": (mine.event == name).sum() for j, name in enumerate(events)},
        **{f"f{j}": ((mine.event == name) & mine.by_first).sum() for j, name in enumerate(events)},
    )
    firm = firmographics(store, project)
    base = cohort.select("entity_id", "converted")
    joined = base.left_join(per_entity, base.entity_id == per_entity.p_entity)
    joined = joined.left_join(firm, joined.entity_id == firm.f_entity)
    table = joined.order_by("entity_id").to_pyarrow()

    def column(name: str) -> np.ndarray:
        return table.column(name).to_numpy(zero_copy_only=False)

    def counted(name: str) -> np.ndarray:
        return np.nan_to_num(column(name).astype(float)).astype(np.int64)

    def stacked(prefix: str) -> np.ndarray:
        if not events:
            return np.zeros((table.num_rows, 0), np.int64)
        return np.column_stack([counted(f"{prefix}{j}") for j in range(len(events))])

    employees = table.column("employees").to_pylist()
    return DriverMatrix(
        entity_ids=table.column("entity_id").to_pylist(),
        converted=column("converted").astype(bool),
        events=list(events),
        counts=stacked("c"),
        founder_counts=stacked("f"),
        active_days=counted("active_days"),
        event_count=counted("event_count"),
        event_types=counted("event_types"),
        employees=np.array([np.nan if v is None else float(v) for v in employees]),
        plan=np.array([v or "unknown" for v in table.column("plan").to_pylist()], dtype=object),
        email_domain=np.array(
            [v or "unknown" for v in table.column("email_domain").to_pylist()], dtype=object
        ),
    )


def _by_first_user(inside: ir.Table) -> ir.Table:
    """`inside` plus `by_first`: whether the event is the entity's first user's (the user
    with the entity's earliest event in the window, ties to the smallest user_id). Events of
    an entity with no user-attributed event at all count as its first user's."""
    named = inside.filter(inside.user_id.notnull())
    seen = named.group_by(s_entity="entity_id", s_user="user_id").agg(s_first=named.ts.min())
    rank = ibis.row_number().over(group_by=seen.s_entity, order_by=[seen.s_first, seen.s_user])
    ranked = seen.mutate(s_rank=rank)
    first = ranked.filter(ranked.s_rank == 0).select(u_entity="s_entity", u_first="s_user")
    marked = inside.left_join(first, inside.entity_id == first.u_entity)
    same = (marked.user_id == marked.u_first).fill_null(False)
    return marked.mutate(by_first=marked.u_first.isnull() | same).drop("u_entity", "u_first")


def firmographics(store: Tables, project: Project) -> ir.Table:
    """f_entity, employees, plan, email_domain (free | company | null) per entity."""
    source = entity_attributes(store, project)
    domain = source.attr_fit_domain
    free = list(project.definition.fit.free_domains)
    kind = ibis.ifelse(domain.isin(free), "free", "company")
    return source.select(
        f_entity=source.attr_id,
        employees=source.attr_employees.cast("float64"),
        plan=source.attr_plan.cast("string"),
        email_domain=ibis.ifelse(domain.isnull(), ibis.null("string"), kind),
    )


def drivers(
    store: Store,
    project: Project,
    as_of: datetime,
    window_days: int = 14,
    min_support: int = 25,
    thresholds: str = "one",
    trim: TrimRule = "crump",
    alpha: float = 0.05,
    outcome: Outcome = CONVERTED,
) -> dict[str, Any]:
    """Naive and adjusted (ATT, AIPW) effect of each discovered behaviour on conversion (or
    on a yes/no `outcome` such as retained_<D>, discovered against that outcome).

    `thresholds`: "one" treats "did it at least once" as the behaviour; "discovered" uses the
    threshold of the behaviour's best-ranked discovery candidate.
    """
    if thresholds not in ("one", "discovered"):
        raise ValueError(f"thresholds: '{thresholds}' is not 'one' or 'discovered'")
    require_yes_no(outcome, "drivers")
    found = discover(store, project, as_of, window_days, min_support, outcome=outcome)
    chosen = _behaviours(found["candidates"], thresholds == "discovered")
    names = sorted(chosen)
    matrix = driver_matrix(store, project, as_of, window_days, names, outcome)
    rows = analyse_matrix(matrix, chosen, min_support, trim, alpha)
    return {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "window_days": window_days,
        "outcome": found["outcome"],
        "outcome_description": found["outcome_description"],
        "conversion_window_days": project.conversion_window_days,
        "entities": len(matrix.entity_ids),
        "conversions": int(matrix.converted.sum()),
        "excluded_converted_in_window": found["excluded_converted_in_window"],
        "estimand": "ATT",
        "method": "aipw",
        "alpha": alpha,
        "trim": trim if not isinstance(trim, tuple) else list(trim),
        "min_support": min_support,
        "multiplicity": "holm",
        "e_value_threshold": E_VALUE_THRESHOLD,
        "adjusted_for": list(ADJUSTED_FOR),
        "limits": list(LIMITS),
        "behaviours": rows,
    }


def analyse_matrix(
    matrix: DriverMatrix,
    chosen: dict[str, int],
    min_support: int = 25,
    trim: TrimRule = "crump",
    alpha: float = 0.05,
) -> list[dict[str, Any]]:
    """One labelled row per behaviour of `matrix` (event -> threshold in `chosen`), most
    convincing first. The Holm family is the behaviours with an estimate and enough support."""
    analysed = []
    for column, name in enumerate(matrix.events):
        confounders = matrix.confounders(column)
        data = {
            "treated": matrix.counts[:, column] >= chosen[name],
            "converted": matrix.converted,
            **confounders,
        }
        estimate = estimate_effect(
            data, "treated", "converted", list(confounders), "ATT", "aipw", alpha=alpha, trim=trim
        )
        problem = _support_problem(estimate, min_support)
        analysed.append((name, data, estimate, problem))
    p_values = [
        wald_p_value(e.estimate, e.std_error)
        if problem is None and e.estimate is not None and e.std_error is not None
        else None
        for _, _, e, problem in analysed
    ]
    adjusted = holm(p_values)
    family = sum(p is not None for p in p_values)
    rows = [
        _row(name, chosen[name], data, estimate, problem, p, q, family, alpha)
        for (name, data, estimate, problem), p, q in zip(analysed, p_values, adjusted, strict=True)
    ]
    rows.sort(key=lambda r: (LABEL_ORDER.index(r["label"]), -(r["effect"] or 0.0)))
    return rows


def _behaviours(candidates: list[dict[str, Any]], discovered: bool) -> dict[str, int]:
    """Event -> threshold, for the ranked (supported, non-vanity) event candidates."""
    chosen: dict[str, int] = {}
    for candidate in candidates:
        if candidate["kind"] != "event" or {"low_support", "vanity"} & set(candidate["flags"]):
            continue
        if discovered:
            chosen.setdefault(candidate["event"], int(candidate["threshold"]))
        elif candidate["threshold"] == 1:
            chosen[candidate["event"]] = 1
    return chosen


def _row(
    event: str,
    threshold: int,
    data: dict[str, np.ndarray],
    estimate: CausalEstimate,
    problem: str | None,
    p_value: float | None,
    p_holm: float | None,
    family: int,
    alpha: float,
) -> dict[str, Any]:
    treated, converted = data["treated"], data["converted"]
    rate_with = float(converted[treated].mean()) if treated.any() else None
    rate_without = float(converted[~treated].mean()) if (~treated).any() else None
    overlap = estimate.overlap
    ratio = _risk_ratio(estimate)
    e_point = e_value(ratio.estimate) if ratio else None
    e_limit = e_value_of_interval(ratio.low, ratio.high) if ratio else None
    evidence = _Evidence(p_holm, family, alpha, e_limit)
    label, why = _label(estimate, problem, evidence)
    worst_before, worst_after = _worst_balance(estimate)
    return {
        "event": event,
        "threshold": threshold,
        "treated": int(treated.sum()),
        "control": int((~treated).sum()),
        "rate_with": rate_with,
        "rate_without": rate_without,
        "lift": rate_with / rate_without if rate_with is not None and rate_without else None,
        "naive_difference": estimate.naive,
        "naive_ci": list(estimate.naive_ci) if estimate.naive_ci else None,
        "effect": estimate.estimate,
        "effect_ci": ([estimate.ci_low, estimate.ci_high] if estimate.ci_low is not None else None),
        "std_error": estimate.std_error,
        "interval_method": estimate.interval_method,
        "p_value": p_value,
        "p_holm": p_holm,
        "risk_ratio": _finite(ratio.estimate) if ratio else None,
        "risk_ratio_ci": [_finite(ratio.low), _finite(ratio.high)] if ratio else None,
        "e_value": _finite(e_point),
        "e_value_ci": _finite(e_limit),
        "label": label,
        "why": why,
        "analysed_treated": estimate.n_treated,
        "analysed_control": estimate.n_control,
        "propensity_treated": list(overlap.propensity_treated) if overlap else None,
        "propensity_control": list(overlap.propensity_control) if overlap else None,
        "ess_treated": overlap.ess_treated if overlap else None,
        "ess_control": overlap.ess_control if overlap else None,
        "trimmed_share": overlap.trimmed_share if overlap else None,
        "trim_rule": overlap.trim_rule if overlap else None,
        "max_abs_smd_before": worst_before,
        "max_abs_smd_after": worst_after,
        "reason": (
            {"code": estimate.reason.code, "message": estimate.reason.message}
            if estimate.reason
            else None
        ),
        "warnings": list(estimate.warnings),
    }


def _worst_balance(estimate: CausalEstimate) -> tuple[float | None, float | None]:
    before = [abs(b.smd_before) for b in estimate.balance]
    after = [abs(b.smd_after) for b in estimate.balance if b.smd_after is not None]
    return (max(before) if before else None, max(after) if after else None)


def _risk_ratio(estimate: CausalEstimate) -> RiskRatio | None:
    if estimate.estimate is None or estimate.ci_low is None or estimate.ci_high is None:
        return None
    if estimate.treated_mean is None:
        return None
    return att_risk_ratio(
        estimate.treated_mean, estimate.estimate, estimate.ci_low, estimate.ci_high
    )


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: an unbounded ratio or E-value is reported as None."""
    return value if value is not None and math.isfinite(value) else None


def _support_problem(estimate: CausalEstimate, min_support: int) -> str | None:
    """Why the estimate is too thin to label, or None."""
    if estimate.reason is not None:
        return estimate.reason.message
    overlap = estimate.overlap
    assert overlap is not None
    if min(estimate.n_treated, estimate.n_control) < min_support:
        return (
            f"only {estimate.n_treated} treated and {estimate.n_control} comparable controls "
            f"after trimming (fewer than {min_support})"
        )
    if overlap.ess_control is not None and overlap.ess_control < min_support:
        return (
            f"the controls' effective sample size is {overlap.ess_control:.0f} (< {min_support}):"
            " a few entities that resemble the doers carry the comparison"
        )
    return None


@dataclass(frozen=True)
class _Evidence:
    """What the label rests on besides the estimate: Holm p, family size, E-value of the
    interval limit."""

    p_holm: float | None
    family: int
    alpha: float
    e_limit: float | None

    def holm_text(self) -> str:
        return f"Holm-adjusted p = {self.p_holm:.2g} across {self.family} behaviours"

    def e_text(self) -> str:
        if self.e_limit is None:
            return "the E-value is unavailable"
        if math.isinf(self.e_limit):
            return "the E-value of the interval limit is unbounded"
        return f"E-value of the interval limit {self.e_limit:.2f}"


def _label(estimate: CausalEstimate, problem: str | None, evidence: _Evidence) -> tuple[str, str]:
    """The label and the sentence saying why."""
    if problem is not None:
        return INCONCLUSIVE, problem
    assert estimate.estimate is not None and estimate.ci_low is not None
    assert estimate.ci_high is not None and evidence.p_holm is not None
    naive_positive = estimate.naive_ci is not None and estimate.naive_ci[0] > 0
    survives = evidence.p_holm < evidence.alpha
    strength = evidence.e_limit if evidence.e_limit is not None else 1.0
    if survives and estimate.estimate > 0:
        if strength >= E_VALUE_THRESHOLD:
            return LIKELY_DRIVER, (
                f"the adjusted effect is above zero after correcting for multiple comparisons "
                f"({evidence.holm_text()}), and only a hidden confounder associated with both "
                f"the behaviour and conversion by a risk ratio of at least {strength:.2f} each "
                f"could explain it away (threshold {E_VALUE_THRESHOLD:g})"
            )
        return CONFOUNDABLE, (
            f"the adjusted effect is above zero ({evidence.holm_text()}), but a hidden "
            f"confounder associated with both the behaviour and conversion by a risk ratio of "
            f"{strength:.2f} each, beyond what was adjusted for, could explain it away "
            f"(below the {E_VALUE_THRESHOLD:g} required for 'likely driver'); not evidence of "
            "no effect"
        )
    if survives:
        return NEGATIVE, (
            f"the adjusted interval is below zero ({evidence.holm_text()}; {evidence.e_text()})"
        )
    if estimate.ci_low > 0 or estimate.ci_high < 0:
        unadjusted = (
            f"the adjusted interval excludes zero, but not after correcting for multiple "
            f"comparisons ({evidence.holm_text()})"
        )
        return (CORRELATED if naive_positive else NO_EFFECT), unadjusted
    if naive_positive:
        return CORRELATED, (
            "doers convert more, but after adjusting for engagement and fit the interval "
            "includes zero"
        )
    return NO_EFFECT, (
        "neither the naive nor the adjusted difference is clearly above zero; not evidence "
        "of no effect"
    )
