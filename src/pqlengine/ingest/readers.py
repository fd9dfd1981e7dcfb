"""Readers: turn CSV, JSON-lines, JSON arrays and Python rows into staged chunks.

A staged chunk is a pyarrow table with `_row` (1-based row number in the source), one
VARCHAR column per canonical column that the source provides, and `_bag`: the JSON text of
the free-form attributes (the source's `properties`/`traits` merged with its extra columns).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from pqlengine.store import BAG_COLUMN, SCHEMAS

CHUNK_ROWS = 100_000


@dataclass
class RowProblem:
    """A bad value in the source: row (1-based data row), column and what is wrong."""

    row: int
    column: str
    message: str
    kind: str = "column"  # "field" when `column` names a vendor export's field


@dataclass
class ColumnPlan:
    """How a source's columns map onto one canonical table."""

    table: str
    mapping: dict[str, str]  # canonical -> source column
    extras: list[str] | None = field(default_factory=list)  # None: every unmapped key
    bag_source: str | None = None
    seen: set[str] | None = None  # for records: canonical columns present in some record

    @property
    def provided(self) -> list[str]:
        """Canonical columns (other than the bag) this source provides."""
        if self.extras is None and self.seen is not None:
            return [c for c in self.mapping if c in self.seen]
        return list(self.mapping)


def plan_columns(
    table: str, source_columns: list[str] | None, columns: dict[str, str]
) -> ColumnPlan:
    """Match source columns to canonical ones: explicit `columns:` first, then same names.

    `source_columns` None means records whose keys vary (JSON): every canonical column is
    looked up per record and every other key goes to the bag.
    """
    canonical = [c for c in SCHEMAS[table] if c != BAG_COLUMN.get(table)]
    bag = BAG_COLUMN.get(table)
    mapping: dict[str, str] = {}
    for target in canonical:
        source = columns.get(target, target)
        if source_columns is None or source in source_columns:
            mapping[target] = source
    bag_source = columns.get(bag, bag) if bag else None
    if source_columns is not None and bag_source not in source_columns:
        bag_source = None
    if not bag or source_columns is None:
        return ColumnPlan(table, mapping, [] if not bag else None, bag_source)
    used = set(mapping.values()) | {bag_source}
    return ColumnPlan(table, mapping, [c for c in source_columns if c not in used], bag_source)


def _text(value: Any) -> str | None:
    """A scalar as the text the normaliser parses; containers as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


class _Stager:
    """Accumulates mapped rows into arrow chunks, collecting problems."""

    def __init__(self, plan: ColumnPlan) -> None:
        self.plan = plan
        if plan.extras is None:
            plan.seen = set()
        self.problems: list[RowProblem] = []
        self._reset()

    def _reset(self) -> None:
        self._rows: list[int] = []
        self._cols: dict[str, list[str | None]] = {c: [] for c in self.plan.mapping}
        self._bag: list[str | None] = []

    def add(self, row_number: int, record: dict[str, Any]) -> None:
        self._rows.append(row_number)
        seen = self.plan.seen
        for target, source in self.plan.mapping.items():
            self._cols[target].append(_text(record.get(source)))
            if seen is not None and source in record:
                seen.add(target)
        if BAG_COLUMN.get(self.plan.table) is None:
            return
        bag: dict[str, Any] = {}
        if self.plan.bag_source is not None:
            raw = record.get(self.plan.bag_source)
            if isinstance(raw, str) and raw.strip():
                try:
                    raw = json.loads(raw)
                except json.JSONDecodeError as exc:
                    self.problems.append(
                        RowProblem(row_number, self.plan.bag_source, f"not valid JSON ({exc.msg})")
                    )
                    raw = None
            if isinstance(raw, dict):
                bag.update(raw)
            elif raw not in (None, ""):
                self.problems.append(
                    RowProblem(row_number, self.plan.bag_source, "must be a JSON object")
                )
        extras = self.plan.extras if self.plan.extras is not None else self._unmapped(record)
        for extra in extras:
            value = record.get(extra)
            if value is not None and value != "":
                bag[extra] = value
        self._bag.append(json.dumps(bag, default=str) if bag else None)

    def _unmapped(self, record: dict[str, Any]) -> list[str]:
        used = set(self.plan.mapping.values()) | {self.plan.bag_source}
        return [k for k in record if k not in used]

    def __len__(self) -> int:
        return len(self._rows)

    def flush(self) -> pa.Table:
        arrays: dict[str, pa.Array] = {"_row": pa.array(self._rows, pa.int64())}
        for target, values in self._cols.items():
            arrays[target] = pa.array(values, pa.string())
        if BAG_COLUMN.get(self.plan.table) is not None:
            arrays["_bag"] = pa.array(self._bag, pa.string())
        self._reset()
        return pa.table(arrays)


def stage_records(
    records: Iterable[tuple[int, dict[str, Any]]], plan: ColumnPlan, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pa.Table]:
    """Yield staged chunks of up to `chunk_rows` rows for (row number, record dict) pairs."""
    rows = ((row_number, plan.table, record) for row_number, record in records)
    for _, chunk in stage_tables(rows, {plan.table: plan}, chunk_rows):
        yield chunk


def stage_tables(
    rows: Iterable[tuple[int, str, dict[str, Any]]],
    plans: dict[str, ColumnPlan],
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[tuple[str, pa.Table]]:
    """Yield (table, staged chunk) for (row number, table, record) triples of one source."""
    stagers = {table: _Stager(plan) for table, plan in plans.items()}
    for row_number, table, record in rows:
        stager = stagers[table]
        stager.add(row_number, record)
        if len(stager) >= chunk_rows:
            yield table, stager.flush()
    for table, stager in stagers.items():
        if len(stager):
            yield table, stager.flush()
    problems = [problem for stager in stagers.values() for problem in stager.problems]
    if problems:
        raise StagingProblems(sorted(problems, key=lambda problem: problem.row))


class StagingProblems(Exception):
    """Problems found while reading the source (raised after the last chunk)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class SourceError(ValueError):
    """The file cannot be read at all (format, encoding, malformed line)."""


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV file."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise SourceError("the file is empty (expected a header row)") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SourceError(f"line 1: cannot read the header ({exc})") from None
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceError(f"line 1: repeated column names: {', '.join(dupes)}")
    return names


def csv_records(path: Path, header: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) pairs of a CSV file; a malformed line raises SourceError."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            next(reader)
            for fields in reader:
                if not fields:
                    continue
                if len(fields) != len(header):
                    raise SourceError(
                        f"line {reader.line_num}: expected {len(header)} fields "
                        f"({', '.join(header)}), found {len(fields)}"
                    )
                yield reader.line_num, dict(zip(header, fields, strict=True))
        except csv.Error as exc:
            raise SourceError(f"line {reader.line_num}: malformed CSV ({exc})") from None
        except UnicodeDecodeError:
            raise SourceError(
                f"line {reader.line_num + 1}: not UTF-8 text (save the file as UTF-8)"
            ) from None


def json_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row, record) pairs of a JSON-lines file or a JSON array of objects."""
    with path.open(encoding="utf-8-sig") as handle:
        yield from json_stream(handle)


def json_stream(handle: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row, record) pairs of an open, seekable JSON-lines or JSON-array text stream."""
    first = handle.read(1)
    while first and first.isspace():
        first = handle.read(1)
    handle.seek(0)
    if first == "[":
        try:
            items = json.load(handle)
        except json.JSONDecodeError as exc:
            raise SourceError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise SourceError(f"item {index}: expected a JSON object")
            yield index, item
        return
    row_number = 0
    try:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row_number = line_number
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"line {line_number}: not valid JSON ({exc.msg})") from None
            if not isinstance(item, dict):
                raise SourceError(f"line {line_number}: expected a JSON object")
            yield line_number, item
    except UnicodeDecodeError:
        raise SourceError(f"after line {row_number}: not UTF-8 text") from None
