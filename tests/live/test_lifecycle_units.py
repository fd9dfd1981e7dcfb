"""Pure pieces of the live lifecycle: which transitions a change of episode makes and with
which cause, the payloads of a lapse and a re-qualification, the pql_state migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pqlengine.config import HubSpotDestination, SalesforceDestination
from pqlengine.destinations.payloads import (
    hubspot_request,
    salesforce_request,
    slack_message,
    transition_document,
)
from pqlengine.live.evaluator import _cause, _changes
from pqlengine.live.tables import LIVE_TABLES, ensure_live_tables
from pqlengine.store import Store


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def _record(status: str, episodes: list[list[datetime | None]], **more: Any) -> dict[str, Any]:
    open_since = episodes[-1][0] if episodes and episodes[-1][1] is None else None
    return {
        "status": status,
        "episodes": episodes,
        "pql_since": open_since if status == "pql" else None,
        "converted_at": None,
        **more,
    }


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def test_a_lapse_is_left_at_the_episode_end_with_cause_lapsed() -> None:
    # Fixture entity R (tests/fixtures/lifecycle/README.md): [01-07 10, 01-14 10), lapsed.
    record = _record("lapsed", [[_at(7), _at(14)]])
    changes = _changes("pql", _naive(_at(7)), record)
    assert changes == [("left", _at(14))]
    assert _cause("left", record, _at(14), "events") == "lapsed"


def test_the_first_episode_enters_by_events_a_later_one_requalifies() -> None:
    first = _record("pql", [[_at(7), None]])
    assert _changes(None, None, first) == [("entered", _at(7))]
    assert _cause("entered", first, _at(7), "events") == "events"
    # Fixture entity L: lapsed 01-11 10, open again from 01-29 10.
    later = _record("pql", [[_at(7), _at(11)], [_at(29), None]])
    assert _changes("lapsed", _naive(_at(7)), later) == [("entered", _at(29))]
    assert _cause("entered", later, _at(29), "events") == "requalified"
    # Never seen lapsed (it lapsed while nobody looked): still a re-qualification.
    assert _changes("not_qualified", None, later) == [("entered", _at(29))]
    assert _cause("entered", later, _at(29), "events") == "requalified"


def test_a_lapse_and_requalification_between_two_looks_are_both_reported() -> None:
    later = _record("pql", [[_at(7), _at(11)], [_at(29), None]])
    assert _changes("pql", _naive(_at(7)), later) == [("left", _at(11)), ("entered", _at(29))]
    assert _changes("pql", _naive(_at(29)), later) == []  # the same open episode
    # Recorded under the previous definition: its episodes are not these, no alert.
    assert _changes("pql", _naive(_at(7)), later, episodes_comparable=False) == []


def test_a_conversion_ends_an_episode_without_a_lapse() -> None:
    # Fixture entity C: [01-14 10, 01-16 12), converted 01-16 12.
    record = _record("converted_pql", [[_at(14), _at(16, 12)]], converted_at=_at(16, 12))
    assert _changes("pql", _naive(_at(14)), record) == [("left", _at(16, 12))]
    assert _cause("left", record, _at(16, 12), "events") == "converted"
    assert _cause("left", record, _at(16, 12), "definition_changed") == "converted"


def test_fit_lost_or_a_definition_change_keeps_the_pass_cause() -> None:
    failed = _record("failed_fit", [])
    assert _changes("pql", _naive(_at(7)), failed) == [("left", None)]
    assert _cause("left", failed, None, "events") == "events"
    lapsed = _record("lapsed", [[_at(7), _at(14)]])
    assert _cause("left", lapsed, _at(14), "definition_changed") == "definition_changed"


def _transition(kind: str, cause: str, status: str, **more: Any) -> dict[str, Any]:
    return {
        "transition_id": "t1", "entity_id": "acme", "kind": kind, "cause": cause,
        "status_to": status, "status_from": "pql" if kind == "left" else "lapsed",
        "definition_name": "recipe-d", "definition_version": "abc123def456",
        "qualified_at": datetime(2026, 1, 7, 10), "score": 50.0,
        "score_source": "criteria_progress", "reasons": [], "criteria_met": ["regular"],
        "trigger_event_id": None, "trigger_event": None, "trigger_ts": None,
        "fit": {"name": "Acme", "domain": "acme.com", "employees": 12, "plan": "trial"},
        "detected_at": datetime(2026, 1, 14, 10, 0, 2), **more,
    }  # fmt: skip


def test_a_lapse_says_so_in_every_payload() -> None:
    document = transition_document(
        _transition("left", "lapsed", "lapsed", lapsed_at=datetime(2026, 1, 14, 10)),
        "acme",
        "account",
    )
    assert (document["type"], document["kind"], document["cause"]) == (
        "pql.left", "left", "lapsed"
    )  # fmt: skip
    assert document["lapsed_at"] == "2026-01-14T10:00:00Z"
    assert document["status"] == "lapsed"
    slack = slack_message(document)
    assert slack["text"] == "PQL lapsed: Acme (stopped meeting the definition)"
    fields = " ".join(f["text"] for f in slack["blocks"][1]["fields"])
    assert "*Lapsed at:* 2026-01-14T10:00:00Z" in fields
    hubspot = hubspot_request(HubSpotDestination(type="hubspot", base_url="https://h"), document)
    assert '"pql_status":"lapsed"' in hubspot.body
    salesforce = SalesforceDestination(type="salesforce", base_url="https://s")
    assert '"PQL_Status__c":"lapsed"' in salesforce_request(salesforce, document).body


def test_a_requalification_says_so_and_keeps_the_fields_of_an_entry() -> None:
    since = datetime(2026, 1, 29, 10)
    document = transition_document(
        _transition("entered", "requalified", "pql", pql_since=since), "acme", "account"
    )
    assert (document["kind"], document["cause"], document["pql_since"]) == (
        "entered", "requalified", "2026-01-29T10:00:00Z"
    )  # fmt: skip
    assert document["lapsed_at"] is None
    assert document["qualified_at"] == "2026-01-07T10:00:00Z"  # unchanged: the first episode
    slack = slack_message(document)
    assert slack["text"] == "Re-qualified as a PQL: Acme"
    fields = " ".join(f["text"] for f in slack["blocks"][1]["fields"])
    assert "*Re-qualified at:* 2026-01-29T10:00:00Z" in fields
    hubspot = hubspot_request(HubSpotDestination(type="hubspot", base_url="https://h"), document)
    assert '"pql_status":"pql"' in hubspot.body


def test_pql_state_of_an_older_store_gains_the_lifecycle_columns() -> None:
    store = Store.open(":memory:")
    try:
        # pql_state and pql_transitions as first shipped, with a row the old service wrote.
        for name in ("pql_state", "pql_transitions"):
            store.raw.execute(f"CREATE TABLE {name} ({LIVE_TABLES[name]})")
        store.raw.execute(
            "INSERT INTO pql_state VALUES ('a', 'v', 'pql', NULL, NULL, 50.0, '[]', NULL)"
        )
        ensure_live_tables(store)
        ensure_live_tables(store)  # idempotent
        row = store.raw.execute(
            "SELECT pql_since, lapsed_at, next_change_at FROM pql_state"
        ).fetchone()
        transitions = [c[0] for c in store.raw.execute("DESCRIBE pql_transitions").fetchall()]
    finally:
        store.close()
    # An old row has no next_change_at: no definition before the lifecycle keys has one (a
    # rolling definition is a new version, which re-qualifies everyone at start).
    assert row == (None, None, None)
    assert {"pql_since", "lapsed_at"} <= set(transitions)
