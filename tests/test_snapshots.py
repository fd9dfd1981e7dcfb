"""Byte-for-byte snapshots of every `pql` command's output on the demo and the hand-made project.

Each (project, command) is one test comparing the command's stdout (its `--format json`, or its
text where it has no JSON form) with a committed file in tests/snapshots/. A refactor that moves
any printed value, float digit or key fails here with a diff. To accept an intended change:

    PQL_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshots.py

(docs/testing.md). Commands run in-process through Typer's CliRunner on `pqlengine.cli.app`.
"""

from __future__ import annotations

import difflib
import html.parser
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pqlengine.cli import _error_lines, app
from pqlengine.compute.qualify import STATUSES
from tests.support.demo import DemoProjects

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "PQL_UPDATE_SNAPSHOTS"
UPDATE_COMMAND = f"{UPDATE_ENV}=1 .venv/bin/pytest tests/test_snapshots.py"
DIFF_LINES = 40

HANDMADE = Path(__file__).parent / "fixtures" / "handmade"
HANDMADE_FILES = ("pql.yaml", "accounts.csv", "users.csv", "events.jsonl", "conversions.csv")
HANDMADE_AS_OF = "2026-03-31T00:00:00Z"
DEMO_ACCOUNTS, DEMO_SEED, DEMO_AS_OF = 2000, 7, "2026-11-01"

PROJECT_PLACEHOLDER = "<project-dir>"
# Volatile values replaced before writing or comparing; every rule says why it is volatile.
# Floats are never touched: a float that moves between runs of the same code is a bug.
NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = (
    # `pql model score` stamps the wall-clock moment it ran (as_of is fixed, this is not).
    (re.compile(r'"scored_at": "[^"]*"'), '"scored_at": "<wall-clock>"'),
    # `pql compile`'s header names the moment the SQL was generated ...
    (re.compile(r"^(-- pqlengine .* SQL export, .*, generated) \S+$", re.M), r"\1 <wall-clock>"),
    # ... and the package version, which a release bumps without changing any output.
    (re.compile(r"^-- pqlengine \S+ SQL export", re.M), "-- pqlengine <version> SQL export"),
    # Colour codes appear only when FORCE_COLOR or a terminal asks Rich for them.
    (re.compile(r"\x1b\[[0-9;]*m"), ""),
)


def normalise(text: str, project_dir: Path) -> str:
    """`text` with the run's temporary project directory and the volatile values replaced."""
    # The project lives in a fresh pytest temporary directory on every run.
    text = text.replace(str(project_dir), PROJECT_PLACEHOLDER)
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def run(*args: str) -> str:
    """`pql ARGS` in-process: stdout, or the one-line refusal a user would see on stderr."""
    result = CliRunner().invoke(app, list(args))
    if result.exit_code == 0:
        return result.stdout
    # `pql` (cli.main) prints a UserError & co. as `error <line>`; the runner only sees the
    # exception, so render it the same way. Anything else is a bug: show the traceback.
    exception = result.exception
    lines = _error_lines(exception) if isinstance(exception, Exception) else None
    if lines is None:
        raise AssertionError(f"pql {' '.join(args)} failed:\n{result.output}") from exception
    return "exit code 1\n" + "".join(f"error {line}\n" for line in lines)


def assert_snapshot(name: str, output: str, project_dir: Path) -> None:
    """Compare `output` with tests/snapshots/NAME byte for byte (or rewrite it in update mode)."""
    path = SNAPSHOTS / name
    actual = normalise(output, project_dir)
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    shown = path.relative_to(Path(__file__).parent.parent)
    if not path.exists():
        pytest.fail(f"no snapshot {shown}; create it with: {UPDATE_COMMAND}", pytrace=False)
    expected = path.read_bytes().decode("utf-8")
    if actual == expected:
        return
    diff = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{shown} (committed)",
            tofile=f"{shown} (this run)",
        )
    )
    more = f"... {len(diff) - DIFF_LINES} more diff lines\n" if len(diff) > DIFF_LINES else ""
    pytest.fail(
        f"output differs from {shown}:\n{''.join(diff[:DIFF_LINES])}{more}"
        f"if the change is intended: {UPDATE_COMMAND} (and commit the file)",
        pytrace=False,
    )


class _DataAttributes(html.parser.HTMLParser):
    """Every start tag carrying `data-*` attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {key: value for key, value in attrs if key.startswith("data-")}
        if data:
            self.tags.append({"tag": tag, **data})


def report_output(project_dir: Path, as_of: str) -> str:
    """`pql report`'s message and the numbers its HTML carries, as JSON.

    The report embeds no data JSON (its charts are inline SVG); every number it shows is also
    in a `data-*` attribute (what the dashboard and report tests read). The full HTML would
    add the wall-clock `Generated ...` line, the package version and 0.2 MB of SVG markup.
    """
    out = project_dir / "report.html"
    message = run("report", "-C", str(project_dir), "--as-of", as_of, "--out", str(out))
    parser = _DataAttributes()
    parser.feed(out.read_text(encoding="utf-8"))
    return json.dumps({"stdout": message, "data_attributes": parser.tags}, indent=2) + "\n"


@dataclass(frozen=True)
class Case:
    """One snapshot: the file under tests/snapshots/ and how to produce the output."""

    name: str
    produce: Callable[[Path, str], str]  # (project directory, as_of) -> output


def command(*args: str) -> Callable[[Path, str], str]:
    """A case running `pql ARGS -C <project> --as-of <as_of>`."""
    return lambda project_dir, as_of: run(*args, "-C", str(project_dir), "--as-of", as_of)


JSON = ("--format", "json")
MONTH_BY_PLAN = ("--period", "month", "--by", "plan")


def compare_output(project_dir: Path, as_of: str) -> str:
    """`pql compare pql.yaml alternative.yaml` (written by the project fixtures)."""
    old, new = project_dir / "pql.yaml", project_dir / "alternative.yaml"
    return command("compare", str(old), str(new), *JSON)(project_dir, as_of)


# Commands whose output does not depend on which of them ran before (the fixtures record the
# definition first, see `record_definition`): they share one project, in any order.
COMMON = (
    Case("check.txt", lambda project_dir, _: run("check", "-C", str(project_dir))),
    Case("qualify.json", command("qualify", *JSON)),
    Case("metrics-week.json", command("metrics", "--period", "week", *JSON)),
    Case("metrics-month-by-plan.json", command("metrics", *MONTH_BY_PLAN, *JSON)),
    Case("leads.json", command("leads", *JSON)),
    Case("discover.json", command("discover", *JSON)),
    Case("drivers.json", command("drivers", *JSON)),
    Case("suggest.json", command("suggest", *JSON)),
    Case("validate.json", command("validate", *JSON)),
    Case("compare.json", compare_output),
    Case("compile-duckdb.sql", command("compile", "--dialect", "duckdb")),
    Case("model-points.json", command("model", "points", *JSON)),
    Case("calc.json", command("calc", "--from-store", "--target-customers", "10", *JSON)),
    Case("report.json", report_output),
    Case(
        "outcomes-by-plan.json", command("outcomes", *MONTH_BY_PLAN, "--revenue-days", "90", *JSON)
    ),
)
# Model commands change the store (train stores a model, score stores scores that `leads`
# then shows), so they run once, in this order, on a copy of the project; see `model_outputs`.
MODEL_STEPS = (
    ("model-train.json", ("model", "train", *JSON)),
    ("model-score.json", ("model", "score", *JSON)),
    ("model-check.json", ("model", "check", *JSON)),
    ("leads-scored.json", ("leads", *JSON)),
)
PROJECTS = ("demo", "handmade")


def alternative_definition(project_dir: Path, old: str, new: str) -> None:
    """Write alternative.yaml: pql.yaml with `old` replaced by `new` (for `pql compare`)."""
    text = (project_dir / "pql.yaml").read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {project_dir / 'pql.yaml'}"
    (project_dir / "alternative.yaml").write_text(text.replace(old, new), encoding="utf-8")


def record_definition(project_dir: Path, as_of: str) -> None:
    """Run `pql qualify` once, as a user would first: it records the definition in the store.

    `pql report` lists the recorded definitions, so without this its output would depend on
    whether the qualify case happened to run before it.
    """
    run("qualify", "-C", str(project_dir), "--as-of", as_of, "--limit", "1", *JSON)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_projects: DemoProjects) -> Path:
    """A copy of the session's demo project (2,000 accounts, seed 7)."""
    project_dir = tmp_path_factory.mktemp("demo")
    demo_projects.copy(project_dir, DEMO_ACCOUNTS, DEMO_SEED)
    record_definition(project_dir, DEMO_AS_OF)
    alternative_definition(project_dir, "qualify: {fraction: 0.4}", "qualify: {fraction: 0.5}")
    return project_dir


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The hand-made project ingested with `pql ingest --format json`, and that output."""
    project_dir = tmp_path_factory.mktemp("handmade")
    for name in HANDMADE_FILES:
        shutil.copy(HANDMADE / name, project_dir / name)
    tables = ("accounts", "users", "events", "conversions")
    files = [arg for table, name in zip(tables, HANDMADE_FILES[1:], strict=True)
             for arg in (f"--{table}", str(project_dir / name))]  # fmt: skip
    ingested = run("ingest", "-C", str(project_dir), *files, *JSON)
    record_definition(project_dir, HANDMADE_AS_OF)
    alternative_definition(project_dir, "event: Create, at_least: 2", "event: Create, at_least: 1")
    return project_dir, ingested


def project_and_as_of(request: pytest.FixtureRequest, which: str) -> tuple[Path, str]:
    if which == "demo":
        return request.getfixturevalue("demo"), DEMO_AS_OF
    return request.getfixturevalue("handmade")[0], HANDMADE_AS_OF


@pytest.mark.parametrize("case", COMMON, ids=lambda case: case.name.rsplit(".", 1)[0])
@pytest.mark.parametrize("which", PROJECTS)
def test_command_output(request: pytest.FixtureRequest, which: str, case: Case) -> None:
    project_dir, as_of = project_and_as_of(request, which)
    assert_snapshot(f"{which}/{case.name}", case.produce(project_dir, as_of), project_dir)


@pytest.fixture(scope="module")
def model_outputs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, Path]]:
    """MODEL_STEPS' outputs per project (on a copy, so the shared projects stay unscored)."""
    outputs: dict[str, tuple[str, Path]] = {}
    for which in PROJECTS:
        source, as_of = project_and_as_of(request, which)
        project_dir = tmp_path_factory.mktemp(f"{which}-model")
        shutil.copytree(source, project_dir, dirs_exist_ok=True)
        for name, args in MODEL_STEPS:
            output = run(*args, "-C", str(project_dir), "--as-of", as_of)
            outputs[f"{which}/{name}"] = (output, project_dir)
    return outputs


@pytest.mark.parametrize("step", [name for name, _ in MODEL_STEPS])
@pytest.mark.parametrize("which", PROJECTS)
def test_model_output(model_outputs: dict[str, tuple[str, Path]], which: str, step: str) -> None:
    output, project_dir = model_outputs[f"{which}/{step}"]
    assert_snapshot(f"{which}/{step}", output, project_dir)


def test_handmade_ingest_output(handmade: tuple[Path, str]) -> None:
    project_dir, ingested = handmade
    assert_snapshot("handmade/ingest.json", ingested, project_dir)


def test_demo_ingest_output(demo: Path, tmp_path: Path) -> None:
    """`pql ingest` of the demo's files into a fresh store (write_demo ingests without the CLI)."""
    shutil.copy(demo / "pql.yaml", tmp_path / "pql.yaml")
    data = demo / "data"
    ingested = run(
        "ingest", "-C", str(tmp_path), "--accounts", str(data / "accounts.parquet"),
        "--users", str(data / "users.parquet"), "--events", str(data / "events"), *JSON,
    )  # fmt: skip
    assert_snapshot("demo/ingest.json", ingested, tmp_path)


def test_every_snapshot_file_has_a_test() -> None:
    """A renamed or dropped case must not leave a stale file that guards nothing."""
    expected = {f"{which}/{case.name}" for which in PROJECTS for case in COMMON}
    expected |= {f"{which}/{name}" for which in PROJECTS for name, _ in MODEL_STEPS}
    expected |= {f"{which}/ingest.json" for which in PROJECTS}
    found = {str(p.relative_to(SNAPSHOTS)) for p in SNAPSHOTS.rglob("*") if p.is_file()}
    assert found <= expected, f"snapshots no test writes: {sorted(found - expected)}"


def test_qualify_status_counts_come_in_status_order(demo: Path) -> None:
    """They came in DuckDB's hash-aggregate order, which moved between runs of the same code."""
    output = run("qualify", "-C", str(demo), "--as-of", DEMO_AS_OF, "--limit", "1", *JSON)
    counts = json.loads(output)["status_counts"]
    assert list(counts) == [status for status in STATUSES if status in counts]
    # The demo has every status but `lapsed` (its definition cannot lapse): the order is there.
    assert set(STATUSES) - set(counts) == {"lapsed"}
