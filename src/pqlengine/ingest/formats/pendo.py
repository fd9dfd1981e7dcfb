"""Pendo: event rows of the Aggregation API (sources trackEvents, pageEvents, featureEvents,
events) or of the Track Events API, as JSON lines, a JSON array, or CSV.

A row: `visitorId`, `accountId`, `browserTime` (epoch ms; the Track Events API's
`timestamp` is accepted), and what happened: `type` ("track", "load" = page, "click" =
feature) or, without `type`, the id it carries: `trackTypeId` / `event` (track),
`featureId` (feature), `pageId` (page). Aggregated rows also carry `numEvents`,
`numMinutes`, `day`, `hour`, `server`, `remoteIp`, `userAgent`, `parameters`.

Event names (docs/connectors.md):
- track event: its `event` (or `trackTypeName`); without a name, "Track Event <trackTypeId>";
- page: "Viewed Page <pageName, else pageId>"; feature: "Clicked Feature <featureName,
  else featureId>".
`properties` are kept, with the ids, counts and page context added (never the IP). Rows of
other types (guide, poll, focus, ...) are skipped and counted. Rows have no event id in
most exports: the engine derives one from user, name, time and properties, so importing a
file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.formats.common import (
    EVENT_TIME,
    EVENT_USER,
    Folded,
    ImportContext,
    Importer,
    Row,
)
from pqlengine.ingest.formats.sources import JSON_SUFFIXES, csv_rows, json_rows
from pqlengine.ingest.readers import SourceError

TYPES = {"track": "track", "load": "page", "page": "page", "click": "feature", "feature": "feature"}
# Pendo's context fields copied into `properties` (unless the event has its own);
# remoteIp, latitude and longitude are not kept.
CONTEXT_FIELDS = (
    "pageId",
    "featureId",
    "trackTypeId",
    "numEvents",
    "numMinutes",
    "url",
    "title",
    "server",
    "appId",
    "userAgent",
    "parameters",
)
COUNT_FIELDS = ("numEvents", "numMinutes")
CSV_FIELDS = (
    "eventId",
    "type",
    "event",
    "trackTypeName",
    "pageName",
    "featureName",
    "visitorId",
    "accountId",
    "browserTime",
    "timestamp",
    "properties",
    *CONTEXT_FIELDS,
)
TIME_HINT = "is not a timestamp (Pendo exports browserTime in epoch milliseconds)"
SKIPPED_NOTE = "{count} Pendo rows of other types ({types}) are not track, page or feature events"


def _read(path: Path, context: ImportContext) -> Iterator[Row]:
    folded = Folded()
    skipped: dict[str, int] = {}
    for row, record in _records(path, context):
        yield from _convert(context, row, record, folded, skipped)
    yield from folded.users.rows()
    if skipped:
        types = ", ".join(sorted(skipped))
        count = sum(skipped.values())
        context.notes.append(SKIPPED_NOTE.format(count=count, types=types) + "; skipped")


def _records(path: Path, context: ImportContext) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.name.lower().endswith(".csv"):
        return json_rows(path, context)
    account_field = context.configured("events", "account_id")
    wanted = (*CSV_FIELDS, account_field) if account_field else CSV_FIELDS
    found, header, records = csv_rows(path, {name: (name,) for name in wanted})
    if "visitorId" not in found or not {"browserTime", "timestamp"} & set(found):
        raise SourceError(
            "not a Pendo events export: it lacks visitorId or browserTime; "
            f"the file has: {', '.join(header)}"
        )
    # Pendo's spellings as keys and counts as numbers, so CSV and JSON rows read alike.
    return ((line, _typed({k: record[v] for k, v in found.items()})) for line, record in records)


def _typed(record: dict[str, Any]) -> dict[str, Any]:
    for count in COUNT_FIELDS:
        number = values.whole(record.get(count))
        if number is not None:
            record[count] = number
    return record


def _convert(
    context: ImportContext,
    row: int,
    record: dict[str, Any],
    folded: Folded,
    skipped: dict[str, int],
) -> Iterator[Row]:
    """One Pendo row: an events row, and its visitor's account on the users table."""
    kind = _kind(record)
    if kind is None:
        if values.text(record.get("type")) is None:
            context.problem(
                row, "type", "is empty, and the row has no event, pageId or featureId "
                "(cannot tell a track, page or feature event)"
            )  # fmt: skip
        else:
            skipped[str(record["type"])] = skipped.get(str(record["type"]), 0) + 1
        return
    before = len(context.problems)
    name = _name(row, kind, record, context)
    user_id = context.required(row, "visitorId", record.get("visitorId"), EVENT_USER)
    time_field = "browserTime" if "browserTime" in record else "timestamp"
    ts = context.time(row, time_field, record.get(time_field), TIME_HINT, EVENT_TIME)
    props = context.json_object(row, "properties", record.get("properties"))
    if name is None or user_id is None or ts is None or len(context.problems) > before:
        return
    account_id = values.text(record.get(context.configured("events", "account_id") or "accountId"))
    properties = {k: record[k] for k in CONTEXT_FIELDS if record.get(k) not in (None, "")}
    properties.update(props or {})
    folded.users.add(row, user_id, {"account_id": account_id})
    event = {
        "event_id": values.text(record.get("eventId")),
        "user_id": user_id,
        "account_id": account_id,
        "event": name,
        "ts": ts,
        "properties": properties,
    }
    yield row, "events", event


def _kind(record: dict[str, Any]) -> str | None:
    """track, page or feature; None for another type or a row that does not say."""
    declared = values.text(record.get("type"))
    if declared is not None:
        return TYPES.get(declared.lower())
    for field, kind in (
        ("event", "track"),
        ("trackTypeId", "track"),
        ("featureId", "feature"),
        ("pageId", "page"),
    ):
        if values.text(record.get(field)) is not None:
            return kind
    return None


def _name(row: int, kind: str, record: dict[str, Any], context: ImportContext) -> str | None:
    """The event name by the rule in the module docstring; None after reporting it missing."""
    if kind == "track":
        named = values.text(record.get("event")) or values.text(record.get("trackTypeName"))
        if named is not None:
            return named
        track_type = context.required(
            row, "event", record.get("trackTypeId"), "and so is trackTypeId; a track event "
            "needs its name or type id"
        )  # fmt: skip
        return None if track_type is None else f"Track Event {track_type}"
    label, id_field, verb = (
        ("pageName", "pageId", "Viewed Page")
        if kind == "page"
        else ("featureName", "featureId", "Clicked Feature")
    )
    what = values.text(record.get(label)) or context.required(
        row, id_field, record.get(id_field), f"a {kind} event needs its {id_field}"
    )
    return None if what is None else f"{verb} {what}"


IMPORTER = Importer(
    name="pendo",
    summary="Pendo track, page and feature events (Aggregation API rows, JSON or CSV)",
    tables=("events", "users"),
    suffixes=(*JSON_SUFFIXES, ".csv"),
    read=_read,
)
