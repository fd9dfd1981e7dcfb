"""Mixpanel: the raw event export (JSONL) and the people (Engage) profile export.

Raw export line: `{"event": "Created Document", "properties": {"time": 1767607200,
"distinct_id": "u_1", "$insert_id": "...", "$user_id": "u_1", "$device_id": "...",
"company_id": "acme", ...}}`; `time` is epoch seconds (milliseconds with `time_in_ms=true`).
Profile: `{"$distinct_id": "u_1", "$properties": {"$email": ..., "$created": ...}}`, one per
line, or the Engage API's `{"results": [...], ...}` response as it came.
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
    event_reader,
    pick_group,
    without,
)
from pqlengine.ingest.formats.sources import JSON_SUFFIXES, json_rows

DEFAULT_GROUP_KEY = "company_id"
# Identity and transport bookkeeping; everything else stays in `properties`.
DROPPED = frozenset(
    {
        "time",
        "distinct_id",
        "$distinct_id_before_identity",
        "$insert_id",
        "$user_id",
        "$device_id",
        "$groups",
        "token",
        "mp_processing_time_ms",
        "$mp_api_endpoint",
        "$mp_api_timestamp_ms",
    }
)
IDENTITY_EVENTS = ("$identify", "$create_alias")
TIME_HINT = "is not a timestamp (Mixpanel exports epoch seconds, or milliseconds with time_in_ms)"


def _convert(
    context: ImportContext, row: int, record: dict[str, Any], folded: Folded
) -> Iterator[Row]:
    """One line: an event, an $identify / $create_alias (a user), or profiles (users)."""
    group_key = context.configured("events", "account_id") or DEFAULT_GROUP_KEY
    users = folded.users
    if "event" in record or "properties" in record:
        yield from _event(row, record, group_key, users, context)
    elif "$distinct_id" in record:
        _profile(row, record, group_key, users, context)
    elif isinstance(record.get("results"), list):  # the Engage API's response
        for item in record["results"]:
            _profile(row, item if isinstance(item, dict) else {}, group_key, users, context)
    else:
        context.problem(
            row,
            "event",
            "is missing: neither an event ({event, properties}) "
            "nor a profile ({$distinct_id, $properties})",
        )


def _event(
    row: int, record: dict[str, Any], group_key: str, users: Profiles, context: ImportContext
) -> Iterator[Row]:
    name = context.required(row, "event", record.get("event"), EVENT_NAME)
    props = record.get("properties")
    if not isinstance(props, dict):
        context.problem(row, "properties", "must be a JSON object")
        return
    user_id = context.required(
        row,
        "properties.distinct_id",
        values.text(props.get("$user_id")) or props.get("distinct_id"),
        EVENT_USER,
    )
    ts = context.time(row, "properties.time", props.get("time"), TIME_HINT, EVENT_TIME)
    if name is None or user_id is None or ts is None:
        return
    account_id = _group(props, group_key)
    if name in IDENTITY_EVENTS:
        # $identify names the identified user; $create_alias makes `alias` the user's id.
        known = props.get("$identified_id") if name == "$identify" else props.get("alias")
        users.add(row, values.text(known) or user_id, {"account_id": account_id})
        return
    event = {
        "event_id": values.text(props.get("$insert_id")),
        "user_id": user_id,
        "account_id": account_id,
        "event": name,
        "ts": ts,
        "properties": without(props, DROPPED | {group_key}),
    }
    yield row, "events", event


def _profile(
    row: int, record: dict[str, Any], group_key: str, users: Profiles, context: ImportContext
) -> None:
    user_id = values.text(record.get("$distinct_id"))
    props = record.get("$properties") or {}
    if user_id is None:
        context.problem(row, "$distinct_id", "is empty (every profile needs one)")
        return
    if not isinstance(props, dict):
        context.problem(row, "$properties", "must be a JSON object")
        return
    try:
        created = values.timestamp(props.get("$created"))
    except ValueError:
        context.problem(row, "$properties.$created", f"{props.get('$created')!r} is not a date")
        return
    fields = {
        "account_id": _group(props, group_key),
        "email": values.text(props.get("$email")),
        "signed_up_at": created,
    }
    users.add(row, user_id, fields, without(props, {"$email", "$created", group_key}))


def _group(props: dict[str, Any], group_key: str) -> str | None:
    """The account: the group key property (a list holds all the user's groups: first wins)."""
    _, value = pick_group(props, group_key, ())
    if value is None:
        _, value = pick_group(props.get("$groups"), group_key, ())
    return values.text(value)


IMPORTER = Importer(
    name="mixpanel",
    summary="Mixpanel raw event export (JSONL) and people profiles",
    tables=("events", "users"),
    suffixes=JSON_SUFFIXES,
    read=event_reader(json_rows, _convert),
)
