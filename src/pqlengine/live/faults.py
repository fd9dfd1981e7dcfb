"""What the service knows about its store's health: disk full, or a database DuckDB has
invalidated, since when and the last error.

Observed with DuckDB 1.5 on a full filesystem (tmpfs): a commit whose WAL write hits
ENOSPC fails with `TransactionException: Failed to commit: Could not write file
"....wal": No space left on device`; the transaction is rolled back and the database
stays usable (later writes succeed once there is room). An automatic checkpoint that hits
ENOSPC raises `FatalException: Transaction COMMIT succeeded and is durable, but the
autocheckpoint failed. Reopen the database instance to recover`, after which every query
on every connection fails with "database has been invalidated because of a previous fatal
error" until all connections are closed and the file is opened again (the WAL then
replays: nothing committed is lost).
"""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import duckdb

DISK_FULL_TEXT = "No space left on device"
INVALIDATED_TEXT = "database has been invalidated"
RETRY_AFTER_SECONDS = 10
FaultKind = Literal["disk_full", "invalidated"]


def classify(exc: BaseException) -> FaultKind | None:
    """What kind of store fault `exc` is: disk_full when ENOSPC is anywhere in its chain (a
    failed ROLLBACK after a failed COMMIT hides the first error in __context__),
    invalidated for a DuckDB fatal error, None for anything else (not a store fault)."""
    kinds = {classify_one(seen) for seen in _chain(exc)}
    return (
        "disk_full" if "disk_full" in kinds else "invalidated" if "invalidated" in kinds else None
    )


def classify_one(exc: BaseException) -> FaultKind | None:
    """`classify` of this exception alone, not its chain."""
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or DISK_FULL_TEXT in str(exc):
        return "disk_full"
    if isinstance(exc, duckdb.FatalException) or INVALIDATED_TEXT in str(exc):
        return "invalidated"
    return None


def invalidates(exc: BaseException) -> bool:
    """Whether DuckDB invalidated the database (a fatal error): it must be reopened."""
    return any(
        isinstance(seen, duckdb.FatalException) or INVALIDATED_TEXT in str(seen)
        for seen in _chain(exc)
    )


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(found) < 8:
        found.append(seen)
        seen = seen.__cause__ or seen.__context__
    return found


@dataclass(frozen=True)
class StoreFault:
    """The store cannot take writes: why, since when (naive UTC), the last error, and
    whether the database must be reopened (DuckDB invalidated it)."""

    kind: FaultKind
    path: str
    since: datetime
    last_error: str
    last_error_at: datetime
    reopen: bool

    def message(self) -> str:
        """One sentence for an ingest client: what failed, that acknowledged messages are
        safe, what to do."""
        if self.kind == "disk_full":
            cause = f"the disk holding the store {self.path} is full"
        else:
            cause = f"the store {self.path} failed and is being reopened"
        return (
            f"{cause} (since {self.since.isoformat()}Z): these messages were not acknowledged; "
            f"messages acknowledged before are stored safely; retry in {RETRY_AFTER_SECONDS} s "
            "(a retried messageId is stored once)"
        )

    def to_json(self) -> dict[str, Any]:
        """For /healthz."""
        return {
            "state": self.kind,
            "path": self.path,
            "since": self.since.isoformat() + "Z",
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() + "Z",
            "reopen_pending": self.reopen,
        }


class StoreHealth:
    """The store's current fault (None: healthy); safe from any thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fault: StoreFault | None = None
        self.reopened = 0

    @property
    def fault(self) -> StoreFault | None:
        """The current fault, or None."""
        with self._lock:
            return self._fault

    def failed(self, exc: BaseException, now: datetime) -> StoreFault | None:
        """Record `exc` if it is a store fault; the fault as it now stands, or None."""
        kind = classify(exc)
        if kind is None:
            return None
        reopen = invalidates(exc)
        # The error that says why (ENOSPC, the fatal one), not a ROLLBACK failing after it.
        causes = [e for e in _chain(exc) if classify_one(e) == kind] or [exc]
        error = _first_line(causes[-1])
        with self._lock:
            current = self._fault
            if current is None:
                self._fault = StoreFault(kind, self.path, now, error, now, reopen)
            else:
                # The first cause stays the headline: a disk-full commit may invalidate the
                # database at the next checkpoint.
                self._fault = replace(
                    current,
                    kind="disk_full" if "disk_full" in (kind, current.kind) else kind,
                    last_error=error,
                    last_error_at=now,
                    reopen=current.reopen or reopen,
                )
            return self._fault

    def reopened_store(self) -> None:
        """The database was opened again: no reopen pending (writes still to be proved)."""
        with self._lock:
            self.reopened += 1
            if self._fault is not None:
                self._fault = replace(self._fault, reopen=False)

    def recovered(self) -> None:
        """A write went through: healthy again."""
        with self._lock:
            self._fault = None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
