"""Hand-written DuckDB SQL peer over the Parquet files, with the tricks that matter on
DuckDB: fit filtered before events are touched, the N-th occurrence as an aggregate
(`min(ts, n)[n]`, no window function), naive UTC timestamps (no time-zone arithmetic),
active days only for accounts that met the rule.

    .venv/bin/python -m bench.peers.duckdb_sql_peer DATA_DIR OUT_DIR [SHAPE]
"""

from __future__ import annotations

from typing import Any

import duckdb
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

PEOPLE = """
CREATE TEMP TABLE people AS
SELECT a.account_id, a.created_at AS signup_at, c.converted_at,
       -- a missing domain or size passes the fit
       coalesce(NOT list_contains($free_domains, lower(a.domain)), true)
       AND coalesce(a.employees >= $min_employees, true) AS fit
FROM read_parquet($accounts) AS a
LEFT JOIN (
    SELECT account_id, min(ts) AS converted_at
    FROM read_parquet($events)
    WHERE event = $conversion_event AND ts <= $as_of
    GROUP BY ALL
) AS c USING (account_id)
WHERE a.created_at <= $as_of
"""

# {criterion}: a CASE giving each counted event its criterion number (1-based), {nth}: the
# list of at_least values by criterion number.
RULE = """
CREATE TEMP TABLE rule AS
WITH counted AS (
    SELECT e.account_id, e.ts, {criterion} AS criterion
    FROM read_parquet($events) AS e
    JOIN (SELECT * FROM people WHERE fit) AS p USING (account_id)
    WHERE e.event IN $criterion_events AND e.ts <= $as_of AND e.ts >= p.signup_at
      AND (p.converted_at IS NULL OR e.ts < p.converted_at)
), smallest AS (
    SELECT account_id, criterion, min(ts, $max_at_least) AS first_times
    FROM counted WHERE criterion IS NOT NULL
    GROUP BY ALL
), satisfied AS (
    -- the at_least-th occurrence; NULL when there were fewer
    SELECT account_id, first_times[{nth}[criterion]] AS satisfied_at FROM smallest
)
SELECT account_id, min(satisfied_at, $needed)[$needed] AS rule_at
FROM satisfied WHERE satisfied_at IS NOT NULL
GROUP BY ALL HAVING count(*) >= $needed
"""

ACTIVE = """
CREATE TEMP TABLE active AS
WITH days AS (
    SELECT e.account_id, date_trunc('day', e.ts) AS day, min(e.ts) AS first_ts
    FROM read_parquet($events) AS e
    JOIN (SELECT account_id, signup_at FROM rule JOIN people USING (account_id)) AS r
      USING (account_id)
    WHERE e.ts <= $as_of AND e.ts >= r.signup_at
    GROUP BY ALL
)
SELECT account_id, min(first_ts, $min_active_days)[$min_active_days] AS active_at
FROM days GROUP BY ALL HAVING count(*) >= $min_active_days
"""

QUALIFIED = """
CREATE TEMP TABLE qualified AS
WITH candidates AS (
    SELECT account_id, greatest(rule_at, active_at) AS candidate_at
    FROM rule JOIN active USING (account_id)
)
SELECT p.account_id, p.signup_at, p.converted_at,
       -- an account that converts before it would qualify is never a PQL
       CASE WHEN p.converted_at <= c.candidate_at THEN NULL ELSE c.candidate_at END
           AS qualified_at
FROM people AS p LEFT JOIN candidates AS c USING (account_id)
ORDER BY p.account_id
"""

METRICS = """
WITH flags AS (
    SELECT signup_at, date_trunc('month', signup_at) AS month_start,
           coalesce(qualified_at <= signup_at + to_days($observation_days), false) AS is_pql,
           converted_at, qualified_at,
           date_diff('microsecond', signup_at, qualified_at) / 86400e6 AS days_to_pql
    FROM qualified
), sums AS (
    SELECT month_start,
           count(*) AS signups,
           count(*) FILTER (is_pql) AS pqls,
           count(*) FILTER (is_pql AND converted_at > qualified_at
                            AND converted_at <= qualified_at + to_days($window_days))
               AS converted_pqls,
           count(*) FILTER (NOT is_pql AND converted_at <= signup_at
                            + to_days($observation_days + $window_days)) AS non_pql_converted,
           quantile_cont(days_to_pql, 0.5) FILTER (is_pql) AS median_days_to_pql
    FROM flags
    GROUP BY month_start
), overall AS (
    SELECT NULL::TIMESTAMP AS month_start,
           count(*), count(*) FILTER (is_pql),
           count(*) FILTER (is_pql AND converted_at > qualified_at
                            AND converted_at <= qualified_at + to_days($window_days)),
           count(*) FILTER (NOT is_pql AND converted_at <= signup_at
                            + to_days($observation_days + $window_days)),
           quantile_cont(days_to_pql, 0.5) FILTER (is_pql)
    FROM flags WHERE signup_at < $complete_before
)
SELECT * FROM sums UNION ALL SELECT * FROM overall
ORDER BY month_start NULLS LAST
"""


def _text(value: str) -> str:
    """A constant of the definition as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def criterion_case(shape: Shape) -> str:
    """CASE numbering the events each criterion counts (1-based), NULL for the others."""
    branches = []
    for number, criterion in enumerate(shape.criteria, start=1):
        condition = f"e.event = {_text(criterion.event)}"
        if criterion.within_days is not None:
            condition += f" AND e.ts < p.signup_at + INTERVAL {int(criterion.within_days)} DAY"
        if criterion.where is not None:
            key, value = criterion.where
            condition += f" AND (e.properties->>{_text('$.' + key)}) = {_text(value)}"
        branches.append(f"WHEN {condition} THEN {number}")
    return "CASE " + " ".join(branches) + " END"


def run(
    con: duckdb.DuckDBPyConnection, paths: dict[str, str], shape: Shape
) -> list[dict[str, Any]]:
    """Build people, rule, active and qualified for `shape`'s definition; return the cohort
    statistics."""
    common = {"events": paths["events"], "as_of": AS_OF}
    con.execute(
        PEOPLE,
        {
            **common,
            "accounts": paths["accounts"],
            "free_domains": FREE_DOMAINS,
            "min_employees": shape.min_employees,
            "conversion_event": shape.conversion_event,
        },
    )
    nth = "[" + ", ".join(str(c.at_least) for c in shape.criteria) + "]"
    con.execute(
        RULE.format(criterion=criterion_case(shape), nth=nth),
        {
            **common,
            "criterion_events": shape.criterion_events,
            "max_at_least": shape.max_at_least,
            "needed": shape.criteria_needed,
        },
    )
    con.execute(ACTIVE, {**common, "min_active_days": shape.min_active_days})
    con.execute(QUALIFIED)
    cursor = con.execute(
        METRICS,
        {
            "observation_days": OBSERVATION_DAYS,
            "window_days": CONVERSION_WINDOW_DAYS,
            "complete_before": COMPLETE_BEFORE,
        },
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def main() -> int:
    """Qualify and measure; write qualified.parquet and metrics.json."""
    data_dir, out_dir = cli_paths()
    con = duckdb.connect()
    sums = run(con, inputs(data_dir), cli_shape())
    con.execute(
        "COPY qualified TO $path (FORMAT parquet)", {"path": str(out_dir / "qualified.parquet")}
    )
    write_metrics(out_dir, cohort_rows(sums))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
