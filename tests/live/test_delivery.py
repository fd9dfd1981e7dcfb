"""The outbox: retries through receiver failures, dead letters, CRM and Slack payloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pqlengine.destinations.signing import SIGNATURE_HEADER, verify
from tests.live.harness import (
    WEBHOOK_SECRET,
    LiveServer,
    Receiver,
    wait_for,
    write_project,
)

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback


@pytest.fixture(scope="module")
def flaky() -> Iterator[Receiver]:
    found = Receiver().start()
    found.failures_left = 3
    yield found
    found.stop()


@pytest.fixture(scope="module")
def broken() -> Iterator[Receiver]:
    found = Receiver(always_fail=True).start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, flaky: Receiver, broken: Receiver
) -> Iterator[LiveServer]:
    destinations: list[dict[str, Any]] = [
        {"type": "webhook", "name": "crm-bridge", "url": f"{flaky.url}/hook",
         "secret": "${PQL_WEBHOOK_SECRET}", "max_attempts": 6},
        {"type": "slack", "url": f"{flaky.url}/slack"},
        {"type": "hubspot", "base_url": f"{flaky.url}/hubspot", "token": "hs-token"},
        {"type": "salesforce", "base_url": f"{flaky.url}/sf", "token": "sf-token",
         "object": "Account", "external_id_field": "Pql_Id__c"},
        {"type": "webhook", "name": "dead-end", "url": f"{broken.url}/hook", "max_attempts": 3},
    ]  # fmt: skip
    project = write_project(tmp_path_factory.mktemp("delivery"), None, destinations=destinations)
    running = LiveServer(project).start()
    yield running
    running.stop()


def _qualify(server: LiveServer, account: str, domain: str = "acme.com") -> None:
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    user = f"{account}-user"
    batch = [
        {"type": "group", "userId": user, "groupId": account, "messageId": f"{account}-g",
         "traits": {"name": account.title(), "domain": domain, "employees": 12, "plan": "trial",
                    "createdAt": created}},
        *[{"type": "track", "userId": user, "event": name, "messageId": f"{account}-{i}",
           "context": {"groupId": account}}
          for i, name in enumerate(["Invited Member", "Created Document", "Created Document"])],
    ]  # fmt: skip
    assert server.post("/v1/batch", {"batch": batch}).status_code == 200


def test_at_least_once_through_receiver_failures(server: LiveServer, flaky: Receiver) -> None:
    _qualify(server, "flaky")
    hooks = wait_for(
        lambda: (
            [r for r in flaky.at("/hook") if r.json()["entity_id"] == "flaky"]
            if sum(1 for r in flaky.requests if r.path == "/hook") >= 1
            and server.api("/api/outbox", destination="crm-bridge", status="delivered")["items"]
            else None
        )
    )
    keys = {r.headers["Idempotency-Key"] for r in hooks}
    assert len(keys) == 1, "retries of one delivery share its idempotency key"
    for request in hooks:
        assert verify(WEBHOOK_SECRET, request.headers[SIGNATURE_HEADER], request.body)
    delivered = server.api("/api/outbox", destination="crm-bridge", status="delivered")["items"]
    assert delivered[0]["attempts"] == len(hooks)
    assert delivered[0]["delivery_id"] == keys.pop()
    # No model in the store: the score is criteria progress (both criteria met) and says so.
    document = hooks[-1].json()
    assert (document["score"], document["score_source"], document["reasons"]) == (
        100.0, "criteria_progress", []
    )  # fmt: skip


def test_without_a_model_leads_and_status_say_criteria_progress(server: LiveServer) -> None:
    _qualify(server, "plainacct", "plain.io")
    wait_for(lambda: server.api("/api/leads", q="plainacct")["items"])
    (lead,) = server.api("/api/leads", q="plainacct")["items"]
    assert (lead["score"], lead["score_source"], lead["reasons"]) == (
        100.0,
        "criteria_progress",
        [],
    )
    detail = server.api("/api/leads/plainacct")
    assert (detail["score_source"], detail["reasons"]) == ("criteria_progress", [])
    status = server.api("/api/model")
    assert status["score_source"] == "criteria_progress" and status["model"] is None
    assert "no model" in status["note"]


def test_dead_letter_after_max_attempts_is_visible(server: LiveServer, broken: Receiver) -> None:
    _qualify(server, "deadacct", "dead.io")
    dead = wait_for(
        lambda: [
            row
            for row in server.api("/api/outbox", destination="dead-end", status="dead")["items"]
            if row["entity_id"] == "deadacct"
        ]
    )
    assert dead[0]["attempts"] == 3
    assert dead[0]["last_status_code"] == 500
    assert "HTTP 500" in dead[0]["last_error"]
    assert len([r for r in broken.requests if r.json()["entity_id"] == "deadacct"]) == 3


def test_slack_hubspot_and_salesforce_payloads(server: LiveServer, flaky: Receiver) -> None:
    _qualify(server, "crmacct", "crm-acct.com")

    def delivered_all() -> bool:
        done = server.api("/api/outbox", status="delivered", limit=1000)["items"]
        kinds = {d["destination_type"] for d in done if d["entity_id"] == "crmacct"}
        return kinds >= {"webhook", "slack", "hubspot", "salesforce"}

    wait_for(delivered_all)
    slack = [r.json() for r in flaky.at("/slack") if "Crmacct" in r.json()["text"]][-1]
    assert slack["text"] == "New PQL: Crmacct"
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "section", "context"]
    field_text = " ".join(f["text"] for f in slack["blocks"][1]["fields"])
    assert "invited, docs" in field_text and "crm-acct.com" in field_text
    progress = slack["blocks"][2]["text"]["text"]
    assert progress == (
        "*Progress:*\n• invited: 1 of 1 Invited Member\n• docs: 2 of 2 Created Document"
    )

    hubspot = [r for r in flaky.at("/hubspot") if "crm-acct.com" in r.path][-1]
    assert hubspot.method == "PATCH"
    assert hubspot.path == "/hubspot/crm/v3/objects/companies/crm-acct.com?idProperty=domain"
    assert hubspot.headers["Authorization"] == "Bearer hs-token"
    properties = hubspot.json()["properties"]
    assert properties["pql_status"] == "pql"
    assert properties["pql_score"] == "100.0"
    assert properties["pql_qualified_at"].endswith("Z")
    # Criteria progress has no model reasons: the progress in words stands in.
    assert (
        properties["pql_reasons"] == "invited: 1 of 1 Invited Member; docs: 2 of 2 Created Document"
    )

    salesforce = [r for r in flaky.at("/sf") if r.path.endswith("/crmacct")][-1]
    assert salesforce.method == "PATCH"
    assert salesforce.path == "/sf/services/data/v61.0/sobjects/Account/Pql_Id__c/crmacct"
    body = salesforce.json()
    assert body["PQL_Status__c"] == "pql"
    assert body["PQL_Score__c"] == 100.0
    assert body["PQL_Qualified_At__c"].endswith("Z")


def test_cooldown_skips_a_second_entered_alert(server: LiveServer) -> None:
    _qualify(server, "cool", "cool.io")
    wait_for(lambda: server.api("/api/transitions", entity_id="cool")["items"])
    # Leave (fit fails: employees drop to 2), then come back (employees 20): no new alert.
    for index, employees in enumerate((2, 20)):
        message = {
            "type": "group",
            "userId": "cool-user",
            "groupId": "cool",
            "messageId": f"cool-fit-{index}",
            "traits": {"employees": employees},
        }
        assert server.post("/v1/batch", {"batch": [message]}).status_code == 200
        server.settled()
    kinds = [t["kind"] for t in server.api("/api/transitions", entity_id="cool")["items"]]
    assert kinds == ["entered", "left", "entered"]
    webhook = [
        row
        for row in server.api("/api/outbox", destination="crm-bridge", limit=1000)["items"]
        if row["entity_id"] == "cool" and row["kind"] == "entered"
    ]
    assert sorted(row["status"] for row in webhook) == ["delivered", "skipped"] or sorted(
        row["status"] for row in webhook
    ) == ["pending", "skipped"]
    skipped = next(row for row in webhook if row["status"] == "skipped")
    assert skipped["reason"].startswith("cooldown")
