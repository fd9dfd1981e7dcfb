"""Causal behaviours of the first 14 days, invited members and conversions (the ground truth)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pqlengine.demo.accounts import _Accounts
from pqlengine.demo.events import _draw_category, _EventLog, _per_session, _Sessions
from pqlengine.demo.model import (
    BUSINESS_SHARE,
    CAUSAL,
    CODE,
    CONVERSION_BASE_LOG_ODDS,
    CONVERSION_DELAY_SCALE_DAYS,
    CONVERSION_DELAY_SHAPE,
    ENGAGEMENT_LOG_ODDS,
    EVENTS,
    FIT_LOG_ODDS,
    INVITE_ACCEPT_RATE,
    JOIN_DELAY_DAYS,
    MAX_CONVERSION_DAY,
    MAX_USERS,
    PLAN_LOG_ODDS,
    PLANS,
    SESSION_MINUTES,
    TREATMENT_DAYS,
    CausalBehaviour,
    _sigmoid,
)


@dataclass
class _Totals:
    """Running counts and ground-truth accumulators over chunks."""

    users: int = 0
    users_numbered: int = 0
    events: int = 0
    sub_events: int = 0  # subscription changes and cancellations (numbered apart)
    conversions: int = 0
    conversions_latent: int = 0
    spike_accounts: int = 0

    def __post_init__(self) -> None:
        # per effect: [treated, sum of ATT terms, sum p treated, sum p untreated, accounts]
        self.effects: dict[str, np.ndarray] = {}
        self.truth: list[pa.Table] = []

    def add_effect(
        self, key: str, treated: np.ndarray, p: np.ndarray, p_without: np.ndarray
    ) -> None:
        """Accumulate one chunk's treated count, ATT sum and naive probability sums."""
        sums = np.array(
            [
                treated.sum(),
                (p - p_without)[treated].sum(),
                p[treated].sum(),
                p[~treated].sum(),
                len(treated),
            ]
        )
        self.effects[key] = self.effects.get(key, np.zeros(5)) + sums

    def truth_table(self) -> pa.Table:
        """Per-account latent variables of every chunk."""
        return pa.concat_tables(self.truth)


def _causal_behaviours(
    rng: np.random.Generator, acc: _Accounts, owner_sessions: _Sessions, log: _EventLog
) -> tuple[dict[str, np.ndarray], np.ndarray, _Invites]:
    """Treatment flags, the day of the last first-causal-event, and all invites.

    A treated account does the behaviour in an owner session of its first 14 days; an
    untreated one never does it before day 14.
    """
    n = len(acc.number)
    early = owner_sessions.day < TREATMENT_DAYS
    pool = np.bincount(owner_sessions.account[early], minlength=n)
    first_session = np.searchsorted(owner_sessions.account, np.arange(n))
    treated: dict[str, np.ndarray] = {}
    last_cause_day = np.zeros(n)
    invites = _Invites.empty()
    for cause in CAUSAL:
        logit = cause.propensity_base + cause.propensity_engagement * acc.engagement_z
        chance = _sigmoid(logit + cause.propensity_fit * acc.fit)
        is_treated = (rng.random(n) < chance) & ~acc.spike
        # geometric extras (mean extra_first_14d * engagement): a long tail of busy accounts
        extra = rng.geometric(1 / (1 + cause.extra_first_14d * acc.engagement)) - 1
        count = is_treated * (1 + extra)
        account = np.repeat(np.arange(n), count)
        session = first_session[account] + (rng.random(len(account)) * pool[account]).astype(int)
        offset = rng.random(len(account)) * SESSION_MINUTES / 1440
        day = np.minimum(owner_sessions.day[session] + offset, TREATMENT_DAYS - 1e-6)
        first_day = np.full(n, np.inf)
        np.minimum.at(first_day, account, day)
        last_cause_day = np.where(is_treated, np.maximum(last_cause_day, first_day), last_cause_day)
        treated[cause.key] = is_treated
        user = owner_sessions.user[session]
        if cause.key == "invited":
            invites = _invites(rng, owner_sessions, account, user, day, cause, log)
            continue
        if cause.key == "shared":  # a document is created in the session before each share
            doc_day = owner_sessions.day[session] + offset * rng.random(len(account))
            log.add_sampled(rng, "Created Document", account, user, doc_day)
        log.add_sampled(rng, cause.event, account, user, day)
    return treated, last_cause_day, invites


@dataclass(frozen=True)
class _Invites:
    """Invitations: local account index, day, role category (0 member, 1 admin)."""

    account: np.ndarray
    day: np.ndarray
    role: np.ndarray

    @classmethod
    def empty(cls) -> _Invites:
        """No invitations."""
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))


def _invites(
    rng: np.random.Generator,
    owner_sessions: _Sessions,
    account: np.ndarray,
    user: np.ndarray,
    day: np.ndarray,
    cause: CausalBehaviour,
    log: _EventLog,
) -> _Invites:
    """Early invites (given) plus invites from owner sessions after day 14; logs the events."""
    later = owner_sessions.where(owner_sessions.day >= TREATMENT_DAYS)
    late_account, late_user, late_day = _per_session(rng, later, cause.per_session_later)
    account = np.concatenate([account, late_account])
    user = np.concatenate([user, late_user])
    day = np.concatenate([day, late_day])
    role = _draw_category(rng, EVENTS[CODE[cause.event]], len(account))
    assert role is not None
    log.add(cause.event, account, user, day, role)
    return _Invites(account, day, role)


@dataclass(frozen=True)
class _Members:
    """Invited users who joined: local account index, join day, role (0 member, 1 admin), rank."""

    account: np.ndarray
    day: np.ndarray
    role: np.ndarray
    rank: np.ndarray


def _members(rng: np.random.Generator, invites: _Invites) -> _Members:
    """Accepted invitations become users a little later; at most MAX_USERS per account."""
    accepted = rng.random(len(invites.account)) < INVITE_ACCEPT_RATE
    account, role = invites.account[accepted], invites.role[accepted]
    day = invites.day[accepted] + rng.exponential(JOIN_DELAY_DAYS, len(account))
    order = np.lexsort((day, account))
    account, day, role = account[order], day[order], role[order]
    rank = np.arange(len(account)) - np.searchsorted(account, account)
    keep = rank < MAX_USERS - 1
    return _Members(account[keep], day[keep], role[keep], rank[keep])


def _conversions(
    rng: np.random.Generator,
    acc: _Accounts,
    treated: dict[str, np.ndarray],
    last_cause_day: np.ndarray,
    totals: _Totals,
) -> dict[str, np.ndarray]:
    """Draw conversion (p, converted, day) from the ground-truth model; accumulate ATTs."""
    n = len(acc.number)
    fit = acc.fit
    plan_effect = np.array([PLAN_LOG_ODDS[plan] for plan in PLANS])[acc.plan]
    logit = CONVERSION_BASE_LOG_ODDS + ENGAGEMENT_LOG_ODDS * acc.engagement_z + plan_effect
    logit = logit + FIT_LOG_ODDS * fit
    for cause in CAUSAL:
        logit = logit + cause.log_odds * treated[cause.key]
    p = np.where(acc.spike, 0.0, _sigmoid(logit))
    converted = rng.random(n) < p
    delay = 0.5 + rng.gamma(CONVERSION_DELAY_SHAPE, CONVERSION_DELAY_SCALE_DAYS, n)
    day = np.minimum(last_cause_day + delay, MAX_CONVERSION_DAY)
    real = ~acc.spike
    for cause in CAUSAL:
        flag = treated[cause.key]
        without = _sigmoid(logit - cause.log_odds * flag)
        totals.add_effect(cause.key, flag[real], p[real], without[real])
    totals.add_effect("fit", fit[real], p[real], _sigmoid(logit - FIT_LOG_ODDS * fit)[real])
    totals.conversions_latent += int(converted.sum())
    totals.spike_accounts += int(acc.spike.sum())
    return {"p": p, "converted": converted, "day": day}


def _conversion_events(
    rng: np.random.Generator,
    acc: _Accounts,
    owner: np.ndarray,
    members: _Members,
    conversion: dict[str, np.ndarray],
    log: _EventLog,
) -> tuple[np.ndarray, np.ndarray]:
    """One "Subscription Started" per converting account, priced per seat at that time.

    Returns per local account its seats and plan index (0 pro, 1 business; 0 for accounts
    that do not convert)."""
    n = len(acc.number)
    day = conversion["day"]
    joined = members.day < day[members.account]
    seats = 1 + np.bincount(members.account[joined], minlength=n)
    converted = np.flatnonzero(conversion["converted"])
    business = (rng.random(len(converted)) < BUSINESS_SHARE).astype(np.int64)
    category = business * MAX_USERS + seats[converted] - 1
    log.add("Subscription Started", converted, owner[converted], day[converted], category)
    plan = np.zeros(n, dtype=np.int64)
    plan[converted] = business
    return seats, plan
