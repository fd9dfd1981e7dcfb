"""What every vendor importer shares: its shape, its context, and the profile merger.

An importer reads one export file and yields `(row, table, record)` triples: the row
(line) number in the file, a canonical table name and a record with canonical column
names (`store.SCHEMAS`). Values it cannot use it reports through `ImportContext.problem`,
naming the vendor's own field, and carries on, so one run lists every bad line.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pqlengine.ingest.formats import values
from pqlengine.ingest.readers import RowProblem
from pqlengine.store import BAG_COLUMN, KEYS, Store

Row = tuple[int, str, dict[str, Any]]
# Why an event's field may not be empty, for `ImportContext.required` / `.time`.
EVENT_NAME = "every event needs a name"
EVENT_USER = "every event needs a user"
EVENT_TIME = "every event needs a time"


@dataclass
class ImportContext:
    """An importer's view of the world: the store, pql.yaml's `columns:`, and its report."""

    source: str
    store: Store
    columns: Callable[[str], dict[str, str]]
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Archive members: (first row number - 1, member name), for "member, line N" messages.
    parts: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, row: int, vendor_field: str, message: str) -> None:
        """Record a bad value at `row`; the file will be rejected with it."""
        self.problems.append(RowProblem(row, vendor_field, message, kind="field"))

    def required(self, row: int, vendor_field: str, value: Any, why: str) -> str | None:
        """`value` as text, or None after reporting it empty ("is empty (<why>)")."""
        found = values.text(value)
        if found is None:
            self.problem(row, vendor_field, f"is empty ({why})")
        return found

    def time(self, row: int, vendor_field: str, value: Any, hint: str, why: str) -> datetime | None:
        """`value` as a naive UTC datetime, or None after reporting it empty or unreadable."""
        try:
            moment = values.timestamp(value)
        except ValueError:
            self.problem(row, vendor_field, f"{value!r} {hint}")
            return None
        if moment is None:
            self.problem(row, vendor_field, f"is empty ({why})")
        return moment

    def json_object(self, row: int, vendor_field: str, value: Any) -> dict[str, Any] | None:
        """A JSON object (or JSON text of one), or None after reporting what it is instead."""
        try:
            return values.json_object(value)
        except ValueError as exc:
            self.problem(row, vendor_field, str(exc))
            return None

    def configured(self, table: str, column: str) -> str | None:
        """The vendor field pql.yaml names for a canonical column (`columns: table: {col: x}`)."""
        return self.columns(table).get(column)

    def locate(self, row: int) -> str:
        """'line N', or 'member, line N' inside an archive."""
        if not self.parts:
            return f"line {row}"
        index = bisect.bisect_left(self.parts, (row, "")) - 1
        offset, member = self.parts[max(index, 0)]
        return f"{member}, line {row - offset}"


@dataclass(frozen=True)
class Importer:
    """One vendor export format."""

    name: str
    summary: str
    tables: tuple[str, ...]  # the canonical tables it may feed
    suffixes: tuple[str, ...]  # file name endings it reads from a directory
    read: Callable[[Path, ImportContext], Iterator[Row]]


class Profiles:
    """Users or accounts seen in one file, merged field by field: later values win, traits merge.

    Vendor exports repeat a person on every identify call (and Amplitude on every event);
    the store keeps one row per key, so the file's rows are folded before staging.
    """

    def __init__(self, table: str) -> None:
        self.table = table
        self.key = KEYS[table][0]
        self.bag = BAG_COLUMN[table]
        self._records: dict[str, tuple[int, dict[str, Any]]] = {}

    def add(
        self,
        row: int,
        key: str,
        fields: dict[str, Any] | None = None,
        traits: dict[str, Any] | None = None,
        traits_once: dict[str, Any] | None = None,
    ) -> None:
        """Fold one sighting of `key` into its record; None values say nothing."""
        _, record = self._records.get(key, (row, {self.key: key, self.bag: {}}))
        for name, value in (fields or {}).items():
            if value is not None:
                record[name] = value
        bag: dict[str, Any] = record[self.bag]
        for name, value in (traits_once or {}).items():
            bag.setdefault(name, value)
        bag.update(traits or {})
        self._records[key] = (row, record)

    def rows(self) -> Iterator[Row]:
        """One triple per key, numbered with the last row that mentioned it."""
        for row, record in self._records.values():
            yield row, self.table, record


@dataclass
class Folded:
    """The users and accounts one file mentions, folded as it is read."""

    users: Profiles = field(default_factory=lambda: Profiles("users"))
    accounts: Profiles = field(default_factory=lambda: Profiles("accounts"))


Convert = Callable[[ImportContext, int, dict[str, Any], Folded], Iterable[Row]]


def event_reader(
    records: Callable[[Path, ImportContext], Iterable[tuple[int, dict[str, Any]]]],
    convert: Convert,
) -> Callable[[Path, ImportContext], Iterator[Row]]:
    """An importer's `read`: every record through `convert`, then the users and accounts folded."""

    def read(path: Path, context: ImportContext) -> Iterator[Row]:
        folded = Folded()
        for row, record in records(path, context):
            yield from convert(context, row, record, folded)
        yield from folded.users.rows()
        yield from folded.accounts.rows()

    return read


def pick_group(
    groups: Any, configured: str | None, defaults: tuple[str, ...]
) -> tuple[str | None, Any]:
    """(group type, value) of the account group in a vendor's {group type: id} mapping.

    `configured` (pql.yaml `columns: events: {account_id: <group type>}`) wins; otherwise the
    first of `defaults` present.
    """
    if not isinstance(groups, dict):
        return None, None
    for group_type in (configured,) if configured else defaults:
        value = groups.get(group_type)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return group_type, value
    return None, None


def without(mapping: dict[str, Any], dropped: set[str] | frozenset[str]) -> dict[str, Any]:
    """`mapping` minus the keys in `dropped`."""
    return {k: v for k, v in mapping.items() if k not in dropped}


def user_fields(traits: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(canonical user columns, remaining traits) from a vendor's person properties."""
    for key in ("email", "$email", "Email"):
        email = values.text(traits.get(key))
        if email is not None:
            return {"email": email}, without(traits, {key})
    return {}, traits


def account_fields(traits: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(canonical account columns, remaining traits) from a vendor's group properties.

    A value that does not fit its column (employees "11-50") stays a trait.
    """
    lifted: dict[str, Any] = {}
    used: set[str] = set()
    for column, keys, parse in _ACCOUNT_COLUMNS:
        for key in keys:
            value = _quietly(parse, traits.get(key))
            if value is not None:
                lifted[column] = value
                used.add(key)
                break
    return lifted, without(traits, used)


def _quietly(parse: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parse(value)
    except ValueError:
        return None


_ACCOUNT_COLUMNS: tuple[tuple[str, tuple[str, ...], Callable[[Any], Any]], ...] = (
    ("name", ("name", "$name", "company_name"), values.text),
    ("domain", ("domain", "website", "company_domain"), values.domain),
    ("plan", ("plan",), values.text),
    ("employees", ("employees", "employee_count", "number_of_employees"), values.whole),
    ("created_at", ("created_at", "$created"), values.timestamp),
)
