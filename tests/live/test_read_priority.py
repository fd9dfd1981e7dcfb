"""Threads run at three OS priorities (live/priority.py `lower_priority`): acknowledging events
(the HTTP loop, the writer) at the service's, evaluation (the evaluator, the cold loader)
EVALUATION_NICENESS lower, reads (the threads that serve `/api/leads`, the read worker)
READ_NICENESS lower."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pqlengine.live.priority import EVALUATION_NICENESS, READ_NICENESS, lower_priority
from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import write_project

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a thread's nice value is Linux's")


def _nice(thread: threading.Thread | None = None) -> int:
    native = threading.get_native_id() if thread is None else thread.native_id
    assert native is not None
    return os.getpriority(os.PRIO_PROCESS, native)


def _expected(base: int, by: int = READ_NICENESS) -> int:
    return min(19, base + by)


def test_only_the_calling_thread_is_lowered_and_only_once() -> None:
    base = _nice()
    seen: list[int] = []

    def started_by_an_evaluating_thread() -> None:
        lower_priority()  # relative to the service, not to the thread that started it
        seen.append(_nice())

    def evaluate() -> None:
        lower_priority(EVALUATION_NICENESS)
        lower_priority()  # a second call (a cursor opened again) does not lower it further
        seen.append(_nice())
        inner = threading.Thread(target=started_by_an_evaluating_thread)
        inner.start()
        inner.join()

    thread = threading.Thread(target=evaluate)
    thread.start()
    thread.join()
    assert seen == [_expected(base, EVALUATION_NICENESS), _expected(base)]
    lower_priority()  # the main thread (ingest's event loop) is never lowered
    assert _nice() == base


def test_the_services_threads_run_at_their_priority(
    tmp_path: Path,
) -> None:
    base = _nice()
    project = write_project(tmp_path / "p", None)
    server = ClockedServer(project, ManualClock(datetime(2026, 11, 24, 12, tzinfo=UTC))).start()
    try:
        assert server.api("/api/leads")["total"] == 0
        server.api("/api/metrics")  # the read worker
        by_name: dict[str, list[int]] = {}
        for thread in threading.enumerate():
            by_name.setdefault(thread.name, []).append(_nice(thread))
    finally:
        server.stop()
    assert by_name["pql-reads"] == [_expected(base)]
    assert _expected(base) in by_name["AnyIO worker thread"]  # the one that served /api/leads
    assert by_name["pql-evaluator"] == [_expected(base, EVALUATION_NICENESS)]
    # The app's creation reads the store on the main thread: it stays, and so do the
    # threads it starts.
    assert by_name["pql-writer"] == by_name["MainThread"] == [base]
