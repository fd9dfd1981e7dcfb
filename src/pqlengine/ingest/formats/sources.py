"""Reading export files: JSON lines (plain, gzipped, or a zip of them) and CSV with aliases."""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from pqlengine.ingest.formats.common import ImportContext
from pqlengine.ingest.readers import SourceError, csv_header, csv_records, json_stream

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".gz")


def json_rows(path: Path, context: ImportContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row, record) of a JSON-lines / JSON-array file, gzipped or not, or a .zip of them.

    In a zip (Amplitude's export: one folder of `<project>_<date>_<hour>#<n>.json.gz`), the
    members are read in name order and numbered on from each other; `context.locate` turns
    a row number back into "member, line N".
    """
    if path.suffix.lower() != ".zip":
        with _opened(path.name, path.open("rb")) as handle:
            yield from json_stream(handle)
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SourceError("not a readable zip archive") from None
    with archive:
        members = sorted(
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith(JSON_SUFFIXES)
        )
        if not members:
            raise SourceError("the zip archive holds no .json, .jsonl or .json.gz files")
        offset = 0
        for member in members:
            context.parts.append((offset, member))
            last = 0
            try:
                with _opened(member, archive.open(member)) as handle:
                    for line, record in json_stream(handle):
                        last = line
                        yield offset + line, record
            except SourceError as exc:
                raise SourceError(f"{member}, {exc}") from None
            offset += max(last, 1)


def _opened(name: str, binary: IO[bytes]) -> io.TextIOWrapper:
    """A text stream over `binary`, gunzipped when `name` ends in .gz."""
    if name.lower().endswith(".gz"):
        return io.TextIOWrapper(_Gunzip(binary), encoding="utf-8-sig")
    return io.TextIOWrapper(binary, encoding="utf-8-sig")


class _Gunzip(gzip.GzipFile):
    """A gzip reader whose corruption errors are SourceErrors naming the problem."""

    def __init__(self, binary: IO[bytes]) -> None:
        super().__init__(fileobj=binary, mode="rb")
        self._binary = binary

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"not a readable gzip file ({exc})") from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"not a readable gzip file ({exc})") from None

    def close(self) -> None:
        super().close()
        self._binary.close()


def csv_rows(
    path: Path, columns: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, str], list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Resolve `columns` (our name -> accepted header spellings, any case) against the header.

    Returns (our name -> the file's column for those found, the header, (line, record) pairs).
    """
    header = csv_header(path)
    by_lower = {name.lower(): name for name in header}
    found: dict[str, str] = {}
    for ours, spellings in columns.items():
        for spelling in spellings:
            if spelling.lower() in by_lower:
                found[ours] = by_lower[spelling.lower()]
                break
    return found, header, csv_records(path, header)
