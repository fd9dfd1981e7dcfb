"""A full disk under the live service, without mounting anything: the DuckDB errors a full
disk gives (observed on a tmpfs, live/faults.py) are injected at the writer's submit and
the free space the watcher reads is faked; the store, the reopen and the HTTP answers are
real (the service in this process, uvicorn on a thread)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from pqlengine.live import service as service_module
from pqlengine.live.faults import DISK_FULL_TEXT, StoreHealth, classify
from pqlengine.live.writer import WriteResult
from pqlengine.store import Store, StoreError
from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import wait_for, write_project

WAL_FULL = (
    'TransactionContext Error: Failed to commit: Could not write file "{path}.wal": '
    "No space left on device"
)
CHECKPOINT_FULL = (
    "FATAL Error: Transaction COMMIT succeeded and is durable, but the autocheckpoint failed. "
    "Reopen the database instance to recover. Failed to create checkpoint because of error: "
    'Could not write file "{path}": No space left on device'
)
INVALIDATED = (
    "FATAL Error: Failed: database has been invalidated because of a previous fatal error. "
    "The database must be restarted prior to being used again."
)


def test_classify_the_errors_duckdb_gives_on_a_full_disk() -> None:
    assert classify(duckdb.TransactionException(WAL_FULL.format(path="/x"))) == "disk_full"
    assert classify(duckdb.FatalException(CHECKPOINT_FULL.format(path="/x"))) == "disk_full"
    assert classify(duckdb.FatalException(INVALIDATED)) == "invalidated"
    assert classify(OSError(28, "No space left on device")) == "disk_full"
    assert classify(duckdb.ConstraintException("Duplicate key")) is None
    # The writer's ROLLBACK after a failed COMMIT raises again; the cause is in __context__.
    try:
        try:
            raise duckdb.TransactionException(WAL_FULL.format(path="/x"))
        except duckdb.Error:
            # implicit chaining (no `from`), as the writer's ROLLBACK does
            raise duckdb.TransactionException("cannot rollback - no transaction is active")  # noqa: B904
    except duckdb.Error as hidden:
        assert classify(hidden) == "disk_full"
    health = StoreHealth("/x")
    first = datetime(2026, 12, 6, 4, 0)
    health.failed(duckdb.TransactionException(WAL_FULL.format(path="/x")), first)
    fault = health.failed(duckdb.FatalException(INVALIDATED), first + timedelta(seconds=5))
    assert fault is not None
    assert (fault.kind, fault.since, fault.reopen) == ("disk_full", first, True)
    assert fault.last_error.startswith("FatalException: FATAL Error: Failed: database has been")


def _batch(prefix: str, count: int = 5) -> dict[str, Any]:
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    messages: list[dict[str, Any]] = [
        {"type": "group", "userId": f"{prefix}-u", "groupId": prefix, "messageId": f"{prefix}-g",
         "traits": {"name": prefix, "employees": 30, "createdAt": created}},
    ]  # fmt: skip
    for i in range(count):
        name = ["Invited Member", "Created Document"][min(i, 1)]
        messages.append(
            {"type": "track", "userId": f"{prefix}-u", "event": name,
             "messageId": f"{prefix}-{i}", "context": {"groupId": prefix}}
        )  # fmt: skip
    return {"batch": messages}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ClockedServer]:
    project = write_project(tmp_path / "p", None)
    running = ClockedServer(project, ManualClock(datetime.now(UTC)))
    running.service.watch_seconds = 0.05
    running.start()
    yield running
    running.stop()


class _Disk:
    """Fails the writer's submissions with `error` and reports no free space until `free`."""

    def __init__(self, server: ClockedServer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server, self.monkeypatch = server, monkeypatch

    def fill(self, error: Exception, refuse_open: bool = False) -> None:
        writer = self.server.service.writer
        if refuse_open:  # the first reopens fail too (the file cannot be opened yet)

            def refused(path: str, *args: Any) -> Store:
                raise StoreError(f"cannot open the store {path}: IO Error: {DISK_FULL_TEXT}")

            self._open = Store.__dict__["open"]  # the classmethod itself
            self.monkeypatch.setattr(service_module.Store, "open", refused)

        def failing(*args: Any) -> Future[WriteResult]:
            future: Future[WriteResult] = Future()
            future.set_exception(error)
            return future

        self.monkeypatch.setattr(writer, "submit", failing)
        usage = shutil.disk_usage("/")._replace(free=4096)
        self.monkeypatch.setattr(service_module.shutil, "disk_usage", lambda path: usage)

    def allow_open(self) -> None:
        """The file can be opened again (the disk is still full)."""
        self.monkeypatch.setattr(service_module.Store, "open", self._open)

    def free(self) -> None:
        self.monkeypatch.undo()


def _stored(server: ClockedServer) -> set[str]:
    rows = server.service.store.cursor().raw.execute("SELECT event_id FROM events").fetchall()
    return {r[0] for r in rows}


def _healthz(server: ClockedServer) -> httpx.Response:
    return httpx.get(f"{server.url}/healthz", timeout=30)


def test_disk_full_answers_507_healthz_says_why_and_it_recovers(
    server: ClockedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert server.post("/v1/batch", _batch("before")).status_code == 200
    disk = _Disk(server, monkeypatch)
    path = server.service.store.path
    disk.fill(duckdb.TransactionException(WAL_FULL.format(path=path)))

    refused = server.post("/v1/batch", _batch("during"))
    assert refused.status_code == 507
    assert refused.headers["Retry-After"] == "10"
    error = refused.json()["error"]
    assert error["code"] == "insufficient_storage"
    assert path in error["message"] and "acknowledged before are stored safely" in error["message"]
    health = _healthz(server)
    assert health.status_code == 503
    store = health.json()["store"]
    assert (health.json()["status"], store["state"], store["path"]) == (
        "disk_full",
        "disk_full",
        path,
    )
    assert "No space left on device" in store["last_error"] and store["since"].endswith("Z")
    # The watcher's probe keeps it unhealthy while there is no room.
    wait_for(lambda: _healthz(server).json()["store"]["last_error"].endswith("4096 bytes free"))
    assert _healthz(server).status_code == 503

    disk.free()
    wait_for(lambda: _healthz(server).status_code == 200)
    assert _healthz(server).json()["store"] == {"state": "ok", "path": path, "reopened": 0}
    assert server.post("/v1/batch", _batch("during")).status_code == 200
    assert {"before-0", "before-4", "during-0", "during-4"} <= _stored(server)


def test_an_invalidated_database_is_reopened_in_process(
    server: ClockedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert server.post("/v1/batch", _batch("before")).status_code == 200
    wait_for(lambda: server.api("/api/leads", q="before")["items"])
    old_store, old_writer = server.service.store, server.service.writer
    disk = _Disk(server, monkeypatch)
    disk.fill(duckdb.FatalException(CHECKPOINT_FULL.format(path=old_store.path)), True)

    refused = server.post("/v1/batch", _batch("during"))
    assert refused.status_code == 507
    # The reopen fails while the disk is full: the store is closed, still 503/507, no 500.
    wait_for(lambda: "cannot open the store" in _last_error(server))
    assert _healthz(server).status_code == 503
    assert server.post("/v1/batch", _batch("during")).status_code == 507
    disk.allow_open()
    # The watcher closes the store and opens it again, with a new writer, evaluator, ...
    wait_for(lambda: server.service.store is not old_store and server.service.health.reopened)
    assert server.service.writer is not old_writer
    with pytest.raises(duckdb.ConnectionException):
        old_store.raw.execute("SELECT 1")
    assert _healthz(server).status_code == 503  # still no room: not healthy yet

    disk.free()
    wait_for(lambda: _healthz(server).status_code == 200)
    assert _healthz(server).json()["store"]["reopened"] == 1
    assert server.post("/v1/batch", _batch("during")).status_code == 200
    assert {"before-0", "during-0"} <= _stored(server)
    # The new evaluator qualifies what arrived after the reopen; the API reads the new store.
    wait_for(lambda: server.api("/api/leads", q="during")["items"])
    assert server.api("/api/leads", q="before")["items"]


def _last_error(server: ClockedServer) -> str:
    fault = server.service.health.fault
    return "" if fault is None else fault.last_error
