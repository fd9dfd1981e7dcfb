"""`pql`: thin commands that parse, call the library and render."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperOption

from pqlengine import __version__
from pqlengine.cli_io import (
    console,
    current_io,
    errors,
    invoked_at,
    served_store,
    stdout,
    use_service,
)
from pqlengine.output import Format, flat_csv, print_table, sparkbar, to_json

# The config (pydantic) and the store (Ibis, DuckDB) are imported by the commands that use
# them, like every other library module here: `pql --version` and `--help` stay instant.
if TYPE_CHECKING:
    from pqlengine.config import Project
    from pqlengine.live.served import ServeInfo
    from pqlengine.store import Store

app = typer.Typer(
    name="pql",
    help="Product Qualified Leads: define, qualify, measure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _flag_without_type(self: TyperOption, ctx: Any) -> str | None:
    """No value type in help for a flag: `--write`, not `--write <bool>`."""
    return None if self.is_flag or self.count else _typer_type(self, ctx)


# Typer's Rich help prints every option's value type, flags (even --help) as `<bool>`;
# its plain help leaves flags without one. One patch makes every page agree with it.
_typer_type = TyperOption.display_type_rich
TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]


ProjectDir = Annotated[
    Path, typer.Option("--project-dir", "-C", help="Directory holding pql.yaml.")
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this instant (ISO 8601, UTC if no offset)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")]

T = TypeVar("T")


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def check_period(period: str) -> None:
    """`--period` must be week or month."""
    if period not in ("week", "month"):
        raise UserError(f"--period: '{period}' is not week or month")


@contextmanager
def user_errors() -> Iterator[None]:
    """Library ValueErrors about the user's data or options become one-line errors."""
    try:
        yield
    except ValueError as exc:
        raise UserError(str(exc)) from None


def parse_as_of(value: str | None) -> datetime:
    """`--as-of` as an aware UTC datetime (default: now)."""
    if value is None:
        return invoked_at.get() or datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError(
            f"--as-of: '{value}' is not a date or timestamp (e.g. 2026-06-30 or "
            "2026-06-30T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@contextmanager
def opened(project_dir: Path, as_of: datetime | None = None) -> Iterator[tuple[Project, Store]]:
    """Load the project and open its store; with the `as_of` a command evaluates at, warn
    on stderr when the data ends long before it."""
    from pqlengine.config import load_project

    served = served_store.get()
    if served is not None:  # inside `pql serve`, on its read connection (cli_served.py)
        yield served
        return
    project = load_project(project_dir)
    store = _open_unless_served(project)
    try:
        if as_of is not None:
            warn_if_stale(store, project, as_of)
        yield project, store
    finally:
        store.close()


class StoreServed(Exception):
    """The store is held by a running `pql serve`: run the command through it."""

    def __init__(self, service: ServeInfo) -> None:
        super().__init__(f"the store is held by pql serve (pid {service.pid}) at {service.url}")
        self.service = service


def _open_unless_served(project: Project) -> Store:
    """The project's store; StoreServed when `pql serve` holds it (its serve.json names a
    live process, or the store is locked and serve.json names one)."""
    from pqlengine.live.served import running_service
    from pqlengine.store import Store, StoreError

    duckdb_file = project.store_config.backend == "duckdb"
    service = running_service(project.store_path) if duckdb_file else None
    if service is not None and use_service.get():
        raise StoreServed(service)
    try:
        return Store.for_project(project)
    except StoreError as exc:
        service = running_service(project.store_path) if duckdb_file else None
        if service is not None and use_service.get() and "lock" in str(exc).lower():
            raise StoreServed(service) from None
        raise


def warn_if_stale(store: Store, project: Project, as_of: datetime) -> None:
    """One stderr line when the newest event is far before `as_of` (compute/freshness.py)."""
    from pqlengine.compute.freshness import data_end

    warning = data_end(store, project, as_of).warning()
    if warning is not None:
        errors.print(f"warning: {escape(warning)}", highlight=False)


def emit(
    data: Any,
    fmt: Format,
    rows: list[dict[str, Any]],
    columns: list[tuple[str, str, str]],
    title: str | None = None,
) -> None:
    """Print `data` as JSON, or `rows` as CSV or a table."""
    if fmt is Format.json:
        stdout().write(to_json(data) + "\n")
    elif fmt is Format.csv:
        stdout().write(flat_csv(rows))
    else:
        print_table(console, rows, columns, title)


def _version(value: bool) -> None:
    if value:
        console.print(f"pql {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Product Qualified Leads: define, qualify, measure."""


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Project directory.")] = Path()) -> None:
    """Write a commented pql.yaml to edit."""
    from pqlengine.config import write_template

    try:
        target = write_template(directory)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    console.print(f"wrote {target}; edit it, then run `pql ingest -C {directory}`")


@app.command()
def check(project_dir: ProjectDir = Path()) -> None:
    """Validate pql.yaml (every problem at once) and compare it with the stored data."""
    from pqlengine.compute.checks import check_data

    with opened(project_dir) as (project, store):
        checked = check_data(store, project)
    definition = project.definition
    if not checked.errors:
        console.print(
            f"[green]ok[/green] pql.yaml: definition '{definition.name}' version "
            f"{project.version}, {len(definition.criteria)} criteria, rule "
            f"{definition.qualify.kind} (needs {definition.threshold:g}), entity {project.entity}"
        )
    for warning in checked.warnings:
        console.print(f"[yellow]warning[/yellow] {escape(warning)}", highlight=False)
    if checked.errors:
        raise UserError("\n".join(checked.errors))


@app.command()
def ingest(
    project_dir: ProjectDir = Path(),
    accounts: Annotated[list[Path] | None, typer.Option(help="Accounts file(s).")] = None,
    users: Annotated[list[Path] | None, typer.Option(help="Users file(s).")] = None,
    events: Annotated[list[Path] | None, typer.Option(help="Events file(s) or directory.")] = None,
    conversions: Annotated[list[Path] | None, typer.Option(help="Conversions file(s).")] = None,
    fmt: FormatOpt = Format.table,
    export_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Read FILES as this tool's export: segment, mixpanel, amplitude, posthog, "
            "pendo, hubspot-deals, salesforce-opportunities, stripe-subscriptions.",
        ),
    ] = None,
    files: Annotated[
        list[Path] | None, typer.Argument(help="Export files or directories (with --from).")
    ] = None,
) -> None:
    """Load CSV, Parquet or JSON-lines files; each file is all-or-nothing."""
    from pqlengine.ingest import IngestResult, expand_sources, ingest_many
    from pqlengine.ingest.formats import expand_exports, ingest_export
    from pqlengine.progress import files_progress

    given = {"accounts": accounts, "users": users, "events": events, "conversions": conversions}
    sources = [
        (table, file)
        for table, paths in given.items()
        for path in paths or []
        for file in expand_sources(path)
    ]
    if files and export_format is None:
        raise UserError("FILES need --from <format> (segment, mixpanel, amplitude, ...)")
    with user_errors():
        exports = [f for path in files or [] for f in expand_exports(str(export_format), path)]
    if not sources and not exports:
        raise UserError(
            "nothing to ingest: give --accounts, --users, --events or --conversions, "
            "or --from <format> FILES"
        )
    results: list[IngestResult] = []
    with opened(project_dir) as (project, store):
        try:
            total = len(sources) + len(exports)
            with files_progress(current_io.get().errors, total, "pql ingest") as progress:

                def done(result: IngestResult) -> None:
                    results.append(result)
                    progress.finished()

                ingest_many(
                    store,
                    sources,
                    project.columns.for_table,
                    on_file=done,
                    on_rows=lambda file: progress.start(file.name),
                )
                for export in exports:
                    progress.start(export.name)
                    results.extend(
                        ingest_export(store, str(export_format), export, project.columns.for_table)
                    )
                    progress.finished()
        finally:
            _ingest_report(results, fmt)
            for note in (note for result in results for note in result.notes):
                errors.print(f"[yellow]warning[/yellow] {escape(note)}", highlight=False)


def _ingest_report(results: list[Any], fmt: Format) -> None:
    rows = [
        {
            "table": r.table,
            "file": r.source,
            "rows_read": r.rows_read,
            "rows_added": r.rows_added,
            "already_present": r.rows_skipped,
        }
        for r in results
    ]
    if rows:
        emit(
            rows,
            fmt,
            rows,
            [
                ("table", "table", "text"),
                ("file", "file", "text"),
                ("rows_read", "read", ""),
                ("rows_added", "added", ""),
                ("already_present", "already present", ""),
            ],
        )


@contextmanager
def _progress() -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=current_io.get().errors,
        transient=True,
        disable=not errors.is_terminal,
    )
    with progress:
        yield progress


@app.command()
def qualify(
    project_dir: ProjectDir = Path(),
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
    status: Annotated[
        str | None, typer.Option(help="Only entities with this status (e.g. pql).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many rows (table default: 50).")
    ] = None,
) -> None:
    """Every entity: signup_at, qualified_at, criteria met, fit, converted_at."""
    from pqlengine.compute.qualify import STATUSES, run_qualification, to_records
    from pqlengine.compute.qualify_csv import qualification_csv

    if status is not None and status not in STATUSES:
        raise UserError(f"--status: '{status}' is not one of {', '.join(STATUSES)}")
    moment = parse_as_of(as_of)
    if limit is None and fmt is Format.table:
        limit = 50
    with opened(project_dir, moment) as (project, store):
        stored, counts = run_qualification(store, project, moment, status, limit)
    if fmt is Format.csv and stored.num_rows:
        stdout().write(qualification_csv(stored, project))
        return
    rows = to_records(stored, project)
    data = {
        "as_of": moment,
        "definition": _definition(project),
        "status_counts": counts,
        "entities": rows,
    }
    total = counts.get(status, 0) if status else sum(counts.values())
    shown = f"showing {len(rows)} of {total:,}" if len(rows) < total else f"{total:,}"
    summary = ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
    emit(
        data,
        fmt,
        rows,
        [
            ("entity_id", "entity", "text"),
            ("status", "status", "text"),
            ("signup_at", "signup", ""),
            ("qualified_at", "qualified", ""),
            ("converted_at", "converted", ""),
            ("active_days", "active days", ""),
            ("criteria_met", "criteria met", "text"),
            ("fit", "fit", ""),
        ],
        title=f"{shown} entities ({summary}), definition {project.version}",
    )


def _definition(project: Project) -> dict[str, str]:
    return {"name": project.definition.name, "version": project.version}


@app.command()
def metrics(
    project_dir: ProjectDir = Path(),
    as_of: AsOf = None,
    period: Annotated[str, typer.Option(help="Cohort period: week or month.")] = "month",
    by: Annotated[
        str | None, typer.Option(help="Segment by an account/user column or trait.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """PQL count, PQL rate, time to PQL and PQL-to-paid per signup cohort."""
    from pqlengine.compute.metrics import compute_metrics

    check_period(period)
    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store):
        result = compute_metrics(store, project, moment, period, by)  # type: ignore[arg-type]
    rows = [*result["cohorts"], result["overall"]]
    if fmt is not Format.table:
        emit(result, fmt, rows, [])
        return
    for row in rows:
        row["label"] = row["cohort"] or "overall (complete)"
        row["status"] = "" if row["complete"] else "incomplete"
    columns = [("label", "cohort", "text")]
    if by:
        columns.append(("segment", by, "text"))
    columns += [
        ("signups", "signups", ""),
        ("pqls", "PQLs", ""),
        ("pql_rate", "PQL rate", "pct"),
        ("pql_rate_ci", "95% CI", "ci"),
        ("time_to_pql_days.median", "days to PQL", ""),
        ("converted_pqls", "paid", ""),
        ("pql_to_paid", "PQL→paid", "pct"),
        ("pql_to_paid_ci", "95% CI", "ci"),
        ("non_pql_to_paid", "non-PQL→paid", "pct"),
        ("status", "", "text"),
    ]
    print_table(
        console,
        rows,
        columns,
        title=(
            f"{result['definition']['name']} ({result['definition']['version']}) as of "
            f"{result['as_of']}, cohorts by {period} of signup"
        ),
    )
    counts = result["pql_count_by_period"]
    if counts and not by:
        console.print(
            f"PQLs per {period}: {sparkbar([c['pqls'] for c in counts])}  "
            f"({counts[0]['period']} .. {counts[-1]['period']}, latest {counts[-1]['pqls']})"
        )


def _shown(metric: str, value: float | None) -> str:
    """A target metric's value for people: rates in %, days and counts as numbers."""
    if value is None:
        return "-"
    return f"{value:.1%}" if metric in ("pql_to_paid", "pql_rate") else f"{value:.3g}"


@app.command()
def targets(
    project_dir: ProjectDir = Path(),
    as_of: AsOf = None,
    alert: Annotated[
        bool | None,
        typer.Option(
            "--alert/--no-alert",
            help="Record statuses and queue an alert when a target goes off track "
            "(default: only without --as-of).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Progress, trend and the chance of reaching each target in pql.yaml `targets:`."""
    from pqlengine.compute.periods import to_utc_naive
    from pqlengine.compute.targets import compute_targets

    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store):
        if not project.targets:
            raise UserError("no targets: add a `targets:` list to pql.yaml (see README)")
        with user_errors():
            result = compute_targets(store, project, moment)
        # Run by `pql serve` for the CLI (it holds the store), the connection only reads.
        in_service = served_store.get() is not None
        if (alert or (alert is None and as_of is None)) and not in_service:
            from pqlengine.destinations.outbox import SecretError
            from pqlengine.destinations.target_alerts import alertable
            from pqlengine.live.tables import ensure_live_tables

            try:
                found = alertable(project)
            except SecretError as exc:  # show the targets; the change is seen next time
                errors.print(f"warning: no target alerts recorded: {escape(str(exc))}")
                found = None
            if found:
                from pqlengine.destinations.target_alerts import record_statuses

                ensure_live_tables(store)
                result["alerts_queued"] = record_statuses(
                    store.raw, result["targets"], project.project, found, to_utc_naive(moment)
                )
    rows = result["targets"]
    for row in rows:
        metric = row["metric"]
        ci = row["current_ci"]
        row["shown_target"] = f"{_shown(metric, row['value'])} by {row['by']}"
        row["shown_current"] = _shown(metric, row["current"]) + (
            f" [{_shown(metric, ci[0])}, {_shown(metric, ci[1])}]" if ci else ""
        )
        row["shown_projected"] = _shown(metric, row["projected"])
        slope = row["trend"]["slope_per_month"] if row["trend"] else None
        row["shown_slope"] = "-" if slope is None else f"{slope:+.3g}/month"
        reason = row["reason"]
        row["shown_status"] = row["status"] + (f": {reason['message']}" if reason else "")
    emit(
        result,
        fmt,
        rows,
        [
            ("name", "target", "text"),
            ("shown_target", "goal", "text"),
            ("shown_current", "now [95% CI]", "text"),
            ("progress", "progress", "pct"),
            ("shown_slope", "trend", "text"),
            ("shown_projected", "projected", "text"),
            ("probability", "chance", "pct"),
            ("shown_status", "status", "text"),
        ],
        title=f"targets as of {result['as_of']} (now = last {result['window_cohorts']} "
        "complete monthly cohorts)",
    )
    if fmt is Format.table and result.get("alerts_queued"):
        console.print(f"queued {len(result['alerts_queued'])} off-track alert(s) in the outbox")


@app.command()
def calc(
    project_dir: ProjectDir = Path(),
    as_of: AsOf = None,
    pqls: Annotated[float | None, typer.Option(help="PQLs per month.")] = None,
    rate: Annotated[float | None, typer.Option(help="PQL-to-paid rate (0.2 = 20%).")] = None,
    from_store: Annotated[
        bool,
        typer.Option(help="Take the inputs not typed from the store (recent months)."),
    ] = False,
    target_customers: Annotated[
        float | None, typer.Option(help="New paying customers wanted per month.")
    ] = None,
    target_revenue: Annotated[
        float | None, typer.Option(help="New MRR wanted per month (needs an ARPA).")
    ] = None,
    arpa: Annotated[float | None, typer.Option(help="MRR per new customer.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Paid customers implied by a PQL volume and rate; the PQL volume a target needs."""
    from pqlengine.stats.calc import calculator

    observed: dict[str, Any] | None = None
    if from_store:
        from pqlengine.compute.calc import observed_inputs

        moment = parse_as_of(as_of)
        with opened(project_dir, moment) as (project, store):
            observed = observed_inputs(store, project, moment)
    elif pqls is None and rate is None:
        raise UserError("give --pqls and --rate, or --from-store")
    with user_errors():
        result = calculator(pqls, rate, arpa, observed, target_customers, target_revenue)
    if fmt is Format.json:
        emit(result, fmt, [], [])
        return
    _print_calc(result)


def _print_calc(result: dict[str, Any]) -> None:
    inputs, observed = result["inputs"], result["observed"] or {}

    def span(found: dict[str, Any] | None, digits: int = 1) -> str:
        if found is None or found["value"] is None:
            return "-" if found is None else f"- ({found['note']})"
        text = f"{found['value']:.{digits}f}"
        if found["interval"]:
            low, high = found["interval"]
            text += f" [{low:.{digits}f}, " + ("no bound" if high is None else f"{high:.{digits}f}")
            text += "]"
        if found.get("note"):
            text += f" ({found['note']})"
        return text

    volume = inputs["pqls_per_month"]
    console.print(
        f"PQLs per month: {'-' if volume is None else f'{volume:.1f}'} ({inputs['pqls_source']}"
        + (
            f", {', '.join(observed['pqls_months'])}; 95% CI {observed['pqls_per_month_ci'][0]:.1f}"
            f"-{observed['pqls_per_month_ci'][1]:.1f}, not propagated)"
            if inputs["pqls_source"] == "store"
            else ")"
        )
    )
    rate_text = f"{inputs['rate']:.1%}" if inputs["rate"] is not None else "-"
    if inputs["rate_source"] == "store" and observed.get("rate_ci"):
        k, n = observed["rate_counts"]
        low, high = observed["rate_ci"]
        rate_text += f" ({k}/{n}, cohorts {', '.join(observed['rate_cohorts'])}; "
        rate_text += f"95% Wilson {low:.1%}-{high:.1%})"
    else:
        rate_text += f" ({inputs['rate_source']})"
    console.print(f"PQL-to-paid: {rate_text}")
    if result["customers"] is not None:
        console.print(f"paid customers per month: {span(result['customers'])}")
    if result["customers_needed"] is not None:
        console.print(
            f"customers needed per month: {result['customers_needed']:.1f} "
            f"(target revenue / ARPA {inputs['arpa']:.2f}, {inputs['arpa_source']})"
        )
    if result["pqls_needed"] is not None:
        console.print(f"PQLs needed per month: {span(result['pqls_needed'])}")


@app.command()
def outcomes(
    project_dir: ProjectDir = Path(),
    as_of: AsOf = None,
    period: Annotated[
        str, typer.Option(help="Cohort period of conversion: week or month.")
    ] = "month",
    by: Annotated[
        str | None, typer.Option(help="Segment by an account/user column or trait.")
    ] = None,
    revenue_days: Annotated[
        int | None, typer.Option(help="Also report revenue of the first D days after converting.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Revenue, retention and LTV of PQL vs non-PQL customers per conversion cohort."""
    from pqlengine.cli_outcomes import print_outcomes
    from pqlengine.compute.outcomes import compute_outcomes

    check_period(period)
    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store), user_errors():
        result = compute_outcomes(store, project, moment, period, by, revenue_days)  # type: ignore[arg-type]
    if fmt is Format.table:
        print_outcomes(console, result)
    else:
        rows = [
            {"cohort": c["cohort"], "segment": c["segment"], "group": g, **c[g]}
            for c in [*result["cohorts"], {**result["overall"], "cohort": None, "segment": None}]
            for g in ("pql", "non_pql")
        ]
        emit(result, fmt, rows, [])


class LeadStatus(StrEnum):
    pql = "pql"
    lapsed = "lapsed"


@app.command()
def leads(
    project_dir: ProjectDir = Path(),
    top: Annotated[int, typer.Option(min=1, help="How many leads.")] = 20,
    status: Annotated[
        LeadStatus, typer.Option(help="pql: open PQLs; lapsed: PQLs that went cold.")
    ] = LeadStatus.pql,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Open PQLs (not yet converted), newest first, with the criteria met, when they were
    last seen (and model scores); `--status lapsed` lists the ones that went cold."""
    from pqlengine.compute.leads import open_leads

    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store):
        rows = open_leads(store, project, moment, top, status.value)
    data = {"as_of": moment, "definition": _definition(project), "leads": rows}
    since = ("pql_since", "PQL since") if status is LeadStatus.pql else ("lapsed_at", "lapsed")
    which = "open" if status is LeadStatus.pql else "lapsed"
    columns = [
        ("entity_id", "entity", "text"),
        ("qualified_at", "qualified", ""),
        (since[0], since[1], ""),
        ("last_seen_at", "last seen", ""),
        ("days_since_seen", "days unseen", ""),
        ("signup_at", "signup", ""),
        ("active_days", "active days", ""),
        ("criteria_met", "criteria met", "text"),
    ]
    if any("score" in row for row in rows):  # `pql model score` has run
        columns += [("score", "score", ""), ("why", "reasons", "text")]
        if fmt is Format.table:
            rows = [{**r, "why": "; ".join(x["text"] for x in r["reasons"])} for r in rows]
    emit(
        data, fmt, rows, columns, title=f"top {top} {which} PQLs as of {moment:%Y-%m-%d %H:%M} UTC"
    )


OutcomeOpt = Annotated[
    str,
    typer.Option(
        "--outcome",
        help="converted (default), retained_<days> (not churned <days> after converting) or "
        "revenue_<days> (revenue in the <days> after converting).",
    ),
]
AmongOpt = Annotated[
    str | None,
    typer.Option(
        "--among",
        help="With retained/revenue: converters (default) or all (non-converters count 0).",
    ),
]


def outcome_of(outcome: str, among: str | None) -> Any:
    """`--outcome` / `--among` parsed; a one-line error naming the option otherwise."""
    from pqlengine.compute.outcome_labels import parse_outcome

    with user_errors():
        return parse_outcome(outcome, among)


@app.command()
def discover(
    project_dir: ProjectDir = Path(),
    window_days: Annotated[
        int, typer.Option(min=1, help="Behaviour window after signup, in days.")
    ] = 14,
    min_support: Annotated[
        int, typer.Option(min=1, help="Entities needed on each side to rank a candidate.")
    ] = 25,
    vanity: Annotated[
        str | None, typer.Option(help="Regex of vanity event names (default: page/view/login...).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows in the table output.")] = 30,
    outcome: OutcomeOpt = "converted",
    among: AmongOpt = None,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Which behaviours in the first days predict later conversion (2x2 tests, BH q-values),
    or retention / revenue after it (--outcome)."""
    from pqlengine.compute.discovery import discover as run_discover
    from pqlengine.stats.discovery import DEFAULT_VANITY

    chosen = outcome_of(outcome, among)
    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store):
        result = run_discover(
            store, project, moment, window_days, min_support, vanity or DEFAULT_VANITY, chosen
        )
    rows = result["candidates"]
    if fmt is Format.table:
        rows = [{**row, "what": row["label"]} for row in rows[:top]]
    title = (
        f"{result['entities']:,} entities, {result['conversions']:,} converted after their first "
        f"{window_days} days ({result['excluded_converted_in_window']:,} converted inside the "
        f"window, left out); sorted: {result['sort']}"
    )
    if chosen.kind != "converted":
        title = _outcome_title(result["outcome_description"], result["outcome"], result["sort"])
    emit(
        result,
        fmt,
        rows if fmt is not Format.table else rows[:top],
        _discover_columns(chosen.kind),
        title=title,
    )


def _outcome_title(description: str, population: dict[str, Any], sort: str) -> str:
    """A title naming the outcome, its population and who was left out."""
    return (
        f"outcome {population['outcome']}: {description}; {population['entities']:,} entities "
        f"({population['left_out']}); sorted: {sort}"
    )


def _discover_columns(kind: str) -> list[tuple[str, str, str]]:
    """The table columns of `pql discover` for a yes/no or a numeric outcome."""
    if kind == "revenue":
        return [
            ("what", "behaviour", "text"),
            ("with_total", "did it", ""),
            ("mean_with", "mean if did", ""),
            ("mean_without", "if not", ""),
            ("difference_ci", "diff. 95% CI", ""),
            ("q_value", "q", "text"),
            ("support", "support", "pct"),
            ("flags", "flags", "text"),
        ]
    rate = "conv. if did" if kind == "converted" else "retained if did"
    return [
        ("what", "behaviour", "text"),
        ("with_total", "did it", ""),
        ("rate_with", rate, "pct"),
        ("rate_without", "if not", "pct"),
        ("lift", "lift", ""),
        ("odds_ratio_ci", "OR 95% CI", "text"),
        ("q_value", "q", "text"),
        ("support", "support", "pct"),
        ("flags", "flags", "text"),
    ]


@app.command()
def drivers(
    project_dir: ProjectDir = Path(),
    window_days: Annotated[
        int, typer.Option(min=1, help="Behaviour window after signup, in days.")
    ] = 14,
    min_support: Annotated[
        int, typer.Option(min=1, help="Entities needed on each side (and control ESS).")
    ] = 25,
    thresholds: Annotated[
        str, typer.Option(help="one: did it at least once; discovered: discovery's threshold.")
    ] = "one",
    trim: Annotated[
        str, typer.Option(help="Propensity trimming: crump (optimal), none, or a bound like 0.1.")
    ] = "crump",
    outcome: OutcomeOpt = "converted",
    among: AmongOpt = None,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Which behaviours drive conversion (or retention: --outcome retained_<days>) once
    engagement and fit are adjusted for (ATT, AIPW)."""
    from pqlengine.compute.drivers import drivers as run_drivers
    from pqlengine.compute.outcome_labels import require_yes_no

    chosen = outcome_of(outcome, among)
    with user_errors():
        require_yes_no(chosen, "drivers")

    if thresholds not in ("one", "discovered"):
        raise UserError(f"--thresholds: '{thresholds}' is not one or discovered")
    try:
        trim_rule: str | float | None = {"crump": "crump", "none": None}[trim]
    except KeyError:
        try:
            trim_rule = float(trim)
        except ValueError:
            raise UserError(f"--trim: '{trim}' is not crump, none or a number") from None
    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store), user_errors():
        result = run_drivers(
            store, project, moment, window_days, min_support, thresholds, trim_rule, outcome=chosen
        )
    rows = [
        {**row, "what": f"{row['event']} >= {row['threshold']}"} for row in result["behaviours"]
    ]
    emit(
        result,
        fmt,
        rows,
        [
            ("what", "behaviour", "text"),
            ("treated", "did it", ""),
            ("rate_with", "conv. did", "pct"),
            ("rate_without", "did not", "pct"),
            ("naive_difference", "naive", "pct"),
            ("effect", "adjusted", "pct"),
            ("effect_ci", "95% CI", "ci"),
            ("e_value_ci", "E-value CI", ""),
            ("ess_control", "ESS ctrl", ""),
            ("trimmed_share", "trimmed", "pct"),
            ("label", "label", "text"),
        ],
        title=f"{result['entities']:,} entities, {result['conversions']:,} "
        f"{'converted' if chosen.kind == 'converted' else 'with outcome ' + chosen.name} after "
        f"their first {window_days} days ({result['outcome_description']}); naive = "
        f"difference in the outcome rate, adjusted = ATT "
        f"by AIPW (doubly robust), trim {result['trim']}; E-value = hidden-confounder risk "
        f"ratio that could move the interval to zero; likely driver needs Holm p < "
        f"{result['alpha']:g} and E-value >= {result['e_value_threshold']:g}",
    )
    if fmt is Format.table:
        console.print("Adjusted for: " + "; ".join(result["adjusted_for"]) + ".")
        for limit in result["limits"]:
            console.print(f"[yellow]limit[/yellow] {limit}")


@app.command()
def suggest(
    project_dir: ProjectDir = Path(),
    window_days: Annotated[int, typer.Option(min=1, help="Behaviour window, days.")] = 14,
    max_criteria: Annotated[int, typer.Option(min=2, max=6, help="Most criteria.")] = 4,
    objective: Annotated[str, typer.Option(help="f1, precision or lift.")] = "f1",
    train_until: Annotated[
        str | None, typer.Option(help="Train on signups before this (default: median).")
    ] = None,
    min_support: Annotated[int, typer.Option(min=1, help="Fewest PQLs a rule may have.")] = 25,
    outcome: OutcomeOpt = "converted",
    among: AmongOpt = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Adopt it in pql.yaml (old file kept in .pql/definitions)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --write: write even if it does not win.")
    ] = False,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Search 2-4 criterion rules on earlier cohorts and judge them on later ones."""
    from pqlengine.compute.outcome_labels import require_yes_no
    from pqlengine.compute.suggest import adopt_suggestion
    from pqlengine.compute.suggest import suggest as run_suggest
    from pqlengine.stats.suggest import Objective

    if objective not in ("f1", "precision", "lift"):
        raise UserError(f"--objective: '{objective}' is not f1, precision or lift")
    chosen = outcome_of(outcome, among)
    with user_errors():
        require_yes_no(chosen, "suggest")
    moment = parse_as_of(as_of)
    split = parse_as_of(train_until) if train_until is not None else None
    with opened(project_dir, moment) as (project, store):
        with user_errors():
            result = run_suggest(
                store,
                project,
                moment,
                window_days,
                max_criteria,
                cast(Objective, objective),
                split,
                min_support,
                chosen,
            )
        if result["rule"] is None:
            raise UserError(result["reason"])
        if write and not (result["verdict"]["wins"] or force):
            result["not_written"] = result["verdict"]["sentence"]
        elif write:
            backup = adopt_suggestion(store, project, result["rule"]["definition"])
            result["previous_definition_file"] = str(backup)
    rows = [{"period": name, **result[name]} for name in ("train", "test")]
    emit(
        result,
        fmt,
        rows,
        [
            ("period", "cohorts", "text"),
            ("entities", "entities", ""),
            ("pqls", "PQLs", ""),
            ("pql_rate", "PQL rate", "pct"),
            ("precision", "precision", "pct"),
            ("precision_ci", "95% CI", "ci"),
            ("recall", "recall", "pct"),
            ("base_rate", "base rate", "pct"),
            ("lift", "lift", ""),
        ],
        title=f"objective {objective}; outcome {chosen.name}; train = signups before "
        f"{result['train_until']}",
    )
    if fmt is Format.table:
        stdout().write(yaml_dump({"definition": result["rule"]["definition"]}))
        console.print(f"Verdict: {result['verdict']['sentence']}", markup=False)
        if "previous_definition_file" in result:
            previous = result["previous_definition_file"]
            console.print(
                f"pql.yaml now uses this definition (gates and other keys kept); the previous "
                f"file is {previous} (re-baseline: pql compare {previous} pql.yaml)"
            )
    refuse_unwon(result)


def refuse_unwon(result: dict[str, Any]) -> None:
    """After the output: a --write the held-out verdict did not allow is an error."""
    if "not_written" in result:
        raise UserError(f"{result['not_written']}: not written (use --force to write anyway)")


def yaml_dump(data: Any) -> str:
    """YAML for people (key order kept)."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


@app.command()
def validate(
    project_dir: ProjectDir = Path(),
    train_until: Annotated[
        str | None,
        typer.Option(
            help="Cohorts signing up before this are 'train', the rest 'test' "
            "(default: the median signup)."
        ),
    ] = None,
    outcome: OutcomeOpt = "converted",
    among: AmongOpt = None,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Do PQLs convert more than non-PQLs (or retain, or earn more: --outcome), in earlier and
    in later cohorts?"""
    from pqlengine.compute.validation import validate as run_validate

    chosen = outcome_of(outcome, among)
    moment = parse_as_of(as_of)
    split = parse_as_of(train_until) if train_until is not None else None
    with opened(project_dir, moment) as (project, store), user_errors():
        result = run_validate(store, project, moment, split, chosen)
    rows = [{"period": name, **result[name]} for name in ("train", "test")]
    columns = (
        [
            ("period", "cohorts", "text"),
            ("pql.entities", "PQLs", ""),
            ("pql.mean", "PQL mean", ""),
            ("pql.mean_ci", "95% CI", ""),
            ("non_pql.entities", "non-PQLs", ""),
            ("non_pql.mean", "non-PQL mean", ""),
            ("non_pql.mean_ci", "95% CI", ""),
            ("difference_ci", "diff. 95% CI", ""),
            ("p_value", "Welch p", "text"),
            ("verdict", "verdict", "text"),
        ]
        if chosen.numeric
        else [
            ("period", "cohorts", "text"),
            ("pql.entities", "PQLs", ""),
            ("pql.rate", "PQL conv." if chosen.kind == "converted" else "PQL retained", "pct"),
            ("pql.rate_ci", "95% CI", "ci"),
            ("non_pql.entities", "non-PQLs", ""),
            ("non_pql.rate", "non-PQL conv." if chosen.kind == "converted" else "non-PQL", "pct"),
            ("non_pql.rate_ci", "95% CI", "ci"),
            ("lift", "lift", ""),
            ("lift_ci", "95% CI", ""),
            ("converted_before_landmark", "left out", ""),
            ("recall", "recall", "pct"),
            ("verdict", "verdict", "text"),
        ]
    )
    population = result["population"]
    left = (
        ""
        if chosen.kind == "converted"
        else f" ({population['entities']:,} entities; {population['left_out']})"
    )
    emit(
        result,
        fmt,
        rows,
        columns,
        title=f"definition {result['definition']['version']}, train = signups before "
        f"{result['train_until']}; outcome: {result['outcome']}{left}",
    )
    if fmt is Format.table:
        for warning in result["warnings"]:
            console.print(f"[yellow]warning[/yellow] {warning}")


@app.command()
def compare(
    old: Annotated[str, typer.Argument(help="A pql.yaml file or a stored version hash.")],
    new: Annotated[str, typer.Argument(help="A pql.yaml file or a stored version hash.")],
    project_dir: ProjectDir = Path(),
    period: Annotated[str, typer.Option(help="Cohort period: week or month.")] = "month",
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Re-baseline: replay two definitions over the same history and as_of, side by side."""
    from pqlengine.compute.compare import compare as run_compare
    from pqlengine.compute.compare import resolve_definition

    check_period(period)
    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store):
        with user_errors():
            before = resolve_definition(store, project, old)
            after = resolve_definition(store, project, new)
        result = run_compare(store, before, after, moment, period)  # type: ignore[arg-type]
    rows = [
        {
            "cohort": c["cohort"],
            "complete": c["complete"],
            **{f"old_{k}": v for k, v in c["old"].items()},
            **{f"new_{k}": v for k, v in c["new"].items()},
        }
        for c in result["cohorts"]
    ]
    emit(
        result,
        fmt,
        rows,
        [
            ("cohort", "cohort", "text"),
            ("old_signups", "signups", ""),
            ("old_pqls", "PQLs old", ""),
            ("new_pqls", "PQLs new", ""),
            ("old_pql_rate", "rate old", "pct"),
            ("new_pql_rate", "rate new", "pct"),
            ("old_time_to_pql_days.median", "days old", ""),
            ("new_time_to_pql_days.median", "days new", ""),
            ("old_pql_to_paid", "→paid old", "pct"),
            ("new_pql_to_paid", "→paid new", "pct"),
        ],
        title=f"{result['old']['name']} {result['old']['version']} (old) vs "
        f"{result['new']['name']} {result['new']['version']} (new)",
    )
    if fmt is Format.table:
        move = result["movement"]
        console.print(
            f"{move['pql_in_both']:,} PQLs under both; {move['entered']:,} enter "
            f"(e.g. {', '.join(move['entered_examples'][:5]) or '-'}); {move['left']:,} leave "
            f"(e.g. {', '.join(move['left_examples'][:5]) or '-'})"
        )


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the project.")] = Path(
        "demo"
    ),
    accounts: Annotated[int, typer.Option(min=10, help="Number of accounts.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Generate the Taskly demo product (pql.yaml, data, ground truth) and ingest it."""
    from pqlengine.demo import write_demo

    with _progress() as progress:
        task = progress.add_task("generating", total=accounts)
        files = write_demo(
            directory,
            accounts,
            seed,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(
        f"demo project in {directory}: {files.accounts:,} accounts, {files.users:,} users, "
        f"{files.events:,} events, {files.conversions:,} conversions; "
        f"ground truth in {directory / 'ground_truth.json'}"
    )


@app.command()
def report(
    project_dir: ProjectDir = Path(),
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write each chart as PNG into this directory.")
    ] = None,
    as_of: AsOf = None,
    period: Annotated[str, typer.Option(help="Cohort period: week or month.")] = "month",
    by: Annotated[
        str | None, typer.Option(help="Compare segments of an account/user column or trait.")
    ] = None,
    segment: Annotated[
        str | None, typer.Option(help="With --by: only entities in this segment.")
    ] = None,
    drivers: Annotated[
        bool, typer.Option("--drivers/--no-drivers", help="Include discovery (slow on big stores).")
    ] = True,
) -> None:
    """Every dashboard panel in one self-contained HTML file that works offline."""
    check_period(period)
    if segment is not None and by is None:
        raise UserError("--segment needs --by (the column or trait the segment is a value of)")
    moment = parse_as_of(as_of)
    from pqlengine.compute.metrics import Period
    from pqlengine.report.html import build_report
    from pqlengine.report.render import write_pngs

    with opened(project_dir, moment) as (project, store), _progress() as progress:
        task = progress.add_task("report", total=3 if drivers else 2)

        def step(name: str) -> None:
            progress.update(task, description=name)
            progress.advance(task)

        with user_errors():
            chosen = cast(Period, period)
            built = build_report(store, project, moment, chosen, by, segment, drivers, step)
    out.write_text(built.html, encoding="utf-8")
    console.print(f"wrote {out} ({len(built.html) / 1e6:.1f} MB, {len(built.charts)} charts)")
    if png is not None:
        written = write_pngs(built.charts, png)
        console.print(f"wrote {len(written)} PNG charts to {png}")


@app.command(name="compile")
def compile_sql(
    project_dir: ProjectDir = Path(),
    dialect: Annotated[
        str,
        typer.Option(help="duckdb, postgres, spark, snowflake, bigquery or clickhouse."),
    ] = "duckdb",
    what: Annotated[str, typer.Option(help="qualify, metrics or all.")] = "all",
    period: Annotated[str, typer.Option(help="Cohort period: week or month.")] = "month",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Fixed evaluation instant (default: the warehouse's now)."),
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(help="Schema (or CATALOG.SCHEMA) holding the canonical tables."),
    ] = None,
) -> None:
    """Print SQL computing qualified_at per entity and the cohort metrics, for a warehouse."""
    from pqlengine.compute.export import export_sql
    from pqlengine.config import load_project

    moment = None if as_of is None else parse_as_of(as_of)
    project = load_project(project_dir)
    with user_errors():
        sql = export_sql(project, dialect, what, period, moment, schema)  # type: ignore[arg-type]
    stdout().write(sql)


model_app = typer.Typer(
    help="Predictive scoring: train a calibrated model, score open leads, fit a points "
    "definition, check for drift.",
    no_args_is_help=True,
)
ModelVersion = Annotated[
    str | None, typer.Option("--model", help="Model version (default: the newest).")
]
WindowDays = Annotated[int, typer.Option(min=1, help="Behaviour window after signup, days.")]
TrainUntil = Annotated[
    str | None,
    typer.Option(help="Train on signups before this, test on later ones (default: median)."),
]


def _fixed(rows: list[dict[str, Any]], keys: tuple[str, ...], digits: int = 3) -> None:
    """Format float metrics in place for a table (human() keeps one decimal)."""
    for row in rows:
        for key in keys:
            if isinstance(row.get(key), float):
                row[key] = f"{row[key]:.{digits}f}"


@model_app.command("train")
def model_train(
    project_dir: ProjectDir = Path(),
    window_days: WindowDays = 14,
    train_until: TrainUntil = None,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit/--no-refit",
            help="Store a model refitted on all matured cohorts (default) or the validated one.",
        ),
    ] = True,
    outcome: OutcomeOpt = "converted",
    among: AmongOpt = None,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fit a calibrated model on earlier cohorts, compare it with the rule on later ones, store."""
    from pqlengine.compute.outcome_labels import require_yes_no
    from pqlengine.model.train import train

    chosen = outcome_of(outcome, among)
    with user_errors():
        require_yes_no(chosen, "model train")
    moment = parse_as_of(as_of)
    split = parse_as_of(train_until) if train_until is not None else None
    with opened(project_dir, moment) as (project, store), user_errors():
        result = train(store, project, moment, window_days, split, refit, chosen)
    rows = [dict(row) for row in result["comparison"]]
    if fmt is not Format.table:
        emit(result, fmt, rows, [])
        return
    _fixed(rows, ("roc_auc", "pr_auc", "brier", "ece"), 4)
    test = result["test"]
    print_table(
        console,
        rows,
        [
            ("score", "score", "text"),
            ("roc_auc", "ROC AUC", "text"),
            ("pr_auc", "PR AUC", "text"),
            ("brier", "Brier", "text"),
            ("ece", "ECE", "text"),
            ("top_decile_precision", "top-decile prec.", "pct"),
            ("top_decile_lift", "lift", ""),
            ("precision_at_rule_count", "prec. @rule count", "pct"),
            ("recall_at_rule_count", "recall @rule count", "pct"),
        ],
        title=f"outcome {chosen.name}; held out: {test['entities']:,} entities signing up from "
        f"{result['train_until']} ({test['conversions']:,} positive); trained on "
        f"{result['train']['entities']:,} earlier ones; calibration "
        f"{result['model']['calibration']}",
    )
    model = result["validation"]["model"]
    print_table(
        console,
        model["calibration"],
        [
            ("bin", "predicted", "text"),
            ("entities", "entities", ""),
            ("mean_predicted", "mean predicted", "pct"),
            ("observed", "observed", "pct"),
            ("observed_ci", "95% CI", "ci"),
        ],
        title="model calibration on the held-out cohorts (ECE bins)",
    )
    top = model["top_decile_calibration"]
    if top["entities"]:
        low, high = top["observed_ci"]
        console.print(
            f"top decile ({top['entities']:,} highest scores): {top['mean_predicted']:.1%} "
            f"predicted, {top['observed']:.1%} converted (95% CI {low:.1%}-{high:.1%})"
        )
    print_table(
        console,
        model["deciles"],
        [
            ("decile", "decile", ""),
            ("entities", "entities", ""),
            ("precision", "converted", "pct"),
            ("lift", "lift", ""),
            ("cumulative_precision", "cum. precision", "pct"),
            ("cumulative_recall", "cum. recall", "pct"),
        ],
        title="model score deciles on the held-out cohorts (1 = highest)",
    )
    final = result["final_model"]
    console.print(
        f"stored model {result['version']}: fitted on {final['fitted_on']} "
        f"({final['entities']:,} entities); score leads with `pql model score`"
    )


@model_app.command("score")
def model_score(
    project_dir: ProjectDir = Path(),
    model: ModelVersion = None,
    top: Annotated[int, typer.Option(min=1, help="Rows in the table output.")] = 20,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Score every open PQL (pql_score 0-100, top 3 reasons) and store it for `pql leads`."""
    from pqlengine.model.score import score_leads

    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store), user_errors():
        result = score_leads(store, project, moment, model)
    rows = result["leads"]
    if fmt is Format.table:
        rows = [{**row, "why": "; ".join(r["text"] for r in row["reasons"])} for row in rows[:top]]
    emit(
        result,
        fmt,
        rows,
        [
            ("entity_id", "entity", "text"),
            ("score_text", "pql_score", "text"),
            ("why", "top reasons (score points vs a typical entity)", "text"),
            ("window_complete", "full window", ""),
        ],
        title=f"{len(result['leads']):,} open PQLs scored by model {result['model']['version']}"
        f" as of {result['as_of']}; showing the top {min(top, len(result['leads']))}",
    )
    if fmt is Format.table:
        for note in result["notes"]:
            console.print(f"[yellow]note[/yellow] {note}")


@model_app.command("points")
def model_points(
    project_dir: ProjectDir = Path(),
    window_days: WindowDays = 14,
    train_until: TrainUntil = None,
    target_precision: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Lowest score reaching this precision (default 0.3)."),
    ] = None,
    target_rate: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Or: a PQL rate of at most this.")
    ] = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Adopt it in pql.yaml (old file kept in .pql/definitions)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --write: write even if it does not win.")
    ] = False,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fit a points score (qualify: {score: s}) for a precision or PQL-rate target."""
    from pqlengine.model.points import points

    if target_precision is not None and target_rate is not None:
        raise UserError("give --target-precision or --target-rate, not both")
    moment = parse_as_of(as_of)
    split = parse_as_of(train_until) if train_until is not None else None
    with opened(project_dir, moment) as (project, store), user_errors():
        result = points(
            store, project, moment, window_days, split, target_precision, target_rate, write, force
        )
    rows = [
        {"period": "train", **result["train"]},
        {"period": "test", **result["test"]},
        {"period": "test, current rule", **result["current_rule_test"]},
    ]
    emit(
        result,
        fmt,
        rows,
        [
            ("period", "cohorts", "text"),
            ("entities", "entities", ""),
            ("pqls", "PQLs", ""),
            ("pql_rate", "PQL rate", "pct"),
            ("precision", "precision", "pct"),
            ("precision_ci", "95% CI", "ci"),
            ("recall", "recall", "pct"),
            ("lift", "lift", ""),
        ],
        title=f"points score >= {result['threshold']} (target {result['target']}); train = "
        f"signups before {result['train_until']}",
    )
    if fmt is Format.table:
        stdout().write(yaml_dump({"definition": result["definition"]}))
        console.print(f"Verdict: {result['verdict']['sentence']}", markup=False)
        if "previous_definition_file" in result:
            console.print(
                f"pql.yaml now uses this definition (gates and other keys kept); the previous "
                f"file is {result['previous_definition_file']}"
            )
    refuse_unwon(result)


@model_app.command("check")
def model_check(
    project_dir: ProjectDir = Path(),
    model: ModelVersion = None,
    recent_days: Annotated[
        int, typer.Option(min=1, help="Feature drift: entities whose window ended this recently.")
    ] = 28,
    as_of: AsOf = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Drift of features (PSI) and calibration since training: says when to retrain."""
    from pqlengine.model.check import check as run_check

    moment = parse_as_of(as_of)
    with opened(project_dir, moment) as (project, store), user_errors():
        result = run_check(store, project, moment, model, recent_days)
    rows = result["features"] or []
    if fmt is Format.table:
        rows = [dict(row) for row in rows if row["status"] != "ok"] or rows[:5]
        _fixed(rows, ("psi",))
    emit(
        result,
        fmt,
        rows,
        [("feature", "feature", "text"), ("psi", "PSI", "text"), ("status", "status", "text")],
        title=f"model {result['model']['version']}: feature drift of "
        f"{result['recent_entities']:,} entities whose window ended in the last "
        f"{result['recent_days']} days",
    )
    if fmt is Format.table:
        calibration = result["calibration"]
        if calibration["checked"]:
            aucs = [calibration["roc_auc"], calibration["validated_roc_auc"]]
            console.print(
                f"calibration: {calibration['observed']:.1%} converted vs "
                f"{calibration['mean_predicted']:.1%} predicted among "
                f"{calibration['entities']:,} entities matured since training; ROC AUC "
                + " (validation ".join("-" if a is None else f"{a:.3f}" for a in aucs)
                + ")"
            )
            top = calibration["top_decile_calibration"]
            console.print(
                f"top decile ({top['entities']:,} highest scores): {top['mean_predicted']:.1%} "
                f"predicted, {top['observed']:.1%} converted (95% CI "
                f"{top['observed_ci'][0]:.1%}-{top['observed_ci'][1]:.1%})"
            )
        for note in result["notes"]:
            console.print(f"[yellow]note[/yellow] {note}")
        colour = {"retrain": "red", "ok": "green"}.get(result["action"], "yellow")
        console.print(f"[{colour}]{result['action']}[/{colour}]")
        for reason in result["reasons"]:
            console.print(f"  - {reason}")


app.add_typer(model_app, name="model")

outbox_app = typer.Typer(
    help="Deliveries of pql serve: list them, re-queue dead letters.", no_args_is_help=True
)
OutboxStatus = Annotated[
    str | None, typer.Option(help="pending, delivered, dead or skipped (default: all).")
]
DestinationOpt = Annotated[
    str | None, typer.Option(help="Only this destination (its label in the outbox).")
]


def _store_or_service(
    project_dir: Path, direct: Callable[[Store], T], method: str, path: str, params: dict[str, Any]
) -> T | Any:
    """`direct(store)`, or, when a running `pql serve` holds the store's lock, the same
    request to its API (URL from .pql/serve.json, token from PQL_API_TOKEN)."""
    from pqlengine.config import load_project
    from pqlengine.live.served import call_api, find_served
    from pqlengine.store import StoreError

    # Not through `POST /api/run` (read commands only): this command has its own routes.
    direct_open = use_service.set(False)
    try:
        with opened(project_dir) as (_, store), user_errors():
            return direct(store)
    except StoreError as exc:
        served = find_served(load_project(project_dir))
        if served is None or "lock" not in str(exc).lower():
            raise
        return call_api(served, method, path, params)
    finally:
        use_service.reset(direct_open)


@outbox_app.command("list")
def outbox_list(
    project_dir: ProjectDir = Path(),
    status: OutboxStatus = None,
    destination: DestinationOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")] = 50,
    fmt: FormatOpt = Format.table,
) -> None:
    """Deliveries, newest first: attempts, last status code and error, dead letters."""
    from pqlengine.destinations.outbox import STATUSES
    from pqlengine.live.queries import list_rows

    if status is not None and status not in STATUSES:
        raise UserError(f"--status: '{status}' is not one of {', '.join(STATUSES)}")
    filters = {"status": status, "destination": destination}
    result = _store_or_service(
        project_dir,
        lambda store: list_rows(store, "outbox", filters, limit, 0),
        "GET",
        "/outbox",
        {**filters, "limit": limit},
    )
    emit(
        result,
        fmt,
        result["items"],
        [
            ("delivery_id", "delivery", "text"),
            ("destination", "destination", "text"),
            ("entity_id", "entity", "text"),
            ("kind", "kind", "text"),
            ("status", "status", "text"),
            ("attempts", "attempts", ""),
            ("last_status_code", "last code", ""),
            ("last_error", "last error", "text"),
        ],
        title=f"{len(result['items'])} of {result['total']} deliveries",
    )


@outbox_app.command("retry")
def outbox_retry(
    project_dir: ProjectDir = Path(),
    delivery: Annotated[str | None, typer.Option(help="Re-queue this dead delivery.")] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Re-queue every dead one.")] = False,
    destination: DestinationOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Re-queue dead deliveries: same delivery id (Idempotency-Key), attempts from 0."""
    from pqlengine.clock import naive_now, system_clock
    from pqlengine.destinations.outbox import DeliveryNotFound, requeue_dead

    if (delivery is not None) == all_dead:
        raise UserError("give --delivery ID or --all-dead")

    def direct(store: Store) -> dict[str, Any]:
        try:
            now = naive_now(system_clock)
            return requeue_dead(store.raw, now, delivery, destination).to_json()
        except DeliveryNotFound as exc:
            raise UserError(str(exc)) from None

    path = "/outbox/retry" if delivery is None else f"/outbox/{delivery}/retry"
    params = {"destination": destination} | ({"status": "dead"} if delivery is None else {})
    result = _store_or_service(project_dir, direct, "POST", path, params)
    if fmt is Format.json:
        sys.stdout.write(to_json(result) + "\n")
        return
    console.print(f"re-queued {result['requeued']} dead deliveries", highlight=False)
    for found in result["delivery_ids"]:
        console.print(f"  {found}", highlight=False)


app.add_typer(outbox_app, name="outbox")


@app.command()
def serve(
    project_dir: ProjectDir = Path(),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Run the live service: Segment-compatible ingest, real-time PQL alerts, REST API.

    Needs PQL_WRITE_KEY (what SDKs send) and PQL_API_TOKEN (Bearer token for /api)."""
    from pqlengine.config import load_project
    from pqlengine.live.service import serve as run_service

    project = load_project(project_dir)
    errors.print(
        f"serving {project.project} (definition {project.definition.name} {project.version}) "
        f"on http://{host}:{port}; Segment/RudderStack SDK host: http://{host}:{port}",
        highlight=False,
    )
    from pqlengine.cli_served import run_in_service

    runner = partial(run_in_service, command=app, error_lines=_error_lines)
    run_service(project, host, port, log_level, runner)


def _run(func: Callable[[], T]) -> T:
    try:
        return func()
    except Exception as exc:
        lines = _error_lines(exc)
        if lines is None:
            raise
    for line in lines:
        errors.print(f"[red]error[/red] {escape(line)}", highlight=False)
    raise SystemExit(1)


def _error_lines(exc: Exception) -> list[str] | None:
    """The one-line messages for an error the user can fix; None for a bug (a traceback)."""
    # Imported only once something failed: a clean run (and --version, which exits through
    # SystemExit) never loads the modules defining these.
    from pqlengine.compute.metrics import SegmentError
    from pqlengine.config import ConfigError
    from pqlengine.destinations.outbox import SecretError
    from pqlengine.ingest import IngestError
    from pqlengine.live import ServiceError
    from pqlengine.store import StoreError

    if isinstance(exc, ConfigError):
        return [str(problem) for problem in exc.problems]
    if isinstance(
        exc, (IngestError, SecretError, SegmentError, ServiceError, StoreError, UserError)
    ):
        return str(exc).splitlines()
    return None


def main() -> None:
    """Console-script entry point; a command on a store `pql serve` holds runs through it."""
    try:
        _run(lambda: app(standalone_mode=True))
    except StoreServed as served:
        from pqlengine.cli_served import ServiceUnreachable, run_through_service

        service = served.service
        try:
            code = _run(lambda: run_through_service(service, sys.argv[1:]))
        except ServiceUnreachable as exc:
            # serve.json names a live pid that does not answer (e.g. a reused pid after a
            # crash): the store may be free, so open it directly.
            errors.print(f"[yellow]warning[/yellow] {escape(str(exc))}", highlight=False)
            use_service.set(False)
            _run(lambda: app(standalone_mode=True))
            return
        raise SystemExit(code) from None
