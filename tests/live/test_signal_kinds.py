"""The live service qualifies with every criterion kind and operator, and says the
progress per kind in words: on /api/leads/{id} and in the webhook body."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.live.harness import LiveServer, Receiver, wait_for, write_project

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback

DEFINITION = {
    "name": "signals",
    "criteria": [
        {"id": "storage", "kind": "sum", "event": "File Uploaded", "property": "bytes",
         "at_least": 1_000_000_000},
        {"id": "devices", "kind": "distinct", "event": "Logged In", "property": "device_id",
         "at_least": 2},
        {"id": "team", "kind": "users", "at_least": 2},
        {"id": "flow", "kind": "sequence", "within_hours": 24,
         "steps": [{"event": "Created Project"}, {"event": "Invited Member"}]},
        {"id": "limit", "event": "Usage Reported", "where": {"usage_pct": {"gte": 80}}},
        {"id": "logins", "event": "Logged In", "points": 1, "max_points": 2},
    ],
    "qualify": {"score": 7},
    "fit": {"where": {"employees": {"gte": 10}, "plan": {"ne": "enterprise"}}},
}  # fmt: skip


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[LiveServer]:
    project = write_project(
        tmp_path_factory.mktemp("kinds"),
        None,
        definition=DEFINITION,
        destinations=[{"type": "webhook", "url": f"{receiver.url}/hook"}],
    )
    running = LiveServer(project).start()
    yield running
    running.stop()


def _track(account: str, user: str, index: int, event: str, **props: Any) -> dict[str, Any]:
    # One minute apart (a sequence needs strictly later steps), an hour ago.
    when = datetime.now(UTC) - timedelta(hours=1) + timedelta(minutes=index)
    return {"type": "track", "userId": f"{account}-{user}", "event": event,
            "messageId": f"{account}-{index}", "context": {"groupId": account},
            "properties": props, "timestamp": when.isoformat()}  # fmt: skip


def _send(server: LiveServer, account: str, employees: int, events: list[tuple[Any, ...]]) -> None:
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    batch = [
        {"type": "group", "userId": f"{account}-u1", "groupId": account,
         "messageId": f"{account}-g", "traits": {"name": account, "domain": f"{account}.io",
         "employees": employees, "plan": "team", "createdAt": created}},
        *[_track(account, user, i, event, **props)
          for i, (user, event, props) in enumerate(events)],
    ]  # fmt: skip
    assert server.post("/v1/batch", {"batch": batch}).status_code == 200


EVENTS = [
    ("u1", "File Uploaded", {"bytes": 600_000_000}),
    ("u1", "File Uploaded", {"bytes": "400000000"}),  # a numeric string counts
    ("u1", "Logged In", {"device_id": "mac"}),
    ("u2", "Logged In", {"device_id": "ipad"}),
    ("u1", "Created Project", {}),
    ("u2", "Invited Member", {}),
    ("u2", "Usage Reported", {"usage_pct": "85"}),
]


def test_every_kind_qualifies_live_with_progress_in_words(
    server: LiveServer, receiver: Receiver
) -> None:
    _send(server, "kinds", 25, EVENTS)
    # storage, devices, team, flow, limit = 5 + logins 2 (capped) = 7: qualified.
    detail = wait_for(
        lambda: (found := server.api("/api/leads/kinds"))["status"] == "pql" and found
    )
    words = {c["id"]: c["progress"] for c in detail["criteria"]}
    assert words["storage"] == "1 GB of 1 GB"
    assert words["devices"] == "2 of 2 device_id"
    assert words["team"] == "2 of 2 users"
    assert words["flow"] == "workflow done in 1 min"  # Created Project, a minute later Invited
    assert words["limit"] == "1 of 1 Usage Reported"
    assert words["logins"] == "2 Logged In: 2 of at most 2 points"
    assert {c["kind"] for c in detail["criteria"]} == {
        "sum",
        "distinct",
        "users",
        "sequence",
        "count",
    }

    hook = wait_for(
        lambda: [r.json() for r in receiver.at("/hook") if r.json()["entity_id"] == "kinds"]
    )
    progress = [p["text"] for p in hook[-1]["progress"]]
    assert progress[0] == "storage: 1 GB of 1 GB"
    assert "devices: 2 of 2 device_id" in progress


def test_a_failing_operator_fit_keeps_it_out(server: LiveServer) -> None:
    _send(server, "tiny", 3, EVENTS)  # employees 3: fails {gte: 10}
    detail = wait_for(
        lambda: (found := server.api("/api/leads/tiny"))["status"] == "failed_fit" and found
    )
    assert detail["fit_failed"] == ["employees < 10"]
