"""Ingest files and records into the canonical tables, atomically per file."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pqlengine.ingest.append import append_new, count
from pqlengine.ingest.normalize import (
    Tally,
    describe_problems,
    find_problems,
    normalized_select,
    problem_checks,
    tally_problems,
)
from pqlengine.ingest.readers import (
    CHUNK_ROWS,
    ColumnPlan,
    RowProblem,
    SourceError,
    StagingProblems,
    csv_header,
    csv_records,
    json_records,
    plan_columns,
    stage_records,
    stage_tables,
)
from pqlengine.store import KEYS, SCHEMAS, UPSERT_TABLES, Store, transaction

TABLES = tuple(SCHEMAS)
REQUIRED: dict[str, tuple[str, ...]] = {
    "events": ("user_id", "event", "ts"),
    "users": ("user_id",),
    "accounts": ("account_id",),
    "conversions": ("entity_id", "converted_at"),
}
FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}
MAX_PROBLEMS_SHOWN = 10
# Parquet rows validated per step (progress after each); CSV and JSON lines: CHUNK_ROWS.
PARQUET_CHUNK_ROWS = 1_000_000

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IngestResult:
    """What one source added to one table."""

    table: str
    source: str
    rows_read: int
    rows_added: int
    notes: tuple[str, ...] = ()  # things the user should know, e.g. CRM deals matching no account

    @property
    def rows_skipped(self) -> int:
        """Rows already in the store (duplicates by key)."""
        return self.rows_read - self.rows_added


class IngestError(ValueError):
    """A source was rejected; nothing from it was written."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(f"{source}, {p}" for p in shown)
        if more > 0:
            text += f"\n{source}: and {more} more problems"
        super().__init__(text)


def expand_sources(path: str | Path) -> list[Path]:
    """A file, or every supported file in a directory (sorted), or a glob."""
    target = Path(path)
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if p.suffix.lower() in FORMATS)
        if not files:
            raise IngestError(str(target), ["no .csv, .parquet or .jsonl files in this directory"])
        return files
    if any(ch in str(path) for ch in "*?["):
        files = (
            sorted(Path().glob(str(path)))
            if not target.is_absolute()
            else sorted(Path("/").glob(str(target)[1:]))
        )
        if not files:
            raise IngestError(str(path), ["no files match this pattern"])
        return files
    if not target.exists():
        raise IngestError(str(target), ["file not found"])
    return [target]


def ingest_file(
    store: Store,
    table: str,
    path: str | Path,
    columns: dict[str, str] | None = None,
    source_format: str | None = None,
    chunk_rows: int | None = None,
    on_progress: Progress | None = None,
) -> IngestResult:
    """Ingest one file into `table`; raise IngestError (and write nothing) on any bad row.

    Any size fits in bounded memory: DuckDB reads a Parquet file in place and it is
    validated `chunk_rows` rows at a time (default 1M); CSV and JSON lines are parsed
    `chunk_rows` rows at a time (default 100k: Python objects) into a temp table.
    Deduplication and the write are set-based statements DuckDB spills to the store's temp
    directory beyond its memory limit, all in one transaction. `on_progress(rows done,
    total rows)` is called after each chunk (total None for CSV and JSON lines, whose row
    count is not known before the end; they end with (rows, rows)); done == total means
    every row is read and what remains is the write.
    """
    _check_table(table)
    file = Path(path)
    name = file.name
    fmt = source_format or FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise IngestError(name, [f"unknown file type '{file.suffix}' (use .csv, .parquet, .jsonl)"])
    if not file.exists():
        raise IngestError(name, ["file not found"])
    mapping = columns or {}
    try:
        if fmt == "parquet":
            rows = chunk_rows or PARQUET_CHUNK_ROWS
            return _ingest_parquet(store, table, file, mapping, rows, on_progress)
        if fmt == "csv":
            header = csv_header(file)
            plan = plan_columns(table, header, mapping)
            _check_columns_present(table, plan.mapping, header, mapping, name)
            chunks = stage_records(csv_records(file, header), plan, chunk_rows or CHUNK_ROWS)
        else:
            plan = plan_columns(table, None, mapping)
            chunks = stage_records(json_records(file), plan, chunk_rows or CHUNK_ROWS)
        sha = _sha256(file)
        return _load(store, table, name, sha, chunks, plan, "line", on_progress)
    except SourceError as exc:
        raise IngestError(name, [str(exc)]) from None


def ingest_records(
    store: Store, table: str, rows: Iterable[dict[str, Any]], source: str = "records"
) -> IngestResult:
    """Ingest Python dicts with canonical column names (datetimes naive = UTC)."""
    _check_table(table)
    plan = plan_columns(table, None, {})
    chunks = stage_records(enumerate(rows, start=1), plan)
    return _load(store, table, source, None, chunks, plan, "row")


def _check_table(table: str) -> None:
    if table not in SCHEMAS:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")


def _check_columns_present(
    table: str, mapping: dict[str, str], found: list[str], columns: dict[str, str], name: str
) -> None:
    missing = [c for c in REQUIRED[table] if c not in mapping]
    if not missing:
        return
    problems = []
    for column in missing:
        wanted = columns.get(column, column)
        hint = (
            f" (pql.yaml maps {column} to '{wanted}')"
            if column in columns
            else f"; map yours in pql.yaml under columns: {table}: {{{column}: <your column>}}"
        )
        problems.append(
            f"column '{wanted}' not found{hint}; the file has: {', '.join(found) or 'no columns'}"
        )
    raise IngestError(name, problems)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ingest_parquet(
    store: Store,
    table: str,
    file: Path,
    columns: dict[str, str],
    chunk_rows: int,
    on_progress: Progress | None,
) -> IngestResult:
    try:
        relation = store.raw.read_parquet(str(file), file_row_number=True)
        total = store.raw.execute(
            "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(?)", [str(file)]
        ).fetchone()
    except duckdb.Error as exc:
        raise IngestError(file.name, [f"cannot read Parquet ({exc})"]) from None
    rows = int(total[0]) if total else 0
    source_columns = [c for c in relation.columns if c != "file_row_number"]
    plan = plan_columns(table, source_columns, columns)
    _check_columns_present(table, plan.mapping, source_columns, columns, file.name)
    exprs = [(duckdb.ColumnExpression("file_row_number") + 1).alias("_row")]
    for target, source in plan.mapping.items():
        exprs.append(duckdb.ColumnExpression(source).alias(target))
    if table in ("events", "users", "accounts"):
        types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        bag_type = types.get(plan.bag_source) if plan.bag_source else None
        exprs.append(_bag_expression(plan.bag_source, bag_type, plan.extras or []).alias("_bag"))
    staged = relation.select(*exprs)
    # Validated a file_row_number range at a time (it reads only the row groups holding it).
    chunks = (
        (
            relation.filter(
                f"file_row_number >= {start} AND file_row_number < {start + chunk_rows}"
            ).select(*exprs),
            min(start + chunk_rows, rows),
        )
        for start in range(0, rows, chunk_rows)
    )
    sha = _sha256(file)
    return _load_file(store, table, file.name, sha, staged, chunks, plan, rows, on_progress)


def _load_file(
    store: Store,
    table: str,
    source: str,
    sha256: str,
    staged: duckdb.DuckDBPyRelation,
    chunks: Iterable[tuple[duckdb.DuckDBPyRelation, int]],
    plan: ColumnPlan,
    total: int,
    on_progress: Progress | None,
) -> IngestResult:
    """Like `_load`, for a file DuckDB reads itself: `staged` (the whole file) is a view, not
    a copy; `chunks` (relation, rows up to its end) are validated one by one, then the
    whole file is written by set-based statements, all in one transaction."""
    raw = store.raw
    staging = _staging_name()
    with transaction(raw), _spillable(raw):
        staged.create_view(staging, replace=True)
        types = _staged_types(raw, staging, table)
        checks = problem_checks(table, REQUIRED[table], types)
        first: dict[int, Tally] = {}  # check -> (check, bad rows, first bad row, its value)
        for chunk, done in chunks:
            chunk.create_view("_chunk", replace=True)
            select = normalized_select(table, "_chunk", types)
            for check, count, row, value in tally_problems(raw, table, select, checks):
                known = first.get(check)  # from an earlier chunk: its first row stays
                first[check] = (
                    (check, count, row, value)
                    if known is None
                    else (check, known[1] + count, known[2], known[3])
                )
            if on_progress is not None:
                on_progress(done, total)
        raw.execute("DROP VIEW IF EXISTS _chunk")
        if first:
            problems = describe_problems(checks, list(first.values()))
            raise IngestError(source, [_describe(p, _numbered("row")) for p in problems])
        select = normalized_select(table, staging, types)
        return _write_staged(raw, table, source, sha256, staging, select, plan.provided)


def _bag_expression(
    bag_source: str | None, bag_type: str | None, extras: list[str]
) -> duckdb.Expression:
    """The bag as JSON text: the source's properties/traits merged with extra columns.

    Text that is not valid JSON passes through unchanged so validation can name its row.
    """
    text_type = duckdb.sqltype("VARCHAR")
    extra_json: duckdb.Expression | None = None
    if extras:
        pairs: list[duckdb.Expression] = []
        for extra in extras:
            pairs += [duckdb.ConstantExpression(extra), duckdb.ColumnExpression(extra)]
        extra_json = duckdb.FunctionExpression("json_object", *pairs)
    if bag_source is None:
        return (extra_json if extra_json is not None else duckdb.ConstantExpression(None)).cast(
            text_type
        )
    column = duckdb.ColumnExpression(bag_source)
    if bag_type is not None and bag_type.upper() in {"VARCHAR", "JSON"}:
        own = column.cast(text_type)
    else:  # STRUCT / MAP from a typed Parquet schema
        own = duckdb.FunctionExpression("to_json", column).cast(text_type)
    if extra_json is None:
        return own
    merged = duckdb.FunctionExpression(
        "json_merge_patch",
        duckdb.CoalesceOperator(own, duckdb.ConstantExpression("{}")),
        extra_json,
    ).cast(text_type)
    valid = own.isnull() | duckdb.FunctionExpression("json_valid", own)
    return duckdb.CaseExpression(valid, merged).otherwise(own)


def _load(
    store: Store,
    table: str,
    source: str,
    sha256: str | None,
    chunks: Iterable[pa.Table],
    plan: ColumnPlan,
    row_label: str,
    on_progress: Progress | None = None,
) -> IngestResult:
    """Stage chunk by chunk (a temp table DuckDB spills under its memory limit), validate,
    then write in one transaction; roll back on any problem. `on_progress(rows staged,
    None)` after each chunk (the total is not known before the end of the file), then
    `(rows, rows)` once the whole file is staged."""
    raw = store.raw
    staging = _staging_name()
    locate = _numbered(row_label)
    with transaction(raw), _spillable(raw):
        try:
            for chunk in chunks:
                _append_chunk(raw, staging, chunk)
                if on_progress is not None:
                    on_progress(count(raw, staging), None)
            if on_progress is not None:  # the whole file is read: its total is known now
                staged = count(raw, staging) if _staged(raw, staging) else 0
                on_progress(staged, staged)
        except StagingProblems as exc:
            raise IngestError(source, [_describe(p, locate) for p in exc.problems]) from None
        types = _staged_types(raw, staging, table)
        select, problems = _validate(raw, table, staging, types)
        if problems:
            raise IngestError(source, [_describe(p, locate) for p in problems])
        result = _write_staged(raw, table, source, sha256, staging, select, plan.provided)
    return result


def ingest_rows(
    store: Store,
    source: str,
    sha256: str | None,
    rows: Iterable[tuple[int, str, dict[str, Any]]],
    tables: Iterable[str],
    locate: Callable[[int], str] | None = None,
    problems: list[RowProblem] | None = None,
) -> list[IngestResult]:
    """Ingest (row number, table, canonical record) triples of one source in one transaction.

    Feeds several tables at once: all of them are written, or none. `problems` is a list the
    producer of `rows` fills while it is consumed (bad vendor fields); `locate` turns a row
    number into "line N" (the default) or e.g. "member.json.gz, line N". Users and accounts
    merge field by field: a null keeps the stored value.
    """
    where = locate or _numbered("line")
    targets = list(dict.fromkeys(tables))
    for table in targets:
        _check_table(table)
    raw = store.raw
    plans = {table: plan_columns(table, None, {}) for table in targets}
    stagings = {table: _staging_name() for table in targets}
    found: list[RowProblem] = problems if problems is not None else []
    with transaction(raw):
        try:
            for table, chunk in stage_tables(rows, plans):
                _append_chunk(raw, stagings[table], chunk)
        except StagingProblems as exc:
            found.extend(exc.problems)
        except SourceError as exc:
            raise IngestError(source, [str(exc)]) from None
        selects: dict[str, str] = {}
        for table in targets:
            types = _staged_types(raw, stagings[table], table)
            selects[table], invalid = _validate(raw, table, stagings[table], types)
            found.extend(invalid)
        if found:
            ordered = sorted(found, key=lambda p: p.row)
            raise IngestError(source, [_describe(p, where) for p in ordered])
        results = [
            _write_staged(
                raw,
                table,
                source,
                sha256,
                stagings[table],
                selects[table],
                plans[table].provided,
                keep_known=True,
            )
            for table in targets
        ]
    return results


def _staging_name() -> str:
    return f"_staging_{uuid.uuid4().hex}"


def _numbered(row_label: str) -> Callable[[int], str]:
    return lambda row: f"{row_label} {row}"


@contextmanager
def _spillable(raw: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB reorder rows within statements while ingesting (what it needs to spill
    joins and aggregates to disk under its memory limit); nothing here relies on row order,
    every ordering goes through `_row`."""
    found = raw.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    before = bool(found[0]) if found else True
    raw.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        raw.execute(f"SET preserve_insertion_order = {str(before).lower()}")


def _append_chunk(raw: duckdb.DuckDBPyConnection, staging: str, chunk: pa.Table) -> None:
    """Add a staged chunk to the temp table `staging`, creating it on the first chunk."""
    raw.register("_chunk", chunk)
    try:
        if _staged(raw, staging):
            raw.execute(f'INSERT INTO "{staging}" SELECT * FROM _chunk')
        else:
            raw.execute(f'CREATE TEMP TABLE "{staging}" AS SELECT * FROM _chunk')
    finally:
        raw.unregister("_chunk")


def _staged_types(raw: duckdb.DuckDBPyConnection, staging: str, table: str) -> dict[str, str]:
    """The staged table's column types, creating it empty when the source had no rows."""
    if not _staged(raw, staging):
        empty = [pa.field("_row", pa.int64())]
        empty += [pa.field(c, pa.string()) for c in SCHEMAS[table]]
        _append_chunk(raw, staging, pa.table({f.name: pa.array([], f.type) for f in empty}))
    described = raw.execute(f'DESCRIBE "{staging}"').fetchall()
    return {row[0]: str(row[1]) for row in described}


def _staged(raw: duckdb.DuckDBPyConnection, staging: str) -> bool:
    found = raw.execute(
        "SELECT count(*) FROM (SELECT table_name FROM duckdb_tables() "
        "UNION ALL SELECT view_name FROM duckdb_views()) WHERE table_name = ?",
        [staging],
    ).fetchone()
    return bool(found and found[0])


def _validate(
    raw: duckdb.DuckDBPyConnection, table: str, staging: str, types: dict[str, str]
) -> tuple[str, list[RowProblem]]:
    """The normalising SELECT over the staged rows, and the rows it cannot normalise."""
    select = normalized_select(table, staging, types)
    return select, find_problems(raw, table, select, REQUIRED[table], types)


def _write_staged(
    raw: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    sha256: str | None,
    staging: str,
    select: str,
    provided: list[str],
    keep_known: bool = False,
) -> IngestResult:
    """Write validated staged rows, log the source, drop the staging table."""
    rows_read = int(raw.execute(f'SELECT count(*) FROM "{staging}"').fetchone()[0])  # type: ignore[index]
    rows_added = _write(raw, table, select, provided, keep_known)
    raw.execute(
        "INSERT INTO ingest_log VALUES (now()::TIMESTAMP, ?, ?, ?, ?, ?)",
        [table, source, sha256, rows_read, rows_added],
    )
    kind = "VIEW" if _is_view(raw, staging) else "TABLE"
    raw.execute(f'DROP {kind} IF EXISTS "{staging}"')
    return IngestResult(table, source, rows_read, rows_added)


def _is_view(raw: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = raw.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name])
    row = found.fetchone()
    return bool(row and row[0])


def _describe(problem: RowProblem, locate: Callable[[int], str]) -> str:
    return f"{locate(problem.row)}, {problem.kind} {problem.column}: {problem.message}"


def _write(
    raw: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    provided: list[str],
    keep_known: bool = False,
) -> int:
    """Insert normalised rows; returns the number of new keys.

    `keep_known`: in an upsert, a null in the new row keeps the stored value (record streams,
    where a missing field means "not said here", not "cleared").
    """
    keys = KEYS[table]
    cols = list(SCHEMAS[table])
    col_list = ", ".join(f'"{c}"' for c in cols)
    key_match = " AND ".join(f't."{k}" = n."{k}"' for k in keys)
    partition = ", ".join(f'"{k}"' for k in keys)
    if table not in UPSERT_TABLES:
        return append_new(raw, table, select, keys, cols)
    # Upsert: the last row of the newest file wins; columns the file lacks keep their value;
    # traits merge (like Segment identify/group calls).
    bag = "traits"
    merged = []
    for c in cols:
        if c in keys:
            merged.append(f'n."{c}"')
        elif c == bag:
            merged.append(
                f"CAST(json_merge_patch(coalesce(t.\"{c}\", '{{}}'), "
                f"coalesce(n.\"{c}\", '{{}}')) AS JSON)"
            )
        elif c in provided and keep_known:
            merged.append(f'coalesce(n."{c}", t."{c}")')
        elif c in provided:
            merged.append(f'n."{c}"')
        else:
            merged.append(f't."{c}"')
    latest = (
        f"SELECT * FROM ({select}) QUALIFY row_number() OVER "
        f"(PARTITION BY {partition} ORDER BY _row DESC) = 1"
    )
    before_keys = count(raw, table)
    raw.execute(
        f"CREATE TEMP TABLE _upsert AS SELECT {', '.join(merged)} FROM ({latest}) n "
        f'LEFT JOIN "{table}" t ON {key_match}'
    )
    raw.execute(f'DELETE FROM "{table}" WHERE ({partition}) IN (SELECT ({partition}) FROM _upsert)')
    raw.execute(f'INSERT INTO "{table}" ({col_list}) SELECT * FROM _upsert')
    raw.execute("DROP TABLE _upsert")
    return count(raw, table) - before_keys


def ingest_many(
    store: Store,
    sources: Iterable[tuple[str, Path]],
    columns: Callable[[str], dict[str, str]],
    on_file: Callable[[IngestResult], None] | None = None,
    on_rows: Callable[[Path], Progress] | None = None,
) -> list[IngestResult]:
    """Ingest (table, file) pairs in order; each file is atomic on its own.

    `on_rows(file)` gives the progress callback for that file's rows (see `ingest_file`)."""
    results = []
    for table, file in sources:
        rows = on_rows(file) if on_rows is not None else None
        result = ingest_file(store, table, file, columns(table), on_progress=rows)
        results.append(result)
        if on_file is not None:
            on_file(result)
    return results
