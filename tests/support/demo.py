"""Demo projects generated once per test session, one per (accounts, seed).

`write_demo` (generate the Parquet files, write pql.yaml, ingest into a fresh store) takes
about 13 s for 2,000 accounts on the 2-core machine, and many test modules need the very
same project. The session fixture `demo_projects` builds each size once into a session temp
directory; a test either reads that shared project (`shared`: it must not write, and running
a command that writes to the store, such as `pql qualify`, counts as writing) or gets a
private copy (`copy`). At the end of the session the shared projects are checked unchanged,
so a test that writes to one by mistake fails instead of silently changing its neighbours."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import duckdb

from pqlengine.demo import DemoFiles, write_demo


def _rebased(files: DemoFiles, target: Path) -> DemoFiles:
    """`files` with every path under its directory moved to `target`."""

    def move(path: Path) -> Path:
        return target / path.relative_to(files.out_dir)

    changes: dict[str, object] = {}
    for field in dataclasses.fields(files):
        value = getattr(files, field.name)
        if isinstance(value, Path):
            changes[field.name] = move(value)
        elif isinstance(value, tuple):
            changes[field.name] = tuple(move(p) for p in value)
    return dataclasses.replace(files, **changes)


def fingerprint(directory: Path) -> dict[str, str]:
    """A digest of every file of the project but the store and its SQL cache, and the
    store's tables with their row counts (the DuckDB file's bytes may change on a read-only
    open)."""
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        # The compiled-SQL cache (.pql/sql-cache) is written by read-only commands too.
        if "sql-cache" in path.parts:
            continue
        if path.is_file() and not path.name.endswith((".duckdb", ".wal")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(directory))] = digest
    for store in sorted(directory.rglob("*.duckdb")):
        with duckdb.connect(str(store), read_only=True) as con:
            tables = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
            ).fetchall()
            for schema, table in tables:
                rows = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
                found[f"{store.relative_to(directory)}:{schema}.{table}"] = str(rows)
    return found


class DemoProjects:
    """The session's demo projects, built on first use."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._built: dict[tuple[int, int], DemoFiles] = {}
        self._prints: dict[tuple[int, int], dict[str, str]] = {}

    def shared(self, accounts: int = 2000, seed: int = 7) -> DemoFiles:
        """The shared project (read only: copy it to write, see `copy`)."""
        key = (accounts, seed)
        if key not in self._built:
            directory = self._root / f"demo-{accounts}-{seed}"
            directory.mkdir()
            self._built[key] = write_demo(directory, accounts, seed)
            self._prints[key] = fingerprint(directory)
        return self._built[key]

    def copy(self, target: Path, accounts: int = 2000, seed: int = 7) -> DemoFiles:
        """A private copy of the project in `target` (an empty or missing directory), free to
        write to: its store, pql.yaml and files are the test's own."""
        files = self.shared(accounts, seed)
        shutil.copytree(files.out_dir, target, dirs_exist_ok=True)
        return _rebased(files, Path(target))

    def changed(self) -> list[str]:
        """The shared projects that a test has written to."""
        return [
            str(self._built[key].out_dir)
            for key, before in self._prints.items()
            if fingerprint(self._built[key].out_dir) != before
        ]
