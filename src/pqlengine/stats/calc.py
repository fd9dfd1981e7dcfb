"""The PQL-to-paid calculator's arithmetic (docs/semantics.md "Calculator"): customers
implied by a PQL volume and rate, and the volume a customer or revenue target needs.

Only the rate's interval is propagated: a typed volume or ARPA is taken as given, and an
observed one carries its own interval that the caller shows beside the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pqlengine.stats.intervals import Unavailable

_RATE_ONLY = (
    "95% interval from the observed rate's Wilson interval only; the other inputs are taken "
    "as given"
)


@dataclass(frozen=True)
class Estimate:
    """A number with the interval the rate's uncertainty gives it (None: no interval)."""

    value: float | None
    interval: tuple[float | None, float | None] | None
    note: str | None = None


def customers_implied(
    pqls_per_month: float, rate: float, rate_interval: tuple[float, float] | None
) -> Estimate:
    """Paid customers per month = PQLs per month x PQL-to-paid."""
    if pqls_per_month < 0 or not 0 <= rate <= 1:
        raise ValueError("the PQL volume must be >= 0 and the rate between 0 and 1")
    value = pqls_per_month * rate
    if rate_interval is None:
        return Estimate(value, None, "the rate was typed, so it has no interval")
    low, high = rate_interval
    return Estimate(value, (pqls_per_month * low, pqls_per_month * high), _RATE_ONLY)


def volume_needed(
    customers: float, rate: float, rate_interval: tuple[float, float] | None
) -> Estimate | Unavailable:
    """PQLs per month needed for `customers` paid customers per month = customers / rate;
    the interval runs from customers / upper rate to customers / lower rate."""
    if customers < 0:
        raise ValueError("the customer target must be >= 0")
    if rate <= 0:
        return Unavailable("zero_rate", "no PQL converts at this rate, so no volume is enough")
    value = customers / rate
    if rate_interval is None:
        return Estimate(value, None, "the rate was typed, so it has no interval")
    low, high = rate_interval
    upper = customers / low if low > 0 else None
    note = (
        _RATE_ONLY
        if upper is not None
        else "the rate's interval reaches 0, so the volume needed has no upper bound"
    )
    return Estimate(value, (customers / high, upper), note)


def customers_for_revenue(new_mrr: float, arpa: float) -> float:
    """New customers per month needed for `new_mrr` of new MRR per month at `arpa` each."""
    if arpa <= 0:
        raise ValueError("--arpa must be above 0")
    if new_mrr < 0:
        raise ValueError("--target-revenue must be >= 0")
    return new_mrr / arpa


def _estimate_json(found: Estimate | Unavailable) -> dict[str, Any]:
    if isinstance(found, Unavailable):
        return {"value": None, "interval": None, "note": found.message, "code": found.code}
    interval = None if found.interval is None else list(found.interval)
    return {"value": found.value, "interval": interval, "note": found.note}


def calculate(
    pqls_per_month: float | None,
    rate: float | None,
    rate_interval: tuple[float, float] | None,
    arpa: float | None = None,
    target_customers: float | None = None,
    target_revenue: float | None = None,
) -> dict[str, Any]:
    """The calculator's outputs from its resolved inputs (a typed rate has no interval).

    Raises ValueError for inputs a user must give (a volume, a rate, an ARPA for revenue)."""
    if rate is None:
        raise ValueError("give --rate (or --from-store with PQLs that converted or not)")
    result: dict[str, Any] = {"customers": None, "pqls_needed": None, "customers_needed": None}
    if pqls_per_month is not None:
        result["customers"] = _estimate_json(customers_implied(pqls_per_month, rate, rate_interval))
    if target_revenue is not None:
        if arpa is None:
            raise ValueError("--target-revenue needs the MRR per new customer: give --arpa")
        target_customers = customers_for_revenue(target_revenue, arpa)
        result["customers_needed"] = target_customers
    if target_customers is not None:
        result["pqls_needed"] = _estimate_json(volume_needed(target_customers, rate, rate_interval))
    return result


def calculator(
    pqls: float | None,
    rate: float | None,
    arpa: float | None,
    observed: dict[str, Any] | None,
    target_customers: float | None = None,
    target_revenue: float | None = None,
) -> dict[str, Any]:
    """Resolve each input (typed wins; else `observed`, the store's) and calculate.

    Only an observed rate has an interval; the result says where each input came from."""
    seen = observed or {}

    def pick(typed: float | None, key: str) -> tuple[float | None, str]:
        if typed is not None:
            return typed, "typed"
        return seen.get(key), "store" if observed is not None else "none"

    volume, volume_source = pick(pqls, "pqls_per_month")
    chosen_rate, rate_source = pick(rate, "rate")
    chosen_arpa, arpa_source = pick(arpa, "arpa")
    if chosen_rate is None and observed is not None:
        raise ValueError(f"no observed PQL-to-paid ({seen.get('rate_note')}): give --rate")
    if target_revenue is not None and chosen_arpa is None and observed is not None:
        raise ValueError(str(seen.get("arpa_note") or "give --arpa"))
    interval = seen.get("rate_ci") if rate_source == "store" else None
    inputs = {
        "pqls_per_month": volume,
        "pqls_source": volume_source,
        "rate": chosen_rate,
        "rate_source": rate_source,
        "arpa": chosen_arpa,
        "arpa_source": arpa_source,
    }
    outputs = calculate(
        volume,
        chosen_rate,
        (interval[0], interval[1]) if interval else None,
        chosen_arpa,
        target_customers,
        target_revenue,
    )
    return {"inputs": inputs, "observed": observed, **outputs}
