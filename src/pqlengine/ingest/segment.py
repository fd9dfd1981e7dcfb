"""Segment Tracking API messages (track, identify, group, page, screen, alias) as canonical rows.

Used by the live service's HTTP ingest and by file imports of Segment's raw JSON. Each
message is checked on its own; a bad one yields a `MessageProblem` naming its index and
field, and never blocks the good ones next to it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pqlengine.ingest.limits import bigint_problem, first_unstorable, instant_problem, shown

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MESSAGE_TYPES = ("track", "identify", "group", "page", "screen", "alias")
# Corrected timestamps further ahead of the receive time than this are rejected.
MAX_FUTURE = timedelta(days=1)
DEFAULT_ACCOUNT_PATHS = ("context.groupId", "properties.account_id")


@dataclass(frozen=True)
class MessageProblem:
    """Why one message was rejected: its index in the batch (None for a single call)."""

    index: int | None
    field: str
    message: str
    code: str = "invalid_message"

    def to_json(self) -> dict[str, Any]:
        """The problem in the API's error-detail shape."""
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass
class Message:
    """One accepted message, normalised; `rows` are (table, canonical row) pairs."""

    message_id: str
    type: str
    user_id: str | None
    account_id: str | None
    timestamp: datetime  # naive UTC, skew-corrected
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, field_name: str, message: str, code: str = "invalid_message") -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.code = code


def parse_batch(
    messages: Iterable[Any],
    received_at: datetime,
    account_paths: Iterable[str] = DEFAULT_ACCOUNT_PATHS,
    sent_at: Any = None,
    default_type: str | None = None,
    indexed: bool = True,
) -> tuple[list[Message], list[MessageProblem]]:
    """Validate and normalise messages; return the good ones and a problem per bad one."""
    good: list[Message] = []
    problems: list[MessageProblem] = []
    paths = tuple(account_paths)
    for index, raw in enumerate(messages):
        where = index if indexed else None
        try:
            good.append(parse_message(raw, received_at, paths, sent_at, default_type))
        except _Bad as bad:
            problems.append(MessageProblem(where, bad.field, bad.message, bad.code))
    return good, problems


def parse_message(
    raw: Any,
    received_at: datetime,
    account_paths: tuple[str, ...] = DEFAULT_ACCOUNT_PATHS,
    sent_at: Any = None,
    default_type: str | None = None,
) -> Message:
    """One message as a `Message`; raises _Bad (caught by parse_batch) when invalid."""
    if not isinstance(raw, dict):
        raise _Bad("", f"a message must be a JSON object, not {_json_type(raw)}")
    # Before anything reads the message: what the store cannot hold fails this message only.
    unstorable = first_unstorable(raw)
    if unstorable is not None:
        raise _Bad(*unstorable)
    size = len(json.dumps(raw, separators=(",", ":"), default=str).encode())
    if size > MAX_MESSAGE_BYTES:
        raise _Bad("", f"message is {size} bytes; the limit is 32 KB", "message_too_large")
    kind = raw.get("type", default_type)
    if kind not in MESSAGE_TYPES:
        named = "missing" if kind is None else f"'{shown(str(kind))}'"
        raise _Bad(
            "type", f"unknown message type {named}; expected one of {', '.join(MESSAGE_TYPES)}"
        )
    user_id = _identity(raw, required=kind != "group")
    timestamp = _corrected_timestamp(raw, received_at, sent_at)
    context = _object(raw, "context")
    message_id = _optional_text(raw, "messageId") or _content_id(raw)
    if kind == "group":
        return _group(raw, message_id, user_id, timestamp)
    if kind == "identify":
        traits = {**_object(context, "traits", "context.traits"), **_object(raw, "traits")}
        user_row = _user_row(user_id, traits, _text_at(raw, ("context.groupId",)))
        account_id = user_row.get("account_id")
        return Message(message_id, kind, user_id, account_id, timestamp, [("users", user_row)])
    if kind == "alias":
        previous = _required_text(raw, "previousId")
        alias: dict[str, Any] = {"previous_id": previous, "user_id": user_id}
        alias["aliased_at"] = timestamp
        return Message(message_id, kind, user_id, None, timestamp, [("aliases", alias)])
    properties = _object(raw, "properties")
    if kind == "track":
        event = _required_text(raw, "event")
    else:
        name = _optional_text(raw, "name")
        event = "Page Viewed" if kind == "page" else "Screen Viewed"
        properties = {**properties, **({"name": name} if name else {})}
        if raw.get("category") is not None:
            properties["category"] = raw["category"]
    account_id = _text_at(raw, account_paths)
    row: dict[str, Any] = {
        "event_id": message_id,
        "user_id": user_id,
        "account_id": account_id,
        "event": event,
        "ts": timestamp,
        "properties": properties,
    }
    return Message(message_id, kind, user_id, account_id, timestamp, [("events", row)])


def _group(raw: dict[str, Any], message_id: str, user_id: str | None, ts: datetime) -> Message:
    group_id = _required_text(raw, "groupId")
    traits = dict(_object(raw, "traits"))
    employees = traits.pop("employees", None)
    if employees is not None:
        employees = _integer(employees, "traits.employees")
    account = {
        "account_id": group_id,
        "name": _trait_text(traits, "name"),
        "domain": _domain(_trait_text(traits, "domain") or _trait_text(traits, "website")),
        "employees": employees,
        "plan": _trait_text(traits, "plan"),
        "created_at": _trait_time(traits, "createdAt", "traits.createdAt"),
        "traits": traits,
    }
    rows: list[tuple[str, dict[str, Any]]] = [("accounts", account)]
    if user_id is not None:
        rows.append(("users", {"user_id": user_id, "account_id": group_id, "traits": {}}))
    return Message(message_id, "group", user_id, group_id, ts, rows)


def _user_row(user_id: str | None, traits: dict[str, Any], group_id: str | None) -> dict[str, Any]:
    rest = dict(traits)
    company = rest.get("company")
    company_id = company.get("id") if isinstance(company, dict) else None
    return {
        "user_id": user_id,
        "account_id": group_id or (str(company_id) if company_id is not None else None),
        "email": _trait_text(rest, "email"),
        "signed_up_at": _trait_time(rest, "createdAt", "traits.createdAt"),
        "traits": rest,
    }


def _identity(raw: dict[str, Any], required: bool) -> str | None:
    for key in ("userId", "anonymousId"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise _Bad(key, f"{key} must be a string, not {_json_type(value)}")
        if value is not None and str(value).strip():
            return str(value)
    if required:
        raise _Bad("userId", "userId or anonymousId is required")
    return None


def _corrected_timestamp(raw: dict[str, Any], received_at: datetime, batch_sent: Any) -> datetime:
    """Segment's rule: an explicit `timestamp` wins; else receivedAt - (sentAt -
    originalTimestamp) corrects the device clock; else originalTimestamp; else receivedAt."""
    received = _naive_utc(received_at)
    field_name = "timestamp" if raw.get("timestamp") is not None else "originalTimestamp"
    if raw.get("timestamp") is not None:
        moment = _parse_time(raw["timestamp"], "timestamp")
    elif raw.get("originalTimestamp") is not None:
        original = _parse_time(raw["originalTimestamp"], "originalTimestamp")
        sent_raw = raw.get("sentAt", batch_sent)
        if sent_raw is not None:
            sent = _parse_time(sent_raw, "sentAt")
            try:
                moment = received - (sent - original)
            except OverflowError:  # unreachable with both in the stored range; kept as a guard
                raise _Bad(field_name, "originalTimestamp corrected by sentAt overflows") from None
            problem = instant_problem(moment, "originalTimestamp corrected by sentAt")
            if problem is not None:
                raise _Bad(field_name, problem)
        else:
            moment = original
    else:
        moment = received
    if moment > received + MAX_FUTURE:
        raise _Bad(field_name, f"{moment.isoformat()}Z is more than a day in the future")
    return moment


def _parse_time(value: Any, field_name: str) -> datetime:
    """A JSON value as a naive-UTC instant in the stored range; _Bad naming `field_name`."""
    if isinstance(value, bool):
        raise _Bad(field_name, f"{field_name} must be an ISO 8601 string, not a boolean")
    if isinstance(value, int | float):
        moment = _epoch(value, field_name)
    elif isinstance(value, str):
        try:
            moment = _naive_utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise _Bad(
                field_name,
                f"'{shown(value)}' is not an ISO 8601 timestamp (e.g. 2026-01-05T10:00:00.000Z)",
            ) from None
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise _Bad(field_name, f"{field_name} '{shown(value)}' is out of range") from None
    else:
        raise _Bad(field_name, f"{field_name} must be an ISO 8601 string, not {_json_type(value)}")
    problem = instant_problem(moment, field_name)
    if problem is not None:
        raise _Bad(field_name, problem)
    return moment


def _epoch(value: int | float, field_name: str) -> datetime:
    """Epoch seconds, ms or µs (the magnitude picks the unit, as the file importers do)."""
    try:
        number = float(value)  # an integer of hundreds of digits overflows here
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _Bad(field_name, f"{field_name} is not a finite number or is out of range")
    seconds = (
        number / 1e6 if abs(number) >= 1e14 else number / 1e3 if abs(number) >= 1e11 else number
    )
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise _Bad(field_name, f"{field_name} {number:g} is out of range") from None


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _object(parent: dict[str, Any], key: str, label: str | None = None) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(label or key, f"{label or key} must be an object, not {_json_type(value)}")
    return value


def _optional_text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, dict | list | bool):
        raise _Bad(key, f"{key} must be a string, not {_json_type(value)}")
    text = str(value).strip()
    return text or None


def _required_text(raw: dict[str, Any], key: str) -> str:
    text = _optional_text(raw, key)
    if text is None:
        raise _Bad(key, f"{key} is required")
    return text


def _text_at(raw: dict[str, Any], paths: Iterable[str]) -> str | None:
    """The first non-empty scalar at one of the dotted `paths` (e.g. context.groupId)."""
    for path in paths:
        value: Any = raw
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _trait_text(traits: dict[str, Any], key: str) -> str | None:
    value = traits.pop(key, None)
    if value is None or isinstance(value, dict | list):
        if value is not None:
            traits[key] = value
        return None
    return str(value).strip() or None


def _trait_time(traits: dict[str, Any], key: str, label: str) -> datetime | None:
    value = traits.pop(key, None)
    return None if value is None else _parse_time(value, label)


def _integer(value: Any, label: str) -> int:
    """A whole number (JSON number or numeric string) that fits a BIGINT column."""
    whole: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        whole = value  # exact: through float, 2**63 + 1 would round
    elif isinstance(value, str | float):
        try:
            whole = int(value.strip()) if isinstance(value, str) else None
        except ValueError:  # "42.0", "4e2", or more than 4300 digits
            whole = None
        if whole is None:
            try:
                number = float(value)
            except (ValueError, OverflowError):
                number = math.nan
            whole = int(number) if number.is_integer() else None
    if whole is None:
        raise _Bad(label, f"{label} must be a whole number, not '{shown(str(value))}'")
    problem = bigint_problem(whole, label)
    if problem is not None:
        raise _Bad(label, problem)
    return whole


def _domain(text: str | None) -> str | None:
    """'https://www.Acme.com/about' -> 'acme.com'."""
    if text is None:
        return None
    host = text.strip().lower().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.") or None


def _content_id(raw: dict[str, Any]) -> str:
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
