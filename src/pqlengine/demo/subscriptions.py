"""After conversion: latent churn times, seat expansions and their subscription events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pqlengine.demo.events import _EventLog
from pqlengine.demo.model import (
    DAYS_PER_MONTH,
    EXPANSION_SEATS_MEAN,
    EXPANSION_SHARE,
    EXPANSION_SPAN_DAYS,
    MAX_USERS,
    PAID_PRICE_PER_SEAT,
    RETENTION_BASE_HAZARD_PER_MONTH,
    RETENTION_DRIVERS,
)


@dataclass(frozen=True)
class _Subscriptions:
    """Per local account (meaningful for converting ones): latent days after signup, MRRs."""

    churn_day: np.ndarray  # latent, uncensored (may lie after `end`)
    hazard_per_month: np.ndarray
    mrr_at_conversion: np.ndarray
    expansion_day: np.ndarray  # NaN without an expansion before churn
    expansion_mrr: np.ndarray  # NaN without an expansion


def _subscriptions(
    rng: np.random.Generator,
    drivers: dict[str, np.ndarray],
    conversion_day: np.ndarray,
    seats: np.ndarray,
    plan: np.ndarray,
) -> _Subscriptions:
    """Draw every account's churn time and expansion from its own random stream.

    `drivers` maps each RetentionDriver key to its first-14-days flag. Draws are made for
    every account (converting or not) so the stream does not depend on who converts.
    """
    n = len(conversion_day)
    log_hazard = np.zeros(n)
    for driver in RETENTION_DRIVERS:
        log_hazard = log_hazard + driver.log_hazard * drivers[driver.key]
    hazard = RETENTION_BASE_HAZARD_PER_MONTH * np.exp(log_hazard)
    churn_day = conversion_day + rng.exponential(1.0 / hazard) * DAYS_PER_MONTH
    expands = rng.random(n) < EXPANSION_SHARE
    expansion_day = conversion_day + rng.random(n) * EXPANSION_SPAN_DAYS
    added = rng.geometric(1.0 / EXPANSION_SEATS_MEAN, n)
    new_seats = np.minimum(seats + added, MAX_USERS)
    expands &= (expansion_day < churn_day) & (new_seats > seats)
    price = np.asarray(PAID_PRICE_PER_SEAT)[plan]
    return _Subscriptions(
        churn_day=churn_day,
        hazard_per_month=hazard,
        mrr_at_conversion=price * seats,
        expansion_day=np.where(expands, expansion_day, np.nan),
        expansion_mrr=np.where(expands, price * new_seats, np.nan),
    )


def _subscription_events(
    subs: _Subscriptions,
    converted: np.ndarray,
    owner: np.ndarray,
    plan: np.ndarray,
) -> _EventLog:
    """'Subscription Changed' at each expansion, 'Subscription Cancelled' at each churn.

    A separate log: these events get their own ids, so the ids of every other event stay
    as they were before subscriptions were simulated.
    """
    log = _EventLog()
    expanded = np.flatnonzero(converted & ~np.isnan(subs.expansion_day))
    price = np.asarray(PAID_PRICE_PER_SEAT)[plan[expanded]]
    new_seats = np.rint(subs.expansion_mrr[expanded] / price).astype(np.int64)
    category = plan[expanded] * MAX_USERS + new_seats - 1
    day = subs.expansion_day[expanded]
    log.add("Subscription Changed", expanded, owner[expanded], day, category)
    churned = np.flatnonzero(converted)
    log.add("Subscription Cancelled", churned, owner[churned], subs.churn_day[churned])
    return log
