"""The live service's lifecycle (docs/semantics.md "Live"): a lead that stops using the
product lapses at its instant with no new event (the clock moves, nobody sleeps), re-enters
as re-qualified after new events, each transition delivered once to a webhook.

Definition: recipe d (tests/fixtures/lifecycle/pql.yaml): active on >= 3 of the last 7
days, expiry after 4 days without an event, at least 5 employees. Instants by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.live.clocked import ClockedServer, ManualClock
from tests.live.harness import Receiver, wait_for, write_project

pytestmark = pytest.mark.e2e  # a real service (in this process) on loopback

RECIPE_D = Path(__file__).parents[1] / "fixtures" / "lifecycle" / "pql.yaml"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the clock at start (a Monday)
# First burst: one event on each of three UTC days; the third makes W = 3.
BURST_1 = [T0 - timedelta(days=2), T0 - timedelta(days=1), T0 - timedelta(hours=1)]
ENTERED_1 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
# Active until the last event + 4 days (the window, day 02-28, would hold until 03-07 12:00).
LAPSED_1 = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
# The first instant after T0 at which the state changes with no new data: the lapse.
NEXT_CHANGE_AT_T0 = LAPSED_1
T1 = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
BURST_2 = [datetime(2026, 3, 18, 10, tzinfo=UTC), datetime(2026, 3, 19, 10, tzinfo=UTC)]
ENTERED_2 = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)
LAPSED_2 = ENTERED_2 + timedelta(days=4)  # day 03-18 stays in the window until 03-25 10:00


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver, clock: ManualClock
) -> Iterator[ClockedServer]:
    recipe = yaml.safe_load(RECIPE_D.read_text())
    project = write_project(
        tmp_path_factory.mktemp("lifecycle"),
        None,
        definition=recipe["definition"],
        destinations=[{"type": "webhook", "url": f"{receiver.url}/hook"}],
    )
    running = ClockedServer(project, clock).start()
    yield running
    running.stop()


def _send(server: ClockedServer, account: str, moments: list[datetime], tag: str) -> None:
    batch: list[dict[str, Any]] = [
        {"type": "group", "userId": f"{account}-u", "groupId": account,
         "messageId": f"{account}-g", "traits": {"name": account.title(),
         "domain": f"{account}.io", "employees": 12, "createdAt": "2026-02-20T00:00:00Z"}},
        *[{"type": "track", "userId": f"{account}-u", "event": "Used App",
           "messageId": f"{account}-{tag}-{i}", "context": {"groupId": account},
           "timestamp": _z(moment)} for i, moment in enumerate(moments)],
    ]  # fmt: skip
    assert server.post("/v1/batch", {"batch": batch}).status_code == 200


def _transitions(server: ClockedServer, entity: str) -> list[dict[str, Any]]:
    items = server.api("/api/transitions", entity_id=entity, limit=100)["items"]
    return sorted(items, key=lambda t: t["detected_at"])


def _hooks(receiver: Receiver, entity: str) -> list[dict[str, Any]]:
    return [r.json() for r in receiver.at("/hook") if r.json()["entity_id"] == entity]


def _lead(server: ClockedServer, entity: str) -> dict[str, Any]:
    (lead,) = server.api("/api/leads", status="all", q=entity)["items"]
    return dict(lead)


def test_lapse_at_its_instant_then_requalify(
    server: ClockedServer, receiver: Receiver, clock: ManualClock
) -> None:
    _send(server, "fading", BURST_1, "a")
    (entered,) = wait_for(lambda: _transitions(server, "fading"))
    assert (entered["kind"], entered["cause"], entered["status_to"]) == ("entered", "events", "pql")
    assert entered["trigger_ts"] == _z(ENTERED_1) and entered["pql_since"] == _z(ENTERED_1)
    lead = _lead(server, "fading")
    assert lead["next_change_at"] == _z(NEXT_CHANGE_AT_T0)
    # The loop sleeps until the earliest next_change_at, at most its interval.
    evaluator = server.service.evaluator
    assert evaluator.seconds_to_next_change(1e9) == (NEXT_CHANGE_AT_T0 - T0).total_seconds()
    assert evaluator.seconds_to_next_change(0.05) == 0.05

    # Just before the lapse: the due entity is looked at (next_change_at moves on), still a PQL.
    clock.set(LAPSED_1 - timedelta(microseconds=1))
    wait_for(lambda: _lead(server, "fading")["next_change_at"] == _z(LAPSED_1))
    assert _lead(server, "fading")["status"] == "pql"
    assert len(_transitions(server, "fading")) == 1

    # The instant comes with no new event: left, cause lapsed, at the episode's end.
    clock.set(LAPSED_1 + timedelta(seconds=30))
    left = wait_for(lambda: _transitions(server, "fading")[1:])
    assert [(t["kind"], t["cause"], t["status_to"]) for t in left] == [("left", "lapsed", "lapsed")]
    assert left[0]["lapsed_at"] == _z(LAPSED_1)
    lapsed_leads = server.api("/api/leads", status="lapsed")["items"]
    assert [(x["entity_id"], x["lapsed_at"]) for x in lapsed_leads] == [("fading", _z(LAPSED_1))]
    assert server.api("/api/leads/fading")["status"] == "lapsed"
    hooks = wait_for(lambda: _hooks(receiver, "fading")[1:])
    assert [(h["kind"], h["cause"], h["status"], h["lapsed_at"]) for h in hooks] == [
        ("left", "lapsed", "lapsed", _z(LAPSED_1))
    ]

    # New events two weeks later: a second episode, re-qualified, alerted (not stale: its
    # own start is an hour old, the first qualification weeks).
    clock.set(T1)
    _send(server, "fading", [*BURST_2, ENTERED_2], "b")
    again = wait_for(lambda: _transitions(server, "fading")[2:])
    assert [(t["kind"], t["cause"], t["status_from"]) for t in again] == [
        ("entered", "requalified", "lapsed")
    ]
    assert again[0]["pql_since"] == _z(ENTERED_2) and again[0]["trigger_ts"] == _z(ENTERED_2)
    assert again[0]["qualified_at"] == _z(ENTERED_1)  # the first episode's start
    hook = wait_for(lambda: _hooks(receiver, "fading")[2:])
    assert [(h["kind"], h["cause"], h["pql_since"]) for h in hook] == [
        ("entered", "requalified", _z(ENTERED_2))
    ]

    # And it lapses again: another transition id than the first lapse.
    clock.set(LAPSED_2)
    second = wait_for(lambda: _transitions(server, "fading")[3:])
    assert [(t["kind"], t["cause"], t["lapsed_at"]) for t in second] == [
        ("left", "lapsed", _z(LAPSED_2))
    ]
    assert second[0]["transition_id"] != left[0]["transition_id"]
    wait_for(lambda: len(_hooks(receiver, "fading")) == 4)
    deliveries = server.api("/api/outbox", limit=100)["items"]
    mine = [d for d in deliveries if d["entity_id"] == "fading"]
    assert sorted(d["status"] for d in mine) == ["delivered"] * 4
    assert len({d["transition_id"] for d in mine}) == 4


def test_a_redone_lapse_pass_alerts_once_with_the_same_id(
    server: ClockedServer, receiver: Receiver, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = clock().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    clock.set(base)
    moments = [base - timedelta(days=2), base - timedelta(days=1), base - timedelta(minutes=5)]
    _send(server, "redo", moments, "a")
    wait_for(lambda: _transitions(server, "redo"))
    evaluator = server.service.evaluator
    write = evaluator._write
    failed: list[str] = []

    def dies_once(records: Any, transitions: list[dict[str, Any]], *rest: Any) -> None:
        if not failed and any(t["kind"] == "left" for t in transitions):
            failed.extend(t["transition_id"] for t in transitions)
            raise RuntimeError("the pass dies before its commit")
        write(records, transitions, *rest)

    monkeypatch.setattr(evaluator, "_write", dies_once)
    lapse = moments[-1] + timedelta(days=4)
    clock.set(lapse)
    left = wait_for(lambda: _transitions(server, "redo")[1:])
    assert failed, "the lapse pass did not run through the failing commit"
    assert [(t["kind"], t["cause"], t["lapsed_at"]) for t in left] == [
        ("left", "lapsed", _z(lapse))
    ]
    assert [t["transition_id"] for t in left] == failed
    wait_for(lambda: _hooks(receiver, "redo")[1:])
    clock.advance(timedelta(days=30))  # more passes later: nothing new to say
    wait_for(lambda: _lead(server, "redo")["next_change_at"] is None)
    assert len(_transitions(server, "redo")) == 2
    assert [h["kind"] for h in _hooks(receiver, "redo")] == ["entered", "left"]
