"""Amplitude: the Export API's events (a zip of gzipped JSON-lines files, or those files).

One event per line: `{"event_type": "Created Document", "user_id": "u_1", "device_id": "...",
"event_time": "2026-01-05 10:00:00.123000", "$insert_id": "...", "uuid": "...",
"groups": {"company_id": ["acme"]}, "event_properties": {...}, "user_properties": {...},
"group_properties": {...}, "user_creation_time": "...", "platform": "Web", ...}`.
Times are UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.formats.common import (
    EVENT_NAME,
    EVENT_TIME,
    EVENT_USER,
    Folded,
    ImportContext,
    Importer,
    Profiles,
    Row,
    account_fields,
    event_reader,
    pick_group,
    user_fields,
)
from pqlengine.ingest.formats.sources import JSON_SUFFIXES, json_rows

DEFAULT_GROUP_TYPES = ("company_id", "company", "account_id", "account", "org_id")
# Device and location context copied into `properties` (unless the event has its own);
# ip_address, idfa, adid, lat/lng and Amplitude's internal ids are not kept.
CONTEXT_FIELDS = (
    "platform",
    "os_name",
    "device_type",
    "country",
    "region",
    "city",
    "language",
    "version_name",
)
TIME_HINT = "is not a timestamp (Amplitude exports UTC times like 2026-01-05 10:00:00.123000)"


def _convert(
    context: ImportContext, row: int, record: dict[str, Any], folded: Folded
) -> Iterator[Row]:
    """One exported event: an events row; its user_properties and group_properties folded."""
    event = _parse(row, record, context)
    if event is None:
        return
    name, user_id, ts = event
    groups = context.json_object(row, "groups", record.get("groups"))
    configured = context.configured("events", "account_id")
    group_type, group_value = pick_group(groups, configured, DEFAULT_GROUP_TYPES)
    account_id = values.text(group_value)
    if values.text(record.get("user_id")) is not None or name == "$identify":
        _user(row, user_id, account_id, record, folded.users, context)
    if account_id is not None and group_type is not None:
        _account(row, name, group_type, account_id, record, folded.accounts, context)
    if name in ("$identify", "$groupidentify"):
        return  # Identify API calls: user / group property updates, not user actions
    properties = {k: record[k] for k in CONTEXT_FIELDS if record.get(k) not in (None, "")}
    own = context.json_object(row, "event_properties", record.get("event_properties"))
    properties.update(own or {})
    insert_id = values.text(record.get("$insert_id") or record.get("insert_id"))
    event_row = {
        "event_id": insert_id or values.text(record.get("uuid")),
        "user_id": user_id,
        "account_id": account_id,
        "event": name,
        "ts": ts,
        "properties": properties,
    }
    yield row, "events", event_row


def _parse(row: int, record: dict[str, Any], context: ImportContext) -> tuple[str, str, Any] | None:
    """(event_type, user, event_time) or None after reporting what is missing."""
    name = context.required(row, "event_type", record.get("event_type"), EVENT_NAME)
    # Anonymous events (before a user_id is set) belong to their device.
    user_id = context.required(
        row,
        "user_id",
        values.text(record.get("user_id")) or record.get("device_id"),
        f"and so is device_id; {EVENT_USER}",
    )
    ts = context.time(row, "event_time", record.get("event_time"), TIME_HINT, EVENT_TIME)
    if name is None or user_id is None or ts is None:
        return None
    return name, user_id, ts


def _user(
    row: int,
    user_id: str,
    account_id: str | None,
    record: dict[str, Any],
    users: Profiles,
    context: ImportContext,
) -> None:
    properties = context.json_object(row, "user_properties", record.get("user_properties"))
    fields, traits = user_fields(properties or {})
    try:
        # When Amplitude first saw the user: their signup when the export is partial.
        fields["signed_up_at"] = values.timestamp(record.get("user_creation_time"))
    except ValueError:
        context.problem(row, "user_creation_time", f"{record['user_creation_time']!r} {TIME_HINT}")
    users.add(row, user_id, {"account_id": account_id, **fields}, traits)


def _account(
    row: int,
    name: str,
    group_type: str,
    account_id: str,
    record: dict[str, Any],
    accounts: Profiles,
    context: ImportContext,
) -> None:
    """Group properties come as {type: {value: {...}}}, {type: {...}}, or flat ($groupidentify)."""
    group_properties = context.json_object(row, "group_properties", record.get("group_properties"))
    group_properties = group_properties or {}
    nested = group_properties.get(group_type)
    if isinstance(nested, dict):
        own = nested.get(account_id)
        props = own if isinstance(own, dict) else nested
    elif name == "$groupidentify":
        props = group_properties
    else:
        return
    if props:
        fields, traits = account_fields(props)
        accounts.add(row, account_id, fields, traits)


IMPORTER = Importer(
    name="amplitude",
    summary="Amplitude Export API events (zip of .json.gz, or the files)",
    tables=("events", "users", "accounts"),
    suffixes=(*JSON_SUFFIXES, ".zip"),
    read=event_reader(json_rows, _convert),
)
