"""One large events Parquet file: our ingest vs DuckDB loading it into a keyed table.

Generate the file (the demo's events of `--accounts` accounts, one Parquet file):
    python bench/bench_ingest_large.py generate --accounts 500000 --out /tmp/events.parquet
Time either side under /usr/bin/time -v (wall clock, peak RSS), same memory limit:
    /usr/bin/time -v python bench/bench_ingest_large.py ours /tmp/events.parquet --memory 600MB
    /usr/bin/time -v python bench/bench_ingest_large.py duckdb /tmp/events.parquet --memory 600MB
`ours` is `pql ingest --events FILE` into a fresh project (PQL_MEMORY_LIMIT); `duckdb` is plain
DuckDB: CREATE TABLE with PRIMARY KEY (event_id), INSERT ... SELECT * FROM read_parquet.
Delete the file afterwards: it is about 0.5 GiB per 50M events.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from pqlengine.demo import generate_files

# The smallest valid project: ingest reads only `store`.
PQL_YAML = """project: bench
entity: account
store: store.duckdb
definition:
  name: bench
  criteria:
    - {id: invited, event: "Invited Member", at_least: 1}
  qualify: {fraction: 1.0}
"""


def generate(accounts: int, out: Path, seed: int) -> None:
    """Write the demo's events of `accounts` accounts as the one Parquet file `out`."""
    with tempfile.TemporaryDirectory(prefix="pql-bench-", dir=out.parent) as scratch:
        files = generate_files(Path(scratch), n_accounts=accounts, seed=seed)
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = false")
        parts = [str(p) for p in files.event_files]
        con.execute(
            f"COPY (SELECT * FROM read_parquet({parts!r})) TO '{out}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()
    size_mib = out.stat().st_size / 2**20
    print(f"wrote {out}: {rows[0] if rows else 0} events, {accounts} accounts, {size_mib:.0f} MiB")


def ours(file: Path, memory: str) -> None:
    """`pql ingest --events FILE` into a fresh project; the store is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="pql-bench-", dir=file.parent) as project:
        Path(project, "pql.yaml").write_text(PQL_YAML)
        env = {**os.environ, "PQL_MEMORY_LIMIT": memory}
        pql = Path(sys.executable).with_name("pql")
        command = [str(pql), "ingest", "-C", project, "--events", str(file), "--format", "json"]
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def duckdb_keyed(file: Path, memory: str) -> None:
    """Plain DuckDB: a fresh database file, a table keyed on event_id, one INSERT."""
    with tempfile.TemporaryDirectory(prefix="pql-bench-", dir=file.parent) as scratch:
        con = duckdb.connect(str(Path(scratch, "keyed.duckdb")))
        con.execute(f"SET memory_limit = '{memory}'")
        schema = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{file}')").fetchall()
        columns = ", ".join(
            f'"{name}" {kind}{" PRIMARY KEY" if name == "event_id" else ""}'
            for name, kind, *_ in schema
        )
        con.execute(f"CREATE TABLE events ({columns})")
        con.execute(f"INSERT INTO events SELECT * FROM read_parquet('{file}')")
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    gen = sub.add_parser("generate", help="write the one-file events Parquet")
    gen.add_argument("--accounts", type=int, default=500_000)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", type=Path, required=True)
    for name in ("ours", "duckdb"):
        run = sub.add_parser(name, help=f"load the file ({name})")
        run.add_argument("file", type=Path)
        run.add_argument("--memory", default="600MB", help="memory limit (PQL_MEMORY_LIMIT)")
    args = parser.parse_args(argv)
    if args.what == "generate":
        generate(args.accounts, args.out.resolve(), args.seed)
    elif args.what == "ours":
        ours(args.file.resolve(), args.memory)
    else:
        duckdb_keyed(args.file.resolve(), args.memory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
