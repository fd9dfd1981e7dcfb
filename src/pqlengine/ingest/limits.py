"""What an ingested value may be so that storing it cannot fail: the store's limits as data.

A message that passes these checks can be inserted into DuckDB (VARCHAR is UTF-8, BIGINT is
64-bit, JSON text must be valid) and read back into Python (`datetime` years 1..9999) by
every later step. Checking here, per message, is what keeps one client's bad message from
failing the transaction that also holds other clients' messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Objects and arrays nest at most this deep within one message (the message itself is 1).
MAX_DEPTH = 64
# Stored instants (event ts, createdAt traits) lie in [EARLIEST, LATEST): far enough from
# Python's year 1 and 9999 that window arithmetic downstream (days after signup, lapse
# instants, next changes) never leaves what `datetime` can hold.
EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(2200, 1, 1)
BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1


def first_unstorable(message: dict[str, Any]) -> tuple[str, str] | None:
    """A value of `message` the store cannot hold, as (dotted field, why): a key or string
    that is not UTF-8-encodable (a lone surrogate such as "\\ud800", which JSON's escapes
    allow), or nesting deeper than MAX_DEPTH. None when every value can be stored."""
    # Nearly every message is fine: find out without building paths, name the field after.
    if _walk(message, named=False) is None:
        return None
    return _walk(message, named=True)


def _walk(message: dict[str, Any], named: bool) -> tuple[str, str] | None:
    stack: list[tuple[Any, str, int]] = [(message, "", 1)]
    while stack:  # iterative: a deeply nested value must not exhaust Python's stack here
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            top = path.split(".", 1)[0].split("[", 1)[0]
            return top, f"{top} nests deeper than {MAX_DEPTH} levels"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and not _encodable(key):
                where = _join(path, shown(key)) if named else ""
                return where, f"the key {where} is not valid Unicode text (lone surrogate)"
            if isinstance(item, str):
                if not _encodable(item):
                    where = _join(path, key) if named else ""
                    return where, f"{where or 'a value'} is not valid Unicode text (lone surrogate)"
            elif isinstance(item, dict | list):
                stack.append((item, _join(path, key) if named else "", depth + 1))
    return None


def instant_problem(moment: datetime, label: str) -> str | None:
    """Why a naive-UTC instant cannot be stored, or None when it lies in the stored range."""
    if EARLIEST <= moment < LATEST:
        return None
    return (
        f"{label} {moment.isoformat()}Z is outside the stored range "
        f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()}"
    )


def bigint_problem(number: int, label: str) -> str | None:
    """Why an integer does not fit a BIGINT column, or None when it does."""
    if BIGINT_MIN <= number <= BIGINT_MAX:
        return None
    return f"{label} does not fit a 64-bit integer ({BIGINT_MIN} to {BIGINT_MAX})"


def shown(text: str, limit: int = 40) -> str:
    """At most `limit` characters of client text, safe to put in a UTF-8 JSON answer."""
    head = text[:limit] + ("..." if len(text) > limit else "")
    return head.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)
