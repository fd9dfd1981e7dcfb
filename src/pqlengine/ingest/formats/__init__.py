"""Vendor export importers: `pql ingest --from <format> FILE...`.

Each format is an `Importer` (see common.py) in its own module; `IMPORTERS` is the
registry. One file is one transaction across every table it feeds.

Adding a format: write a module whose `IMPORTER.read(path, context)` yields
`(row, table, canonical record)` and reports bad fields with `context.problem(...)`, then
list it in `_MODULES`. `segment.py` adapts the live service's message mapper
(`ingest/segment.py`), so files and the HTTP stream map messages identically.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable
from pathlib import Path

from pqlengine.ingest import IngestError, IngestResult, _sha256, ingest_rows
from pqlengine.ingest.formats.common import ImportContext, Importer
from pqlengine.store import Store

_MODULES = (
    "segment",
    "mixpanel",
    "amplitude",
    "posthog",
    "pendo",
    "hubspot",
    "salesforce",
    "stripe",
)


def _load_importers() -> dict[str, Importer]:
    found: dict[str, Importer] = {}
    for module in _MODULES:
        importer: Importer = importlib.import_module(f"{__name__}.{module}").IMPORTER
        found[importer.name] = importer
    return found


IMPORTERS: dict[str, Importer] = _load_importers()


def importer_for(name: str) -> Importer:
    """The importer called `name`; ValueError naming the known ones otherwise."""
    try:
        return IMPORTERS[name]
    except KeyError:
        known = ", ".join(IMPORTERS)
        raise ValueError(f"unknown export format '{name}'; known formats: {known}") from None


def expand_exports(name: str, path: str | Path) -> list[Path]:
    """A file, or the files of a directory this format reads (sorted; each its own source)."""
    importer = importer_for(name)
    target = Path(path)
    if not target.exists():
        raise IngestError(str(target), ["file not found"])
    if not target.is_dir():
        return [target]
    files = sorted(
        p for p in target.iterdir() if p.is_file() and p.name.lower().endswith(importer.suffixes)
    )
    if not files:
        wanted = ", ".join(importer.suffixes)
        raise IngestError(str(target), [f"no {importer.name} export files ({wanted}) here"])
    return files


def ingest_export(
    store: Store,
    name: str,
    path: str | Path,
    columns: Callable[[str], dict[str, str]] | None = None,
) -> list[IngestResult]:
    """Import one export file: one result per table it feeds, all written or none.

    `columns` is pql.yaml's per-table mapping: `events.account_id` names the group key /
    group type holding the account, `conversions.entity_id` the deal column holding it.
    Tables the file has no rows for are left out of the results; notes (e.g. CRM deals that
    match no account) ride on the last one.
    """
    importer = importer_for(name)
    file = Path(path)
    if not file.is_file():
        raise IngestError(file.name, ["file not found"])
    context = ImportContext(file.name, store, columns or (lambda table: {}))
    results = ingest_rows(
        store,
        file.name,
        _sha256(file),
        importer.read(file, context),
        importer.tables,
        locate=context.locate,
        problems=context.problems,
    )
    # Report the tables the file fed (at least one line per file).
    fed = [result for result in results if result.rows_read] or results[:1]
    if context.notes:
        fed[-1] = dataclasses.replace(fed[-1], notes=tuple(context.notes))
    return fed


def ingest_exports(
    store: Store,
    name: str,
    paths: Iterable[str | Path],
    columns: Callable[[str], dict[str, str]] | None = None,
) -> list[IngestResult]:
    """Import files (or directories) in order; each file is atomic on its own."""
    return [
        result
        for path in paths
        for file in expand_exports(name, path)
        for result in ingest_export(store, name, file, columns)
    ]
