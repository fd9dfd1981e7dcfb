"""The CLI on a project `pql serve` holds: read commands run through the service and print
what they print without it; writing commands, a missing token and stale serve.json files
get clear answers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from pqlengine.live.run_api import _same_machine
from pqlengine.live.served import ServeInfo, write_serve_file
from tests.live.harness import API_TOKEN, LiveServer, free_port, write_project
from tests.support.cli import pql

AS_OF = "2026-10-15T12:00:00Z"
GENERATED = re.compile(r"Generated [0-9: -]+ UTC")  # the report's own clock
# The definition versions each store has recorded, and when (the service records its own at
# start, the unserved copy at the first command that records it: it depends on test order).
VERSIONS = re.compile(r'(data-table="versions">.*?<tbody>).*?(</tbody>)', re.S)
# Read commands compared with and without the service (a fixed --as-of: both see one "now").
READS = [
    ["metrics", "--as-of", AS_OF],
    ["metrics", "--as-of", AS_OF, "--period", "week", "-f", "json"],
    ["leads", "--as-of", AS_OF, "--top", "5"],
    ["leads", "--as-of", AS_OF, "--status", "lapsed", "-f", "csv"],
    ["qualify", "--as-of", AS_OF, "--limit", "7"],
    ["qualify", "--as-of", AS_OF, "-f", "csv"],
    ["validate", "--as-of", AS_OF, "-f", "json"],
    ["check"],
    ["compare", "pql.yaml", "pql.yaml", "--as-of", AS_OF],  # file arguments, relative
    ["discover", "--as-of", AS_OF, "--min-support", "5", "--top", "5"],
    ["model", "check", "--as-of", AS_OF],  # no model stored: the same error
    ["metrics", "--as-of", AS_OF, "--by", "no_such_column"],  # a user error: exit 1
    ["outcomes", "--as-of", AS_OF, "--format", "json"],
]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    """A served demo project and a copy of it (same store) nobody serves."""
    root = tmp_path_factory.mktemp("served")
    made = pql("demo", "--dir", str(root / "served"), "--accounts", "120", cwd=root)
    assert made.returncode == 0, made.stderr
    copy = root / "copy"
    shutil.copytree(root / "served", copy)
    server = LiveServer(root / "served").start()
    yield server, copy
    server.stop()


def run_pql(
    *args: str, cwd: Path, token: str | None = API_TOKEN
) -> subprocess.CompletedProcess[str]:
    """`pql args` as its own process (the service holds the store: no in-process run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PQL_API_TOKEN")}
    if token is not None:
        env["PQL_API_TOKEN"] = token
    command = [sys.executable, "-m", "pqlengine", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("argv", READS, ids=lambda argv: " ".join(argv[:1] + argv[3:]))
def test_read_commands_print_what_they_print_without_the_service(
    projects: tuple[LiveServer, Path], argv: list[str]
) -> None:
    server, copy = projects
    served = run_pql(*argv, cwd=server.project_dir)
    direct = run_pql(*argv, cwd=copy)
    assert "lock" not in served.stderr.lower(), served.stderr
    assert (served.returncode, served.stdout, served.stderr) == (
        direct.returncode,
        direct.stdout,
        direct.stderr,
    )


def test_report_is_written_where_the_cli_was_told(projects: tuple[LiveServer, Path]) -> None:
    server, copy = projects
    for where in (server.project_dir, copy):
        (where / "out").mkdir(exist_ok=True)
    argv = ["report", "-C", "..", "--out", "r.html", "--as-of", AS_OF, "--no-drivers"]
    served = run_pql(*argv, cwd=server.project_dir / "out")
    direct = run_pql(*argv, cwd=copy / "out")
    assert served.returncode == direct.returncode == 0, served.stderr + direct.stderr
    # The service wrote it (same machine), at the CLI's relative path made absolute.
    assert f"wrote {server.project_dir / 'out' / 'r.html'} (" in served.stdout
    html = [(where / "out" / "r.html").read_text() for where in (server.project_dir, copy)]
    pages = [VERSIONS.sub(r"\1\2", GENERATED.sub("Generated -", page)) for page in html]
    assert pages[0] == pages[1]
    assert len(html[0]) > 10_000


def test_writing_commands_are_refused_with_what_to_do(projects: tuple[LiveServer, Path]) -> None:
    server, _ = projects
    ingest = run_pql("ingest", "--events", "data/events", cwd=server.project_dir)
    assert ingest.returncode == 1
    assert "pql ingest writes to the store, which the service holds" in ingest.stderr
    assert "/v1/batch" in ingest.stderr
    train = run_pql("model", "train", cwd=server.project_dir)
    assert train.returncode == 1 and "/api/model/train" in train.stderr
    suggest = run_pql("suggest", "--write", cwd=server.project_dir)
    assert suggest.returncode == 1 and "pql suggest --write writes" in suggest.stderr


def test_a_missing_or_wrong_token_says_what_to_set(projects: tuple[LiveServer, Path]) -> None:
    server, _ = projects
    missing = run_pql("metrics", cwd=server.project_dir, token=None)
    assert missing.returncode == 1
    assert "set PQL_API_TOKEN (or PQL_API_TOKEN_FILE)" in missing.stderr
    assert f"held by pql serve (pid {server.process.pid}" in missing.stderr  # type: ignore[union-attr]
    wrong = run_pql("metrics", cwd=server.project_dir, token="not-the-token")
    assert wrong.returncode == 1 and "the API token was refused" in wrong.stderr


def test_default_as_of_is_when_the_cli_ran(projects: tuple[LiveServer, Path]) -> None:
    server, _ = projects
    body = {"argv": ["leads", "-f", "json"], "cwd": str(server.project_dir)}
    answer = httpx.post(
        f"{server.url}/api/run",
        json={**body, "now": "2026-09-01T00:00:00Z"},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["exit_code"] == 0
    assert json.loads(answer.json()["stdout"])["as_of"] == "2026-09-01T00:00:00Z"


def test_another_project_dir_is_refused(projects: tuple[LiveServer, Path]) -> None:
    server, copy = projects
    answer = httpx.post(
        f"{server.url}/api/run",
        json={"argv": ["metrics", "-C", str(copy)], "cwd": str(server.project_dir)},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=60,
    )
    assert answer.status_code == 403
    assert f"serves the project in {server.project_dir.resolve()}" in answer.text


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_stale_serve_json_is_ignored(projects: tuple[LiveServer, Path], tmp_path: Path) -> None:
    _, copy = projects
    store = str(copy / ".pql" / "taskly.duckdb")
    expected = run_pql("metrics", "--as-of", AS_OF, cwd=copy)
    dead = ServeInfo(f"http://127.0.0.1:{free_port()}", _dead_pid(), "2026-01-01T00:00:00Z", store)
    path = write_serve_file(dead)
    try:
        ran = run_pql("metrics", "--as-of", AS_OF, cwd=copy)
        assert (ran.returncode, ran.stdout, ran.stderr) == (0, expected.stdout, expected.stderr)
        # A live pid that does not answer (a pid reused after a crash): warned, then direct.
        alive = ServeInfo(dead.url, os.getpid(), dead.started_at, store)
        write_serve_file(alive)
        ran = run_pql("metrics", "--as-of", AS_OF, cwd=copy)
        assert ran.returncode == 0 and ran.stdout == expected.stdout
        assert "does not answer" in ran.stderr and "opening the store directly" in ran.stderr
    finally:
        path.unlink()


def test_serve_json_says_where_while_serving_and_goes_at_a_clean_stop(tmp_path: Path) -> None:
    server = LiveServer(write_project(tmp_path / "p", None)).start()
    try:
        found = json.loads((tmp_path / "p" / ".pql" / "serve.json").read_text())
        assert found["url"] == server.url
        assert found["pid"] == server.process.pid  # type: ignore[union-attr]
        assert found["store"] == str((tmp_path / "p" / ".pql" / "acme.duckdb").resolve())
        assert found["started_at"].endswith("+00:00")
    finally:
        server.stop()
    assert not (tmp_path / "p" / ".pql" / "serve.json").exists()


@pytest.mark.parametrize(
    ("client", "server", "local"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("::1", "::1", True),
        ("10.1.2.3", "10.1.2.3", True),  # the CLI reaching a service bound to this address
        ("10.1.2.4", "10.1.2.3", False),
        ("10.1.2.4", "0.0.0.0", False),
        ("testclient", "testserver", False),
    ],
)
def test_commands_run_only_for_clients_on_this_machine(
    client: str, server: str, local: bool
) -> None:
    scope = {"type": "http", "client": (client, 5000), "server": (server, 8765), "headers": []}
    assert _same_machine(Request(scope)) is local
