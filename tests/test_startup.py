"""`pql --version` and `pql --help` start at once: they import no data or modelling library.

Each case runs in a fresh interpreter (this test process has imported everything already);
what is checked is which modules get imported, never how long it takes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_handmade import ingested_copy

DATA_LIBS = ("ibis", "duckdb", "pandas", "pyarrow", "scipy", "sklearn")
# pydantic (the config's models) too, but only on the top-level paths: Typer itself imports it
# to coerce a sub-command's options, even for that sub-command's --help.
HEAVY = (*DATA_LIBS, "pydantic")

PROBE = """
import json, sys
import pqlengine.cli
argv, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
if argv:
    sys.argv = ["pql", *argv]
    try:
        pqlengine.cli.main()
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def _heavy_imported(*argv: str, probe: str = PROBE) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    imported: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return imported


@pytest.mark.parametrize(
    "argv", [(), ("--version",), ("--help",)], ids=["import", "version", "help"]
)
def test_import_version_and_help_import_no_heavy_library(argv: tuple[str, ...]) -> None:
    assert _heavy_imported(*argv) == []


@pytest.mark.parametrize(
    "argv",
    [("model", "--help"), ("metrics", "--help"), ("ingest", "--help")],
    ids=["model", "metrics", "ingest"],
)
def test_command_help_imports_no_data_library(argv: tuple[str, ...]) -> None:
    assert [m for m in _heavy_imported(*argv) if m in DATA_LIBS] == []


def test_the_probe_sees_a_heavy_import() -> None:
    # The control: the same probe reports the engine's libraries once the engine is imported.
    probe = PROBE.replace(
        "import pqlengine.cli\n", "import pqlengine.cli, pqlengine.compute.qualify\n"
    )
    assert {"ibis", "duckdb"} <= set(_heavy_imported(probe=probe))


@pytest.mark.parametrize(
    "argv",
    [("check",), ("metrics", "--as-of", "2026-03-31", "--by", "plan")],
    ids=["check", "metrics"],
)
def test_a_repeated_check_or_metrics_imports_no_ibis_pandas_or_pyarrow(
    argv: tuple[str, ...], tmp_path: Path
) -> None:
    """The second run reads its SQL from .pql/sql-cache (compute/compiled.py): only DuckDB."""
    project = ingested_copy(tmp_path)
    first = _heavy_imported(*argv, "-C", str(project))
    assert "ibis" in first  # the first run compiles
    assert [m for m in _heavy_imported(*argv, "-C", str(project)) if m in DATA_LIBS] == ["duckdb"]
