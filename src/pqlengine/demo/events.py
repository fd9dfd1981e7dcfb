"""Events of a chunk of accounts: the event log, sessions, per-session, noise and spike events."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from pqlengine.demo.accounts import _Accounts, _day_us
from pqlengine.demo.model import (
    CAUSAL,
    CODE,
    EVENTS,
    LOGIN_SHARE,
    MAX_USERS,
    NOISE_PER_ACCOUNT,
    NOISE_SPAN_DAYS,
    PAID_PLANS,
    PAID_PRICE_PER_SEAT,
    PER_SESSION_EVENTS,
    SESSION_DECAY_DAYS,
    SESSION_HORIZON_DAYS,
    SESSION_MINUTES,
    SPIKE_BURST,
    TREATMENT_DAYS,
    US_PER_DAY,
    WEEKEND_SESSION_KEEP,
    EventSpec,
    _weekend,
)


@dataclass(frozen=True)
class _Sessions:
    """Sessions: local account index, global user number, day offset from the account's signup."""

    account: np.ndarray
    user: np.ndarray
    day: np.ndarray

    def where(self, mask: np.ndarray) -> _Sessions:
        """The sessions selected by a boolean mask."""
        return _Sessions(self.account[mask], self.user[mask], self.day[mask])

    def __add__(self, other: _Sessions) -> _Sessions:
        return _Sessions(
            np.concatenate([self.account, other.account]),
            np.concatenate([self.user, other.user]),
            np.concatenate([self.day, other.day]),
        )


class _EventLog:
    """Events of a chunk as parallel arrays; `prop` indexes PROPERTY_TEXTS (0 = null)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        name: str,
        account: np.ndarray,
        user: np.ndarray,
        day: np.ndarray,
        category: np.ndarray | None = None,
    ) -> None:
        """Append events of one type (category: index into the event's property values)."""
        prop = np.full(len(account), PROPERTY_OFFSET[CODE[name]], dtype=np.int32)
        if category is not None:
            prop += np.asarray(category, dtype=np.int32)
        code = np.full(len(account), CODE[name], dtype=np.int8)
        self.parts.append((account, user, day, code, prop))

    def add_sampled(
        self,
        rng: np.random.Generator,
        name: str,
        account: np.ndarray,
        user: np.ndarray,
        day: np.ndarray,
    ) -> None:
        """Append events whose property value is drawn from the event's weights."""
        self.add(name, account, user, day, _draw_category(rng, EVENTS[CODE[name]], len(account)))

    def done_before(self, name: str, day: float, n_accounts: int) -> np.ndarray:
        """Per local account: whether the log has a `name` event before `day` (after signup)."""
        flags = np.zeros(n_accounts, dtype=bool)
        for account, _, when, code, _ in self.parts:
            flags[account[(code == CODE[name]) & (when < day)]] = True
        return flags

    def arrays(self) -> tuple[np.ndarray, ...]:
        """account, user, day, code, prop, each concatenated over all parts (which are freed)."""
        parts, self.parts = self.parts, []
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _draw_category(rng: np.random.Generator, spec: EventSpec, size: int) -> np.ndarray | None:
    if not spec.values:
        return None
    weights = np.asarray(spec.weights or [1.0] * len(spec.values))
    return rng.choice(len(spec.values), size, p=weights / weights.sum())


def _property_dictionary() -> tuple[list[str | None], list[int]]:
    """All property JSON texts (index 0 = null) and each event type's first index."""
    texts: list[str | None] = [None]
    offsets: list[int] = []
    for spec in EVENTS:
        offsets.append(len(texts))
        if spec.prop:
            texts += [json.dumps({spec.prop: value}) for value in spec.values]
        elif spec.priced:
            texts += [
                json.dumps({"plan": plan, "amount": price * seats, "seats": seats})
                for plan, price in zip(PAID_PLANS, PAID_PRICE_PER_SEAT, strict=True)
                for seats in range(1, MAX_USERS + 1)
            ]
        else:
            offsets[-1] = 0
    return texts, offsets


PROPERTY_TEXTS, PROPERTY_OFFSET = _property_dictionary()


def _truncated_exponential(rng: np.random.Generator, scale: np.ndarray, upper: float) -> np.ndarray:
    """Exponential(scale) draws conditioned on being below `upper`."""
    u = rng.random(len(scale))
    return -scale * np.log1p(-u * -np.expm1(-upper / scale))


def _sessions_from(
    rng: np.random.Generator,
    acc: _Accounts,
    account: np.ndarray,
    user: np.ndarray,
    start_day: np.ndarray,
    extra_mean: np.ndarray,
) -> _Sessions:
    """Per user: a session at `start_day`, then Poisson(extra_mean) decaying sessions after it.

    Sorted by account then day, so an account's first session (at start_day) comes first.
    """
    extra = np.repeat(np.arange(len(account)), rng.poisson(extra_mean))
    scale = SESSION_DECAY_DAYS * np.sqrt(acc.engagement[account[extra]])
    day = start_day[extra] + _truncated_exponential(rng, scale, SESSION_HORIZON_DAYS)
    weekend = _weekend(_day_us(acc, account[extra], day))
    keep = ~weekend | (rng.random(len(extra)) < WEEKEND_SESSION_KEEP)
    index = np.concatenate([np.arange(len(account)), extra[keep]])
    days = np.concatenate([start_day, day[keep]])
    order = np.lexsort((days, account[index]))
    return _Sessions(account[index][order], user[index][order], days[order])


def _per_session(
    rng: np.random.Generator, sessions: _Sessions, mean: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson(mean) events per session at random moments in it: account, user, day."""
    index = np.repeat(np.arange(len(sessions.day)), rng.poisson(mean, len(sessions.day)))
    day = sessions.day[index] + rng.random(len(index)) * SESSION_MINUTES / 1440
    return sessions.account[index], sessions.user[index], day


def _session_events(
    rng: np.random.Generator, acc: _Accounts, sessions: _Sessions, log: _EventLog
) -> None:
    """Vanity and correlated events in every session; causal ones after day 14."""
    log.add("Session Started", sessions.account, sessions.user, sessions.day)
    login = rng.random(len(sessions.day)) < LOGIN_SHARE
    log.add("Logged In", sessions.account[login], sessions.user[login], sessions.day[login])
    engagement = acc.engagement[sessions.account]
    for name in PER_SESSION_EVENTS:
        spec = EVENTS[CODE[name]]
        mean = spec.per_session * engagement**spec.engagement_power
        log.add_sampled(rng, name, *_per_session(rng, sessions, mean))
    later_sessions = sessions.where(sessions.day >= TREATMENT_DAYS)
    for cause in CAUSAL:
        if cause.key != "invited":  # invites were drawn with the members they bring
            log.add_sampled(
                rng, cause.event, *_per_session(rng, later_sessions, cause.per_session_later)
            )


def _noise_and_spike_events(
    rng: np.random.Generator, acc: _Accounts, owner: np.ndarray, log: _EventLog
) -> None:
    """Noise events (independent of engagement and conversion) and the spike accounts' bursts."""
    n = len(acc.number)
    for name, mean in NOISE_PER_ACCOUNT.items():
        # spike accounts never come back, and noise spread over 150 days would revive them
        account = np.repeat(np.arange(n), rng.poisson(mean, n) * ~acc.spike)
        day = rng.random(len(account)) * NOISE_SPAN_DAYS
        log.add_sampled(rng, name, account, owner[account], day)
    to_midnight = (US_PER_DAY - 1 - acc.signup_us % US_PER_DAY) / US_PER_DAY
    burst_days = np.where(acc.spike, np.minimum(3 / 24, to_midnight), 0.0)
    for name, (low, high) in SPIKE_BURST.items():
        account = np.repeat(np.arange(n), np.where(acc.spike, rng.integers(low, high + 1, n), 0))
        day = rng.random(len(account)) * burst_days[account]
        if name == "Added Task":  # all from the web, so the burst satisfies the tasks criterion
            log.add(name, account, owner[account], day, np.zeros(len(account), np.int64))
        else:
            log.add_sampled(rng, name, account, owner[account], day)
