"""PostHog: the events export (batch export JSON lines, or a CSV of the events table).

A row: `uuid`, `event`, `distinct_id`, `timestamp` (ISO 8601), `properties` (an object, or
JSON text in CSV) with `$groups` ({"company": "acme"}), `$set` / `$set_once`; batch exports
also carry `person_id`, `set` and `set_once`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
    without,
)
from pqlengine.ingest.formats.sources import JSON_SUFFIXES, csv_rows, json_rows
from pqlengine.ingest.readers import SourceError

DEFAULT_GROUP_TYPES = ("company", "organization", "account", "company_id")
# Person / group updates and the client IP; the other $-properties ($current_url,
# $browser, $session_id, ...) stay, so `where:` can use them.
DROPPED = frozenset(
    {"$groups", "$set", "$set_once", "$ip", "token", "distinct_id"}
    | {f"$group_{index}" for index in range(5)}
)
PERSON_EVENTS = ("$identify", "$set", "$create_alias")
CSV_COLUMNS = {
    name: (name,)
    for name in ("uuid", "event", "distinct_id", "timestamp", "properties", "person_id")
}
TIME_HINT = "is not a timestamp (PostHog exports ISO 8601, e.g. 2026-01-05T10:00:00.000Z)"


def _convert(
    context: ImportContext, row: int, record: dict[str, Any], folded: Folded
) -> Iterator[Row]:
    """One event: an events row, or a person ($identify, $set) / group ($groupidentify) update."""
    parsed = _parse(row, record, context)
    if parsed is None:
        return
    name, user_id, ts, props = parsed
    configured = context.configured("events", "account_id")
    if name == "$groupidentify":
        _group_identify(row, props, configured, folded.accounts)
        return
    _, group_value = pick_group(props.get("$groups"), configured, DEFAULT_GROUP_TYPES)
    account_id = values.text(group_value)
    set_now, set_once = _person_updates(row, record, props, context)
    if set_now or set_once or name in PERSON_EVENTS:
        fields, traits = user_fields(set_now)
        folded.users.add(row, user_id, {"account_id": account_id, **fields}, traits, set_once)
    if name in PERSON_EVENTS:
        return  # identify / alias / set calls, not user actions
    properties = without(props, DROPPED)
    person_id = values.text(record.get("person_id"))
    if person_id is not None:
        properties["$person_id"] = person_id
    event = {
        "event_id": values.text(record.get("uuid")),
        "user_id": user_id,
        "account_id": account_id,
        "event": name,
        "ts": ts,
        "properties": properties,
    }
    yield row, "events", event


def _records(path: Path, context: ImportContext) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.name.lower().endswith(".csv"):
        return json_rows(path, context)
    found, header, records = csv_rows(path, CSV_COLUMNS)
    missing = [c for c in ("event", "distinct_id", "timestamp") if c not in found]
    if missing:
        raise SourceError(
            f"no {', '.join(missing)} column (a PostHog events export has uuid, event, "
            f"distinct_id, timestamp, properties); the file has: {', '.join(header)}"
        )
    return records


def _parse(
    row: int, record: dict[str, Any], context: ImportContext
) -> tuple[str, str, Any, dict[str, Any]] | None:
    """(event, distinct_id, timestamp, properties) or None after reporting what is wrong."""
    name = context.required(row, "event", record.get("event"), EVENT_NAME)
    user_id = context.required(row, "distinct_id", record.get("distinct_id"), EVENT_USER)
    ts = context.time(row, "timestamp", record.get("timestamp"), TIME_HINT, EVENT_TIME)
    problems = len(context.problems)
    props = context.json_object(row, "properties", record.get("properties"))
    if name is None or user_id is None or ts is None or len(context.problems) > problems:
        return None
    return name, user_id, ts, props or {}


def _person_updates(
    row: int, record: dict[str, Any], props: dict[str, Any], context: ImportContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """($set, $set_once) of the event: in its properties or the batch export's set / set_once."""
    found = [
        context.json_object(row, where, holder.get(key)) or {}
        for holder, key, where in (
            (props, "$set", "properties.$set"),
            (record, "set", "set"),
            (props, "$set_once", "properties.$set_once"),
            (record, "set_once", "set_once"),
        )
    ]
    return {**found[0], **found[1]}, {**found[2], **found[3]}


def _group_identify(
    row: int, props: dict[str, Any], configured: str | None, accounts: Profiles
) -> None:
    group_type = values.text(props.get("$group_type"))
    account_id = values.text(props.get("$group_key"))
    wanted = (configured,) if configured else DEFAULT_GROUP_TYPES
    if group_type not in wanted or account_id is None:
        return
    group_set = props.get("$group_set")
    fields, traits = account_fields(group_set if isinstance(group_set, dict) else {})
    accounts.add(row, account_id, fields, traits)


IMPORTER = Importer(
    name="posthog",
    summary="PostHog events export (batch export JSON lines, or CSV)",
    tables=("events", "users", "accounts"),
    suffixes=(*JSON_SUFFIXES, ".csv"),
    read=event_reader(_records, _convert),
)
