"""A really full disk: the store on a small tmpfs, filled by a file; ingest answers 507,
/healthz says why, and once the file is gone the service takes writes again by itself
with every acknowledged event stored. Needs `mount -t tmpfs` (root); skipped otherwise."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import LiveServer, wait_for, write_project
from tests.live.test_durability import _accounts_batch

pytestmark = pytest.mark.e2e  # a real filesystem mount and `pql serve` on loopback


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs, unmounted after the test."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (disk-full logic: test_store_faults.py)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    """A file taking every free byte of `directory`'s filesystem."""
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def _track(prefix: str, number: int) -> dict[str, Any]:
    return {
        "batch": [
            {"type": "track", "userId": f"user-{i % 20}", "event": "Created Document",
             "messageId": f"{prefix}-{number}-{i}", "properties": {"pad": "x" * 200}}
            for i in range(50)
        ]
    }  # fmt: skip


def _post_until_refused(post: Any, acked: list[str], prefix: str) -> httpx.Response:
    """Post batches until one is not acknowledged; remember the acknowledged ids."""
    for number in range(2000):
        payload = _track(prefix, number)
        response = post("/v1/batch", payload)
        if response.status_code != 200:
            return response  # type: ignore[no-any-return]
        acked.extend(m["messageId"] for m in payload["batch"])
    raise AssertionError("the full disk never refused a batch")


def _stored(path: Path) -> set[str]:
    """Message ids in the store's inbox (every accepted message, events or not)."""
    con = duckdb.connect(str(path))
    try:
        return {r[0] for r in con.execute("SELECT message_id FROM live_inbox").fetchall()}
    finally:
        con.close()


def _check_refusal(refused: httpx.Response, store: Path) -> None:
    assert refused.status_code == 507, refused.text
    assert refused.headers["Retry-After"] == "10"
    assert refused.json()["error"]["code"] == "insufficient_storage"
    assert str(store) in refused.json()["error"]["message"]


def test_pql_serve_on_a_full_disk(tmp_path: Path, tmpfs: Path) -> None:
    store = tmpfs / "acme.duckdb"
    project = write_project(tmp_path / "p", None, store={"path": str(store)})
    server = LiveServer(project).start()
    acked: list[str] = []
    try:
        accounts = _accounts_batch()
        assert server.post("/v1/batch", accounts).status_code == 200
        acked.extend(str(m["messageId"]) for m in accounts["batch"])  # type: ignore[attr-defined]
        filler = _fill(tmpfs)
        _check_refusal(_post_until_refused(server.post, acked, "full"), store)
        health = httpx.get(f"{server.url}/healthz", timeout=30)
        assert health.status_code == 503
        assert health.json()["store"]["state"] == "disk_full"
        assert "No space left on device" in health.json()["store"]["last_error"]

        filler.unlink()
        wait_for(lambda: httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200, 60)
        payload = _track("after", 0)
        assert server.post("/v1/batch", payload).status_code == 200
        acked.extend(m["messageId"] for m in payload["batch"])
    finally:
        _stop_cleanly(server)
    missing = set(acked) - _stored(store)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"


def test_sigterm_while_the_disk_is_full_exits_0_and_keeps_every_ack(
    tmp_path: Path, tmpfs: Path
) -> None:
    store = tmpfs / "acme.duckdb"
    project = write_project(tmp_path / "p", None, store={"path": str(store)})
    server = LiveServer(project).start()
    acked: list[str] = []
    try:
        assert server.post("/v1/batch", _accounts_batch()).status_code == 200
        filler = _fill(tmpfs)
        _check_refusal(_post_until_refused(server.post, acked, "full"), store)
    finally:
        _stop_cleanly(server)
    filler.unlink()
    missing = set(acked) - _stored(store)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"


def _stop_cleanly(server: LiveServer) -> None:
    """SIGTERM; exit code 0 and no traceback or abort in the server's output."""
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(timeout=60)
    output = server.log.read_text(errors="replace")
    assert code == 0, output
    for marker in ("Traceback", "terminate called", "Fatal Python"):
        assert marker not in output, output


def test_a_checkpoint_on_a_full_disk_invalidates_and_the_service_reopens(
    tmp_path: Path, tmpfs: Path
) -> None:
    store = tmpfs / "acme.duckdb"
    project = write_project(tmp_path / "p", None, store={"path": str(store)})
    server = ClockedServer(project, ManualClock(datetime.now(UTC)))
    server.service.watch_seconds = 0.2
    server.start()
    acked: list[str] = []
    try:
        assert server.post("/v1/batch", _accounts_batch()).status_code == 200
        # Checkpoint at (almost) every commit, so that the full disk hits a checkpoint:
        # DuckDB then invalidates the database (FatalException) rather than one commit.
        server.service.store.raw.execute("SET checkpoint_threshold = '1KB'")
        filler = _fill(tmpfs)
        _check_refusal(_post_until_refused(server.post, acked, "full"), store)
        wait_for(lambda: server.service.health.fault is not None)
        fault = server.service.health.fault
        if fault is not None and not fault.reopen:
            filler.unlink()
            pytest.skip(
                "DuckDB failed a WAL write before any checkpoint hit the full disk (nothing "
                "invalidated to reopen); tests/live/test_store_faults.py covers the reopen"
            )
        first = server.service.store
        filler.unlink()
        wait_for(lambda: httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200, 60)
        health = httpx.get(f"{server.url}/healthz", timeout=30).json()
        assert server.service.store is not first and health["store"]["reopened"] >= 1
        payload = _track("after", 0)
        assert server.post("/v1/batch", payload).status_code == 200
        acked.extend(m["messageId"] for m in payload["batch"])
    finally:
        server.stop()
    missing = set(acked) - _stored(store)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
