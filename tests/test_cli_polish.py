"""What a new user meets first in `pql`: help pages, the ingest report and its progress.

In-process (Typer's CliRunner): no subprocess per case."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from rich.console import Console
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


def test_ingest_off_a_terminal_prints_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stderr is not a terminal here: a plain line, not a bar, at least every LINE_EVERY_S."""
    import pqlengine.ingest
    from pqlengine import progress

    monkeypatch.setattr(pqlengine.ingest, "CHUNK_ROWS", 10)  # 25 rows: three chunks
    ticks = iter(range(0, 10_000, 60))  # each look at the clock: one minute later
    monkeypatch.setattr(progress, "_clock", lambda: float(next(ticks)))
    project = _project(tmp_path)
    events = _events_csv(tmp_path / "events.csv", 25)
    args = ["ingest", "-C", str(project), "--events", str(events), "--format", "json"]
    done = CliRunner().invoke(cli.app, args)
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stderr.splitlines() if line.startswith("pql ingest:")]
    rows_seen = [int(m.group(1).replace(",", "")) for m in map(_ROWS.search, lines) if m]
    assert sorted(set(rows_seen)) == [10, 20, 25], lines
    assert any("writing to the store" in line for line in lines), lines
    assert all(re.search(r"events\.csv \(1 of 1\).*\d+ s$", line) for line in lines), lines
    assert "rows/s" in lines[0]


_ROWS = re.compile(r": ([\d,]+) rows")


def test_terminal_bar_shows_rows_and_rows_per_second() -> None:
    from pqlengine import progress

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    now_s = [10.0]
    with progress.files_progress(console, 2, "pql ingest") as shown:
        assert isinstance(shown, progress._Bar)
        shown.progress.get_time = lambda: now_s[0]
        rows = shown.start("events.csv")
        rows(100_000, None)
        now_s[0] = 12.0
        rows(300_000, None)
        shown.progress.refresh()
        assert "events.csv" in out.getvalue() and "300,000/? rows" in out.getvalue()
        assert "100,000 rows/s" in out.getvalue()  # 200,000 rows in 2 s
        rows(400_000, 400_000)
        shown.progress.refresh()
        assert "events.csv: writing" in out.getvalue()


def test_lines_go_on_while_the_rows_are_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """No rows update comes during the write: the heartbeat thread still prints."""
    from pqlengine import progress

    monkeypatch.setattr(progress, "LINE_EVERY_S", 0.01)
    out = io.StringIO()
    console = Console(file=out, width=200)  # not a terminal
    with progress.files_progress(console, 1, "pql ingest") as shown:
        shown.start("big.parquet")(2_000, 2_000)
        for _ in range(500):  # wait for the thread, at most 5 s
            if "writing" in out.getvalue():
                break
            time.sleep(0.01)
    assert "pql ingest: big.parquet (1 of 1): 2,000 rows read, writing to the store" in (
        out.getvalue()
    )
