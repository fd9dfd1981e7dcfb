"""pandas peer: column- and row-pruned Parquet reads (pyarrow filters), categorical keys,
vectorised group-bys; no per-row Python.

    .venv/bin/python -m bench.peers.pandas_peer DATA_DIR OUT_DIR [SHAPE]
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench.peers.common import (
    AS_OF,
    COMPLETE_BEFORE,
    CONVERSION_WINDOW_DAYS,
    FREE_DOMAINS,
    OBSERVATION_DAYS,
    Shape,
    cli_paths,
    cli_shape,
    cohort_rows,
    write_metrics,
)


def read_events(
    data_dir: Path, columns: list[str], filters: list[tuple[str, str, Any]]
) -> pd.DataFrame:
    """Events up to AS_OF: only `columns`, only rows passing `filters` (pushed into the
    Parquet reader), account_id and event as categoricals."""
    return pd.read_parquet(
        data_dir / "events",
        columns=columns,
        filters=[("ts", "<=", AS_OF), *filters],
        read_dictionary=[c for c in ("account_id", "event") if c in columns],
    )


def per_row(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """`values` (indexed by account_id) looked up for every row of the categorical `keys`,
    through the category codes rather than a 50M-row merge."""
    by_category = values.reindex(keys.cat.categories).to_numpy()
    return by_category[keys.cat.codes.to_numpy()]


def people(data_dir: Path, shape: Shape) -> pd.DataFrame:
    """signup_at, converted_at, fit, indexed by account_id (accounts signed up by AS_OF)."""
    accounts = pd.read_parquet(
        data_dir / "accounts.parquet",
        columns=["account_id", "domain", "employees", "created_at"],
        filters=[("created_at", "<=", AS_OF)],
    ).set_index("account_id")
    # A missing domain or size passes the fit (isin is False for a missing domain).
    fit = ~accounts.domain.str.lower().isin(FREE_DOMAINS) & (
        accounts.employees.isna() | (accounts.employees >= shape.min_employees)
    )
    conversions = read_events(
        data_dir, ["account_id", "ts"], [("event", "==", shape.conversion_event)]
    )
    converted_at = conversions.groupby("account_id", observed=True).ts.min()
    return pd.DataFrame(
        {
            "signup_at": accounts.created_at,
            "converted_at": converted_at.reindex(accounts.index),
            "fit": fit,
        }
    )


def _property_matches(properties: pd.Series, key: str, wanted: str) -> np.ndarray:
    """properties[key] == wanted, parsing each distinct JSON text once."""
    codes, distinct = pd.factorize(properties)
    parsed = [json.loads(text) for text in distinct]
    matches = np.array([isinstance(p, dict) and p.get(key) == wanted for p in parsed])
    return np.append(matches, False)[codes]  # code -1 (no properties) -> the final False


def rule_satisfied(data_dir: Path, everyone: pd.DataFrame, shape: Shape) -> pd.DataFrame:
    """signup_at, rule_at (when the criteria_needed-th criterion was met) by account_id."""
    fit_ids = everyone.index[everyone.fit].tolist()
    events = read_events(
        data_dir,
        ["account_id", "event", "ts", "properties"],
        [("event", "in", shape.criterion_events), ("account_id", "in", fit_ids)],
    )
    signup = per_row(events.account_id, everyone.signup_at)
    converted = per_row(events.account_id, everyone.converted_at)
    ts = events.ts.to_numpy()
    counted = (ts >= signup) & (np.isnat(converted) | (ts < converted))
    events = events[counted].sort_values("ts")
    parts = []
    for criterion in shape.criteria:
        matching = events[events.event == criterion.event]
        if criterion.within_days is not None:
            starts = per_row(matching.account_id, everyone.signup_at)
            window = np.timedelta64(timedelta(days=criterion.within_days))
            matching = matching[matching.ts.to_numpy() < starts + window]
        if criterion.where is not None:
            key, wanted = criterion.where
            matching = matching[_property_matches(matching.properties, key, wanted)]
        # Sorted by ts: the at_least-th row of each account is its at_least-th occurrence.
        nth = matching.groupby("account_id", observed=True).nth(criterion.at_least - 1)
        parts.append(nth[["account_id", "ts"]])
    satisfied = pd.concat(parts).sort_values("ts")
    rule_at = satisfied.groupby("account_id", observed=True).nth(shape.criteria_needed - 1)
    rule = rule_at.set_index(rule_at.account_id.astype(str)).ts.rename("rule_at")
    return pd.DataFrame({"signup_at": everyone.signup_at.reindex(rule.index), "rule_at": rule})


def active_days_satisfied(
    data_dir: Path, candidates: pd.DataFrame, min_active_days: int
) -> pd.Series:
    """active_at by account_id: the first event of the min_active_days-th distinct UTC day
    with events since signup (only for `candidates`, who already met the rule)."""
    events = read_events(
        data_dir, ["account_id", "ts"], [("account_id", "in", candidates.index.tolist())]
    )
    signup = per_row(events.account_id, candidates.signup_at)
    events = events[events.ts.to_numpy() >= signup]
    days = events.groupby(["account_id", events.ts.dt.floor("D")], observed=True).ts.min()
    firsts = days.rename("first_ts").reset_index(level=0)  # sorted by account, then day
    active = firsts.groupby("account_id", observed=True).nth(min_active_days - 1)
    return active.set_index(active.account_id.astype(str)).first_ts.rename("active_at")


def qualify(data_dir: Path, shape: Shape) -> pd.DataFrame:
    """account_id, signup_at, converted_at, qualified_at for every account."""
    everyone = people(data_dir, shape)
    rule = rule_satisfied(data_dir, everyone, shape)
    active = active_days_satisfied(data_dir, rule, shape.min_active_days)
    both = pd.DataFrame({"rule_at": rule.rule_at, "active_at": active.reindex(rule.index)})
    candidate = both.max(axis=1, skipna=False).reindex(everyone.index)  # NaT unless both
    # An account that converts before it would qualify is never a PQL.
    converted_first = everyone.converted_at <= candidate
    result = everyone[["signup_at", "converted_at"]].assign(
        qualified_at=candidate.mask(converted_first)
    )
    return result.rename_axis("account_id").reset_index().sort_values("account_id")


def cohort_metrics(qualified: pd.DataFrame) -> list[dict[str, Any]]:
    """Cohort rows per signup month plus the overall row over complete cohorts."""
    observation = pd.Timedelta(days=OBSERVATION_DAYS)
    window = pd.Timedelta(days=CONVERSION_WINDOW_DAYS)
    signup, qualified_at = qualified.signup_at, qualified.qualified_at
    converted = qualified.converted_at
    is_pql = qualified_at.notna() & (qualified_at <= signup + observation)
    flags = pd.DataFrame(
        {
            "month_start": signup.dt.to_period("M").dt.start_time,
            "is_pql": is_pql,
            "converted_pql": is_pql
            & (converted > qualified_at)
            & (converted <= qualified_at + window),
            "non_pql_converted": ~is_pql & (converted <= signup + observation + window),
            "days_to_pql": ((qualified_at - signup) / pd.Timedelta(days=1)).where(is_pql),
        }
    )

    def sums(frame: pd.DataFrame) -> dict[str, Any]:
        return {
            "signups": len(frame),
            "pqls": frame.is_pql.sum(),
            "converted_pqls": frame.converted_pql.sum(),
            "non_pql_converted": frame.non_pql_converted.sum(),
            "median_days_to_pql": frame.days_to_pql.median(),
        }

    rows = [
        {"month_start": start.to_pydatetime(), **sums(frame)}
        for start, frame in flags.groupby("month_start", sort=True)
    ]
    rows.append({"month_start": None, **sums(flags[flags.month_start < COMPLETE_BEFORE])})
    return cohort_rows(rows)


def main() -> int:
    """Qualify and measure; write qualified.parquet and metrics.json."""
    data_dir, out_dir = cli_paths()
    qualified = qualify(data_dir, cli_shape())
    qualified.to_parquet(out_dir / "qualified.parquet", index=False)
    write_metrics(out_dir, cohort_metrics(qualified))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
