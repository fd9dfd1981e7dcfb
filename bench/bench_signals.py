"""Signal kinds (issue 16) at scale: today's definition on the old and the new engine, and a
definition using the new kinds against the count-only one, on the same demo store.

    .venv/bin/python bench/bench_core.py --accounts 500000 --out bench/out/demo-500k
    git worktree add --detach /tmp/bench-old f744e09
    .venv/bin/python bench/bench_signals.py --project bench/out/demo-500k \
        --old-src /tmp/bench-old/src --pairs 3

Every run is `python -m bench.peers.ours` (the library path of bench_peers: qualification
compiled from pql.yaml with `detail=False`, then the cohort metrics) in its own process
under `/usr/bin/time -v` (wall seconds, CPU seconds, peak RSS), after one warm-up run of each
command (which also fills the compiled-SQL cache). Commands are interleaved A B A B ... and
the ratio A/B is taken pair by pair.

1. old vs new: the demo's count-only definition, the engine at `--old-src` (PYTHONPATH) vs
   this checkout's `src`; both must write the same qualified accounts and cohort metrics.
2. kinds vs counts (this checkout): a definition with `sum`, `distinct`, `users`,
   `sequence`, `consecutive_days` and two counts (`qualify: {at_least: 3}`) vs the demo's.

The demo events carry no numeric property before conversion (only "Subscription Started"
has `amount`/`seats`), so the working copy of the store gets one: every "Uploaded Asset"
event's properties gain `size_mb` = hash(event_id) % 100 + 1 (DuckDB's hash: deterministic
for a DuckDB version), by an UPDATE on a copy of the store. Both definitions of (2) and
both engines of (1) read that copy. Medians, ratios and per-criterion satisfied counts go
to bench/results.jsonl and are printed. `--skip satisfied|old_vs_new|kinds_vs_counts` leaves
a part out (each invocation appends its own record), so a long run can be split; `--drop ID`
leaves a criterion out of the kinds definition (to see what one kind costs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_core import AS_OF, HERE, machine, usage  # noqa: E402
from bench.peers.common import AS_OF as PEER_AS_OF  # noqa: E402

PYTHON = sys.executable
SIZE_PROPERTY = "size_mb"
ADD_SIZE = f"""
UPDATE events
SET properties = json_merge_patch(
    coalesce(properties, '{{}}'::JSON), json_object('{SIZE_PROPERTY}', hash(event_id) % 100 + 1))
WHERE event = 'Uploaded Asset'
"""
# Kinds as the README's recipes use them: users and consecutive_days over every event.
KINDS_CRITERIA: list[dict[str, Any]] = [
    {"id": "invited", "event": "Invited Member", "at_least": 1},
    {"id": "calendar", "event": "Created Calendar", "at_least": 1},
    {
        "id": "storage",
        "kind": "sum",
        "event": "Uploaded Asset",
        "property": SIZE_PROPERTY,
        "at_least": 150,
    },
    {
        "id": "task_sources",
        "kind": "distinct",
        "event": "Added Task",
        "property": "source",
        "at_least": 2,
    },
    {"id": "team", "kind": "users", "at_least": 2},
    {
        "id": "doc_shared",
        "kind": "sequence",
        "steps": [{"event": "Created Document"}, {"event": "Shared Document"}],
        "within_days": 7,
    },
    {"id": "streak", "kind": "consecutive_days", "at_least": 3},
]
KINDS_QUALIFY = {"at_least": 3}
# Lifecycle (issue 17): the demo's definition with two rolling criteria and an expiry.
ROLLING = {"docs": 14, "tasks": 14}
EXPIRE_AFTER_INACTIVE_DAYS = 21


def prepare(project: Path, work: Path, drop: set[str]) -> dict[str, Path]:
    """The working copy of the store (with `size_mb`) and the two project dirs over it."""
    store = work / "store" / "taskly.duckdb"
    if not (work / "store" / "prepared").exists():
        shutil.rmtree(work / "store", ignore_errors=True)
        store.parent.mkdir(parents=True)
        config = yaml.safe_load((project / "pql.yaml").read_text())
        source = project / config.get("store", f".pql/{config['project']}.duckdb")
        shutil.copyfile(source, store)
        with duckdb.connect(str(store)) as con:
            con.execute(ADD_SIZE)
        (work / "store" / "prepared").write_text(ADD_SIZE)
    config = yaml.safe_load((project / "pql.yaml").read_text())
    config["store"] = str(store)
    dirs = {"counts": work / "counts", "kinds": work / "kinds", "lifecycle": work / "lifecycle"}
    for name, directory in dirs.items():
        directory.mkdir(parents=True, exist_ok=True)
        if name == "kinds":
            config["definition"] = {
                **config["definition"],
                "name": "kinds",
                "criteria": [c for c in KINDS_CRITERIA if c["id"] not in drop],
                "qualify": KINDS_QUALIFY,
            }
        if name == "lifecycle":
            demo = yaml.safe_load((project / "pql.yaml").read_text())["definition"]
            criteria = [
                {**c, "in_last_days": ROLLING[c["id"]]} if c["id"] in ROLLING else c
                for c in demo["criteria"]
            ]
            config["definition"] = {
                **demo,
                "name": "lifecycle",
                "criteria": criteria,
                "expire_after_inactive_days": EXPIRE_AFTER_INACTIVE_DAYS,
            }
        (directory / "pql.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return dirs


def satisfied_counts(project_dir: Path) -> dict[str, Any]:
    """Per criterion, how many entities satisfy it at AS_OF; how many qualify (full detail)."""
    from pqlengine.compute.criteria import criterion_column
    from pqlengine.compute.qualify import qualification
    from pqlengine.config import load_project
    from pqlengine.store import Store

    project = load_project(project_dir)
    store = Store.for_project(project)
    try:
        table = qualification(store, project, PEER_AS_OF, detail=True)
        criteria = project.definition.criteria
        counts = table.aggregate(
            entities=table.count(),
            qualified=table.qualified_at.notnull().sum(),
            rule=table.rule_satisfied_at.notnull().sum(),
            **{c.id: table[criterion_column(i)].notnull().sum() for i, c in enumerate(criteria)},
        ).execute()
    finally:
        store.close()
    return {name: int(counts[name].iloc[0]) for name in counts.columns}


def run_command(
    project_dir: Path, out: Path, src: Path, memory_limit: str | None
) -> tuple[list[str], dict[str, str]]:
    """The `ours` runner over a project, with pqlengine imported from `src`."""
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{REPO}"}
    if memory_limit:
        env["PQL_MEMORY_LIMIT"] = memory_limit
    return [PYTHON, "-m", "bench.peers.ours", str(project_dir), str(out)], env


def timed(command: tuple[list[str], dict[str, str]]) -> dict[str, float]:
    """Run under /usr/bin/time -v: wall seconds, CPU (user + sys) seconds, peak RSS MiB."""
    args, env = command
    done = subprocess.run(
        ["/usr/bin/time", "-v", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr[-3000:]}")
    figures = usage(done.stderr)
    cpu = sum(
        float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    return {
        "wall_s": figures["seconds"],
        "cpu_s": round(cpu, 2),
        "peak_mib": figures["peak_rss_mb"],
    }


def interleaved(
    a: tuple[list[str], dict[str, str]], b: tuple[list[str], dict[str, str]], pairs: int
) -> dict[str, Any]:
    """One warm-up of each, then `pairs` A B pairs; medians and per-pair ratios A/B."""
    timed(a)
    timed(b)
    runs: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
    for index in range(pairs):
        runs["a"].append(timed(a))
        runs["b"].append(timed(b))
        print(f"  pair {index + 1}: A {runs['a'][-1]}  B {runs['b'][-1]}", flush=True)
    summary: dict[str, Any] = {"runs": runs}
    for figure in ("wall_s", "cpu_s", "peak_mib"):
        for side in ("a", "b"):
            summary[f"{side}_median_{figure}"] = statistics.median(r[figure] for r in runs[side])
        ratios = [x[figure] / y[figure] for x, y in zip(runs["a"], runs["b"], strict=True)]
        summary[f"ratio_{figure}"] = {
            "per_pair": [round(r, 3) for r in ratios],
            "median": round(statistics.median(ratios), 3),
        }
    return summary


def same_outputs(left: Path, right: Path) -> bool:
    """Whether two `ours` runs wrote the same qualified accounts and cohort metrics."""
    import pyarrow.parquet as pq

    tables = [pq.read_table(d / "qualified.parquet") for d in (left, right)]
    metrics = [json.loads((d / "metrics.json").read_text()) for d in (left, right)]
    return tables[0].equals(tables[1]) and metrics[0] == metrics[1]


def qualified(run_out: Path) -> int:
    """How many accounts an `ours` run wrote with a qualified_at."""
    import pyarrow.parquet as pq

    column = pq.read_table(run_out / "qualified.parquet", columns=["qualified_at"]).column(0)
    return len(column) - column.null_count


def load_average() -> str:
    """The 1, 5 and 15 minute load averages now."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def git_head(src: Path) -> str:
    """The commit checked out where `src` lives."""
    done = subprocess.run(
        ["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def table(results: dict[str, Any]) -> str:
    """Markdown rows of the comparisons."""
    lines = [
        "| comparison | A wall | B wall | A/B wall | A/B CPU | A peak MiB | B peak MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("old_vs_new", "kinds_vs_counts", "lifecycle_vs_counts"):
        s = results.get(name)
        if not s:
            continue
        lines.append(
            f"| {s['label']} | {s['a_median_wall_s']:.1f} s | {s['b_median_wall_s']:.1f} s"
            f" | {s['ratio_wall_s']['median']:.3f} {s['ratio_wall_s']['per_pair']}"
            f" | {s['ratio_cpu_s']['median']:.3f} | {s['a_median_peak_mib']:.0f}"
            f" | {s['b_median_peak_mib']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Prepare the store copy, count, time both comparisons, record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, required=True, help="a `pql demo` project")
    parser.add_argument("--old-src", type=Path, required=True, help="src/ of the old engine")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="default: PROJECT/../signals")
    parser.add_argument(
        "--skip",
        choices=("satisfied", "old_vs_new", "kinds_vs_counts", "lifecycle_vs_counts"),
        action="append",
    )
    parser.add_argument(
        "--drop", action="append", default=[], help="a kinds criterion id to leave out"
    )
    parser.add_argument("--memory-limit", help="PQL_MEMORY_LIMIT for the timed runs, e.g. 600MB")
    args = parser.parse_args()
    project = args.project.resolve()
    work = (args.work or project.parent / f"{project.name}-signals").resolve()
    skip = set(args.skip or ())
    dirs = prepare(project, work, set(args.drop))
    new_src = REPO / "src"
    results: dict[str, Any] = {
        "benchmark": "signals",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "project": str(args.project),
        "as_of": AS_OF,
        "pairs": args.pairs,
        "memory_limit": args.memory_limit,
        "numeric_property": f"added: Uploaded Asset properties.{SIZE_PROPERTY} = "
        "hash(event_id) % 100 + 1 (UPDATE on a copy of the store)",
        "kinds_definition": {
            "criteria": [c for c in KINDS_CRITERIA if c["id"] not in args.drop],
            "qualify": KINDS_QUALIFY,
        },
        "new_commit": git_head(new_src),
        "old_commit": git_head(args.old_src),
        "load_average_start": load_average(),
    }
    with duckdb.connect(str(work / "store" / "taskly.duckdb"), read_only=True) as con:
        results["accounts"], results["events"] = con.execute(
            "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM events)"
        ).fetchone()  # type: ignore[misc]
    print(json.dumps({k: results[k] for k in ("accounts", "events", "new_commit", "old_commit")}))

    if "satisfied" not in skip:
        results["satisfied"] = {"kinds": satisfied_counts(dirs["kinds"])}
        print(
            "satisfied (entities per criterion, rule, qualified):", json.dumps(results["satisfied"])
        )
        kinds = results["satisfied"]["kinds"]
        if not 0 < kinds["qualified"] < kinds["entities"]:
            raise SystemExit(f"the kinds definition qualifies {kinds['qualified']} entities")

    out = work / "runs"
    if "old_vs_new" not in skip:
        print("old vs new, count-only definition (A = new, B = old)", flush=True)
        new = run_command(dirs["counts"], out / "new", new_src, args.memory_limit)
        old = run_command(dirs["counts"], out / "old", args.old_src.resolve(), args.memory_limit)
        summary = interleaved(new, old, args.pairs)
        commits = f"new ({results['new_commit']}) / old ({results['old_commit']})"
        summary["label"] = f"count-only, {commits}"
        summary["same_outputs"] = same_outputs(out / "new", out / "old")
        results["old_vs_new"] = summary
        print(f"  same outputs: {summary['same_outputs']}")
    if "kinds_vs_counts" not in skip:
        print("kinds vs counts, new engine (A = kinds, B = counts)", flush=True)
        kinds_run = run_command(dirs["kinds"], out / "kinds", new_src, args.memory_limit)
        counts_run = run_command(dirs["counts"], out / "counts", new_src, args.memory_limit)
        summary = interleaved(kinds_run, counts_run, args.pairs)
        summary["label"] = "kinds definition / count-only, new engine"
        summary["qualified"] = {name: qualified(out / name) for name in ("kinds", "counts")}
        print(f"  qualified accounts: {summary['qualified']}")
        results["kinds_vs_counts"] = summary
    if "lifecycle_vs_counts" not in skip:
        print("lifecycle vs counts, new engine (A = lifecycle, B = counts)", flush=True)
        rolling_run = run_command(dirs["lifecycle"], out / "lifecycle", new_src, args.memory_limit)
        counts_run = run_command(dirs["counts"], out / "counts", new_src, args.memory_limit)
        summary = interleaved(rolling_run, counts_run, args.pairs)
        summary["label"] = (
            f"2 rolling criteria ({ROLLING} days) + expiry {EXPIRE_AFTER_INACTIVE_DAYS} days "
            "/ count-only, new engine"
        )
        summary["qualified"] = {name: qualified(out / name) for name in ("lifecycle", "counts")}
        print(f"  qualified accounts: {summary['qualified']}")
        results["lifecycle_vs_counts"] = summary
    results["load_average_end"] = load_average()
    results["machine"] = {
        **machine(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }
    print(table(results))
    with (HERE / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
