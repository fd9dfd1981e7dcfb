"""SIGTERM and SIGINT stop `pql serve` cleanly under load: exit code 0, no traceback, and
a restart finds every acknowledged event (uvicorn re-raises the signal after its own
shutdown; the service must stop its threads and close the store first)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from tests.live.harness import LiveServer, Receiver, wait_for, write_project
from tests.live.test_durability import _accounts_batch, _load, _stored_ids
from tests.support.demo import DemoProjects

pytestmark = pytest.mark.e2e  # real `pql serve` subprocesses on loopback

CYCLES = 3


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_under_load_exits_0_and_keeps_every_acknowledged_event(
    tmp_path: Path, sig: signal.Signals
) -> None:
    receiver = Receiver().start()
    project = write_project(tmp_path / "p", receiver.url)
    acked: list[str] = []
    try:
        for cycle in range(CYCLES):
            server = LiveServer(project).start()
            assert server.process is not None
            log_start = server.log.stat().st_size
            if cycle == 0:
                assert server.post("/v1/batch", _accounts_batch()).status_code == 200
            stop = threading.Event()
            before = len(acked)
            loader = threading.Thread(target=_load, args=(server.url, acked, stop, f"c{cycle}"))
            loader.start()
            wait_for(lambda before=before: len(acked) >= before + 500, timeout=120)
            server.process.send_signal(sig)
            code = server.process.wait(timeout=60)
            stop.set()
            loader.join(timeout=30)
            output = server.log.read_bytes()[log_start:].decode(errors="replace")
            assert code == 0, f"cycle {cycle}: exit code {code}; output:\n{output}"
            assert not (project / ".pql" / "serve.json").exists(), "a clean stop removes it"
            for marker in ("Traceback", "Aborted", "FATAL", "terminate called"):
                assert marker not in output, f"cycle {cycle}: {marker} in output:\n{output}"
        missing = set(acked) - _stored_ids(project)
        assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
    finally:
        receiver.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_the_dashboard_warms_up_exits_0(
    tmp_path: Path, demo_projects: DemoProjects, sig: signal.Signals
) -> None:
    # At start the dashboard computes its default panels on its own thread: on 200k events
    # that query was still running at the signal, and closing the store under it aborted
    # the process ("terminate called without an active exception", exit -6).
    project = demo_projects.copy(tmp_path / "demo").out_dir
    for cycle in range(CYCLES):
        server = LiveServer(project).start()
        assert server.process is not None
        log_start = server.log.stat().st_size
        server.process.send_signal(sig)
        code = server.process.wait(timeout=60)
        output = server.log.read_bytes()[log_start:].decode(errors="replace")
        assert code == 0, f"cycle {cycle}: exit code {code}; output:\n{output}"
        for marker in ("Traceback", "terminate called", "Fatal Python"):
            assert marker not in output, f"cycle {cycle}: {marker} in output:\n{output}"
