"""Segment: raw message archives (S3 / Data Lakes / warehouse JSON of track, identify,
group, page, screen calls), one message per line or a JSON array, gzipped or not.

Each message goes through the same mapper as the live service's HTTP ingest
(`pqlengine.ingest.segment`), so a file import and a live stream agree row for row.
`receivedAt` in the archive is the receive time the clock-skew rule uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.formats.common import (
    Folded,
    ImportContext,
    Importer,
    Row,
    event_reader,
)
from pqlengine.ingest.formats.sources import JSON_SUFFIXES, json_rows
from pqlengine.ingest.segment import DEFAULT_ACCOUNT_PATHS, parse_batch


def _convert(
    context: ImportContext, row: int, record: dict[str, Any], folded: Folded
) -> Iterator[Row]:
    if record.get("type") == "alias":
        return  # identity merges are not applied to stored rows (see docs/connectors.md)
    configured = context.configured("events", "account_id")
    paths = (configured,) if configured else DEFAULT_ACCOUNT_PATHS
    try:
        received = values.timestamp(record.get("receivedAt"))
    except ValueError:
        context.problem(row, "receivedAt", f"{record.get('receivedAt')!r} is not a timestamp")
        return
    received_at = received.replace(tzinfo=UTC) if received else datetime.now(UTC)
    good, problems = parse_batch([record], received_at, paths, indexed=False)
    for problem in problems:
        context.problem(row, problem.field or "message", problem.message)
    for message in good:
        for table, canonical in message.rows:
            if table == "events":
                yield row, table, canonical
            elif table in ("users", "accounts"):
                profiles = folded.users if table == "users" else folded.accounts
                key = canonical["user_id" if table == "users" else "account_id"]
                fields = {k: v for k, v in canonical.items() if k not in ("traits",)}
                profiles.add(row, key, fields, canonical.get("traits") or {})


IMPORTER = Importer(
    name="segment",
    summary="Segment raw message archive (S3 / warehouse JSON of track, identify, group...)",
    tables=("events", "users", "accounts"),
    suffixes=JSON_SUFFIXES,
    read=event_reader(json_rows, _convert),
)
