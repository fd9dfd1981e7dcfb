"""The oracle's view of the canonical tables at `as_of` (docs/semantics.md, "Inputs")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.reference.maths import to_naive_utc

Row = dict[str, Any]

ACCOUNT_COLUMNS = ("account_id", "name", "domain", "employees", "plan", "created_at")
USER_COLUMNS = ("user_id", "account_id", "email", "signed_up_at")


@dataclass
class World:
    """The canonical tables as they were at `as_of`, with events already attributed."""

    entity: str
    as_of: datetime
    events: list[Row]
    users: dict[str, Row]
    accounts: dict[str, Row]
    conversions: list[Row]
    events_of: dict[str, list[Row]] = field(default_factory=dict)

    def user_account(self, user_id: str | None) -> str | None:
        """users.account_id of a user (None when the user has no users row)."""
        row = self.users.get(user_id) if user_id is not None else None
        return row.get("account_id") if row else None

    def owner(self, event: Row) -> str | None:
        """The entity an event belongs to."""
        if self.entity == "user":
            owner: str | None = event.get("user_id")
            return owner
        account = event.get("account_id")
        return account if account is not None else self.user_account(event.get("user_id"))

    def entity_ids(self) -> list[str]:
        """Every entity of the configured kind."""
        ids: set[str] = set()
        if self.entity == "user":
            ids.update(self.users)
            ids.update(e["user_id"] for e in self.events if e.get("user_id") is not None)
        else:
            ids.update(self.accounts)
            ids.update(u["account_id"] for u in self.users.values() if u.get("account_id"))
            ids.update(e["account_id"] for e in self.events if e.get("account_id") is not None)
        return sorted(ids)

    def users_of_account(self, account_id: str) -> list[Row]:
        """users rows whose account_id is `account_id`."""
        return [u for u in self.users.values() if u.get("account_id") == account_id]


def _bag(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value)


def earliest_copies_first(events: list[Row]) -> list[Row]:
    """The events reordered so that of the rows sharing an event_id, the one a read of a
    user's table keeps comes first (docs/semantics.md, Inputs): earliest ts, then user_id,
    account_id, event, NULLs last; our store keeps the same copy at ingest. load_world
    then keeps it (the first row wins)."""

    def text_last(value: Any) -> tuple[bool, Any]:
        return (value is None, "" if value is None else value)

    def order(event: Row) -> tuple[Any, ...]:
        ts = to_naive_utc(event["ts"])
        return (
            text_last(ts),
            *(text_last(event.get(c)) for c in ("user_id", "account_id", "event")),
        )

    return sorted(events, key=order)


def load_world(config: Row, tables: dict[str, list[Row]], as_of: datetime) -> World:
    """Normalise timestamps, dedupe events by event_id (the earliest copy is the event,
    wherever it came from) and drop data after `as_of`."""
    seen_ids: set[Any] = set()
    events: list[Row] = []
    for raw in earliest_copies_first(tables.get("events", [])):
        event_id = raw.get("event_id")
        if event_id is not None:
            if event_id in seen_ids:
                continue
            seen_ids.add(event_id)
        ts = to_naive_utc(raw["ts"])
        if ts is not None and ts <= as_of:
            events.append({**raw, "ts": ts, "properties": _bag(raw.get("properties"))})
    users: dict[str, Row] = {}
    for raw in tables.get("users", []):
        users[raw["user_id"]] = {
            **raw,
            "signed_up_at": to_naive_utc(raw.get("signed_up_at")),
            "traits": _bag(raw.get("traits")),
        }
    accounts: dict[str, Row] = {}
    for raw in tables.get("accounts", []):
        accounts[raw["account_id"]] = {
            **raw,
            "created_at": to_naive_utc(raw.get("created_at")),
            "traits": _bag(raw.get("traits")),
        }
    conversions = []
    for raw in tables.get("conversions", []):
        converted_at = to_naive_utc(raw["converted_at"])
        if converted_at is not None and converted_at <= as_of:
            conversions.append({**raw, "converted_at": converted_at})
    world = World(config.get("entity", "account"), as_of, events, users, accounts, conversions)
    for event in sorted(events, key=lambda e: e["ts"]):
        owner = world.owner(event)
        if owner is not None:
            world.events_of.setdefault(owner, []).append(event)
    return world
