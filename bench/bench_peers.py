"""Our pipeline vs hand-written peers on the same Parquet files, and a raw DuckDB scan floor.

    .venv/bin/python bench/bench_peers.py --check [--shape dense]
    .venv/bin/python bench/bench_peers.py --project bench/out/demo-500k --repeat 3
    .venv/bin/python bench/bench_peers.py --shape dense --project bench/out/dense-50m

`--shape` picks the data and the definition the peers implement (bench/peers/shapes.py):
`demo`, the Taskly demo of `pql demo`; `dense`, bench/dense_shape.py's accounts active on
many days (PySpark is written for the demo only and does not run on it).

`--check` (a small instance under bench/out/peers-check[-dense], generated when missing: a
10k-account demo, or 5k dense accounts with 1M events): every peer, our library path and
our CLI, over the ingested store and over DuckDB views on the Parquet files, must give
every account the engine's signup_at, converted_at and qualified_at and every cohort the
engine's counts; any difference fails the run.

Without `--check`: each runner is a separate process under `/usr/bin/time -v` (wall clock,
peak RSS; for PySpark the sampled RSS of the whole process tree, JVM included), runners
interleaved within each repetition (each repetition starts one runner later); medians, CPU
seconds (user + system, children included), the load average before each run and ratios of
medians and of each repetition's pair go to bench/results.jsonl and a Markdown table is
printed. Outputs are checked against our engine's afterwards too.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_core import AS_OF, HERE, PQL, machine, usage  # noqa: E402
from bench.peers.common import AS_OF as PEER_AS_OF  # noqa: E402
from bench.peers.common import cohort_rows  # noqa: E402
from bench.peers.ours import engine_sums  # noqa: E402
from bench.peers.shapes import SHAPES, Shape, definition_mismatches  # noqa: E402

PYTHON = sys.executable
# Per shape: the small project of --check and the command that makes it (after --dir DIR).
CHECK_PROJECTS = {
    "demo": (HERE / "out" / "peers-check", [str(PQL), "demo", "--accounts", "10000"]),
    "dense": (
        HERE / "out" / "peers-check-dense",
        [PYTHON, str(HERE / "dense_shape.py"), "--accounts", "5000", "--events", "1000000"],
    ),
}
DEFAULT_PROJECTS = {"demo": HERE / "out" / "demo-500k", "dense": HERE / "out" / "dense-50m"}
# Peers written for the demo's definition only.
DEMO_ONLY = {"spark"}
VIEW_SOURCES = {
    "events": "events/*.parquet",
    "users": "users.parquet",
    "accounts": "accounts.parquet",
}
# Our runners (the rest are the floor and the peers); "ours" is the one ratios refer to.
OURS = "ours_store"
FLOOR = "duckdb_floor"

Step = tuple[list[str], str | None]  # command, file its stdout goes to (in the out dir)


@dataclass(frozen=True)
class Runner:
    """One competitor: the commands it runs (timed as one) and what its outputs are."""

    name: str
    label: str
    steps: list[Step]
    output: str  # "peer" (qualified.parquet, metrics.json), "cli", or "none"
    slow: bool = False
    env: dict[str, str] = field(default_factory=dict)


def build_runners(
    project: Path, views: Path, out: Path, memory_limit: str | None, shape_name: str
) -> list[Runner]:
    """Every runner of the data of shape `shape_name` (in SHAPES), in the order of a
    repetition."""
    data = str(project / "data")

    def module(name: str, source: str, target: str) -> Step:
        return ([PYTHON, "-m", f"bench.peers.{name}", source, str(out / target)], None)

    def peer(name: str, target: str) -> Step:
        """A hand-written peer, told which shape's definition to compute."""
        args, stdout = module(name, data, target)
        return ([*args, shape_name], stdout)

    def cli(project_dir: Path, target: str) -> list[Step]:
        common = ["-C", str(project_dir), "--as-of", AS_OF]
        return [
            ([str(PQL), "qualify", *common, "--format", "csv"], f"{target}/qualify.csv"),
            ([str(PQL), "metrics", *common, "--format", "json"], f"{target}/metrics-cli.json"),
        ]

    runners = [
        Runner(
            FLOOR, "raw DuckDB GROUP BY scan (floor)", [module("duckdb_floor", data, FLOOR)], "none"
        ),
        Runner(OURS, "ours, library, ingested store", [module("ours", str(project), OURS)], "peer"),
        Runner(
            "ours_views",
            "ours, library, views on Parquet",
            [module("ours", str(views), "ours_views")],
            "peer",
        ),
        Runner(
            "ours_cli_store",
            "ours, `pql qualify` + `pql metrics`, store",
            cli(project, "ours_cli_store"),
            "cli",
        ),
        Runner(
            "ours_cli_views",
            "ours, `pql qualify` + `pql metrics`, views",
            cli(views, "ours_cli_views"),
            "cli",
        ),
    ]
    if memory_limit:
        env = {"PQL_MEMORY_LIMIT": memory_limit}
        runners += [
            Runner(
                "ours_store_limited",
                f"ours, library, store, PQL_MEMORY_LIMIT={memory_limit}",
                [module("ours", str(project), "ours_store_limited")],
                "peer",
                env=env,
            ),
            Runner(
                "ours_views_limited",
                f"ours, library, views, PQL_MEMORY_LIMIT={memory_limit}",
                [module("ours", str(views), "ours_views_limited")],
                "peer",
                env=env,
            ),
        ]
    runners += [
        Runner(
            "ours_discover",
            "ours, `pql discover --window-days 14`, store",
            [
                (
                    [
                        str(PQL),
                        "discover",
                        "-C",
                        str(project),
                        "--as-of",
                        AS_OF,
                        "--format",
                        "json",
                    ],
                    "ours_discover/discover.json",
                )
            ],
            "none",
        ),
        Runner(
            "duckdb_sql",
            "hand-written DuckDB SQL",
            [peer("duckdb_sql_peer", "duckdb_sql")],
            "peer",
        ),
        Runner(
            "polars",
            "Polars, lazy, streaming engine",
            [peer("polars_peer", "polars")],
            "peer",
        ),
        Runner("pandas", "pandas", [peer("pandas_peer", "pandas")], "peer", slow=True),
        Runner(
            "spark", "PySpark, local[2]", [module("spark_peer", data, "spark")], "peer", slow=True
        ),
    ]
    if shape_name != "demo":
        runners = [r for r in runners if r.name not in DEMO_ONLY]
    return runners


def process_tree_rss_mb(root: int) -> float:
    """Summed RSS of `root` and its descendants (PySpark's JVM is a child of Python)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as handle:
                total_kb += next((int(x.split()[1]) for x in handle if x.startswith("VmRSS")), 0)
        except OSError:
            continue
    return total_kb / 1024


def measured(args: list[str], stdout: Path | None, env: dict[str, str]) -> dict[str, float]:
    """Like bench_core.timed, with extra environment, and also sampling the RSS of the
    whole process tree every 0.2 s (`/usr/bin/time` sees only the largest process it reaped)."""
    with tempfile.TemporaryFile("w+") as report:
        sink = stdout.open("w") if stdout else subprocess.DEVNULL
        try:
            process = subprocess.Popen(
                ["/usr/bin/time", "-v", *args],
                stdout=sink,
                stderr=report,
                env={**os.environ, **env},
                cwd=REPO,
            )
            peak_tree = 0.0
            while process.poll() is None:
                peak_tree = max(peak_tree, process_tree_rss_mb(process.pid))
                time.sleep(0.2)
        finally:
            if stdout:
                sink.close()  # type: ignore[union-attr]
        report.seek(0)
        text = report.read()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{text[-3000:]}")
    result = usage(text)
    result["peak_tree_rss_mb"] = round(peak_tree, 1)
    result["cpu_s"] = cpu_seconds(text)
    return result


def cpu_seconds(time_report: str) -> float:
    """User plus system CPU seconds from `/usr/bin/time -v` (the process and the children
    it waited for)."""
    found = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", time_report)
    assert len(found) == 2, time_report
    return round(sum(float(x) for x in found), 2)


def run(runner: Runner, out: Path) -> dict[str, float]:
    """All of a runner's steps; wall seconds add up, peak RSS is the largest."""
    total = {"seconds": 0.0, "cpu_s": 0.0, "peak_rss_mb": 0.0, "peak_tree_rss_mb": 0.0}
    total["load1_before"] = round(os.getloadavg()[0], 2)  # the machine is shared
    for args, stdout in runner.steps:
        target = out / stdout if stdout else None
        if target:
            target.parent.mkdir(parents=True, exist_ok=True)
        step = measured(args, target, runner.env)
        for key in ("seconds", "cpu_s"):
            total[key] = round(total[key] + step[key], 2)
        for key in ("peak_rss_mb", "peak_tree_rss_mb"):
            total[key] = max(total[key], step[key])
    total["peak_mb"] = max(total["peak_rss_mb"], total["peak_tree_rss_mb"])
    return total


# --- views over the Parquet files ---------------------------------------------------------


def views_project(project: Path) -> Path:
    """A sibling project whose store's events/users/accounts are DuckDB views over the
    project's Parquet files (conversions: an empty table, Store creates it)."""
    import duckdb

    views = project.with_name(project.name + "-views")
    (views / ".pql").mkdir(parents=True, exist_ok=True)
    text = (project / "pql.yaml").read_text()
    store_line = next(line for line in text.splitlines() if line.startswith("store:"))
    (views / "pql.yaml").write_text(text.replace(store_line, "store: .pql/views.duckdb"))
    database = views / ".pql" / "views.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    columns = {
        "events": "event_id, user_id, account_id, event, ts, properties",
        "users": "user_id, account_id, email, signed_up_at, traits",
        "accounts": "account_id, name, domain, employees, plan, created_at, traits",
    }
    for name, source in VIEW_SOURCES.items():
        path = str((project / "data" / source).resolve()).replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT {columns[name]} FROM read_parquet('{path}')")
    con.close()
    return views


# --- comparing outputs --------------------------------------------------------------------

Accounts = dict[str, tuple[Any, Any, Any]]


@dataclass(frozen=True)
class Outcome:
    """Per account (signup_at, converted_at, qualified_at), naive UTC; cohort rows."""

    accounts: Accounts
    cohorts: list[dict[str, Any]]


def _naive(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _iso(text: str) -> datetime | None:
    return _naive(datetime.fromisoformat(text)) if text else None


def load_peer(directory: Path) -> Outcome:
    """A runner's qualified.parquet and metrics.json."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(directory / "qualified.parquet")
    columns = ["signup_at", "converted_at", "qualified_at"]
    table = table.select(["account_id", *columns]).cast(
        pa.schema([("account_id", pa.string())] + [(c, pa.timestamp("us")) for c in columns])
    )
    accounts = {
        row["account_id"]: tuple(_naive(row[c]) for c in columns) for row in table.to_pylist()
    }
    cohorts = json.loads((directory / "metrics.json").read_text())["cohorts"]
    return Outcome(accounts, cohorts)


def load_cli(directory: Path) -> Outcome:
    """`pql qualify --format csv` and `pql metrics --format json` outputs."""
    with (directory / "qualify.csv").open(newline="") as handle:
        accounts = {
            row["entity_id"]: (
                _iso(row["signup_at"]),
                _iso(row["converted_at"]),
                _iso(row["qualified_at"]),
            )
            for row in csv.DictReader(handle)
        }
    metrics = json.loads((directory / "metrics-cli.json").read_text())
    return Outcome(accounts, cohort_rows(engine_sums(metrics)))


def engine_reference(project: Path, shape: Shape) -> Outcome:
    """The engine's own answer, in this process: qualify_entities and compute_metrics."""
    from pqlengine.compute.metrics import compute_metrics
    from pqlengine.compute.qualify import qualify_entities
    from pqlengine.config import load_project
    from pqlengine.store import Store

    definition = load_project(project)
    problems = definition_mismatches(definition, shape)
    if problems:
        raise SystemExit(
            "pql.yaml is not the definition the peers implement:\n" + "\n".join(problems)
        )
    store = Store.for_project(definition)
    try:
        records = qualify_entities(store, definition, PEER_AS_OF)
        metrics = compute_metrics(store, definition, PEER_AS_OF)
    finally:
        store.close()
    accounts = {
        r["entity_id"]: (
            _naive(r["signup_at"]),
            _naive(r["converted_at"]),
            _naive(r["qualified_at"]),
        )
        for r in records
    }
    return Outcome(accounts, cohort_rows(engine_sums(metrics)))


def differences(reference: Outcome, other: Outcome) -> list[str]:
    """What differs, in words (empty: identical; medians to 1e-9 relative)."""
    found = []
    missing = reference.accounts.keys() - other.accounts.keys()
    extra = other.accounts.keys() - reference.accounts.keys()
    if missing or extra:
        found.append(f"{len(missing)} accounts missing, {len(extra)} extra")
    fields = ("signup_at", "converted_at", "qualified_at")
    wrong = [
        f"{key} {fields[i]}: {a[i]} != {b[i]}"
        for key, a in sorted(reference.accounts.items())
        if (b := other.accounts.get(key)) is not None
        for i in range(3)
        if a[i] != b[i]
    ]
    if wrong:
        found.append(f"{len(wrong)} account values differ, e.g. " + "; ".join(wrong[:5]))
    if len(reference.cohorts) != len(other.cohorts):
        found.append(f"{len(other.cohorts)} cohort rows, expected {len(reference.cohorts)}")
    exact = ("cohort", "complete", "signups", "pqls", "converted_pqls", "non_pql_converted")
    for want, have in zip(reference.cohorts, other.cohorts, strict=False):
        for key in exact:
            if want[key] != have[key]:
                found.append(f"cohort {want['cohort']} {key}: {have[key]} != {want[key]}")
        a, b = want["median_days_to_pql"], have["median_days_to_pql"]
        if (a is None) != (b is None) or (a is not None and not math.isclose(a, b, rel_tol=1e-9)):
            found.append(f"cohort {want['cohort']} median_days_to_pql: {b} != {a}")
    return found


def verify(runners: list[Runner], out: Path, reference: Outcome) -> dict[str, str]:
    """Compare every runner with outputs against `reference`; 'same' or the differences."""
    loaders: dict[str, Callable[[Path], Outcome]] = {"peer": load_peer, "cli": load_cli}
    verdicts = {}
    for runner in runners:
        if runner.output in loaders:
            found = differences(reference, loaders[runner.output](out / runner.name))
            verdicts[runner.name] = "same" if not found else "; ".join(found)
    return verdicts


# --- the two modes ------------------------------------------------------------------------


def check(out: Path, shape_name: str) -> int:
    """Run everything once on the small instance of the shape; compare with the engine."""
    project, make = CHECK_PROJECTS[shape_name]
    if not (project / "pql.yaml").exists():
        subprocess.run([*make, "--dir", str(project)], check=True, stdout=subprocess.DEVNULL)
    views = views_project(project)
    shape = SHAPES[shape_name]
    reference = engine_reference(project, shape)
    runners = [
        r for r in build_runners(project, views, out, None, shape_name) if r.output != "none"
    ]
    for runner in runners:
        print(f"{runner.name}: {run(runner, out)['seconds']} s", flush=True)
    verdicts = verify(runners, out, reference)
    pqls = sum(1 for v in reference.accounts.values() if v[2] is not None)
    print(f"engine: {len(reference.accounts)} accounts, {pqls} with qualified_at")
    for name, verdict in verdicts.items():
        print(f"  {name}: {verdict}")
    failed = [name for name, verdict in verdicts.items() if verdict != "same"]
    if failed:
        print(f"CHECK FAILED: {', '.join(failed)} differ from the engine", file=sys.stderr)
        return 1
    print("check passed: every peer matches the engine exactly")
    return 0


def versions() -> dict[str, str]:
    """Library versions and RAM, next to bench_core.machine()."""
    import pandas
    import polars
    import pyarrow

    try:
        import pyspark
    except ImportError:  # `make setup-all` adds it; the dense shape does not run it
        spark_version = None
    else:
        spark_version = pyspark.__version__
    with open("/proc/meminfo") as handle:
        ram_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    return {
        "ram_gib": f"{ram_kb / 1024**2:.1f}",
        "polars": polars.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "pyspark": spark_version,
    }


def registry_rows(project: Path) -> dict[str, int] | None:
    """Rows of the store's events and event_days (None: no store with a registry)."""
    import duckdb

    from pqlengine.config import load_project

    store = Path(load_project(project).store_path)
    if not store.exists():
        return None
    con = duckdb.connect(str(store), read_only=True)
    try:
        names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "event_days" not in names:
            return None
        return {
            table: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("events", "event_days")
        }
    finally:
        con.close()


def benchmark(args: argparse.Namespace) -> int:
    """Time every runner, interleaved, and record medians and ratios."""
    import duckdb

    from pqlengine.config import load_project

    project, out = args.project.resolve(), args.out.resolve()
    views = views_project(project)
    problems = definition_mismatches(load_project(project), SHAPES[args.shape])
    if problems:
        raise SystemExit(
            f"{project}/pql.yaml is not the {args.shape} shape's definition:\n"
            + "\n".join(problems)
        )
    runners = build_runners(project, views, out, args.memory_limit, args.shape)
    if args.only:
        runners = [r for r in runners if r.name in {FLOOR, OURS, *args.only}]
    events = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{project / 'data' / 'events' / '*.parquet'}')"
    ).fetchone()
    for path in (project / "data").rglob("*.parquet"):  # same warm page cache for all
        path.read_bytes()
    runs: dict[str, list[dict[str, float]]] = {r.name: [] for r in runners}
    for repetition in range(args.repeat):
        order = runners[repetition % len(runners) :] + runners[: repetition % len(runners)]
        for runner in order:
            if runner.slow and repetition >= args.repeat_slow:
                continue
            result = run(runner, out)
            runs[runner.name].append(result)
            print(f"[{repetition + 1}/{args.repeat}] {runner.name}: {result}", flush=True)
    verdicts = verify(runners, out, load_peer(out / OURS))
    summary = {
        name: {
            "runs": values,
            "median_s": statistics.median(v["seconds"] for v in values),
            "median_cpu_s": statistics.median(v["cpu_s"] for v in values),
            "median_peak_mb": statistics.median(v["peak_mb"] for v in values),
            # ours / this within each repetition (the two ran minutes apart at most)
            "paired_ratio_median": statistics.median(
                o["seconds"] / v["seconds"] for o, v in zip(runs[OURS], values, strict=False)
            ),
        }
        for name, values in runs.items()
    }
    record = {
        "benchmark": "peers",
        "when": datetime.now(UTC).isoformat(),
        "project": str(project.relative_to(REPO)) if project.is_relative_to(REPO) else str(project),
        "shape": args.shape,
        "registry_rows": registry_rows(project),
        "accounts": len(load_peer(out / OURS).accounts),
        "events": int(events[0]) if events else None,
        "as_of": AS_OF,
        "repeat": args.repeat,
        "repeat_slow": args.repeat_slow,
        "memory_limit": args.memory_limit,
        "runners": summary,
        "agree_with_ours": verdicts,
        "machine": {**machine(), **versions()},
    }
    with (HERE / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    print(markdown_table(runners, summary, verdicts))
    return 0


def markdown_table(
    runners: list[Runner], summary: dict[str, dict[str, Any]], verdicts: dict[str, str]
) -> str:
    """The results table: median wall and CPU, peak memory, ratio to the floor and to ours
    (of the medians, and the median of each repetition's ratio)."""
    floor = summary[FLOOR]["median_s"]
    ours = summary[OURS]["median_s"]
    lines = [
        "| runner | runs | wall, median (min-max) | CPU, median | peak RSS, median | x floor "
        "| ours / this | ours / this, paired | output |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for runner in runners:
        item = summary[runner.name]
        seconds = [v["seconds"] for v in item["runs"]]
        lines.append(
            f"| {runner.label} | {len(seconds)} | {item['median_s']:.1f} s "
            f"({min(seconds):.1f}-{max(seconds):.1f}) | {item['median_cpu_s']:.1f} s "
            f"| {item['median_peak_mb'] / 1024:.2f} GiB "
            f"| {item['median_s'] / floor:.1f} | {ours / item['median_s']:.2f} "
            f"| {item['paired_ratio_median']:.2f} | {verdicts.get(runner.name, '-')} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Parse arguments and run the check or the benchmark."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="small-scale agreement check")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="demo")
    parser.add_argument("--project", type=Path, default=None, help="default: per shape")
    parser.add_argument("--out", type=Path, default=None, help="where runner outputs go")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-slow", type=int, default=1, help="repetitions of pandas, Spark")
    parser.add_argument("--memory-limit", default=None, help="PQL_MEMORY_LIMIT for extra runs")
    parser.add_argument("--only", nargs="*", help="runner names (the floor and ours always run)")
    args = parser.parse_args()
    if args.check:
        return check((args.out or HERE / "out" / "peers-check-runs").resolve(), args.shape)
    args.out = args.out or HERE / "out" / "peers-runs"
    args.project = args.project or DEFAULT_PROJECTS[args.shape]
    return benchmark(args)


if __name__ == "__main__":
    raise SystemExit(main())
