"""PySpark peer (DataFrame API, local[2]) over the same Parquet files, for reference.

    .venv/bin/python -m bench.peers.spark_peer DATA_DIR OUT_DIR

Spark has no "n smallest" aggregate: the N-th occurrence is the N-th element of the
sorted list of an account's matching times (small lists: at most the account's events of
one name), still an aggregate rather than a window over all events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from bench.peers.common import (
    AS_OF,
    COMPLETE_BEFORE,
    CONVERSION_EVENT,
    CONVERSION_WINDOW_DAYS,
    CRITERIA,
    CRITERIA_NEEDED,
    CRITERION_EVENTS,
    FREE_DOMAINS,
    MIN_ACTIVE_DAYS,
    MIN_EMPLOYEES,
    OBSERVATION_DAYS,
    cli_paths,
    cohort_rows,
    write_metrics,
)
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

MICROSECONDS_PER_DAY = 86_400_000_000


def session() -> SparkSession:
    """Local Spark on both cores; few shuffle partitions (the default 200 suits clusters)."""
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("pql-peer")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _instant(moment: object) -> Column:
    """A naive-UTC datetime as a TIMESTAMP_NTZ literal (like the Parquet timestamps)."""
    return F.lit(str(moment)).cast("timestamp_ntz")


def _nth(values: Column, n: int) -> Column:
    """The n-th smallest of the collected `values`, NULL when there are fewer."""
    return F.try_element_at(F.sort_array(F.collect_list(values)), F.lit(n))


def people(spark: SparkSession, data_dir: Path, events: DataFrame) -> DataFrame:
    """account_id, signup_at, converted_at, fit (accounts signed up by AS_OF)."""
    converted = (
        events.filter(F.col("event") == CONVERSION_EVENT)
        .groupBy("account_id")
        .agg(F.min("ts").alias("converted_at"))
    )
    accounts = spark.read.parquet(str(data_dir / "accounts.parquet"))
    free_mail = F.lower("domain").isin(FREE_DOMAINS)
    accounts = accounts.filter(F.col("created_at") <= _instant(AS_OF)).select(
        "account_id",
        F.col("created_at").alias("signup_at"),
        # A missing domain or size passes the fit.
        (
            F.coalesce(~free_mail, F.lit(True))
            & F.coalesce(F.col("employees") >= MIN_EMPLOYEES, F.lit(True))
        ).alias("fit"),
    )
    return accounts.join(converted, "account_id", "left")


def rule_satisfied(events: DataFrame, everyone: DataFrame) -> DataFrame:
    """account_id, signup_at, rule_at: when the CRITERIA_NEEDED-th criterion was met."""
    fit = everyone.filter("fit").select("account_id", "signup_at", "converted_at")
    counted = (
        events.filter(F.col("event").isin(CRITERION_EVENTS))
        .join(fit, "account_id")
        .filter(
            (F.col("ts") >= F.col("signup_at"))
            & (F.col("converted_at").isNull() | (F.col("ts") < F.col("converted_at")))
        )
    )
    number: Column | None = None
    for index, criterion in enumerate(CRITERIA):
        condition = F.col("event") == criterion.event
        if criterion.within_days is not None:
            end = F.col("signup_at") + F.make_interval(days=F.lit(criterion.within_days))
            condition &= F.col("ts") < end
        if criterion.where is not None:
            key, wanted = criterion.where
            value = F.get_json_object("properties", f"$.{key}")
            condition &= F.coalesce(value == wanted, F.lit(False))
        number = F.when(condition, index) if number is None else number.when(condition, index)
    assert number is not None
    counted = counted.select("account_id", "ts", number.alias("criterion")).filter(
        F.col("criterion").isNotNull()
    )
    times = counted.groupBy("account_id", "criterion").agg(
        F.sort_array(F.collect_list("ts")).alias("times")
    )
    at_least = F.element_at(F.array(*[F.lit(c.at_least) for c in CRITERIA]), F.col("criterion") + 1)
    satisfied = times.select(
        "account_id", F.try_element_at("times", at_least).alias("satisfied_at")
    ).filter(F.col("satisfied_at").isNotNull())
    rule = satisfied.groupBy("account_id").agg(
        _nth(F.col("satisfied_at"), CRITERIA_NEEDED).alias("rule_at")
    )
    rule = rule.filter(F.col("rule_at").isNotNull())
    return rule.join(fit.select("account_id", "signup_at"), "account_id")


def active_days_satisfied(events: DataFrame, candidates: DataFrame) -> DataFrame:
    """account_id, active_at: first event of the MIN_ACTIVE_DAYS-th distinct UTC day with
    events since signup (only for `candidates`, who already met the rule)."""
    after_signup = (
        events.select("account_id", "ts")
        .join(F.broadcast(candidates.select("account_id", "signup_at")), "account_id")
        .filter(F.col("ts") >= F.col("signup_at"))
    )
    days = after_signup.groupBy("account_id", F.date_trunc("DAY", "ts").alias("day")).agg(
        F.min("ts").alias("first_ts")
    )
    active = days.groupBy("account_id").agg(
        _nth(F.col("first_ts"), MIN_ACTIVE_DAYS).alias("active_at")
    )
    return active.filter(F.col("active_at").isNotNull())


def qualify(spark: SparkSession, data_dir: Path) -> DataFrame:
    """account_id, signup_at, converted_at, qualified_at for every account."""
    events = spark.read.parquet(str(data_dir / "events")).filter(F.col("ts") <= _instant(AS_OF))
    everyone = people(spark, data_dir, events).cache()
    rule = rule_satisfied(events, everyone).cache()
    active = active_days_satisfied(events, rule)
    candidates = rule.join(active, "account_id").select(
        "account_id", F.greatest("rule_at", "active_at").alias("candidate_at")
    )
    joined = everyone.join(candidates, "account_id", "left")
    # An account that converts before it would qualify is never a PQL.
    converted_first = F.coalesce(F.col("converted_at") <= F.col("candidate_at"), F.lit(False))
    return joined.select(
        "account_id",
        "signup_at",
        "converted_at",
        F.when(~converted_first, F.col("candidate_at")).alias("qualified_at"),
    )


def cohort_metrics(qualified: DataFrame) -> list[dict[str, Any]]:
    """Cohort rows per signup month plus the overall row over complete cohorts."""
    signup, qualified_at = F.col("signup_at"), F.col("qualified_at")
    converted = F.col("converted_at")
    observation = F.make_interval(days=F.lit(OBSERVATION_DAYS))
    window = F.make_interval(days=F.lit(CONVERSION_WINDOW_DAYS))
    both = F.make_interval(days=F.lit(OBSERVATION_DAYS + CONVERSION_WINDOW_DAYS))
    is_pql = F.coalesce(qualified_at <= signup + observation, F.lit(False))
    microseconds = F.unix_micros(qualified_at.cast("timestamp")) - F.unix_micros(
        signup.cast("timestamp")
    )
    flags = qualified.select(
        F.date_trunc("MONTH", signup).cast("timestamp_ntz").alias("month_start"),
        signup.alias("signup_at"),
        is_pql.alias("is_pql"),
        (is_pql & (converted > qualified_at) & (converted <= qualified_at + window)).alias(
            "converted_pql"
        ),
        (~is_pql & F.coalesce(converted <= signup + both, F.lit(False))).alias("non_pql_converted"),
        F.when(is_pql, microseconds / MICROSECONDS_PER_DAY).alias("days_to_pql"),
    )
    sums = [
        F.count("*").alias("signups"),
        F.sum(F.col("is_pql").cast("int")).alias("pqls"),
        F.sum(F.coalesce(F.col("converted_pql"), F.lit(False)).cast("int")).alias("converted_pqls"),
        F.sum(F.col("non_pql_converted").cast("int")).alias("non_pql_converted"),
        F.percentile("days_to_pql", F.lit(0.5)).alias("median_days_to_pql"),
    ]
    per_month = flags.groupBy("month_start").agg(*sums).orderBy("month_start").collect()
    complete = flags.filter(F.col("signup_at") < _instant(COMPLETE_BEFORE))
    overall = complete.agg(*sums).collect()[0].asDict()
    return cohort_rows([row.asDict() for row in per_month] + [{**overall, "month_start": None}])


def main() -> int:
    """Qualify and measure; write qualified.parquet and metrics.json."""
    data_dir, out_dir = cli_paths()
    spark = session()
    try:
        qualified = qualify(spark, data_dir).orderBy("account_id").cache()
        pq.write_table(qualified.toArrow(), out_dir / "qualified.parquet")
        write_metrics(out_dir, cohort_metrics(qualified))
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
