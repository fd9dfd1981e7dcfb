"""The `pql` CLI as a user runs it: exit codes, one-line errors, formats.

The tests run `pql` in-process (tests.support.cli); the first one runs each real entry point
(the `pql` console script and `python -m pqlengine`) as its own process and requires what
the in-process runner prints, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import pql
from tests.test_handmade import AS_OF, ingested_copy

ENTRY_POINTS = {
    "console-script": [str(Path(sys.executable).with_name("pql"))],
    "python-m": [sys.executable, "-m", "pqlengine"],
}

YAML_WITH_TYPO = """\
project: acme
definition:
  name: activation
  criteria:
    - {id: a, event: A, at_leats: 2}
  qualify: {fraction: 2}
"""


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_each_entry_point_prints_what_the_in_process_runner_prints(
    command: list[str], tmp_path: Path
) -> None:
    """A user's mistake (one-line errors, exit 1) and a clean run (JSON, exit 0)."""
    typo = tmp_path / "typo"
    typo.mkdir()
    (typo / "pql.yaml").write_text(YAML_WITH_TYPO)
    project = ingested_copy(tmp_path)
    runs = [(typo, ("check",)), (project, ("qualify", "--as-of", AS_OF, "--format", "json"))]
    for cwd, args in runs:
        real = subprocess.run(
            [*command, *args], cwd=cwd, capture_output=True, text=True, check=False
        )
        here = pql(*args, cwd=cwd)
        assert (real.returncode, real.stdout, real.stderr) == (
            here.returncode,
            here.stdout,
            here.stderr,
        ), args
    assert real.returncode == 0 and len(json.loads(real.stdout)["entities"]) == 7
    assert "did you mean 'at_least'?" in pql("check", cwd=typo).stderr


def test_version(tmp_path: Path) -> None:
    done = pql("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("pql ")


def test_init_then_check(tmp_path: Path) -> None:
    assert pql("init", "acme", cwd=tmp_path).returncode == 0
    done = pql("check", "-C", "acme", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ok pql.yaml" in done.stdout and "no events yet" in done.stdout
    again = pql("init", "acme", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_check_reports_every_problem_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "pql.yaml").write_text(YAML_WITH_TYPO)
    done = pql("check", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "did you mean 'at_least'?" in lines[0] and lines[0].endswith("line 5")
    assert "qualify.fraction" in lines[1] and lines[1].endswith("line 6")
    assert "Traceback" not in done.stderr


def test_bad_ingest_exits_1_and_keeps_store(tmp_path: Path) -> None:
    pql("init", ".", cwd=tmp_path)
    (tmp_path / "good.csv").write_text("event_id,user_id,event,ts\ne1,u,A,2026-01-01\n")
    (tmp_path / "bad.csv").write_text("event_id,user_id,event,ts\ne2,u,A,2026-01-01\ne3,u,A,\n")
    assert pql("ingest", "--events", "good.csv", cwd=tmp_path).returncode == 0
    done = pql("ingest", "--events", "bad.csv", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.csv, line 3, column ts: is empty" in done.stderr
    assert "Traceback" not in done.stderr
    listed = pql("qualify", "--as-of", "2026-02-01", "--format", "json", cwd=tmp_path)
    assert [e["entity_id"] for e in json.loads(listed.stdout)["entities"]] == []
    again = pql("ingest", "--events", "good.csv", "--format", "json", cwd=tmp_path)
    assert json.loads(again.stdout)[0]["rows_added"] == 0


def test_user_mistakes_are_one_line(tmp_path: Path) -> None:
    pql("init", ".", cwd=tmp_path)
    cases = [
        (("metrics", "--as-of", "last tuesday"), "--as-of: 'last tuesday' is not a date"),
        (("metrics", "--period", "year"), "--period: 'year' is not week or month"),
        (("metrics", "--by", "colour"), "unknown segment 'colour'"),
        (("ingest",), "nothing to ingest"),
        (("ingest", "--events", "missing.csv"), "missing.csv, file not found"),
        (("qualify", "--status", "hot"), "--status: 'hot' is not one of"),
    ]
    for args, expected in cases:
        done = pql(*args, cwd=tmp_path)
        assert done.returncode == 1, args
        assert expected in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_metrics_csv_and_table(tmp_path: Path) -> None:
    pql("init", ".", cwd=tmp_path)
    (tmp_path / "a.csv").write_text("account_id,created_at\nx,2026-01-01\n")
    pql("ingest", "--accounts", "a.csv", cwd=tmp_path)
    csv_out = pql("metrics", "--as-of", "2026-06-01", "--format", "csv", cwd=tmp_path)
    header = csv_out.stdout.splitlines()[0].split(",")
    assert "pql_rate" in header and "time_to_pql_days.median" in header
    table = pql("metrics", "--as-of", "2026-06-01", cwd=tmp_path)
    assert "2026-01" in table.stdout and "overall (complete)" in table.stdout


def test_store_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    pql("init", ".", cwd=tmp_path)
    (tmp_path / ".pql").write_text("a file where the store directory should be")
    done = pql("qualify", cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot open the store" in done.stderr and "Traceback" not in done.stderr
