"""The service's read worker (live/reads.py): one read at a time, a bounded queue."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pqlengine.live.reads import ReadPool, ReadsBusy
from pqlengine.store import Store


def test_reads_run_one_at_a_time_in_order_on_one_connection() -> None:
    opened: list[object] = []

    def open_store() -> Any:
        opened.append(SimpleNamespace(raw=SimpleNamespace(interrupt=lambda: None)))
        return opened[-1]

    pool = ReadPool(open_store, queue_limit=10)
    running, ran = 0, []
    lock = threading.Lock()

    def read(store: Any, n: int) -> int:
        nonlocal running
        with lock:
            running += 1
            assert running == 1
        ran.append((n, store))
        with lock:
            running -= 1
        return n * n

    futures = [pool.submit(lambda store, n=n: read(store, n)) for n in range(6)]
    assert [f.result(timeout=10) for f in futures] == [n * n for n in range(6)]
    assert [n for n, _ in ran] == list(range(6))
    assert len(opened) == 1 and all(store is opened[0] for _, store in ran)
    pool.shutdown()


def test_a_full_queue_refuses_with_a_retry_time_and_errors_reach_the_caller() -> None:
    release = threading.Event()
    pool = ReadPool(lambda: None, queue_limit=2, retry_after_seconds=3)  # type: ignore[arg-type,return-value]
    blocking = pool.submit(lambda store: release.wait(10))
    started = threading.Event()
    # The first read is running (not waiting) once the worker has taken it.
    pool.submit(lambda store: started.set())
    while pool._waiting > 1:  # the worker picked up the blocking read
        threading.Event().wait(0.01)
    pool.submit(lambda store: 1)
    with pytest.raises(ReadsBusy) as refused:
        pool.submit(lambda store: 2)
    assert refused.value.retry_after_seconds == 3
    assert "2 reads are waiting" in str(refused.value)
    release.set()
    assert blocking.result(timeout=10) is True

    def fail(store: object) -> None:
        raise ValueError("bad read")

    with pytest.raises(ValueError, match="bad read"):
        pool.submit(fail).result(timeout=10)
    pool.shutdown()


def test_heavy_results_are_reused_for_a_while_light_ones_never(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pqlengine.live import reads

    monkeypatch.setattr(reads, "HEAVY_SECONDS", 0.05)
    pool = ReadPool(lambda: None, queue_limit=10)  # type: ignore[arg-type,return-value]
    calls = {"heavy": 0, "light": 0}

    def heavy(store: object) -> int:
        calls["heavy"] += 1
        threading.Event().wait(0.1)  # 0.1 s: reused for 0.4 s after it finished
        return calls["heavy"]

    def light(store: object) -> int:
        calls["light"] += 1
        return calls["light"]

    first = pool.submit_spaced("h", heavy).result(timeout=10)
    again = pool.submit_spaced("h", heavy).result(timeout=10)
    assert (first.value, again.value, calls["heavy"]) == (1, 1, 1)
    assert first.age_seconds == 0 and 0 < again.age_seconds < 0.4 and again.seconds >= 0.1
    forced = pool.submit_spaced("h", heavy, fresh=True).result(timeout=10)
    assert forced.value == 2 and forced.age_seconds == 0  # Cache-Control: no-cache
    threading.Event().wait(0.45)
    assert pool.submit_spaced("h", heavy).result(timeout=10).value == 3  # spacing is over
    assert [pool.submit_spaced("l", light).result(timeout=10).value for _ in range(3)] == [1, 2, 3]
    pool.shutdown()


def test_a_spaced_read_already_running_is_shared_and_errors_are_not_kept() -> None:
    release = threading.Event()
    pool = ReadPool(lambda: None, queue_limit=10)  # type: ignore[arg-type,return-value]
    calls = []

    def slow(store: object) -> str:
        calls.append(1)
        release.wait(10)
        return "done"

    one, two = pool.submit_spaced("k", slow), pool.submit_spaced("k", slow)
    release.set()
    assert one.result(timeout=10).value == two.result(timeout=10).value == "done"
    assert len(calls) == 1

    def fail(store: object) -> None:
        raise ValueError("unknown segment")

    for _ in range(2):  # a failed read is not reused: each request tries again
        with pytest.raises(ValueError, match="unknown segment"):
            pool.submit_spaced("bad", fail).result(timeout=10)
    pool.shutdown()


def test_shutdown_interrupts_the_read_it_is_running(tmp_path: Path) -> None:
    """A stop does not leave the worker inside DuckDB (at exit, that aborts the process):
    the running read is interrupted and the worker has ended when shutdown returns."""
    store = Store.open(tmp_path / "s.duckdb")
    pool = ReadPool(store.cursor)
    endless = pool.submit(
        lambda s: s.raw.execute("SELECT count(*) FROM range(1e15::BIGINT) a").fetchall()
    )
    while not endless.running():
        time.sleep(0.01)
    time.sleep(0.2)  # inside the query
    pool.shutdown(wait_seconds=30)
    assert not pool._worker.is_alive()
    with pytest.raises(Exception, match=r"(?i)interrupt"):
        endless.result(timeout=0)
    store.close()
