"""The dedupe window: which of a commit's message ids the service stored lately.

A message repeated within the window (an SDK's retry of a batch whose answer it missed, a
replayed queue) is a duplicate and is not stored again. The window holds the message ids of
the last `WINDOW` messages stored: 64-bit hashes (DuckDB's `hash`) with each message's inbox
`seq`, in memory, about 16 bytes a message. A hash found in the window names the inbox row
to compare with, so dedupe stays exact: a message is dropped only when the inbox row at that
`seq` holds the same id (a hash collision is stored, not dropped).

Why a window and not an index over every id ever stored (docs/live.md "Dedupe"): DuckDB
keeps a unique index as an ART whose pages a random key (UUIDs, what SDKs send) dirties
anywhere in the index, and every checkpoint (DuckDB's own, each 16 MB of WAL) writes the
dirtied pages back. At 1M accounts (114M events) a checkpoint after 400 new keys took about
0.5 s, after 16,000 about 4 s, and durable ingest fell to 1,500-2,250 events/s, where this
version takes 4,250-4,480 (6,650-7,030 at 2k accounts; bench/RESULTS.md "2026-12-07
(morning)"). The window costs the same at any store size.

The window is rebuilt from `live_inbox` at start (the last `WINDOW` rows by seq, hashed by
DuckDB), so a restart keeps it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import duckdb
import numpy as np

# Message ids in the window: at 500 events/s about 5.5 hours, at 100/s about 28 hours.
WINDOW = 10_000_000
# The window is kept in this many generations, the oldest dropped whole; the open one is a
# dict, the sealed ones sorted arrays (a lookup is one binary search per generation).
GENERATIONS = 64


class DedupeWindow:
    """The (hash, seq) of the last `size` messages stored."""

    def __init__(self, size: int = WINDOW) -> None:
        self.size = size
        self._per_generation = max(1, -(-size // GENERATIONS))
        self._sealed: deque[tuple[np.ndarray, np.ndarray]] = deque()  # (sorted hashes, seqs)
        self._open: dict[int, int] = {}  # hash -> seq
        self._in_sealed = 0

    @property
    def held(self) -> int:
        """Message ids in the window now."""
        return self._in_sealed + len(self._open)

    def load(self, raw: duckdb.DuckDBPyConnection) -> None:
        """Fill the window from the latest inbox rows (at start)."""
        row = raw.execute("SELECT coalesce(max(seq), 0) FROM live_inbox").fetchone()
        newest = int(row[0]) if row else 0
        found = raw.execute(
            "SELECT hash(message_id) AS h, seq FROM live_inbox WHERE seq > ? ORDER BY seq",
            [newest - self.size],
        ).fetchnumpy()
        hashes = np.asarray(found["h"], dtype=np.uint64)
        seqs = np.asarray(found["seq"], dtype=np.int64)
        for start in range(0, len(hashes), self._per_generation):
            stop = start + self._per_generation
            self._seal(hashes[start:stop], seqs[start:stop])

    def candidates(self, hashes: list[int]) -> dict[int, int]:
        """For each of `hashes` found in the window, the seq of the message stored with it."""
        found = {h: self._open[h] for h in hashes if h in self._open}
        if not self._sealed:
            return found
        wanted = np.array(hashes, dtype=np.uint64)
        for sealed, seqs in self._sealed:
            at = np.searchsorted(sealed, wanted).clip(max=len(sealed) - 1)
            for i in np.flatnonzero(sealed[at] == wanted):
                found.setdefault(int(wanted[i]), int(seqs[at[i]]))
        return found

    def add(self, hashes: list[int], seqs: list[int]) -> None:
        """Messages just stored."""
        for h, seq in zip(hashes, seqs, strict=True):
            self._open[h] = seq
            if len(self._open) >= self._per_generation:
                self._seal(
                    np.fromiter(self._open.keys(), np.uint64, len(self._open)),
                    np.fromiter(self._open.values(), np.int64, len(self._open)),
                )
                self._open = {}

    def _seal(self, hashes: np.ndarray, seqs: np.ndarray) -> None:
        order = np.argsort(hashes, kind="stable")
        self._sealed.append((hashes[order], seqs[order]))
        self._in_sealed += len(hashes)
        while self._sealed and self._in_sealed - len(self._sealed[0][0]) >= self.size:
            self._in_sealed -= len(self._sealed.popleft()[0])


def hashes(raw: duckdb.DuckDBPyConnection, ids: list[str]) -> list[int]:
    """DuckDB's 64-bit hash of each id, in order (the window's key; the same at load)."""
    row = raw.execute("SELECT list_transform(?::VARCHAR[], x -> hash(x))", [ids]).fetchone()
    return [int(h) for h in (row[0] if row else [])]


def stored_ids(raw: duckdb.DuckDBPyConnection, seqs: list[int]) -> dict[int, Any]:
    """The message id stored at each of `seqs` (the range bounds let DuckDB skip row groups)."""
    if not seqs:
        return {}
    rows = raw.execute(
        "SELECT seq, message_id FROM live_inbox WHERE seq BETWEEN ? AND ? "
        "AND list_contains(?::BIGINT[], seq)",
        [min(seqs), max(seqs), seqs],
    ).fetchall()
    return dict(rows)
