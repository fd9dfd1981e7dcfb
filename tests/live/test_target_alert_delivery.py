"""An off-track target's alert, queued by `pql targets`, is sent by `pql serve`'s outbox
like a PQL transition: signed webhook body, Slack message, Idempotency-Key."""

from __future__ import annotations

from collections.abc import Iterator
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
