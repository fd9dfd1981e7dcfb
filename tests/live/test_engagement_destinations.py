"""Intercom and Drift destinations: request bodies in the vendors' documented shapes
(tests/fixtures/destinations/), and the outbox sending Intercom's tag only after its
attributes were delivered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pqlengine.config import (
    ConfigError,
    DriftDestination,
    IntercomDestination,
    Project,
)
from pqlengine.destinations.outbox import (
    Deliverer,
    delivery_id,
    plan_deliveries,
    requeue_dead,
    targets,
)
from pqlengine.destinations.payloads import (
    Request,
    build_requests,
    drift_request,
    intercom_requests,
    transition_document,
)
from pqlengine.store import Store
from tests.live.harness import wait_for
from tests.support.config import base_config

DOCUMENTED = Path(__file__).parents[1] / "fixtures" / "destinations"
QUALIFIED = datetime(2026, 11, 24, 10, 0, 0, 123456)
QUALIFIED_UNIX = int(datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp())


def _transition(kind: str = "entered", entity: str = "acme") -> dict[str, Any]:
    return {
        "transition_id": f"t-{kind}-{entity}", "entity_id": entity, "kind": kind,
        "cause": "events", "status_to": "pql" if kind == "entered" else "lapsed",
        "status_from": None, "definition_name": "activation",
        "definition_version": "abc123def456", "qualified_at": QUALIFIED, "score": 66.66,
        "score_source": "criteria_progress", "reasons": [], "criteria_met": ["invited"],
        "trigger_event_id": "e9", "trigger_event": "Created Document",
        "trigger_ts": QUALIFIED, "fit": {"name": "Acme", "domain": "acme.com"},
        "detected_at": QUALIFIED,
    }  # fmt: skip


def _document(kind: str = "entered", entity_type: str = "account") -> dict[str, Any]:
    return transition_document(_transition(kind), "acme", entity_type)


def _documented(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCUMENTED / name).read_text())
    return loaded


def _fits_documented(sent: Any, documented: Any, where: str = "body") -> None:
    """Every field we send is in the documented request, with the same JSON type (null
    stands for "clear this attribute" and fits any type)."""
    if sent is None:
        return
    if isinstance(documented, dict):
        assert isinstance(sent, dict), where
        for key, value in sent.items():
            assert key in documented, f"{where}.{key} is not in the documented request"
            _fits_documented(value, documented[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(sent, list) and sent, where
        for index, item in enumerate(sent):
            _fits_documented(item, documented[0], f"{where}[{index}]")
    elif isinstance(documented, bool) or isinstance(sent, bool):
        assert type(sent) is type(documented), where
    elif isinstance(documented, int | float):
        assert isinstance(sent, int | float), where
        if isinstance(documented, int):  # timestamps: whole numbers
            assert isinstance(sent, int), f"{where} must be a whole number"
    else:
        assert type(sent) is type(documented), where


def test_intercom_company_attributes_then_tag() -> None:
    destination = IntercomDestination(type="intercom")
    update, tag = intercom_requests(destination, _document())
    assert (update.method, update.url) == ("POST", "https://api.intercom.io/companies")
    assert json.loads(update.body) == {
        "company_id": "acme",
        "custom_attributes": {
            "pql_status": "pql", "pql_score": 66.7, "pql_qualified_at": QUALIFIED_UNIX,
        },
    }  # fmt: skip
    _fits_documented(json.loads(update.body), _documented("intercom_company.json"))
    assert (tag.method, tag.url) == ("POST", "https://api.intercom.io/tags")
    assert json.loads(tag.body) == {"name": "PQL", "companies": [{"company_id": "acme"}]}
    _fits_documented(json.loads(tag.body), _documented("intercom_tag_companies.json"))


def test_intercom_leaving_clears_the_date_and_untags() -> None:
    destination = IntercomDestination(type="intercom", tag="Product qualified")
    update, tag = intercom_requests(destination, _document("left"))
    attributes = json.loads(update.body)["custom_attributes"]
    assert attributes == {"pql_status": "lapsed", "pql_score": 66.7, "pql_qualified_at": None}
    assert json.loads(tag.body) == {
        "name": "Product qualified",
        "companies": [{"company_id": "acme", "untag": True}],
    }
    _fits_documented(json.loads(tag.body), _documented("intercom_tag_companies.json"))


def test_intercom_contact_for_user_entities_and_no_tag() -> None:
    document = _document(entity_type="user")
    update, tag = intercom_requests(IntercomDestination(type="intercom"), document)
    assert (update.method, update.url) == ("PUT", "https://api.intercom.io/contacts/acme")
    _fits_documented(json.loads(update.body), _documented("intercom_contact.json"))
    assert json.loads(tag.body) == {"name": "PQL", "users": [{"id": "acme"}]}
    _fits_documented(json.loads(tag.body), _documented("intercom_tag_users.json"))
    untagged = IntercomDestination(type="intercom", tag=None)
    assert [r.method for r in build_requests(untagged, document)] == ["PUT"]


def test_drift_contact_attributes_in_milliseconds() -> None:
    destination = DriftDestination(type="drift", base_url="https://drift.test/")
    request = drift_request(destination, _document(entity_type="user"))
    assert request == Request(
        "PATCH",
        "https://drift.test/contacts/acme",
        f'{{"attributes":{{"pql_qualified_at":{QUALIFIED_UNIX * 1000 + 123},'
        '"pql_score":66.7,"pql_status":"pql"}}',
    )
    _fits_documented(json.loads(request.body), _documented("drift_contact.json"))


def test_drift_needs_user_entities_and_tokens_come_from_the_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drift = {"type": "drift", "token": "${PQL_DRIFT_TOKEN}"}
    with pytest.raises(ConfigError, match="a drift destination updates Drift contacts"):
        Project.from_dict(base_config(destinations=[drift]))
    project = Project.from_dict(
        base_config(
            entity="user",
            signup={"source": "users"},
            destinations=[drift, {"type": "intercom", "token": "${PQL_INTERCOM_TOKEN}"}],
        )
    )
    monkeypatch.setenv("PQL_DRIFT_TOKEN", "d-secret")
    monkeypatch.setenv("PQL_INTERCOM_TOKEN", "i-secret")
    assert [(t.label, t.secret) for t in targets(project)] == [
        ("drift", "d-secret"),
        ("intercom", "i-secret"),
    ]


class _Intercom:
    """A stand-in Intercom API: records requests, fails the first `fail_companies` company
    updates with 500."""

    def __init__(self, fail_companies: int) -> None:
        self.fail_companies = fail_companies
        self.seen: list[tuple[str, str, int]] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        status = 200
        if request.url.path == "/companies" and self.fail_companies > 0:
            self.fail_companies -= 1
            status = 500
        self.seen.append((request.method, request.url.path, status))
        self.headers.append(request.headers)
        return httpx.Response(status, json={"type": "company" if status == 200 else "error"})


def _deliverer(store: Store, api: _Intercom, max_attempts: int) -> tuple[Deliverer, list[str]]:
    """A deliverer over the Intercom rows of one entered transition, its HTTP client faked."""
    intercom = {"type": "intercom", "token": "tok", "base_url": "https://intercom.test",
                "max_attempts": max_attempts}  # fmt: skip
    project = Project.from_dict(
        base_config(destinations=[intercom], live={"retry_base_seconds": 0.05})
    )
    (target,) = targets(project)
    now = datetime.now(UTC).replace(tzinfo=None)
    transition = {**_transition(), "qualified_at": now, "pql_since": now}
    document = transition_document(transition, "acme", "account")
    rows = plan_deliveries(store.raw, target, transition, document, project.live, now)
    columns = list(rows[0])
    store.raw.executemany(
        f"INSERT INTO outbox ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[row[c] for c in columns] for row in rows],
    )
    deliverer = Deliverer(store, project, [target], workers=2)
    deliverer._client = httpx.Client(transport=httpx.MockTransport(api))
    return deliverer, [row["delivery_id"] for row in rows]


def _statuses(store: Store, ids: list[str]) -> list[str]:
    found = dict(store.raw.execute("SELECT delivery_id, status FROM outbox").fetchall())
    return [found[i] for i in ids]


def test_the_tag_waits_for_the_attributes_through_retries(store: Store) -> None:
    api = _Intercom(fail_companies=2)
    deliverer, ids = _deliverer(store, api, max_attempts=5)
    assert ids[0] == delivery_id("t-entered-acme", "intercom")  # the first keeps its id
    after = store.raw.execute(
        "SELECT after_delivery_id FROM outbox WHERE delivery_id = ?", [ids[1]]
    ).fetchone()
    assert after == (ids[0],)
    deliverer.start()
    try:
        wait_for(lambda: _statuses(store, ids) == ["delivered", "delivered"], timeout=20)
    finally:
        deliverer.stop()
    assert api.seen == [
        ("POST", "/companies", 500),
        ("POST", "/companies", 500),
        ("POST", "/companies", 200),
        ("POST", "/tags", 200),
    ]
    assert all(h["Authorization"] == "Bearer tok" for h in api.headers)
    assert all(h["Intercom-Version"] == "2.11" for h in api.headers)


def test_a_dead_attribute_update_takes_its_tag_along_and_both_are_requeued(
    store: Store,
) -> None:
    api = _Intercom(fail_companies=1)
    deliverer, ids = _deliverer(store, api, max_attempts=1)
    deliverer.start()
    try:
        wait_for(lambda: _statuses(store, ids) == ["dead", "dead"], timeout=20)
    finally:
        deliverer.stop()
    assert api.seen == [("POST", "/companies", 500)]  # the tag was never sent
    error = store.raw.execute(
        "SELECT last_error FROM outbox WHERE delivery_id = ?", [ids[1]]
    ).fetchone()
    assert error == (f"not sent: the request before it ({ids[0]}) is dead",)
    now = datetime.now(UTC).replace(tzinfo=None)
    requeued = requeue_dead(store.raw, now, delivery=ids[0])
    assert requeued.delivery_ids == tuple(sorted(ids))
    assert _statuses(store, ids) == ["pending", "pending"]
