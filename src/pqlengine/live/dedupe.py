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
(morning)"). The window's cost follows the ids it holds (at most `WINDOW`), not the store.

How the window is kept: the newest messages in a dict (hash -> seq) of up to `size // 64`;
when it is full it is sealed into a sorted run, and every `MERGE_RUNS` runs are merged into
one main run sorted by hash, dropping what is older than the last `size` messages. A lookup
is one binary search of the main run per hash and one per run not merged yet (at most
`MERGE_RUNS`). Until 2026-12-07 (night) the window was 64 sorted generations searched one by
one: at 10M ids that was about 9 ms per 400 ids on an idle machine, and in the service 27%
of the writer's time at 1M accounts (bench/RESULTS.md "2026-12-07 (night)"); now about 0.1
ms. A merge copies the main run (about 0.3 s at 10M ids, once every `size // 64 *
MERGE_RUNS` messages: every 4 minutes at 5,000 events/s), in the commit that fills the run.

The window is rebuilt from `live_inbox` at start (the last `WINDOW` rows by seq, hashed by
DuckDB), so a restart keeps it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np

# Message ids in the window: at 500 events/s about 5.5 hours, at 100/s about 28 hours.
WINDOW = 10_000_000
# The open run (a dict) holds at most WINDOW // RUNS_PER_WINDOW ids before it is sealed ...
RUNS_PER_WINDOW = 64
# ... and this many sealed runs are searched on their own before they are merged into the
# main run (fewer: more merges, each a copy of the main run; more: more searches a lookup).
MERGE_RUNS = 8

_NO_KEYS = np.empty(0, np.uint64)
_NO_SEQS = np.empty(0, np.int64)


class DedupeWindow:
    """The (hash, seq) of the last `size` messages stored (and at most about `size // 8`
    more, not dropped yet)."""

    def __init__(self, size: int = WINDOW) -> None:
        self.size = size
        self._per_run = max(1, -(-size // RUNS_PER_WINDOW))
        # The main run and the runs sealed since its last merge: hashes sorted, with seqs.
        self._main: tuple[np.ndarray, np.ndarray] = (_NO_KEYS, _NO_SEQS)
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._open: dict[int, int] = {}  # hash -> seq of the newest messages
        self.merges = 0

    @property
    def held(self) -> int:
        """Message ids in the window now."""
        sealed = len(self._main[0]) + sum(len(keys) for keys, _ in self._runs)
        return sealed + len(self._open)

    def load(self, raw: duckdb.DuckDBPyConnection) -> None:
        """Fill the window from the latest inbox rows (at start)."""
        row = raw.execute("SELECT coalesce(max(seq), 0) FROM live_inbox").fetchone()
        newest = int(row[0]) if row else 0
        found = raw.execute(
            "SELECT hash(message_id) AS h, seq FROM live_inbox WHERE seq > ?",
            [newest - self.size],
        ).fetchnumpy()
        hashes = np.asarray(found["h"], dtype=np.uint64)
        seqs = np.asarray(found["seq"], dtype=np.int64)
        self._main = _sorted(hashes, seqs)
        self._runs, self._open = [], {}

    def candidates(self, hashes: list[int]) -> dict[int, int]:
        """For each of `hashes` found in the window, the seq of the newest message stored
        with it (two ids with one hash: the caller compares the id stored at that seq)."""
        found = {h: self._open[h] for h in hashes if h in self._open}
        wanted = np.array(hashes, dtype=np.uint64)
        for keys, seqs in [*reversed(self._runs), self._main]:  # newest first
            if not len(keys):
                continue
            left = np.searchsorted(keys, wanted, side="left")
            right = np.searchsorted(keys, wanted, side="right")
            for i in np.flatnonzero(right > left):
                # Equal hashes sit together; the newest of them wins.
                found.setdefault(int(wanted[i]), int(seqs[left[i] : right[i]].max()))
        return found

    def add(self, hashes: list[int], seqs: list[int]) -> None:
        """Messages just stored (seqs increasing)."""
        for h, seq in zip(hashes, seqs, strict=True):
            self._open[h] = seq
            if len(self._open) >= self._per_run:
                self._seal()

    def _seal(self) -> None:
        count = len(self._open)
        hashes = np.fromiter(self._open.keys(), np.uint64, count)
        seqs = np.fromiter(self._open.values(), np.int64, count)
        self._open = {}
        self._runs.append(_sorted(hashes, seqs))
        if len(self._runs) >= MERGE_RUNS:
            self._merge()

    def _merge(self) -> None:
        """Merge the sealed runs into the main run, keeping the last `size` messages."""
        hashes = np.concatenate([keys for keys, _ in self._runs])
        seqs = np.concatenate([values for _, values in self._runs])
        self._runs = []
        cutoff = int(seqs.max()) - self.size
        hashes, seqs = _sorted(*_newer(hashes, seqs, cutoff))
        keys, values = _newer(*self._main, cutoff)
        at = np.searchsorted(keys, hashes)
        self._main = (np.insert(keys, at, hashes), np.insert(values, at, seqs))
        self.merges += 1


def _newer(hashes: np.ndarray, seqs: np.ndarray, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    keep = seqs > cutoff
    return (hashes, seqs) if keep.all() else (hashes[keep], seqs[keep])


def _sorted(hashes: np.ndarray, seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(hashes, kind="stable")
    return hashes[order], seqs[order]


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
