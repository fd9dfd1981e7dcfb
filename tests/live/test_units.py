"""Pure pieces of the live service: Segment parsing, signatures, payloads, backoff, config."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqlengine.config import ConfigError, Live, load_project
from pqlengine.destinations.outbox import SecretError, backoff_seconds, targets
from pqlengine.destinations.payloads import (
    hubspot_request,
    salesforce_request,
    slack_message,
    transition_document,
)
from pqlengine.destinations.signing import sign, verify
from pqlengine.ingest.segment import parse_batch, parse_message
from pqlengine.live.tables import LIVE_TABLES, ensure_live_tables
from pqlengine.store import Store

RECEIVED = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
NAIVE = RECEIVED.replace(tzinfo=None)


def test_explicit_timestamp_wins_and_is_converted_to_utc() -> None:
    message = parse_message(
        {"type": "track", "userId": "u", "event": "E", "timestamp": "2026-11-24T13:30:00+02:00",
         "originalTimestamp": "2026-11-20T00:00:00Z", "sentAt": "2026-11-20T00:00:10Z"},
        RECEIVED,
    )  # fmt: skip
    assert message.timestamp == datetime(2026, 11, 24, 11, 30)


def test_skew_correction_is_received_minus_sent_minus_original() -> None:
    # Device clock 2 h fast: it stamped the event 30 s before sending.
    message = parse_message(
        {"type": "track", "userId": "u", "event": "E",
         "originalTimestamp": "2026-11-24T13:59:30Z", "sentAt": "2026-11-24T14:00:00Z"},
        RECEIVED,
    )  # fmt: skip
    assert message.timestamp == NAIVE - timedelta(seconds=30)


def test_batch_sent_at_applies_and_missing_times_mean_received_at() -> None:
    good, problems = parse_batch(
        [
            {"type": "track", "userId": "u", "event": "E",
             "originalTimestamp": "2026-11-24T09:00:00Z"},
            {"type": "track", "userId": "u", "event": "E"},
        ],
        RECEIVED,
        sent_at="2026-11-24T09:00:05Z",
    )  # fmt: skip
    assert not problems
    assert [m.timestamp for m in good] == [NAIVE - timedelta(seconds=5), NAIVE]


def test_epoch_numbers_by_magnitude() -> None:
    seconds = 1_795_000_000
    for value in (seconds, seconds * 1000, seconds * 1_000_000):
        message = parse_message(
            {"type": "track", "userId": "u", "event": "E", "timestamp": value}, RECEIVED
        )
        assert message.timestamp == datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def test_group_maps_traits_to_account_columns_and_links_the_user() -> None:
    message = parse_message(
        {"type": "group", "userId": "u1", "groupId": "g1", "messageId": "m",
         "traits": {"name": "Acme", "website": "https://www.Acme.com/about", "employees": "42",
                    "plan": "team", "createdAt": "2026-01-02T03:04:05Z", "industry": "saas"}},
        RECEIVED,
    )  # fmt: skip
    (table, account), (user_table, user) = message.rows
    assert (table, user_table) == ("accounts", "users")
    assert account == {
        "account_id": "g1", "name": "Acme", "domain": "acme.com", "employees": 42,
        "plan": "team", "created_at": datetime(2026, 1, 2, 3, 4, 5), "traits": {"industry": "saas"},
    }  # fmt: skip
    assert user == {"user_id": "u1", "account_id": "g1", "traits": {}}


def test_identify_reads_email_created_at_and_company() -> None:
    message = parse_message(
        {"type": "identify", "userId": "u1", "traits": {"email": "a@b.io", "company": {"id": 7},
         "createdAt": "2026-01-01T00:00:00Z", "role": "admin"}},
        RECEIVED,
    )  # fmt: skip
    (_, user), = message.rows  # fmt: skip
    assert user["email"] == "a@b.io"
    assert user["account_id"] == "7"
    assert user["signed_up_at"] == datetime(2026, 1, 1)
    assert user["traits"] == {"company": {"id": 7}, "role": "admin"}


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "track", "event": "E"}, "userId"),
        ({"type": "track", "userId": "u"}, "event"),
        ({"type": "track", "userId": "u", "event": "E", "properties": [1]}, "properties"),
        ({"type": "track", "userId": True, "event": "E"}, "userId"),
        ({"type": "group", "userId": "u"}, "groupId"),
        ({"type": "group", "groupId": "g", "traits": {"employees": "many"}}, "traits.employees"),
        ({"type": "alias", "userId": "u"}, "previousId"),
        ({"type": "track", "userId": "u", "event": "E", "timestamp": "2026-13-01"}, "timestamp"),
        ({"type": "track", "userId": "u", "event": "E", "sentAt": "x",
          "originalTimestamp": "2026-01-01"}, "sentAt"),
        ({"userId": "u", "event": "E"}, "type"),
    ],
)  # fmt: skip
def test_invalid_messages_name_their_field(message: dict[str, object], field: str) -> None:
    good, problems = parse_batch([message], RECEIVED)
    assert not good
    assert [(p.index, p.field) for p in problems] == [(0, field)]


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    header = sign("s3cret", body, timestamp=1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    fresh = sign("s3cret", body)
    assert verify("s3cret", fresh, body)
    assert not verify("s3cret", fresh, body + b" ")
    assert not verify("other", fresh, body)
    assert not verify("s3cret", header, body)  # older than the 5-minute tolerance
    assert not verify("s3cret", "garbage", body)


def test_backoff_doubles_with_jitter_and_caps() -> None:
    live = Live(retry_base_seconds=1, retry_max_seconds=10)
    rng = random.Random(3)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)]:
        waits = [backoff_seconds(attempt, live, rng) for _ in range(200)]
        assert min(waits) >= ceiling / 2
        assert max(waits) <= ceiling
        assert max(waits) - min(waits) > ceiling / 4  # jittered, not fixed


REASONS = [
    {"feature": "Connected Integration", "value": "3x, last 1.0 d before window end",
     "typical": "0x", "points": 24.6, "text": "Connected Integration 3x (+24.6)"},
    {"feature": "plan", "value": "trial", "typical": "team", "points": -3.1,
     "text": "plan trial (-3.1)"},
]  # fmt: skip


def _transition(kind: str = "entered", model: bool = False) -> dict[str, object]:
    return {
        "transition_id": "t1", "entity_id": "acme", "kind": kind, "cause": "events",
        "status_to": "pql" if kind == "entered" else "converted_pql", "status_from": None,
        "definition_name": "activation", "definition_version": "abc123def456",
        "qualified_at": datetime(2026, 11, 24, 10, 0), "score": 41.3 if model else 66.7,
        "score_source": "model:0123456789ab" if model else "criteria_progress",
        "reasons": REASONS if model else [],
        "criteria_met": ["invited", "docs"], "trigger_event_id": "e9",
        "trigger_event": "Created Document", "trigger_ts": datetime(2026, 11, 24, 10, 0),
        "fit": {"name": "Acme", "domain": "acme.com", "employees": 12, "plan": None},
        "detected_at": datetime(2026, 11, 24, 10, 0, 1),
    }  # fmt: skip


def test_crm_and_slack_payloads() -> None:
    from pqlengine.config import HubSpotDestination, SalesforceDestination

    document = transition_document(_transition(), "acme", "account")
    assert document["qualified_at"] == "2026-11-24T10:00:00Z"
    hubspot = hubspot_request(HubSpotDestination(type="hubspot", base_url="https://h/"), document)
    assert hubspot.url == "https://h/crm/v3/objects/companies/acme.com?idProperty=domain"
    assert hubspot.body == (
        '{"properties":{"pql_qualified_at":"2026-11-24T10:00:00Z","pql_reasons":"",'
        '"pql_score":"66.7","pql_status":"pql"}}'
    )
    left = transition_document(_transition("left"), "acme", "account")
    salesforce = salesforce_request(
        SalesforceDestination(type="salesforce", base_url="https://sf"), left
    )
    assert salesforce.url == "https://sf/services/data/v61.0/sobjects/Account/PQL_Entity_Id__c/acme"
    assert salesforce.body == (
        '{"PQL_Qualified_At__c":null,"PQL_Reasons__c":"","PQL_Score__c":66.7,'
        '"PQL_Status__c":"converted_pql"}'
    )
    slack = slack_message(document)
    assert slack["text"] == "New PQL: Acme"
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "context"]
    assert "*Score:* 67/100 (criteria progress)" in _slack_fields(slack)
    assert "Created Document" in slack["blocks"][2]["elements"][0]["text"]


def _slack_fields(message: dict[str, Any]) -> list[str]:
    return [field["text"] for field in message["blocks"][1]["fields"]]


def test_documents_say_where_the_score_came_from_and_carry_reasons() -> None:
    plain = transition_document(_transition(), "acme", "account")
    assert (plain["score"], plain["score_source"], plain["reasons"]) == (
        66.7, "criteria_progress", []
    )  # fmt: skip
    document = transition_document(_transition(model=True), "acme", "account")
    assert document["score"] == 41.3
    assert document["score_source"] == "model:0123456789ab"
    assert document["reasons"] == REASONS
    assert json.loads(json.dumps(document, default=str))["reasons"] == REASONS  # JSON-friendly


def test_model_scores_reach_slack_and_the_crms() -> None:
    from pqlengine.config import HubSpotDestination, SalesforceDestination

    document = transition_document(_transition(model=True), "acme", "account")
    slack = slack_message(document)
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "section", "context"]
    assert "*Score:* 41/100 (model 0123456789ab)" in _slack_fields(slack)
    assert slack["blocks"][2]["text"]["text"] == (
        "*Why:*\n• Connected Integration 3x (+24.6)\n• plan trial (-3.1)"
    )
    hubspot = hubspot_request(HubSpotDestination(type="hubspot"), document)
    assert json.loads(hubspot.body)["properties"] == {
        "pql_status": "pql", "pql_score": "41.3", "pql_qualified_at": "2026-11-24T10:00:00Z",
        "pql_reasons": "Connected Integration 3x (+24.6); plan trial (-3.1)",
    }  # fmt: skip
    default = salesforce_request(
        SalesforceDestination(type="salesforce", base_url="https://s"), document
    )
    assert json.loads(default.body) == {
        "PQL_Status__c": "pql", "PQL_Score__c": 41.3, "PQL_Qualified_At__c": "2026-11-24T10:00:00Z",
        "PQL_Reasons__c": "Connected Integration 3x (+24.6); plan trial (-3.1)",
    }  # fmt: skip
    # A `fields:` of one's own sends only what it maps: no reasons field it does not have.
    own = SalesforceDestination(
        type="salesforce", base_url="https://s", fields={"pql_score": "Score__c"}
    )
    assert json.loads(salesforce_request(own, document).body) == {"Score__c": 41.3}
    mapped = SalesforceDestination(
        type="salesforce", base_url="https://s", fields={"pql_reasons": "Why__c"}
    )
    assert json.loads(salesforce_request(mapped, document).body) == {
        "Why__c": "Connected Integration 3x (+24.6); plan trial (-3.1)"
    }


def test_stores_from_before_model_scores_gain_the_columns() -> None:
    store = Store.open(":memory:")
    try:
        # The tables as first shipped: the score columns are ALTERed in.
        old = {name: LIVE_TABLES[name] for name in ("pql_state", "pql_transitions")}
        for name, columns in old.items():
            store.raw.execute(f"CREATE TABLE {name} ({columns})")
        store.raw.execute(
            "INSERT INTO pql_state VALUES ('a', 'v', 'pql', NULL, NULL, 50.0, '[]', NULL)"
        )
        ensure_live_tables(store)
        ensure_live_tables(store)  # idempotent
        row = store.raw.execute("SELECT score, score_source, reasons FROM pql_state").fetchone()
        columns = [c[0] for c in store.raw.execute("DESCRIBE pql_transitions").fetchall()]
    finally:
        store.close()
    assert row == (50.0, "criteria_progress", "[]")
    assert columns[-4:] == ["score_source", "reasons", "pql_since", "lapsed_at"]


def test_destination_config_errors_have_lines_and_secrets_come_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pql.yaml").write_text(
        "project: a\n"
        "definition:\n  name: d\n  criteria: [{id: a, event: A}]\n  qualify: all\n"
        "destinations:\n"
        "  - {type: webhook, url: 'http://x', secret: '${PQL_TEST_SECRET}'}\n"
        "  - {type: webhok, url: 'http://y'}\n"
        "  - type: slack\n    uurl: 'http://z'\n"
        "live:\n  cooldown_hour: 2\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    text = str(caught.value)
    assert "destinations[1]: Input tag 'webhok'" in text and "line 8" in text
    assert (
        "destinations[2].uurl: unknown key 'uurl'; did you mean 'url'?, in pql.yaml, line 10"
        in text
    )
    assert "live.cooldown_hour: unknown key 'cooldown_hour'; did you mean 'cooldown_hours'?" in text

    (tmp_path / "pql.yaml").write_text(
        "project: a\n"
        "definition:\n  name: d\n  criteria: [{id: a, event: A}]\n  qualify: all\n"
        "destinations:\n  - {type: webhook, url: 'http://x', secret: '${PQL_TEST_SECRET}'}\n"
    )
    project = load_project(tmp_path)
    monkeypatch.delenv("PQL_TEST_SECRET", raising=False)
    with pytest.raises(
        SecretError, match=r"destinations\[0\].secret: environment variable PQL_TEST_SECRET"
    ):
        targets(project)
    monkeypatch.setenv("PQL_TEST_SECRET", "abc")
    assert targets(project)[0].secret == "abc"


def test_the_service_leaves_a_core_to_its_python_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB in the service runs one thread fewer than the cores (at least one), unless
    PQL_THREADS or store.threads chose a count."""
    from pqlengine.config import StoreConfig
    from pqlengine.live.service import service_threads

    monkeypatch.delenv("PQL_THREADS", raising=False)

    def threads(cores: int, config: StoreConfig | None = None) -> int:
        monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cores)), raising=False)
        store = Store.open(tmp_path / "s.duckdb", config, default_threads=service_threads())
        try:
            return int(store.raw.execute("SELECT current_setting('threads')").fetchone()[0])
        finally:
            store.close()

    assert threads(4) == 3
    assert threads(1) == 1
    assert threads(4, StoreConfig(threads=4)) == 4
    monkeypatch.setenv("PQL_THREADS", "2")
    assert threads(8) == 2
