"""SQL export: the qualification and the cohort metrics as SQL for a warehouse (`pql compile`).

The very expressions the engine runs are built over unbound Ibis tables named like the
canonical tables and compiled for a dialect, so the SQL has the engine's semantics.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import sqlglot
import sqlglot.expressions as sge
from ibis.backends.sql.datatypes import DuckDBType

from pqlengine import __version__
from pqlengine.compute.cohorts import aggregates, cohort_columns, pql_counts
from pqlengine.compute.criteria import describe
from pqlengine.compute.entities import AsOf, as_of_literal, to_utc_naive
from pqlengine.compute.periods import Period
from pqlengine.compute.qualify import criterion_column, qualification
from pqlengine.config import Project
from pqlengine.stats.intervals import Z_95
from pqlengine.store import SCHEMAS, Capabilities, Tables, unique_events

# `--dialect` name -> Ibis compiler module.
DIALECTS: dict[str, str] = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "spark": "pyspark",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "clickhouse": "clickhouse",
}
What = Literal["qualify", "metrics", "all"]
QuantileMethod = Literal["aggregate", "window"]

# Dialects without an exact, linearly interpolating quantile aggregate (BigQuery has only
# APPROX_QUANTILES and the analytic PERCENTILE_CONT; ClickHouse's `quantile` samples):
# there the quantiles are computed from ranks (_ranked_quantiles), the same type-7 maths.
WINDOW_QUANTILES = frozenset({"bigquery", "clickhouse"})

# The evaluation instant when no --as-of is given: the warehouse's clock, as naive UTC like
# the canonical timestamps (Spark's and ClickHouse's timestamps are instants already).
_UTC_NOW: dict[str, str] = {
    "duckdb": "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
    "postgres": "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
    "spark": "CURRENT_TIMESTAMP()",
    "snowflake": "SYSDATE()",
    "bigquery": "CURRENT_DATETIME('UTC')",
    "clickhouse": "now64(6, 'UTC')",
}

# What each dialect needs from the session (the SQL's calendar maths assumes UTC).
_SESSION_NOTES: dict[str, str] = {
    "duckdb": "timestamps TIMESTAMP holding UTC",
    "postgres": "timestamps timestamp without time zone holding UTC; properties, traits json",
    "spark": "session time zone UTC (spark.sql.session.timeZone)",
    "snowflake": "timestamps TIMESTAMP_NTZ holding UTC; WEEK_START 0 or 1 (Monday)",
    "bigquery": "timestamps DATETIME holding UTC; properties, traits JSON",
    "clickhouse": "timestamps DateTime64(6, 'UTC'); session_timezone 'UTC'",
}


class ExportError(ValueError):
    """The definition cannot be expressed in the requested dialect, or a bad option."""


class UnboundTables:
    """`Tables` with no connection: the canonical tables as unbound Ibis tables, read by
    portable SQL (no DuckDB-only functions; text compared bytewise where the dialect's
    collation would not give code point order)."""

    def __init__(self, schema: str | None = None, dialect: str | None = None) -> None:
        self.path = "<unbound>"
        # The SQL's dialect decides what it may use, as a connection's backend would.
        self.capabilities = Capabilities(
            duckdb_functions=dialect == "duckdb", text_order_needs_bytes=dialect == "postgres"
        )
        parts = schema.split(".") if schema else []
        if len(parts) > 2 or any(not part for part in parts):
            raise ExportError(f"--schema: '{schema}' is not NAME or CATALOG.NAME")
        self.catalog = parts[0] if len(parts) == 2 else None
        self.database = parts[-1] if parts else None

    def table(self, name: str) -> ibis.Table:
        """The canonical table `name` (in the schema, if one was given)."""
        if name not in SCHEMAS:
            raise ExportError(f"the SQL export reads only the canonical tables, not '{name}'")
        schema = {column: DuckDBType.from_string(kind) for column, kind in SCHEMAS[name].items()}
        table = ibis.table(schema, name=name, catalog=self.catalog, database=self.database)
        # A warehouse's events may repeat an event_id (Segment, RudderStack): the SQL keeps
        # one row per id by the engine's rule.
        return unique_events(table) if name == "events" else table

    def qualified_name(self, name: str) -> str:
        """How the SQL names table `name` (for the header)."""
        return ".".join(p for p in (self.catalog, self.database, name) if p)


@dataclass(frozen=True)
class Statement:
    """One exported query: its name (a good dbt model / table name), a description, SQL."""

    name: str
    description: str
    sql: str


def qualification_query(tables: Tables, project: Project, as_of: AsOf) -> ir.Table:
    """`qualification` plus definition_version and as_of, one row per entity."""
    table = qualification(tables, project, as_of)
    return table.mutate(
        definition_version=ibis.literal(project.version), as_of=as_of_literal(as_of)
    ).order_by("entity_id")


def cohort_metrics_query(
    tables: Tables,
    project: Project,
    as_of: AsOf,
    period: Period,
    quantiles: QuantileMethod = "aggregate",
) -> ir.Table:
    """Sufficient statistics per signup cohort, then one overall row (cohort NULL) over the
    complete cohorts."""
    prepared = cohort_columns(tables, project, as_of, period, None, None)
    keys = ["cohort_start", "complete"]
    cohorts = _statistics(prepared, keys, quantiles)
    cohorts = cohorts.mutate(cohort=_label(cohorts.cohort_start, period))
    overall = _statistics(prepared.filter(prepared.complete), [], quantiles).mutate(
        cohort=ibis.null("string"),
        cohort_start=ibis.null(prepared.cohort_start.type()),
        complete=ibis.literal(True),
    )
    columns = [
        "cohort",
        "cohort_start",
        "complete",
        "signups",
        "pqls",
        "converted_pqls",
        "non_pql_signups",
        "non_pql_converted",
        "time_to_pql_days_p25",
        "time_to_pql_days_median",
        "time_to_pql_days_p75",
    ]
    both = cohorts.select(*columns).union(overall.select(*columns))
    return both.order_by(ibis.asc("cohort_start", nulls_first=False))


def pql_count_query(tables: Tables, project: Project, as_of: AsOf, period: Period) -> ir.Table:
    """PQLs per period of qualified_at, whatever their cohort."""
    prepared = cohort_columns(tables, project, as_of, period, None, None)
    counts = pql_counts(prepared, period)
    return counts.select(
        period=_label(counts.start, period),
        period_start=counts.start,
        pqls=counts.pqls,
        new=counts.new,
        requalified=counts.requalified,
        lapsed=counts.lapsed,
        ended_by_conversion=counts.ended_by_conversion,
        open_at_end=counts.open_at_end,
    ).order_by("period_start")


def _statistics(table: ir.Table, keys: list[str], quantiles: QuantileMethod) -> ir.Table:
    statistics = aggregates(table)
    if quantiles == "window":
        for name in ("median", "p25", "p75"):
            del statistics[name]
    grouped = table.group_by(keys).agg(**statistics) if keys else table.aggregate(**statistics)
    if quantiles == "window":
        ranked = _ranked_quantiles(table, keys)
        if keys:
            grouped = grouped.left_join(ranked, keys).select(
                *grouped.columns, "median", "p25", "p75"
            )
        else:
            grouped = grouped.cross_join(ranked)
    pqls = grouped.pqls.fill_null(0)
    return grouped.mutate(
        pqls=pqls,
        converted_pqls=grouped.converted_pqls.fill_null(0),
        non_pql_signups=grouped.signups - pqls,
        non_pql_converted=grouped.non_pql_converted.fill_null(0),
        time_to_pql_days_p25=grouped.p25,
        time_to_pql_days_median=grouped.median,
        time_to_pql_days_p75=grouped.p75,
    )


def _ranked_quantiles(table: ir.Table, keys: list[str]) -> ir.Table:
    """median, p25, p75 of days_to_pql over the PQLs per `keys`, exactly as
    PERCENTILE_CONT (type 7): with h = (n - 1) q, x[floor h] + (h - floor h) (x[ceil h] -
    x[floor h]) over the sorted values, from ROW_NUMBER and a windowed COUNT."""
    pqls = table.filter(table.is_pql)
    group = keys or None
    ranked = pqls.mutate(
        rank=ibis.row_number().over(group_by=group, order_by="days_to_pql"),
        n=pqls.days_to_pql.count().over(group_by=group),
    )
    parts: dict[str, Any] = {}
    for name, q in (("median", 0.5), ("p25", 0.25), ("p75", 0.75)):
        position = (ranked.n - 1).cast("float64") * q
        parts[f"{name}_at"] = position.max()
        parts[f"{name}_lo"] = ranked.days_to_pql.max(where=ranked.rank == position.floor())
        parts[f"{name}_hi"] = ranked.days_to_pql.max(where=ranked.rank == position.ceil())
    found = ranked.group_by(keys).agg(**parts) if keys else ranked.aggregate(**parts)
    values = {
        name: found[f"{name}_lo"]
        + (found[f"{name}_at"] - found[f"{name}_at"].floor())
        * (found[f"{name}_hi"] - found[f"{name}_lo"])
        for name in ("median", "p25", "p75")
    }
    return found.select(*keys, **values)


def _label(start: ir.TimestampValue, period: Period) -> ir.StringValue:
    """`2026-01`, or the ISO week `2026-W02` of a Monday (the ISO year and week are those of
    its Thursday)."""
    if period == "month":
        return start.year().cast("string") + "-" + start.month().cast("string").lpad(2, "0")
    thursday = start + ibis.interval(days=3)
    week = ((thursday.day_of_year() - 1) // 7 + 1).cast("string").lpad(2, "0")
    return thursday.year().cast("string") + "-W" + week


def export_statements(
    project: Project,
    dialect: str,
    what: What = "all",
    period: Period = "month",
    as_of: datetime | None = None,
    schema: str | None = None,
    quantiles: QuantileMethod | None = None,
) -> list[Statement]:
    """The queries for `what`, compiled for `dialect` (`as_of` None: the warehouse's now).

    `quantiles` overrides the dialect's way of computing quantiles (tests run the ranked
    form on DuckDB and PostgreSQL).
    """
    if dialect not in DIALECTS:
        raise ExportError(f"--dialect: '{dialect}' is not one of {', '.join(DIALECTS)}")
    if what not in ("qualify", "metrics", "all"):
        raise ExportError(f"--what: '{what}' is not qualify, metrics or all")
    if period not in ("week", "month"):
        raise ExportError(f"--period: '{period}' is not week or month")
    tables = UnboundTables(schema, dialect)
    moment: AsOf = ibis.now() if as_of is None else to_utc_naive(as_of)
    method = quantiles or ("window" if dialect in WINDOW_QUANTILES else "aggregate")
    queries: list[tuple[str, str, ir.Table]] = []
    if what in ("qualify", "all"):
        queries.append(
            (
                "qualified_entities",
                "one row per entity: signup, conversion, criteria, fit, qualified_at, status",
                qualification_query(tables, project, moment),
            )
        )
    if what in ("metrics", "all"):
        queries.append(
            (
                "cohort_metrics",
                f"sufficient statistics per {period} of signup, then the overall row "
                "(cohort NULL) over complete cohorts",
                cohort_metrics_query(tables, project, moment, period, method),
            )
        )
        queries.append(
            (
                "pql_count_by_period",
                f"PQLs per {period} of qualified_at, whatever their cohort",
                pql_count_query(tables, project, moment, period),
            )
        )
    return [Statement(name, text, _compile(expr, dialect)) for name, text, expr in queries]


def export_sql(
    project: Project,
    dialect: str,
    what: What = "all",
    period: Period = "month",
    as_of: datetime | None = None,
    schema: str | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The whole script: a header comment, then each statement ending in `;`."""
    statements = export_statements(project, dialect, what, period, as_of, schema)
    header = _header(project, dialect, what, period, as_of, UnboundTables(schema), generated_at)
    body = [f"-- {s.name}: {s.description}\n{s.sql};\n" for s in statements]
    return header + "\n" + "\n".join(body)


@contextmanager
def _spark_options() -> Iterator[None]:
    """Ibis's Spark compiler reads options that exist only once PySpark is imported."""
    if ibis.options.pyspark is not None:
        yield
        return

    class SparkOptions(ibis.config.Config):
        treat_nan_as_null: bool = False

    ibis.options.pyspark = SparkOptions()
    try:
        yield
    finally:
        ibis.options.pyspark = None


def _compile(expr: ir.Table, dialect: str) -> str:
    compilers = importlib.import_module(f"ibis.backends.sql.compilers.{DIALECTS[dialect]}")
    compiler = compilers.compiler
    try:
        with _spark_options():
            tree = compiler.to_sqlglot(expr.unbind())
    except ibis.common.exceptions.TranslationError as exc:
        raise ExportError(_unsupported(dialect, exc)) from None
    # Ibis compiles ibis.now() to the session's local clock; swap in UTC (a copy first:
    # compiled trees share nodes between CTEs).
    tree = tree.copy()
    now = sqlglot.parse_one(_UTC_NOW[dialect], read=compiler.dialect)
    clocks = [
        node
        for node in tree.find_all(sge.CurrentTimestamp, sge.Anonymous)
        if isinstance(node, sge.CurrentTimestamp) or str(node.this).lower() == "now"
    ]
    for clock in clocks:
        clock.replace(now.copy())
    if dialect == "postgres":
        _repair_json_text(tree)
    if dialect == "spark":
        _refuse_session_udfs(tree)
    sql: str = tree.sql(dialect=compiler.dialect, pretty=True)
    return sql


def _repair_json_text(tree: sge.Expression) -> None:
    """Ibis asks PostgreSQL for a JSON scalar's text as `json_extract_path_text(x, VARIADIC
    ARRAY[]::TEXT[])`, which sqlglot then prints as the invalid `x ->> VARIADIC ...`: keep
    the function call."""
    for node in list(tree.find_all(sge.JSONExtractScalar)):
        path = node.expression
        if isinstance(path, sge.Var) and str(path.this).startswith("VARIADIC"):
            call = sge.Anonymous(this="JSON_EXTRACT_PATH_TEXT", expressions=[node.this, path])
            node.replace(call)


def _refuse_session_udfs(tree: sge.Expression) -> None:
    """Ibis reads JSON values on Spark with UDFs its PySpark backend registers per session
    (unwrap_json_*); a plain Spark SQL session has none, so such SQL could not run."""
    for call in tree.find_all(sge.Anonymous):
        if str(call.this).lower().startswith("unwrap_json"):
            raise ExportError(
                f"spark cannot express {_OPERATION_NEEDS['UnwrapJSONString']}: Ibis reads "
                f"JSON values with {call.this}(), a UDF that only its PySpark backend registers"
            )


# Ibis operations a definition may need that some dialects lack, in the user's words.
_JSON_READS = "`where:` on event properties or traits, or `property:` of a sum or distinct"
_OPERATION_NEEDS = {
    "ToJSONMap": "a `where:` key that is not a plain name (like $current_url or page.path)",
    "UnwrapJSONString": f"{_JSON_READS} (text values in JSON)",
    "UnwrapJSONFloat64": f"{_JSON_READS} (numbers in JSON)",
    "UnwrapJSONBoolean": f"{_JSON_READS} (booleans in JSON)",
}


def _unsupported(dialect: str, exc: Exception) -> str:
    text = str(exc)
    needs = [need for op, need in _OPERATION_NEEDS.items() if op in text]
    if "subsecond interval" in text:
        needs.append("a `within_days` that is not a whole number of seconds")
    what = needs[0] if needs else "part of the definition"
    return f"{dialect} cannot express {what}; Ibis says: {text}"


def _comment(text: str) -> str:
    """User text (ids, names) made safe for a `--` comment line."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _header(
    project: Project,
    dialect: str,
    what: What,
    period: Period,
    as_of: datetime | None,
    tables: UnboundTables,
    generated_at: datetime | None,
) -> str:
    generated = to_utc_naive(generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    moment = (
        to_utc_naive(as_of).isoformat() + "Z"
        if as_of is not None
        else "the warehouse's current time (UTC) when the query runs"
    )
    definition = project.definition
    lines = [
        f"pqlengine {__version__} SQL export, dialect {dialect}, generated {generated}Z",
        f"project {_comment(project.project)}, definition {_comment(definition.name)}, "
        f"version {project.version} (content hash, as `pql check` prints it)",
        f"as of: {moment}",
        "reads: " + ", ".join(tables.qualified_name(t) for t in SCHEMAS),
        f"expects: {_SESSION_NOTES[dialect]}",
        "semantics: pqlengine's docs/semantics.md; the engine's results are the reference",
    ]
    if what in ("qualify", "all"):
        lines += ["", "qualified_entities: criterion_<i>_at are the criteria in order:"]
        for index, criterion in enumerate(definition.criteria):
            lines.append(
                f"  {criterion_column(index)} = {_comment(criterion.id)} "
                f"({_comment(describe(criterion))})"
            )
    if what in ("metrics", "all"):
        lines += [
            "",
            f"cohort_metrics: cohorts by {period} of signup_at (weeks start Monday 00:00 UTC,",
            "ISO labels like 2026-W02; months like 2026-01); complete = as_of >= cohort end",
            f"+ {project.observation_days} observation days. The rates and their 95% intervals "
            "come from",
            "these sufficient statistics, k successes out of n:",
            "  pql_rate = pqls / signups; pql_to_paid = converted_pqls / pqls;",
            "  non_pql_to_paid = non_pql_converted / non_pql_signups; no rate when n = 0.",
            f"  Wilson score interval with z = {Z_95:.6f} and p = k / n:",
            "    centre = (p + z^2 / (2n)) / (1 + z^2 / n)",
            "    half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))",
            "    interval = [max(0, centre - half), min(1, centre + half)]",
            "time_to_pql_days_*: quantiles (linear interpolation, type 7) of",
            "  qualified_at - signup_at in days, over the PQLs.",
        ]
    return "".join(f"-- {line}".rstrip() + "\n" for line in lines)
