"""The service's read worker (live/reads.py): one read at a time, a bounded queue."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pqlengine.live.reads import ReadPool, ReadsBusy


def test_reads_run_one_at_a_time_in_order_on_one_connection() -> None:
    opened: list[object] = []

    def open_store() -> Any:
        opened.append(object())
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
