"""Reads run below ingest and evaluation for the OS scheduler (live/reads.py
`lower_priority`): the threads that serve `/api/leads` and the read worker are niced,
the writer's and the evaluator's are not."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pqlengine.live.reads import READ_NICENESS, lower_priority
from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import write_project

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a thread's nice value is Linux's")


def _nice(thread: threading.Thread | None = None) -> int:
    native = threading.get_native_id() if thread is None else thread.native_id
    assert native is not None
    return os.getpriority(os.PRIO_PROCESS, native)


def _expected(base: int) -> int:
    return min(19, base + READ_NICENESS)


def test_only_the_calling_thread_is_lowered_and_only_once() -> None:
    base = _nice()
    seen: list[int] = []

    def read() -> None:
        lower_priority()
        lower_priority()  # a second call (a cursor opened again) does not lower it further
        seen.append(_nice())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [_expected(base)]
    lower_priority()  # the main thread (ingest's event loop) is never lowered
    assert _nice() == base


def test_the_services_readers_are_niced_and_its_writer_and_evaluator_are_not(
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
    # The app's creation reads the store on the main thread: it stays, and so do the
    # threads it starts.
    assert by_name["pql-writer"] == by_name["pql-evaluator"] == by_name["MainThread"] == [base]
