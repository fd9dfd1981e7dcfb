"""Turn a staged source into canonical typed columns, and find the rows that cannot be.

All SQL here is built from the canonical column names in `store.SCHEMAS` (our own
constants) and a generated staging table name; user data only flows through as values.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from pqlengine.ingest.readers import RowProblem
from pqlengine.store import BAG_COLUMN, SCHEMAS

_NUMERIC = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"
_TIMESTAMP_HINT = (
    "is not a timestamp (use ISO 8601, e.g. 2026-01-05T10:00:00Z, or epoch seconds/ms)"
)


def _timestamp(column: str, staged_type: str | None) -> str:
    """SQL turning a staged column into a naive UTC TIMESTAMP (NULL when unparseable)."""
    col = f'"{column}"'
    if staged_type is None:
        return "CAST(NULL AS TIMESTAMP)"
    upper = staged_type.upper()
    if upper.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"timezone('UTC', {col})"
    if upper.startswith("TIMESTAMP") or upper == "DATE":
        return f"CAST({col} AS TIMESTAMP)"
    if upper in {"BIGINT", "INTEGER", "DOUBLE", "FLOAT", "HUGEINT", "UBIGINT", "DECIMAL"}:
        return _epoch(f"CAST({col} AS DOUBLE)")
    text = f"trim(CAST({col} AS VARCHAR))"
    return (
        f"CASE WHEN regexp_matches({text}, '{_NUMERIC}') "
        f"THEN {_epoch(f'TRY_CAST({text} AS DOUBLE)')} "
        f"ELSE timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) END"
    )


def _epoch(number: str) -> str:
    # Epoch magnitude picks the unit: seconds < 1e11 <= milliseconds < 1e14 <= microseconds.
    return (
        f"timezone('UTC', to_timestamp(CASE WHEN abs({number}) >= 1e14 THEN {number} / 1e6 "
        f"WHEN abs({number}) >= 1e11 THEN {number} / 1e3 ELSE {number} END))"
    )


def _text(column: str, staged_type: str | None) -> str:
    if staged_type is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(CAST(\"{column}\" AS VARCHAR), '')"


def _integer(column: str, staged_type: str | None) -> str:
    if staged_type is None:
        return "CAST(NULL AS BIGINT)"
    value = f'TRY_CAST(trim(CAST("{column}" AS VARCHAR)) AS DOUBLE)'
    return f"CASE WHEN {value} = round({value}) THEN CAST({value} AS BIGINT) END"


def _double(column: str, staged_type: str | None) -> str:
    if staged_type is None:
        return "CAST(NULL AS DOUBLE)"
    return f'TRY_CAST(trim(CAST("{column}" AS VARCHAR)) AS DOUBLE)'


def _converter(sql_type: str) -> Callable[[str, str | None], str]:
    return {
        "TIMESTAMP": _timestamp,
        "BIGINT": _integer,
        "DOUBLE": _double,
    }.get(sql_type, _text)


def normalized_select(table: str, staging: str, types: dict[str, str]) -> str:
    """SELECT producing `_row`, the canonical typed columns and `_raw_<col>` for checks."""
    bag = BAG_COLUMN.get(table)
    parts = ['"_row"']
    for column, sql_type in SCHEMAS[table].items():
        if column == bag:
            if "_bag" in types:
                parts.append('CAST("_bag" AS VARCHAR) AS "_bag"')
                parts.append(
                    f'CASE WHEN json_valid("_bag") THEN CAST("_bag" AS JSON) END AS "{column}"'
                )
            else:
                parts.append(f'CAST(NULL AS JSON) AS "{column}"')
            continue
        staged = types.get(column)
        expr = _converter(sql_type)(column, staged)
        if table == "events" and column == "event_id":
            expr = f"coalesce({expr}, {_derived_event_id(types)})"
        parts.append(f'{expr} AS "{column}"')
        raw = f"NULLIF(CAST(\"{column}\" AS VARCHAR), '')" if staged else "CAST(NULL AS VARCHAR)"
        parts.append(f'{raw} AS "_raw_{column}"')
    return f'SELECT {", ".join(parts)} FROM "{staging}"'


def _derived_event_id(types: dict[str, str]) -> str:
    """A stable id for events that come without one, so re-ingest stays idempotent."""
    fields = [
        f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in ("user_id", "event", "ts") if c in types
    ]
    fields.append("coalesce(CAST(\"_bag\" AS VARCHAR), '')" if "_bag" in types else "''")
    return f"'derived-' || md5(concat_ws('|', {', '.join(fields)}))"


Check = tuple[str, str, str]  # column, SQL condition of a bad row, message
Tally = tuple[int, int, int, object]  # check index, bad rows, first bad row, its raw value


def find_problems(
    raw: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    required: tuple[str, ...],
    types: dict[str, str],
) -> list[RowProblem]:
    """Every column's first bad row (and how many rows share the problem)."""
    checks = problem_checks(table, required, types)
    return describe_problems(checks, tally_problems(raw, table, select, checks))


def problem_checks(table: str, required: tuple[str, ...], types: dict[str, str]) -> list[Check]:
    """The checks a normalised row of `table` must pass."""
    checks: list[Check] = []
    for column, sql_type in SCHEMAS[table].items():
        if column == BAG_COLUMN.get(table):
            continue
        if column in required:
            checks.append((column, f'"_raw_{column}" IS NULL', "is empty (a value is required)"))
        if sql_type == "TIMESTAMP":
            message = _TIMESTAMP_HINT
        elif sql_type == "BIGINT":
            message = "is not a whole number"
        elif sql_type == "DOUBLE":
            message = "is not a number"
        else:
            continue
        checks.append((column, f'"{column}" IS NULL AND "_raw_{column}" IS NOT NULL', message))
    if "_bag" in types:
        checks.append(
            (
                BAG_COLUMN[table],
                '"_bag" IS NOT NULL AND (NOT json_valid("_bag") '
                "OR json_type(\"_bag\") <> 'OBJECT')",
                "must be a JSON object",
            )
        )
    return checks


def tally_problems(
    raw: duckdb.DuckDBPyConnection, table: str, select: str, checks: list[Check]
) -> list[Tally]:
    """Per failed check over the rows of `select`: how many rows, the first and its value."""
    if not checks:
        return []
    selects = []
    for index, (column, condition, _) in enumerate(checks):
        raw_col = f'"_raw_{column}"' if column != BAG_COLUMN.get(table) else "NULL"
        selects.append(
            f"SELECT {index} AS check_no, count(*) AS n, min(_row) AS first_row, "
            f"arg_min({raw_col}, _row) AS value FROM n WHERE {condition}"
        )
    query = f"WITH n AS ({select}) " + " UNION ALL ".join(selects)
    return [
        (int(check_no), int(count), int(first_row), value)
        for check_no, count, first_row, value in raw.execute(query).fetchall()
        if count
    ]


def describe_problems(checks: list[Check], tallies: list[Tally]) -> list[RowProblem]:
    """One problem per failed check, in row order."""
    problems: list[RowProblem] = []
    for check_no, count, first_row, value in tallies:
        column, _, message = checks[check_no]
        shown = f"{value!r} " if value is not None else ""
        others = f" ({count - 1} more rows like it)" if count > 1 else ""
        problems.append(RowProblem(first_row, column, f"{shown}{message}{others}"))
    problems.sort(key=lambda p: p.row)
    return problems
