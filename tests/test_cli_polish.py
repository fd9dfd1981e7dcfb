"""What a new user meets first in `pql`: help pages, the README command table, the ingest report.

In-process (Typer's CliRunner): no subprocess per case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main
from typer.testing import CliRunner

from pqlengine import cli
from pqlengine.ingest.formats import IMPORTERS
from pqlengine.output import human

WIDE = {"COLUMNS": "240", "TERMINAL_WIDTH": "240"}  # help lines unwrapped


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*path, name))


def _help(*path: str) -> str:
    done = CliRunner().invoke(cli.app, [*path, "--help"], env=WIDE)
    assert done.exit_code == 0, (path, done.output)
    return done.output


def test_no_help_page_shows_a_value_type_on_a_flag() -> None:
    paths = list(_command_paths(typer.main.get_command(cli.app)))
    assert len(paths) > 15  # every command and sub-command, not just the top page
    for path in paths:
        page = _help(*path)
        assert "<bool>" not in page, (path, page)
    suggest = _help("suggest")
    assert re.search(r"--write\s+Adopt it", suggest)  # a flag: no type between name and help
    assert re.search(r"--window-days\s+<int range>", suggest)  # a value: its type stays


def test_ingest_from_help_lists_every_export_format() -> None:
    page = " ".join(_help("ingest").split())
    missing = [name for name in IMPORTERS if name not in page]
    assert not missing, (missing, page)


def test_readme_command_table_lists_every_command() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `pql ")]
    commands = [path for path in _command_paths(typer.main.get_command(cli.app)) if path]
    leaves = [p for p in commands if not any(q[: len(p)] == p and q != p for q in commands)]
    missing = [p for p in leaves if not any(f"`pql {' '.join(p)}" in row for row in table)]
    assert not missing


def _project(tmp_path: Path) -> Path:
    assert CliRunner().invoke(cli.app, ["init", str(tmp_path)]).exit_code == 0
    return tmp_path


def _events_csv(path: Path, rows: int) -> Path:
    lines = ["event_id,user_id,account_id,event,ts"]
    lines += [f"e{i},u{i % 7},a{i % 3},X,2026-01-{1 + i % 28:02d}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_ingest_table_prints_exact_counts_with_thousands_separators(tmp_path: Path) -> None:
    project = _project(tmp_path)
    events = _events_csv(tmp_path / "events.csv", 16_008)
    args = ["ingest", "-C", str(project), "--events", str(events)]
    done = CliRunner().invoke(cli.app, args, env=WIDE)
    assert done.exit_code == 0, done.output
    assert "16,008" in done.stdout and "16.0k" not in done.stdout
    again = CliRunner().invoke(cli.app, args, env=WIDE)
    row = next(line for line in again.stdout.splitlines() if "events.csv" in line)
    assert re.findall(r"[\d,]+", row.split("events.csv")[1]) == ["16,008", "0", "16,008"]


def test_table_counts_are_exact() -> None:
    assert human(3_201_600) == "3,201,600" and human(-12_345) == "-12,345"
    assert human(999) == "999" and human(True) == "yes"
