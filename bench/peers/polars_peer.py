"""Polars peer: lazy scans of the Parquet files, collected with the streaming engine.

.venv/bin/python -m bench.peers.polars_peer DATA_DIR OUT_DIR [SHAPE]
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
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
    inputs,
    write_metrics,
)

MICROSECONDS_PER_DAY = 86_400_000_000


def _events(paths: dict[str, str]) -> pl.LazyFrame:
    events = pl.scan_parquet(paths["events"])
    return events.filter(pl.col("ts") <= AS_OF)


def people(paths: dict[str, str], shape: Shape) -> pl.DataFrame:
    """account_id, signup_at, converted_at, fit: one row per account signed up by AS_OF."""
    events = _events(paths)
    converted = (
        events.filter(pl.col("event") == shape.conversion_event)
        .group_by("account_id")
        .agg(converted_at=pl.col("ts").min())
    )
    free_mail = pl.col("domain").str.to_lowercase().is_in(FREE_DOMAINS)
    accounts = pl.scan_parquet(paths["accounts"]).select(
        "account_id",
        signup_at="created_at",
        # Unknown domain or size passes the fit.
        fit=(~free_mail).fill_null(True)
        & (pl.col("employees") >= shape.min_employees).fill_null(True),
    )
    accounts = accounts.filter(pl.col("signup_at") <= AS_OF)
    return accounts.join(converted, on="account_id", how="left").collect(engine="streaming")


def rule_satisfied(paths: dict[str, str], fit_people: pl.DataFrame, shape: Shape) -> pl.DataFrame:
    """account_id, signup_at, rule_at: when the criteria_needed-th criterion was met."""
    matching = (
        _events(paths)
        .filter(pl.col("event").is_in(shape.criterion_events))
        .join(fit_people.lazy(), on="account_id")
        .filter(
            pl.col("ts") >= pl.col("signup_at"),
            pl.col("converted_at").is_null() | (pl.col("ts") < pl.col("converted_at")),
        )
    )
    satisfied = []
    for index, criterion in enumerate(shape.criteria):
        condition = pl.col("event") == criterion.event
        if criterion.within_days is not None:
            window = timedelta(days=criterion.within_days)
            condition &= pl.col("ts") < pl.col("signup_at") + window
        if criterion.where is not None:
            key, wanted = criterion.where
            value = pl.col("properties").ext.storage().str.json_path_match(f"$.{key}")
            condition &= (value == wanted).fill_null(False)
        times = pl.col("ts").filter(condition)
        # The at_least-th occurrence: the largest of the at_least smallest times.
        nth = times.bottom_k(criterion.at_least).max()
        satisfied.append(
            pl.when(times.len() >= criterion.at_least).then(nth).alias(f"criterion_{index}")
        )
    per_account = matching.group_by("account_id").agg(pl.col("signup_at").first(), *satisfied)
    criterion_times = pl.concat_list(f"criterion_{i}" for i in range(len(shape.criteria)))
    rule_at = (
        criterion_times.list.drop_nulls()
        .list.sort()
        .list.get(shape.criteria_needed - 1, null_on_oob=True)
    )
    ruled = per_account.select("account_id", "signup_at", rule_at=rule_at)
    return ruled.filter(pl.col("rule_at").is_not_null()).collect(engine="streaming")


def active_days_satisfied(
    paths: dict[str, str], candidates: pl.DataFrame, min_active_days: int
) -> pl.DataFrame:
    """account_id, active_at: the first event of the min_active_days-th distinct UTC day
    with events since signup (only for `candidates`, who already met the rule)."""
    events = (
        _events(paths)
        .select("account_id", "ts")
        .join(candidates.lazy().select("account_id", "signup_at"), on="account_id")
        .filter(pl.col("ts") >= pl.col("signup_at"))
    )
    days = events.group_by("account_id", pl.col("ts").dt.truncate("1d").alias("day")).agg(
        first_ts=pl.col("ts").min()
    )
    per_account = days.group_by("account_id").agg(
        active_days=pl.len(), active_at=pl.col("first_ts").bottom_k(min_active_days).max()
    )
    enough = per_account.filter(pl.col("active_days") >= min_active_days)
    return enough.select("account_id", "active_at").collect(engine="streaming")


def qualify(data_dir: Path, shape: Shape) -> pl.DataFrame:
    """account_id, signup_at, converted_at, qualified_at for every account."""
    paths = inputs(data_dir)
    everyone = people(paths, shape)
    rule = rule_satisfied(paths, everyone.filter("fit").drop("fit"), shape)
    active = active_days_satisfied(paths, rule, shape.min_active_days)
    candidate = (
        rule.join(active, on="account_id")
        .select("account_id", candidate_at=pl.max_horizontal("rule_at", "active_at"))
        .lazy()
    )
    joined = everyone.lazy().join(candidate, on="account_id", how="left")
    # An account that converts before it would qualify is never a PQL.
    converted_first = pl.col("converted_at") <= pl.col("candidate_at")
    qualified_at = pl.when(converted_first.fill_null(False).not_()).then("candidate_at")
    result = joined.select(
        "account_id", "signup_at", "converted_at", qualified_at=qualified_at
    ).sort("account_id")
    return result.collect()


def cohort_metrics(qualified: pl.DataFrame) -> list[dict[str, object]]:
    """Cohort rows per signup month plus the overall row over complete cohorts."""
    observation = timedelta(days=OBSERVATION_DAYS)
    window = timedelta(days=CONVERSION_WINDOW_DAYS)
    is_pql = pl.col("qualified_at").is_not_null() & (
        pl.col("qualified_at") <= pl.col("signup_at") + observation
    )
    converted = pl.col("converted_at")
    flags = qualified.lazy().select(
        month_start=pl.col("signup_at").dt.truncate("1mo"),
        is_pql=is_pql,
        converted_pql=is_pql
        & (converted > pl.col("qualified_at")).fill_null(False)
        & (converted <= pl.col("qualified_at") + window).fill_null(False),
        non_pql_converted=~is_pql & (converted <= pl.col("signup_at") + observation + window),
        days_to_pql=(pl.col("qualified_at") - pl.col("signup_at")).dt.total_microseconds()
        / MICROSECONDS_PER_DAY,
    )
    sums = [
        pl.len().alias("signups"),
        pl.col("is_pql").sum().alias("pqls"),
        pl.col("converted_pql").sum().alias("converted_pqls"),
        pl.col("non_pql_converted").fill_null(False).sum().alias("non_pql_converted"),
        pl.col("days_to_pql").filter("is_pql").median().alias("median_days_to_pql"),
    ]
    per_month = flags.group_by("month_start").agg(sums).sort("month_start")
    overall = flags.filter(pl.col("month_start") < COMPLETE_BEFORE).select(
        pl.lit(None, dtype=pl.Datetime("us")).alias("month_start"), *sums
    )
    frame = pl.concat([per_month, overall]).collect()
    return cohort_rows(frame.to_dicts())


def main() -> int:
    """Qualify and measure; write qualified.parquet and metrics.json."""
    data_dir, out_dir = cli_paths()
    qualified = qualify(data_dir, cli_shape())
    qualified.write_parquet(out_dir / "qualified.parquet")
    write_metrics(out_dir, cohort_metrics(qualified))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
