"""Accounts, all at once (a few arrays of n_accounts): attributes, latent variables, the table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pqlengine.demo.columns import _decode, _json_codes, _prefixed
from pqlengine.demo.model import (
    COUNTRIES,
    COUNTRY_WEIGHTS,
    EMPLOYEES_NULL_SHARE,
    ENGAGEMENT_SIGMA,
    FIT_MIN_EMPLOYEES,
    FREE_EMAIL_DOMAINS,
    FREE_EMAIL_SHARE,
    INDUSTRIES,
    PLAN_WEIGHTS,
    PLANS,
    SIGNUP_GROWTH,
    SIGNUP_WINDOW_DAYS,
    SPIKE_SHARE,
    US_PER_DAY,
    WEEKEND_SIGNUP_WEIGHT,
    _weekend,
)

COMPANY_WORDS = (
    "acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay", "soylent",
    "tyrell", "cyberdyne", "wonka", "aperture", "oscorp", "massive", "dunder", "prestige",
    "gringotts", "monarch", "pied-piper", "nakatomi", "sirius", "wernham", "kwik",
)  # fmt: skip
FIRST_NAMES = (
    "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kara",
    "liam", "maya", "noah", "olga", "pablo", "quinn", "rosa", "sam", "tara", "umar", "vera",
    "wei", "yara", "zoe", "lukas", "priya", "kenji", "amara", "mateo",
)  # fmt: skip
LAST_NAMES = (
    "smith", "muller", "garcia", "rossi", "dubois", "kowalski", "silva", "tanaka", "patel",
    "nguyen", "johnson", "schmidt", "martin", "kim", "novak", "jansen", "larsen", "okafor",
    "costa", "fischer",
)  # fmt: skip


@dataclass(frozen=True)
class _Accounts:
    """Account attributes and latent variables, sorted by signup time."""

    number: np.ndarray  # 0-based account number (account_id = acct_{number+1})
    signup_us: np.ndarray
    engagement_z: np.ndarray
    employees: np.ndarray  # float, NaN = unknown
    free_email: np.ndarray
    domain_word: np.ndarray
    free_domain: np.ndarray
    plan: np.ndarray
    country: np.ndarray
    industry: np.ndarray
    spike: np.ndarray
    owner_first: np.ndarray
    owner_last: np.ndarray

    def slice(self, start: int, stop: int) -> _Accounts:
        """The accounts start..stop-1."""
        return _Accounts(**{k: v[start:stop] for k, v in self.__dict__.items()})

    @property
    def fit(self) -> np.ndarray:
        """Firmographic fit as the definition's fit gate sees it (unknown employees pass)."""
        big_enough = np.isnan(self.employees) | (self.employees >= FIT_MIN_EMPLOYEES)
        return ~self.free_email & big_enough

    @property
    def engagement(self) -> np.ndarray:
        """Rate multiplier exp(sigma z), mean 1."""
        return np.exp(ENGAGEMENT_SIGMA * self.engagement_z - ENGAGEMENT_SIGMA**2 / 2)

    def account_ids(self) -> pa.Array:
        """acct_0000001-style ids."""
        return _prefixed("acct_", self.number + 1, 7)


def _simulate_accounts(rng: np.random.Generator, n: int, end_us: int) -> _Accounts:
    signup_us = _signup_times(rng, n, end_us)
    free_email = rng.random(n) < FREE_EMAIL_SHARE
    return _Accounts(
        number=np.arange(n, dtype=np.int64),
        signup_us=signup_us,
        engagement_z=rng.standard_normal(n),
        employees=_employees(rng, free_email),
        free_email=free_email,
        domain_word=rng.integers(0, len(COMPANY_WORDS), n),
        free_domain=rng.integers(0, len(FREE_EMAIL_DOMAINS), n),
        plan=rng.choice(len(PLANS), n, p=PLAN_WEIGHTS),
        country=rng.choice(len(COUNTRIES), n, p=COUNTRY_WEIGHTS),
        industry=rng.integers(0, len(INDUSTRIES), n),
        spike=rng.random(n) < SPIKE_SHARE,
        owner_first=rng.integers(0, len(FIRST_NAMES), n),
        owner_last=rng.integers(0, len(LAST_NAMES), n),
    )


def _signup_times(rng: np.random.Generator, n: int, end_us: int) -> np.ndarray:
    """Sorted signup instants: growing over the window, fewer on weekends, mostly daytime."""
    first_day_us = (end_us // US_PER_DAY - SIGNUP_WINDOW_DAYS) * US_PER_DAY
    day_us = first_day_us + np.arange(SIGNUP_WINDOW_DAYS + 1, dtype=np.int64) * US_PER_DAY
    day_us = day_us[day_us < end_us]
    weights = SIGNUP_GROWTH ** (np.arange(len(day_us)) / SIGNUP_WINDOW_DAYS)
    weights = np.where(_weekend(day_us), weights * WEEKEND_SIGNUP_WEIGHT, weights)
    days = rng.choice(len(day_us), n, p=weights / weights.sum())
    hours = np.mod(rng.normal(15.0, 3.5, n), 24.0)
    signup = day_us[days] + (hours * 3600e6).astype(np.int64)
    return np.sort(np.minimum(signup, end_us - 1))


def _employees(rng: np.random.Generator, free_email: np.ndarray) -> np.ndarray:
    """Log-normal head counts (free-mail accounts are smaller); some unknown (NaN)."""
    n = len(free_email)
    log_median = np.where(free_email, np.log(2.0), np.log(12.0))
    sigma = np.where(free_email, 1.0, 1.4)
    employees = np.clip(np.round(np.exp(rng.normal(log_median, sigma))), 1, 50_000)
    return np.where(rng.random(n) < EMPLOYEES_NULL_SHARE, np.nan, employees)


def _day_us(acc: _Accounts, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Absolute microseconds of a day offset from each account's signup."""
    return acc.signup_us[account] + (day * US_PER_DAY).astype(np.int64)


def _account_domains(acc: _Accounts) -> pa.Array:
    """Free-mail domain, or a unique company domain like acme-1234.com."""
    company = pc.binary_join_element_wise(
        _decode(acc.domain_word, pa.array(COMPANY_WORDS)), "-", _account_numbers(acc), ".com", ""
    )
    free = _decode(acc.free_domain, pa.array(FREE_EMAIL_DOMAINS))
    return pc.if_else(pa.array(acc.free_email), free, company)


def _account_numbers(acc: _Accounts) -> pa.Array:
    return pc.cast(pa.array(acc.number + 1000), pa.string())


def _accounts_table(acc: _Accounts) -> pa.Table:
    word = pc.utf8_capitalize(_decode(acc.domain_word, pa.array(COMPANY_WORDS)))
    company_name = pc.binary_join_element_wise(word, " ", _account_numbers(acc), "")
    first = pc.utf8_capitalize(_decode(acc.owner_first, pa.array(FIRST_NAMES)))
    personal_name = pc.binary_join_element_wise(first, "'s workspace", "")
    traits = _json_codes(
        [{"country": c, "industry": i} for c in COUNTRIES for i in INDUSTRIES],
        acc.country * len(INDUSTRIES) + acc.industry,
    )
    employees = pa.array(
        np.nan_to_num(acc.employees).astype(np.int64), mask=np.isnan(acc.employees), type=pa.int64()
    )
    return pa.table(
        {
            "account_id": acc.account_ids(),
            "name": pc.if_else(pa.array(acc.free_email), personal_name, company_name),
            "domain": _account_domains(acc),
            "employees": employees,
            "plan": _decode(acc.plan, pa.array(PLANS)),
            "created_at": pa.array(acc.signup_us, type=pa.timestamp("us")),
            "traits": traits,
        }
    )
