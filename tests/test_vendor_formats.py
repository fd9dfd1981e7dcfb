"""Vendor export importers (tests/fixtures/vendors/): exact canonical rows, idempotent
re-import, malformed files rejected with located errors and nothing written."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pqlengine.ingest import IngestError, ingest_records
from pqlengine.ingest.formats import IMPORTERS, ingest_export, ingest_exports
from pqlengine.store import SCHEMAS, Store
from tests.support.cli import pql

VENDORS = Path(__file__).parent / "fixtures" / "vendors"
ACCOUNTS = [
    {"account_id": "acme", "name": "Acme", "domain": "acme.io"},
    {"account_id": "globex", "name": "Globex", "domain": "globex.com"},
    {"account_id": "initech", "name": "Initech", "domain": "https://www.initech.io/"},
    {"account_id": "0015g00000Q1wErAAB", "name": "Hooli", "domain": "hooli.xyz"},
]


def table(store: Store, name: str) -> list[tuple[Any, ...]]:
    """All rows, sorted, with JSON columns parsed."""
    bag = [i for i, (_, kind) in enumerate(SCHEMAS[name].items()) if kind == "JSON"]
    rows = store.raw.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
    return [
        tuple(json.loads(v) if i in bag and v is not None else v for i, v in enumerate(row))
        for row in rows
    ]


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {name: table(store, name) for name in SCHEMAS}


def amplitude_zip(target: Path) -> Path:
    """The Export API's shape: a zip of gzipped JSON-lines files in a project folder."""
    archive = target / "amplitude-export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for member in sorted((VENDORS / "amplitude" / "187520").iterdir()):
            name = f"187520/{member.name}.gz"
            zipped.writestr(name, gzip.compress(member.read_bytes()))
    return archive


def test_mixpanel_events_identify_and_profiles(store: Store) -> None:
    results = ingest_exports(
        store,
        "mixpanel",
        [VENDORS / "mixpanel" / "export.jsonl", VENDORS / "mixpanel" / "people.json"],
    )
    assert [(r.table, r.source, r.rows_read, r.rows_added) for r in results] == [
        ("events", "export.jsonl", 6, 5),  # the retried Created Document shares its $insert_id
        ("users", "export.jsonl", 1, 1),  # $identify is a user, not an event
        ("users", "people.json", 2, 2),
    ]
    events = table(store, "events")
    derived = [e for e in events if e[0].startswith("derived-")]
    assert len(derived) == 1  # no $insert_id: a content-derived id
    assert derived[0][1:] == (
        "u_2", "globex", "Created Document", datetime(2026, 1, 6, 9, 30),
        {"mp_lib": "android", "doc_type": "note"},
    )  # fmt: skip
    assert [e for e in events if e not in derived] == [
        (
            "5d0e8f1a9c2b4e07", "u_1", "acme", "Created Document",
            datetime(2026, 1, 5, 11, 0, 0, 123000),  # epoch milliseconds
            {"mp_lib": "web", "doc_type": "spec"},  # company_id ["acme"]: a list of groups
        ),
        (
            "77a6c3d2e1f04b18", "$device:2b7d9e40-aa", None, "Viewed Pricing",
            datetime(2026, 1, 5, 9, 59),  # anonymous: distinct_id, no group
            {"mp_lib": "web", "$current_url": "https://example.com/pricing"},
        ),
        (
            "b3f1c9e2a7d44c1e", "u_1", "acme", "Signed Up", datetime(2026, 1, 5, 10, 0),
            {
                "mp_lib": "web", "$browser": "Chrome", "$os": "Mac OS X",
                "$current_url": "https://app.example.com/signup", "plan": "trial",
            },
        ),
        (
            "e4d3c2b1a0f9e8d7", "u_1", "acme", "Invited Member", datetime(2026, 1, 6, 14, 15),
            {"mp_lib": "web", "invitee_role": "editor"},  # account from $groups
        ),
    ]  # fmt: skip
    assert table(store, "users") == [
        (
            "u_1", "acme", "ada@acme.io", datetime(2026, 1, 5, 9, 58, 12),
            {"$name": "Ada Lovelace", "$last_seen": "2026-01-06T14:15:00", "role": "admin"},
        ),
        ("u_2", "globex", None, None, {}),  # from $identify: the user and its group
        (
            "u_3", None, "lin@initech.io", datetime(2026, 1, 7, 8, 0),
            {"$name": "Lin Chen", "$last_seen": "2026-01-07T08:05:41"},
        ),
    ]  # fmt: skip


def test_mixpanel_group_key_from_pql_yaml_columns(store: Store, tmp_path: Path) -> None:
    line = {
        "event": "Created Document",
        "properties": {"time": 1767607200, "distinct_id": "u_1", "workspace": "w-42"},
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(line) + "\n")
    columns = {"events": {"account_id": "workspace"}}
    ingest_export(store, "mixpanel", path, lambda t: columns.get(t, {}))
    assert [(e[1], e[2], e[5]) for e in table(store, "events")] == [("u_1", "w-42", None)]


def test_a_later_identify_keeps_what_it_does_not_say(store: Store, tmp_path: Path) -> None:
    ingest_records(store, "users", [{"user_id": "u_1", "email": "ada@acme.io", "traits": {"a": 1}}])
    line = {
        "event": "$identify",
        "properties": {"time": 1767607200, "distinct_id": "u_1", "company_id": "acme"},
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(line) + "\n")
    ingest_export(store, "mixpanel", path)
    assert table(store, "users") == [("u_1", "acme", "ada@acme.io", None, {"a": 1})]


AMPLITUDE_EVENTS = [
    (
        "2f6c1e0a-6b1d-4b8e-9d65-0a4f3c2b1e01", "u_1", "acme", "session_start",
        datetime(2026, 1, 5, 10, 0),
        {
            "platform": "Web", "os_name": "Chrome", "device_type": "Apple Macintosh",
            "country": "Germany", "city": "Berlin", "language": "English",
        },
    ),
    (
        # Repeated in the second hour's file at the same instant with fewer properties: the
        # copies tie up to `event`, so the smaller properties text is the event
        # (docs/semantics.md, Inputs), as on every backend's read.
        "2f6c1e0a-6b1d-4b8e-9d65-0a4f3c2b1e02", "u_1", "acme", "Created Document",
        datetime(2026, 1, 5, 10, 15, 30, 123000),
        {
            "platform": "Web", "os_name": "Chrome", "country": "Germany", "city": "Berlin",
            "doc_type": "spec", "template": False,
        },
    ),
    (
        "a1d0c6e8-0d0b-11f1-9a3b-0a1b2c3d4e03", "5e8a7b6c-dev-9", None, "Viewed Pricing",
        datetime(2026, 1, 5, 10, 40),  # anonymous: device_id; no $insert_id: uuid
        {"platform": "Web", "os_name": "Safari", "country": "United States", "page": "/pricing"},
    ),
    (
        "a1d0c6e8-0d0b-11f1-9a3b-0a1b2c3d4e11", "u_2", "globex", "Invited Member",
        datetime(2026, 1, 5, 11, 20, 0, 500000),
        {"platform": "Web", "os_name": "Safari", "invitee_role": "editor"},
    ),
]  # fmt: skip
AMPLITUDE_USERS = [
    ("u_1", "acme", "ada@acme.io", datetime(2026, 1, 4, 9, 0), {"role": "admin"}),
    (
        "u_2",
        "globex",
        "grace@globex.com",
        datetime(2026, 1, 5, 10, 39, 12),
        {"plan_interest": "team"},
    ),
]
AMPLITUDE_ACCOUNTS = [
    ("acme", "Acme", None, 40, "trial", None, {}),
    ("globex", "Globex", "globex.com", None, None, None, {"employees": "11-50"}),
]


def test_amplitude_export_zip_of_gzipped_json(store: Store, tmp_path: Path) -> None:
    results = ingest_export(store, "amplitude", amplitude_zip(tmp_path))
    assert [(r.table, r.rows_read, r.rows_added) for r in results] == [
        ("events", 5, 4),  # the second hour repeats an event ($insert_id): dropped
        ("users", 2, 2),
        ("accounts", 2, 2),
    ]
    assert table(store, "events") == AMPLITUDE_EVENTS
    assert table(store, "users") == AMPLITUDE_USERS
    assert table(store, "accounts") == AMPLITUDE_ACCOUNTS


def test_amplitude_directory_of_files_gives_the_same_tables(store: Store) -> None:
    results = ingest_exports(store, "amplitude", [VENDORS / "amplitude" / "187520"])
    assert [r.source for r in results] == ["187520_2026-01-05_10#0.json"] * 3 + [
        "187520_2026-01-05_11#0.json"
    ] * 3
    assert table(store, "events") == AMPLITUDE_EVENTS
    assert table(store, "users") == AMPLITUDE_USERS
    assert table(store, "accounts") == AMPLITUDE_ACCOUNTS


def test_posthog_batch_export_and_csv(store: Store) -> None:
    results = ingest_exports(
        store, "posthog", [VENDORS / "posthog" / "events.jsonl", VENDORS / "posthog" / "events.csv"]
    )
    assert [(r.table, r.source, r.rows_read, r.rows_added) for r in results] == [
        ("events", "events.jsonl", 5, 4),  # the repeated uuid is dropped
        ("users", "events.jsonl", 2, 2),
        ("accounts", "events.jsonl", 1, 1),
        ("events", "events.csv", 2, 2),
    ]
    person = "01943a70-0000-7000-8000-00000000aa0"
    assert table(store, "events") == [
        (
            "01943a7e-5c00-7d2a-9b1e-3f4a5b6c7d01", "u_1", "acme", "$pageview",
            datetime(2026, 1, 5, 10, 0),
            {
                "$current_url": "https://app.example.com/docs", "$pathname": "/docs",
                "$browser": "Chrome", "$os": "Mac OS X", "$lib": "web", "$lib_version": "1.205.0",
                "$session_id": "01943a7e-4f00-7c11-8a00-aaaaaaaaaa01", "$person_id": person + "1",
            },
        ),
        (
            "01943a7e-7000-7d2a-9b1e-3f4a5b6c7d03", "u_1", "acme", "Created Document",
            datetime(2026, 1, 5, 11, 15, 30, 250000),  # +01:00 shifted to UTC
            {"doc_type": "spec", "$lib": "posthog-python", "$person_id": person + "1"},
        ),
        (
            "01943a7e-8000-7d2a-9b1e-3f4a5b6c7d05", "01943a7d-ffff-7aaa-8bbb-cccccccccc02", None,
            "$pageview", datetime(2026, 1, 5, 11, 0),
            {
                "$current_url": "https://example.com/pricing", "$pathname": "/pricing",
                "$lib": "web", "$person_id": person + "2",
            },
        ),
        (
            "01943a7e-b000-7d2a-9b1e-3f4a5b6c7d08", "u_3", "initech", "Invited Member",
            datetime(2026, 1, 6, 9, 30), {"invitee_role": "editor", "$person_id": person + "3"},
        ),
        (
            "01943a80-0000-7d2a-9b1e-3f4a5b6c7e01", "u_4", "hooli", "Created Document",
            datetime(2026, 1, 7, 8, 0),
            {"doc_type": "note", "$browser": "Firefox", "$person_id": person + "4"},
        ),
        (
            "01943a80-0000-7d2a-9b1e-3f4a5b6c7e02", "u_4", "hooli", "$pageview",
            datetime(2026, 1, 7, 8, 1),
            {"$current_url": "https://app.example.com/", "$person_id": person + "4"},
        ),
    ]  # fmt: skip
    assert table(store, "users") == [
        (
            "u_1", "acme", "ada@acme.io", None,
            {"$initial_referrer": "$direct", "name": "Ada Lovelace"},  # $identify's $set
        ),
        ("u_3", "initech", "lin@initech.io", None, {"first_seen_plan": "free"}),  # set, set_once
    ]  # fmt: skip
    # $groupidentify of the company group; the "project" group is not an account.
    assert table(store, "accounts") == [
        ("acme", "Acme Inc", "acme.io", 42, None, None, {"industry": "software"})
    ]


def test_gzipped_export_reads_like_the_plain_one(store: Store, tmp_path: Path) -> None:
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress((VENDORS / "posthog" / "events.jsonl").read_bytes()))
    results = ingest_export(store, "posthog", packed)
    assert [(r.table, r.rows_added) for r in results] == [
        ("events", 4),
        ("users", 2),
        ("accounts", 1),
    ]


def test_hubspot_closed_won_deals_become_conversions(store: Store) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    (result,) = ingest_export(store, "hubspot-deals", VENDORS / "hubspot" / "deals.csv")
    assert (result.table, result.rows_read, result.rows_added) == ("conversions", 2, 2)
    assert table(store, "conversions") == [
        # "Monthly recurring revenue" 1000
        ("acme", datetime(2026, 2, 14, 13, 45), 12000.0, "New Business", 1000.0, None),
        # "Globex;Globex Europe"; no MRR, "Annual recurring revenue" 18006 / 12
        ("globex", datetime(2026, 3, 2, 0, 0), 1500.5, "Existing Business", 1500.5, None),
    ]
    (note,) = result.notes
    assert note.startswith("2 closed-won HubSpot deals match no account and were not imported: ")
    assert "line 6 'Umbrella - Team plan' (27841100005, Umbrella Corporation)" in note
    assert "line 7 'Hooli - Enterprise' (27841100006)" in note


def test_hubspot_deal_column_named_in_pql_yaml(store: Store, tmp_path: Path) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Record ID,Deal Name,Deal Stage,Close Date,Amount,Workspace ID,Associated Company\n"
        "1,Acme,closedwon,2026-02-14,100,acme,Globex\n"
        "2,Initech,Closed won,2026-02-15,200,www.initech.io,Initech\n"
    )
    columns = {"conversions": {"entity_id": "Workspace ID"}}
    (result,) = ingest_export(store, "hubspot-deals", deals, lambda t: columns.get(t, {}))
    assert result.notes == ()
    assert [(c[0], c[2]) for c in table(store, "conversions")] == [
        ("acme", 100.0),  # the named column wins over Associated Company
        ("initech", 200.0),  # matched as a domain
    ]


def test_salesforce_won_opportunities_matched_by_id_or_website(store: Store) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    path = VENDORS / "salesforce" / "opportunities.csv"
    (result,) = ingest_export(store, "salesforce-opportunities", path)
    assert table(store, "conversions") == [
        # No recurring-revenue field on a standard Opportunity: mrr stays empty.
        ("0015g00000Q1wErAAB", datetime(2026, 3, 10), None, "New Customer", None, None),
        ("acme", datetime(2026, 2, 20), 24000.0, "New Customer", None, None),  # www.acme.io
        ("initech", datetime(2026, 3, 1), 9600.0, "New Customer", None, None),  # initech.io
    ]
    assert result.notes == (
        "1 closed-won Salesforce deals match no account and were not imported: line 7 "
        "'Umbrella - Annual' (0015g00000Xy6ZaAAJ, umbrella.example, Umbrella Corporation). "
        "Ingest accounts with their domain first, or name the column holding your "
        "account id in pql.yaml (columns: conversions: {entity_id: ...})",
    )


PENDO_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
PENDO_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
PAGE = "aJ0KOADQZVL5h9zQhiQ0q26PNTM"
FEATURE = "nV3kQ1uL0Ad7yY2oXw8sH5c9bR"


def test_pendo_track_page_and_feature_events(store: Store) -> None:
    results = ingest_exports(
        store, "pendo", [VENDORS / "pendo" / "events.jsonl", VENDORS / "pendo" / "events.csv"]
    )
    assert [(r.table, r.source, r.rows_read, r.rows_added) for r in results] == [
        ("events", "events.jsonl", 6, 5),  # the repeated track call derives the same id
        ("users", "events.jsonl", 3, 3),
        ("events", "events.csv", 2, 2),
        ("users", "events.csv", 1, 1),
    ]
    assert results[1].notes == (
        "1 Pendo rows of other types (guideSeen) are not track, page or feature events; skipped",
    )
    events = table(store, "events")
    assert all(e[0].startswith("derived-") for e in events)  # no event ids in Pendo rows
    assert sorted(e[1:] for e in events) == sorted([
        # Track Events API payload: its name and properties; context (with the IP) not kept.
        ("u_1", "acme", "Created Document", datetime(2026, 1, 5, 10, 0),
         {"doc_type": "spec", "template": False}),
        # Aggregation trackEvents row: no name, so the track type id.
        ("u_1", "acme", "Track Event Hd8wXq2P1sLrT0aB", datetime(2026, 1, 5, 10, 15),
         {"trackTypeId": "Hd8wXq2P1sLrT0aB", "numEvents": 1, "numMinutes": 1,
          "server": "app.example.com", "userAgent": PENDO_MAC, "invitee_role": "editor"}),
        ("u_2", "globex", f"Viewed Page {PAGE}", datetime(2026, 1, 5, 10, 30),
         {"pageId": PAGE, "numEvents": 3, "numMinutes": 2, "server": "app.example.com",
          "userAgent": PENDO_WIN}),
        # featureName (joined from the feature list) wins over the id; ms kept.
        ("u_2", "globex", "Clicked Feature Export button",
         datetime(2026, 1, 5, 10, 34, 0, 500000),
         {"featureId": FEATURE, "numEvents": 1, "numMinutes": 1, "server": "app.example.com",
          "userAgent": PENDO_WIN}),
        ("_PENDO_T_Zp4Qm2rW8x", None, "Viewed Page Pricing", datetime(2026, 1, 5, 11, 0),
         {"pageId": "q2mG8cXv1LbN7rT4sW0eY3uK", "url": "https://example.com/pricing",
          "title": "Pricing - Example"}),
        # CSV: counts as numbers, remoteIp not kept.
        ("u_3", "initech", f"Viewed Page {PAGE}", datetime(2026, 1, 6, 9, 40),
         {"pageId": PAGE, "numEvents": 2, "numMinutes": 1, "server": "app.example.com"}),
        ("u_3", "initech", f"Clicked Feature {FEATURE}", datetime(2026, 1, 6, 9, 41),
         {"featureId": FEATURE, "numEvents": 1, "numMinutes": 1, "server": "app.example.com"}),
    ])  # fmt: skip
    assert table(store, "users") == [
        ("_PENDO_T_Zp4Qm2rW8x", None, None, None, {}),
        ("u_1", "acme", None, None, {}),
        ("u_2", "globex", None, None, {}),
        ("u_3", "initech", None, None, {}),
    ]


def test_pendo_account_field_from_pql_yaml(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "visitorId,accountId,parentAccountId,browserTime,type,event\n"
        "u_1,acme-eu,acme,1767607200000,track,Created Document\n"
    )
    columns = {"events": {"account_id": "parentAccountId"}}
    ingest_export(store, "pendo", path, lambda t: columns.get(t, {}))
    assert [(e[1], e[2], e[3]) for e in table(store, "events")] == [
        ("u_1", "acme", "Created Document")
    ]


def test_stripe_paid_subscriptions_become_conversions_with_mrr(store: Store) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    (result,) = ingest_export(
        store, "stripe-subscriptions", VENDORS / "stripe" / "subscriptions.csv"
    )
    assert (result.table, result.rows_read, result.rows_added) == ("conversions", 4, 4)
    assert table(store, "conversions") == [
        # account_id (metadata) wins over the gmail address; week: 10 x 52 / 12; canceled at
        # period end but still active: not churned.
        ("0015g00000Q1wErAAB", datetime(2026, 1, 5, 10), 10.0, "Weekly Pro",
         pytest.approx(10 * 52 / 12), None),
        # Paying from the trial end; 5 seats x 12.00.
        ("acme", datetime(2026, 1, 24, 9), 60.0, "Team", 60.0, None),
        # Day: 3 x 1.00 x 365.25 / 12; canceled without Ended At: churned at Canceled At;
        # no Product, so the Plan.
        ("acme", datetime(2026, 2, 1), 3.0, "Add-on seats (daily)", pytest.approx(3 * 365.25 / 12),
         datetime(2026, 3, 5)),
        # Year: "1,200.00" / 12; ended.
        ("globex", datetime(2025, 3, 1, 12), 1200.0, "Pro (annual)", 100.0,
         datetime(2026, 3, 1, 12)),
    ]  # fmt: skip
    assert result.notes == (
        "2 Stripe subscriptions never paid (trialing, incomplete, paused, or ended within their "
        "trial) and were not imported",
        "1 paid Stripe subscriptions match no account and were not imported: line 6 "
        "'sub_1QeUmbLkdIwHu7ixUmb00001' (ops@umbrella.example, Umbrella Corporation). Ingest "
        "accounts with their domain first, or name the column holding your account id in "
        "pql.yaml (columns: conversions: {entity_id: ...})",
    )


def test_stripe_account_column_named_in_pql_yaml(store: Store, tmp_path: Path) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "id,Customer Email,Interval,Amount,Status,Start (UTC),workspace (metadata)\n"
        "sub_1,ada@acme.io,month,49,active,2026-02-01 10:00,globex\n"
    )
    columns = {"conversions": {"entity_id": "workspace (metadata)"}}
    ingest_export(store, "stripe-subscriptions", path, lambda t: columns.get(t, {}))
    assert table(store, "conversions") == [
        ("globex", datetime(2026, 2, 1, 10), 49.0, None, 49.0, None)
    ]


def test_stripe_export_without_the_needed_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("id,Email,Name\ncus_1,ada@acme.io,Ada\n")
    with pytest.raises(IngestError) as caught:
        ingest_export(store, "stripe-subscriptions", path)
    assert str(caught.value) == (
        "customers.csv, not a Stripe subscriptions export: it lacks Status, Amount, Interval, "
        "Start (UTC), a customer column (Customer Email); the file has: id, Email, Name"
    )


REIMPORTS = [
    ("mixpanel", ["mixpanel/export.jsonl", "mixpanel/people.json"]),
    ("amplitude", ["amplitude/187520"]),
    ("posthog", ["posthog/events.jsonl", "posthog/events.csv"]),
    ("hubspot-deals", ["hubspot/deals.csv"]),
    ("salesforce-opportunities", ["salesforce/opportunities.csv"]),
    ("pendo", ["pendo/events.jsonl", "pendo/events.csv"]),
    ("stripe-subscriptions", ["stripe/subscriptions.csv"]),
]


@pytest.mark.parametrize(("name", "files"), REIMPORTS, ids=[r[0] for r in REIMPORTS])
def test_reimport_adds_nothing(store: Store, name: str, files: list[str]) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    paths = [VENDORS / f for f in files]
    ingest_exports(store, name, paths)
    before = snapshot(store)
    again = ingest_exports(store, name, paths)
    assert again and all(r.rows_added == 0 for r in again)
    assert snapshot(store) == before


MALFORMED = [
    (
        "mixpanel",
        "mixpanel/malformed.jsonl",
        [
            "malformed.jsonl, line 5, field properties.distinct_id: is empty "
            "(every event needs a user)",
            "malformed.jsonl, line 6, field event: is empty (every event needs a name)",
            "malformed.jsonl, line 7, field properties.time: '2026-01-05 at 10am' is not a "
            "timestamp (Mixpanel exports epoch seconds, or milliseconds with time_in_ms)",
        ],
    ),
    (
        "amplitude",
        "amplitude/malformed.json",
        [
            "malformed.json, line 2, field event_time: '05/01/2026 10:00' is not a timestamp "
            "(Amplitude exports UTC times like 2026-01-05 10:00:00.123000)",
            "malformed.json, line 3, field user_id: is empty (and so is device_id; "
            "every event needs a user)",
            "malformed.json, line 4, field event_properties: is not valid JSON (Expecting value)",
        ],
    ),
    (
        "posthog",
        "posthog/malformed.csv",
        [
            "malformed.csv, line 3, field properties: is not valid JSON (Expecting ',' delimiter)",
            "malformed.csv, line 4, field timestamp: 'last Tuesday' is not a timestamp "
            "(PostHog exports ISO 8601, e.g. 2026-01-05T10:00:00.000Z)",
            "malformed.csv, line 5, field distinct_id: is empty (every event needs a user)",
        ],
    ),
    (
        "hubspot-deals",
        "hubspot/malformed.csv",
        [
            "malformed.csv, line 3, field Close Date: '14/02/2026' is not a date "
            "(expected ISO, e.g. 2026-02-14)",
            "malformed.csv, line 4, field Amount: 'twelve hundred' is not an amount "
            "(expected a number such as 1200.50)",
            "malformed.csv, line 6, field Monthly recurring revenue: 'a lot' is not an amount "
            "(expected a number such as 1200.50)",
        ],
    ),
    (
        "salesforce-opportunities",
        "salesforce/malformed.csv",
        [
            "malformed.csv, line 3, field ISWON: 'maybe' is not true or false",
            "malformed.csv, line 4, field CLOSEDATE: is empty (a won deal needs its close date)",
        ],
    ),
    (
        "pendo",
        "pendo/malformed.jsonl",
        [
            "malformed.jsonl, line 2, field browserTime: 'yesterday' is not a timestamp "
            "(Pendo exports browserTime in epoch milliseconds)",
            "malformed.jsonl, line 3, field visitorId: is empty (every event needs a user)",
            "malformed.jsonl, line 4, field pageId: is empty (a page event needs its pageId)",
            "malformed.jsonl, line 5, field type: is empty, and the row has no event, pageId or "
            "featureId (cannot tell a track, page or feature event)",
            "malformed.jsonl, line 6, field event: is empty (and so is trackTypeId; a track "
            "event needs its name or type id)",
            "malformed.jsonl, line 6, field properties: is not valid JSON (Expecting property "
            "name enclosed in double quotes)",
        ],
    ),
    (
        "stripe-subscriptions",
        "stripe/malformed.csv",
        [
            "malformed.csv, line 3, field Amount: 'forty' is not an amount "
            "(expected a number such as 1200.50)",
            "malformed.csv, line 4, field Interval: 'fortnight' is not one of month, year, "
            "week, day",
            "malformed.csv, line 5, field Start (UTC): 'Jan 5th' is not a timestamp "
            "(Stripe exports UTC times like 2026-01-05 10:00)",
            "malformed.csv, line 6, field Quantity: '2.5' is not a whole number >= 0",
        ],
    ),
]


@pytest.mark.parametrize(("name", "file", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_rejected_whole_with_located_errors(
    store: Store, name: str, file: str, expected: list[str]
) -> None:
    ingest_records(store, "accounts", ACCOUNTS)
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        ingest_export(store, name, VENDORS / file)
    assert str(caught.value).splitlines() == expected
    # Line 1 of each file is good, and other tables were fed: still nothing is written.
    assert snapshot(store) == before
    logged = store.raw.execute(
        "SELECT count(*) FROM ingest_log WHERE source = ?", [Path(file).name]
    )
    assert logged.fetchone() == (0,)


def test_error_in_a_zip_member_names_the_member(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    good = (VENDORS / "amplitude" / "187520" / "187520_2026-01-05_10#0.json").read_bytes()
    bad = (VENDORS / "amplitude" / "malformed.json").read_bytes()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("187520/187520_2026-01-05_10#0.json.gz", gzip.compress(good))
        zipped.writestr("187520/187520_2026-01-05_11#0.json.gz", gzip.compress(bad))
        zipped.writestr("187520/187520_2026-01-05_12#0.json.gz", b"not gzip")
    with pytest.raises(IngestError) as caught:
        ingest_export(store, "amplitude", archive)
    assert str(caught.value).startswith(
        "export.zip, 187520/187520_2026-01-05_12#0.json.gz, not a readable gzip file"
    )
    archive.unlink()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("187520/187520_2026-01-05_10#0.json.gz", gzip.compress(good))
        zipped.writestr("187520/187520_2026-01-05_11#0.json.gz", gzip.compress(bad))
    with pytest.raises(IngestError) as caught:
        ingest_export(store, "amplitude", archive)
    assert str(caught.value).splitlines()[0] == (
        "export.zip, 187520/187520_2026-01-05_11#0.json.gz, line 2, field event_time: "
        "'05/01/2026 10:00' is not a timestamp (Amplitude exports UTC times like "
        "2026-01-05 10:00:00.123000)"
    )
    assert store.count("events") == 0


def test_crm_export_without_the_needed_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal Name,Amount\n1,Acme,100\n")
    with pytest.raises(IngestError) as caught:
        ingest_export(store, "hubspot-deals", path)
    assert str(caught.value) == (
        "deals.csv, not a HubSpot deals export: it lacks a close date column "
        "(Close Date or closedate); a won or stage column (Is Closed Won or Deal Stage); "
        "a company column (Company Domain Name, Associated Company IDs (Primary), "
        "Associated Company (Primary); or name yours in pql.yaml: "
        "columns: conversions: {entity_id: <column>}); "
        "the file has: Record ID, Deal Name, Amount"
    )


def test_unknown_format_lists_the_known_ones(store: Store) -> None:
    with pytest.raises(
        ValueError, match="unknown export format 'heap'; known formats: segment, mixpanel"
    ):
        ingest_export(store, "heap", VENDORS / "mixpanel" / "export.jsonl")
    assert list(IMPORTERS) == [
        "segment", "mixpanel", "amplitude", "posthog", "pendo", "hubspot-deals",
        "salesforce-opportunities", "stripe-subscriptions",
    ]  # fmt: skip


def test_cli_ingest_from_vendor_exports(tmp_path: Path) -> None:
    assert pql("init", ".", cwd=tmp_path).returncode == 0
    for name in ("export.jsonl", "people.json"):
        shutil.copy(VENDORS / "mixpanel" / name, tmp_path / name)
    shutil.copy(VENDORS / "hubspot" / "deals.csv", tmp_path / "deals.csv")
    (tmp_path / "accounts.csv").write_text("account_id,name,domain\nacme,Acme,acme.io\n")
    done = pql(
        "ingest", "--from", "mixpanel", "export.jsonl", "people.json", "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [(r["table"], r["file"], r["rows_added"]) for r in json.loads(done.stdout)] == [
        ("events", "export.jsonl", 5),
        ("users", "export.jsonl", 1),
        ("users", "people.json", 2),
    ]
    crm = pql(
        "ingest", "--accounts", "accounts.csv", "--from", "hubspot-deals", "deals.csv",
        "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert crm.returncode == 0, crm.stderr
    assert [(r["table"], r["rows_added"]) for r in json.loads(crm.stdout)] == [
        ("accounts", 1),
        ("conversions", 1),
    ]
    assert "warning 3 closed-won HubSpot deals match no account" in crm.stderr
    shutil.copy(VENDORS / "posthog" / "malformed.csv", tmp_path / "malformed.csv")
    bad = pql("ingest", "--from", "posthog", "malformed.csv", cwd=tmp_path)
    assert bad.returncode == 1
    assert "error malformed.csv, line 4, field timestamp: 'last Tuesday'" in bad.stderr
    assert "Traceback" not in bad.stderr
    for args, expected in [
        (("ingest", "export.jsonl"), "FILES need --from <format>"),
        (("ingest", "--from", "heap", "export.jsonl"), "unknown export format 'heap'"),
        (("ingest", "--from", "amplitude", "missing.zip"), "missing.zip, file not found"),
    ]:
        done = pql(*args, cwd=tmp_path)
        assert done.returncode == 1 and expected in done.stderr, (args, done.stderr)


def test_segment_archive_maps_like_the_live_ingest(store: Store) -> None:
    results = ingest_export(store, "segment", VENDORS / "segment" / "archive.jsonl")
    assert [(r.table, r.rows_read, r.rows_added) for r in results] == [
        ("events", 4, 3),  # the repeated messageId is dropped
        ("users", 1, 1),
        ("accounts", 1, 1),
    ]
    assert table(store, "events") == [
        ("ajs-next-1736071260000-3", "u_1", "acme", "Invited Member",
         datetime(2026, 1, 5, 10, 1, 0, 200000), {"role": "editor", "invitee_count": 2}),
        ("ajs-next-1736071300000-4", "u_1", None, "Page Viewed", datetime(2026, 1, 5, 10, 1, 40),
         {"path": "/pricing", "url": "https://app.acme.io/pricing", "name": "Pricing"}),
        ("python-7f1c2a1e-5b3d-4c1a-9e0f-000000000005", "u_2", None, "Created Document",
         datetime(2026, 1, 5, 10, 0), {"source": "api"}),  # +01:00 shifted to UTC
    ]  # fmt: skip
    assert table(store, "users") == [
        ("u_1", "acme", "ana@acme.io", datetime(2026, 1, 5, 9, 1), {"name": "Ana", "role": "admin"})
    ]
    assert table(store, "accounts") == [
        ("acme", "Acme Corp", "acme.io", 48, "trial", datetime(2026, 1, 5, 9, 0),
         {"industry": "Software"})
    ]  # fmt: skip
    again = ingest_export(store, "segment", VENDORS / "segment" / "archive.jsonl")
    assert [r.rows_added for r in again if r.table == "events"] == [0]


def test_segment_malformed_archive_is_rejected_with_lines(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        ingest_export(store, "segment", VENDORS / "segment" / "malformed.jsonl")
    text = str(caught.value)
    assert "malformed.jsonl, line 2" in text and "timestamp" in text
    assert "malformed.jsonl, line 3" in text and "unknown message type 'trak'" in text
    assert snapshot(store) == before
