"""Model scores in the live service: a demo store (5,000 accounts, seed 7) with a model trained
as of 2026-11-01 behind a real `pql serve`. An account that qualifies is alerted with the
model's score and reasons, and they equal what batch scoring (`pql model score --model V
--as-of <detected_at>`) gives for it at the instant of the pass; retraining through the API
while serving puts the new version in service for the next alert.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pqlengine.config import load_project
from pqlengine.demo import write_demo
from pqlengine.model.score import model_scores, score_leads
from pqlengine.model.train import train
from pqlengine.store import Store
from tests.live.harness import API_TOKEN, LiveServer, Receiver, wait_for, write_project

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback

TRAINED_AS_OF = datetime(2026, 11, 1)
DEMO_ACCOUNTS = 5_000
TRAINING_SECONDS = 600.0  # in the service, on a shared machine


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> dict[str, Any]:
    """Train, serve, qualify one account, retrain in the service, qualify another, stop, then
    score both entities in batch at their alert instants; every observation, by name."""
    directory = tmp_path_factory.mktemp("model_live")
    write_demo(directory, DEMO_ACCOUNTS, 7)
    write_project(directory, receiver.url, store=".pql/taskly.duckdb")
    project = load_project(directory)
    store = Store.for_project(project)
    try:
        first_version = train(store, project, TRAINED_AS_OF, window_days=14)["version"]
    finally:
        store.close()
    seen: dict[str, Any] = {"first_version": first_version}
    server = LiveServer(directory).start()
    try:
        seen["model_at_start"] = server.api("/api/model")
        seen["first"] = _alert(server, receiver, "scoredacct")
        seen["leads"] = server.api("/api/leads", q="scoredacct")["items"]
        seen["detail"] = server.api("/api/leads/scoredacct")
        seen["transitions"] = server.api("/api/transitions", entity_id="scoredacct")["items"]
        started = _post(server, "/api/model/train", window_days=14)
        seen["train_started"] = (started.status_code, started.json())
        again = _post(server, "/api/model/train")
        seen["train_again"] = (again.status_code, again.json())
        seen["model_after_training"] = wait_for(
            lambda: _trained(server.api("/api/model")), timeout=TRAINING_SECONDS, every=0.5
        )
        seen["second"] = _alert(server, receiver, "rescoredacct")
    finally:
        server.stop()
    store = Store.for_project(project)
    try:
        at_first = _instant(seen["first"])
        batch = score_leads(store, project, at_first, version=first_version)["leads"]
        seen["batch_first"] = next(r for r in batch if r["entity_id"] == "scoredacct")
        seen["batch_second"] = model_scores(store, ["rescoredacct"], _instant(seen["second"]))
    finally:
        store.close()
    return seen


def _alert(server: LiveServer, receiver: Receiver, account: str) -> dict[str, Any]:
    """Make `account` qualify (a member invited, two documents); its entered webhook."""
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    user = f"{account}-user"
    batch = [
        {"type": "group", "userId": user, "groupId": account, "messageId": f"{account}-g",
         "traits": {"name": account.title(), "domain": f"{account}.com", "employees": 25,
                    "plan": "trial", "createdAt": created}},
        *[{"type": "track", "userId": user, "event": name, "messageId": f"{account}-{i}",
           "context": {"groupId": account}}
          for i, name in enumerate(["Invited Member", "Created Document", "Connected Integration",
                                    "Created Document"])],
    ]  # fmt: skip
    assert server.post("/v1/batch", {"batch": batch}).status_code == 200
    document: dict[str, Any] = wait_for(
        lambda: next(
            (
                r.json()
                for r in receiver.at("/hook")
                if r.json()["entity_id"] == account and r.json()["type"] == "pql.entered"
            ),
            None,
        ),
        timeout=60,
    )
    return document


def _post(server: LiveServer, path: str, **params: Any) -> httpx.Response:
    return httpx.post(
        f"{server.url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    )


def _trained(status: dict[str, Any]) -> dict[str, Any] | None:
    training = status["training"]
    if training["status"] == "failed":
        raise AssertionError(f"training in the service failed: {training['error']}")
    done = training["status"] == "done"
    return status if done and status["score_source"] == f"model:{training['version']}" else None


def _instant(document: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(document["detected_at"].removesuffix("Z"))


def test_the_alert_carries_the_model_score_batch_scoring_gives_at_its_instant(
    run: dict[str, Any],
) -> None:
    document, batch = run["first"], run["batch_first"]
    assert document["score_source"] == f"model:{run['first_version']}"
    # Both are 100 x the calibrated probability rounded to 0.1, from the same features: the
    # live pass reads the touched entity's events copied for the pass, batch reads the store.
    assert document["score"] == pytest.approx(batch["score"], abs=1e-9)
    assert document["reasons"] == batch["reasons"]
    assert 1 <= len(document["reasons"]) <= 3
    for reason in document["reasons"]:
        assert {"feature", "value", "typical", "points", "text"} <= set(reason)
        assert reason["text"].endswith(f"({reason['points']:+.1f})")
    assert not batch["window_complete"]  # signed up a day ago: scored on the days so far


def test_leads_detail_and_transitions_show_the_model_score(run: dict[str, Any]) -> None:
    document = run["first"]
    expected = (document["score"], document["score_source"], document["reasons"])
    (lead,) = run["leads"]
    assert (lead["score"], lead["score_source"], lead["reasons"]) == expected
    detail = run["detail"]
    assert (detail["score"], detail["score_source"], detail["reasons"]) == expected
    assert detail["scored_at"] is not None
    entered = run["transitions"][0]
    assert entered["kind"] == "entered"
    assert (entered["score"], entered["score_source"], entered["reasons"]) == expected


def test_the_model_in_service_is_reported(run: dict[str, Any]) -> None:
    status = run["model_at_start"]
    assert status["score_source"] == f"model:{run['first_version']}"
    assert status["model"]["version"] == run["first_version"]
    assert status["model"]["trained_as_of"] == "2026-11-01T00:00:00Z"
    assert status["model"]["calibration"] in ("sigmoid", "isotonic")
    assert status["note"] is None and status["training"] is None


def test_retraining_while_serving_puts_the_new_model_in_service(run: dict[str, Any]) -> None:
    code, started = run["train_started"]
    assert code == 202 and started["status"] == "running" and started["window_days"] == 14
    code, refused = run["train_again"]
    assert code == 409 and refused["error"]["code"] == "training_running"
    status = run["model_after_training"]
    new_version = status["training"]["version"]
    assert new_version != run["first_version"]
    assert status["model"]["version"] == new_version
    document = run["second"]
    assert document["score_source"] == f"model:{new_version}"
    (score, reasons) = run["batch_second"]["rescoredacct"]  # the newest model: the new one
    assert document["score"] == pytest.approx(score, abs=1e-9)
    assert document["reasons"] == reasons
