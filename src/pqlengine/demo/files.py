"""The demo's output: chunks of accounts simulated into users, events and truth tables; paths."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pqlengine.demo.accounts import (
    FIRST_NAMES,
    LAST_NAMES,
    _account_domains,
    _Accounts,
    _day_us,
)
from pqlengine.demo.causal import (
    _causal_behaviours,
    _conversion_events,
    _conversions,
    _Members,
    _members,
    _Totals,
)
from pqlengine.demo.columns import JSON_TYPE, _as_json, _decode, _json_codes, _prefixed
from pqlengine.demo.events import (
    PROPERTY_TEXTS,
    _EventLog,
    _noise_and_spike_events,
    _session_events,
    _sessions_from,
)
from pqlengine.demo.model import (
    CAUSAL,
    EPOCH,
    EVENT_NAMES,
    FREE_EMAIL_DOMAINS,
    MEMBER_SESSIONS_MEAN,
    ONE_US,
    SESSIONS_MEAN,
    TREATMENT_DAYS,
    ground_truth,
)
from pqlengine.demo.subscriptions import _subscription_events, _Subscriptions, _subscriptions


@dataclass(frozen=True)
class DemoFiles:
    """Paths and row counts of a generated demo project."""

    out_dir: Path
    project_file: Path
    accounts_file: Path
    users_file: Path
    events_dir: Path
    event_files: tuple[Path, ...]
    ground_truth_file: Path
    truth_accounts_file: Path
    accounts: int
    users: int
    events: int
    conversions: int


USERS_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("account_id", pa.string()),
        ("email", pa.string()),
        ("signed_up_at", pa.timestamp("us")),
        ("traits", JSON_TYPE),
    ]
)


@dataclass(frozen=True)
class _Chunk:
    users: pa.Table
    events: pa.Table


# Per chunk of accounts: sessions -> causal behaviours -> members -> events -> conversion.
# Users are numbered per chunk: the chunk's owners first (one per account), then its members.


def _simulate_chunk(
    rng: np.random.Generator,
    acc: _Accounts,
    totals: _Totals,
    end_us: int,
    outcome_rng: np.random.Generator,
) -> _Chunk:
    """Simulate the users and events of a slice of accounts; update the running totals.

    Churn and expansion come from `outcome_rng`, a stream of their own, so adding them left
    every other event, conversion and truth column exactly as before."""
    n = len(acc.number)
    owner = totals.users_numbered + np.arange(n, dtype=np.int64)
    log = _EventLog()
    log.add("Account Created", np.arange(n), owner, np.zeros(n), acc.plan)
    active = np.flatnonzero(~acc.spike)
    owner_sessions = _sessions_from(
        rng,
        acc,
        active,
        owner[active],
        np.zeros(len(active)),
        SESSIONS_MEAN * acc.engagement[active],
    )
    treated, last_cause_day, invites = _causal_behaviours(rng, acc, owner_sessions, log)
    members = _members(rng, invites)
    member_user = totals.users_numbered + n + np.arange(len(members.account), dtype=np.int64)
    member_sessions = _sessions_from(
        rng,
        acc,
        members.account,
        member_user,
        members.day,
        MEMBER_SESSIONS_MEAN * acc.engagement[members.account],
    )
    _session_events(rng, acc, owner_sessions + member_sessions, log)
    _noise_and_spike_events(rng, acc, owner, log)
    conversion = _conversions(rng, acc, treated, last_cause_day, totals)
    seats, plan = _conversion_events(rng, acc, owner, members, conversion, log)
    drivers = {"integration": treated["integration"]}
    drivers["uploaded_asset"] = log.done_before("Uploaded Asset", TREATMENT_DAYS, n)
    subs = _subscriptions(outcome_rng, drivers, conversion["day"], seats, plan)
    chunk_users = n + len(members.account)
    events = _log_table(log, acc, totals.users_numbered, chunk_users, "evt_", totals.events, end_us)
    totals.events += events.num_rows
    totals.conversions += pc.sum(pc.equal(events["event"], "Subscription Started")).as_py() or 0
    sub_log = _subscription_events(subs, conversion["converted"], owner, plan)
    sub_events = _log_table(
        sub_log, acc, totals.users_numbered, chunk_users, "evt_s", totals.sub_events, end_us
    )
    totals.sub_events += sub_events.num_rows
    users = _users_table(rng, acc, members, totals, end_us)
    totals.users_numbered += chunk_users
    totals.truth.append(_truth_table(acc, treated, conversion, end_us, drivers, subs))
    return _Chunk(users=users, events=pa.concat_tables([events, sub_events]))


def _log_table(
    log: _EventLog,
    acc: _Accounts,
    users_numbered: int,
    chunk_users: int,
    id_prefix: str,
    ids_before: int,
    end_us: int,
) -> pa.Table:
    """A log's events before `end`, in time order, with ids continuing from `ids_before`."""
    account, user, day, code, prop = log.arrays()
    ts = _day_us(acc, account, day)
    kept = np.flatnonzero(ts < end_us)
    order = kept[np.argsort(ts[kept], kind="stable")]
    account, user, code, prop, ts = (a[order] for a in (account, user, code, prop, ts))
    user_ids = _prefixed("user_", users_numbered + 1 + np.arange(chunk_users), 8)
    width = 15 - len(id_prefix)  # evt_00000000001 and evt_s0000000001
    return pa.table(
        {
            "event_id": _prefixed(id_prefix, ids_before + 1 + np.arange(len(ts)), width),
            "user_id": _decode(user - users_numbered, user_ids),
            "account_id": _decode(account, acc.account_ids()),
            "event": _decode(code, pa.array(EVENT_NAMES)),
            "ts": pa.array(ts, type=pa.timestamp("us")),
            "properties": _as_json(
                _decode(prop, pa.array(PROPERTY_TEXTS, pa.string()), null=prop == 0)
            ),
        }
    )


def _users_table(
    rng: np.random.Generator, acc: _Accounts, members: _Members, totals: _Totals, end_us: int
) -> pa.Table:
    """Owners then members of the chunk's accounts, those signed up before `end`."""
    n, m = len(acc.number), len(members.account)
    account = np.concatenate([np.arange(n), members.account])
    signed_up = np.concatenate([acc.signup_us, _day_us(acc, members.account, members.day)])
    number = totals.users_numbered + 1 + np.arange(n + m)
    free = acc.free_email[account]
    free_domain = np.concatenate([acc.free_domain, rng.integers(0, len(FREE_EMAIL_DOMAINS), m)])
    domain = pc.if_else(
        pa.array(free),
        _decode(free_domain, pa.array(FREE_EMAIL_DOMAINS)),
        pc.take(_account_domains(acc), pa.array(account)),
    )
    rank = np.concatenate([np.full(n, -1), members.rank])
    # free-mail users get a unique number (anna.smith.42@gmail.com); colleagues a rank suffix
    suffix = pc.cast(pa.array(np.where(free, number, rank + 2)), pa.string())
    suffix = pc.if_else(pa.array(~free & (rank < 0)), "", suffix)
    first = np.concatenate([acc.owner_first, rng.integers(0, len(FIRST_NAMES), m)])
    last = np.concatenate([acc.owner_last, rng.integers(0, len(LAST_NAMES), m)])
    email = pc.binary_join_element_wise(
        _decode(first, pa.array(FIRST_NAMES)),
        ".",
        _decode(last, pa.array(LAST_NAMES)),
        pc.if_else(pa.array(free), ".", ""),
        suffix,
        "@",
        domain,
        "",
    )
    role = np.concatenate([np.zeros(n, np.int64), 1 + members.role])
    table = pa.table(
        {
            "user_id": _prefixed("user_", number, 8),
            "account_id": pc.take(acc.account_ids(), pa.array(account)),
            "email": email,
            "signed_up_at": pa.array(signed_up, type=pa.timestamp("us")),
            "traits": _json_codes([{"role": r} for r in ("owner", "member", "admin")], role),
        },
        schema=USERS_SCHEMA,
    ).filter(pa.array(signed_up < end_us))
    totals.users += table.num_rows
    return table


def _truth_table(
    acc: _Accounts,
    treated: dict[str, np.ndarray],
    conversion: dict[str, np.ndarray],
    end_us: int,
    drivers: dict[str, np.ndarray],
    subs: _Subscriptions,
) -> pa.Table:
    """Per-account latent variables (the oracle for causal and outcome estimates)."""
    every = np.arange(len(acc.number))
    converted_us = _day_us(acc, every, conversion["day"])
    observed = conversion["converted"] & (converted_us < end_us)
    columns: dict[str, Any] = {
        "account_id": acc.account_ids(),
        "engagement_z": acc.engagement_z,
        "fit": acc.fit,
        "spike": acc.spike,
    }
    columns |= {f"{cause.key}_14d": treated[cause.key] for cause in CAUSAL}
    columns |= {
        "p_convert": conversion["p"],
        "converted_latent": conversion["converted"],
        "converted_at": pa.array(converted_us, mask=~observed, type=pa.timestamp("us")),
    }
    # Outcomes of the converted accounts (null otherwise), uncensored: they may lie after end.
    not_customer = ~conversion["converted"]
    no_expansion = not_customer | np.isnan(subs.expansion_day)
    expansion_day = np.nan_to_num(subs.expansion_day)
    columns |= {
        "uploaded_asset_14d": drivers["uploaded_asset"],
        "churn_hazard_per_month": pa.array(subs.hazard_per_month, mask=not_customer),
        "churned_at_latent": pa.array(
            _day_us(acc, every, subs.churn_day), mask=not_customer, type=pa.timestamp("us")
        ),
        "mrr_at_conversion": pa.array(subs.mrr_at_conversion, mask=not_customer),
        "expansion_at_latent": pa.array(
            _day_us(acc, every, expansion_day), mask=no_expansion, type=pa.timestamp("us")
        ),
        "expansion_mrr": pa.array(np.nan_to_num(subs.expansion_mrr), mask=no_expansion),
    }
    return pa.table(columns)


def _effect_summary(sums: np.ndarray) -> dict[str, Any]:
    treated, att_sum, p_treated, p_untreated, accounts = (float(x) for x in sums)
    untreated = accounts - treated
    return {
        "treated_accounts": int(treated),
        "treated_share": treated / accounts if accounts else None,
        "att": att_sum / treated if treated else None,
        "mean_p_treated": p_treated / treated if treated else None,
        "mean_p_untreated": p_untreated / untreated if untreated else None,
    }


def _simulated_truth(totals: _Totals, seed: int, n_accounts: int, end_us: int) -> dict[str, Any]:
    """ground_truth() plus what this simulation realised (ATT per causal behaviour, counts)."""
    truth = ground_truth()
    for cause in CAUSAL:
        truth["behaviours"][cause.event]["simulated"] = _effect_summary(totals.effects[cause.key])
    truth["fit"]["simulated"] = _effect_summary(totals.effects["fit"])
    truth["simulation"] = {
        "seed": seed,
        "end": (EPOCH + end_us * ONE_US).isoformat() + "Z",
        "accounts": n_accounts,
        "users": totals.users,
        "events": totals.events + totals.sub_events,
        "subscription_events": totals.sub_events,
        "conversions": totals.conversions,
        "conversions_latent": totals.conversions_latent,
        "spike_accounts": totals.spike_accounts,
        "note": "mean_p_* are naive (confounded) conversion probabilities; att is causal",
    }
    return truth


def _remove_old_store(store_file: Path, out_dir: Path) -> None:
    """Delete a previous demo store so two generations never mix (only inside `out_dir`)."""
    if not store_file.resolve().is_relative_to(out_dir.resolve()):
        return
    for stale in (store_file, store_file.with_name(store_file.name + ".wal")):
        stale.unlink(missing_ok=True)


def _prepare_dirs(out_dir: Path) -> dict[str, Path]:
    data = out_dir / "data"
    events = data / "events"
    if events.exists():
        shutil.rmtree(events)  # stale parts of a larger earlier run would otherwise remain
    events.mkdir(parents=True)
    return {
        "accounts": data / "accounts.parquet",
        "users": data / "users.parquet",
        "events": events,
        "ground_truth": out_dir / "ground_truth.json",
        "truth_accounts": out_dir / "ground_truth_accounts.parquet",
        "project": out_dir / "pql.yaml",
    }
