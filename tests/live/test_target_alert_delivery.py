"""An off-track target's alert, queued by `pql targets`, is sent by `pql serve`'s outbox
like a PQL transition: signed webhook body, Slack message, Idempotency-Key."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pqlengine.destinations.signing import SIGNATURE_HEADER, verify
from tests.live.harness import WEBHOOK_SECRET, LiveServer, Receiver, wait_for
from tests.live.test_cli_served import run_pql
from tests.support.cli import pql
from tests.targets.data import write_project

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


def test_off_track_alert_is_delivered_by_the_service(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PQL_WEBHOOK_SECRET", WEBHOOK_SECRET)
    destinations = (
        "destinations:\n"
        f"  - {{type: webhook, url: '{receiver.url}/hook', secret: '${{PQL_WEBHOOK_SECRET}}'}}\n"
        f"  - {{type: slack, url: '{receiver.url}/slack'}}\n"
    )
    targets = "targets:\n  - {name: far, metric: pql_to_paid, value: 0.9, by: 2026-06-30}\n"
    root = write_project(tmp_path, targets, destinations)
    done = pql("targets", "--as-of", "2026-01-15", "--alert", cwd=root)
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(root / ".pql" / "targets.duckdb"), read_only=True)
    try:
        keys = dict(con.execute("SELECT destination, delivery_id FROM outbox").fetchall())
    finally:
        con.close()
    server = LiveServer(root).start()
    try:
        wait_for(lambda: len(receiver.requests) >= 2)
    finally:
        server.stop()
    by_path = {r.path: r for r in receiver.requests}
    hook, slack = by_path["/hook"], by_path["/slack"]
    assert hook.json()["type"] == "pql.target_off_track" and hook.json()["target"]["name"] == "far"
    assert verify(WEBHOOK_SECRET, hook.headers[SIGNATURE_HEADER], hook.body)
    assert hook.headers["Idempotency-Key"] == keys["webhook"]
    assert slack.json()["text"] == "Target far is off track"
    assert slack.headers["Idempotency-Key"] == keys["slack"]
    assert len(receiver.requests) == 2  # once each


def test_targets_and_calc_run_in_the_service_that_holds_the_store(tmp_path: Path) -> None:
    destinations = "destinations:\n  - {type: slack, url: 'http://127.0.0.1:9/slack'}\n"
    targets = "targets:\n  - {name: far, metric: pql_to_paid, value: 0.9, by: 2026-06-30}\n"
    root = write_project(tmp_path, targets, destinations)
    direct = [
        pql("targets", "--as-of", "2026-01-15", "-f", "json", cwd=root).stdout,
        pql("calc", "--from-store", "--as-of", "2026-01-15", "-f", "json", cwd=root).stdout,
    ]
    server = LiveServer(root).start()
    try:
        served = [
            run_pql("targets", "--as-of", "2026-01-15", "-f", "json", cwd=root),
            run_pql("calc", "--from-store", "--as-of", "2026-01-15", "-f", "json", cwd=root),
        ]
        assert [r.stdout for r in served] == direct, [r.stderr for r in served]
        # Without --as-of it would record statuses: inside the service it only reads.
        assert run_pql("targets", cwd=root).returncode == 0
        refused = run_pql("targets", "--alert", cwd=root)
        assert refused.returncode == 1 and "--alert writes to the store" in refused.stderr
    finally:
        server.stop()


def test_the_service_checks_its_targets_and_alerts_without_pql_targets(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pql targets` cannot record statuses while the service holds the store: the service
    checks them itself every `live.targets_every_seconds`."""
    monkeypatch.setenv("PQL_WEBHOOK_SECRET", WEBHOOK_SECRET)
    destinations = (
        "live: {targets_every_seconds: 1}\n"
        "destinations:\n"
        f"  - {{type: webhook, url: '{receiver.url}/hook', secret: '${{PQL_WEBHOOK_SECRET}}'}}\n"
    )
    # The service checks as of now (the data is from 2025), so the target is dated from today:
    # PQL-to-paid climbs in the data, so bringing it down to 1% is off track at any date.
    by = (date.today() + timedelta(days=150)).isoformat()
    targets = (
        "targets:\n"
        f"  - {{name: far, metric: pql_to_paid, value: 0.01, direction: down, by: {by}}}\n"
    )
    root = write_project(tmp_path, targets, destinations)
    server = LiveServer(root).start()
    try:
        wait_for(lambda: len(receiver.requests) >= 1)
        health = server.api("/healthz")
        assert health["targets"]["statuses"] == {"far": "off_track"}
        assert health["targets"]["error"] is None
        time.sleep(2.5)  # two more checks: still off track, nothing new
        later = server.api("/healthz")["targets"]
        assert later["alerts_queued"] == 0 and later["checked_at"] > health["targets"]["checked_at"]
    finally:
        server.stop()
    (hook,) = receiver.requests
    assert hook.json()["type"] == "pql.target_off_track" and hook.json()["status"] == "off_track"
    assert verify(WEBHOOK_SECRET, hook.headers[SIGNATURE_HEADER], hook.body)
