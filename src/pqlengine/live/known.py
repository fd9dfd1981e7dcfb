"""Which entities may have events in the store: so that a pass tells a new signup (no
history: its events are all in `live_recent_events`, nothing to read from `events`) from an
entity met for the first time since the start without a query.

The entity cache used to ask `event_firsts` for every pass with an uncached entity (one
scan of `event_firsts` and one of `users` joined to it: about 80 ms on one thread at 1M
accounts, and 38% of the evaluator's time under load while the senders' entities were being
met; bench/RESULTS.md "2026-12-07 (afternoon)"). `KnownEntities` answers from memory:

- when first needed (and again after a pass over everyone), the 64-bit hashes (DuckDB's
  `hash`) of every entity with a registry row at or before the watermark then (as the
  exact query counts them): an account's own pairs, and the accounts of
  users whose events name none (through `users` as it is then); a sorted array, 8 bytes an
  entity (about 0.3 s to build at 1M accounts);
- since then, every entity a pass met uncached that the array does not hold (met once, it
  may have events since, so it is never taken for new again).

An entity in neither has no event committed at or before the watermark: every event
committed since the array was read moved the watermark through an incremental pass that
touched its entity (met then, or cached, so in the array or met before) or through a pass
over everyone (after which the array is read again). A hash collision only costs a read.
Two cases stay with the exact query (`EntityCache._cache_new`): entities named by an
identify, group or alias message committed after the watermark, and the accounts of its
users now (such a message can give an account a user's earlier events).
"""

from __future__ import annotations

import duckdb
import numpy as np

from pqlengine.live import dedupe


class KnownEntities:
    """The entities that may have events in the store (see the module docstring)."""

    def __init__(self, raw: duckdb.DuckDBPyConnection, entity: str, since: int) -> None:
        # Events committed after the watermark `since` do not count: their entities are met
        # by the passes that evaluate them.
        earlier = "coalesce(f.live_seq <= $1, TRUE)"
        if entity == "user":
            sql = (
                "SELECT DISTINCT hash(user_id) AS h FROM event_firsts f "
                f"WHERE user_id IS NOT NULL AND {earlier}"
            )
        else:
            sql = (
                "SELECT hash(account_id) AS h FROM event_firsts f "
                f"WHERE account_id IS NOT NULL AND {earlier} "
                "UNION SELECT hash(u.account_id) FROM event_firsts f "
                "JOIN users u ON f.user_id = u.user_id "
                f"WHERE f.account_id IS NULL AND u.account_id IS NOT NULL AND {earlier}"
            )
        found = raw.execute(sql, [since]).fetchnumpy()["h"]
        self._stored = np.sort(np.asarray(found, dtype=np.uint64))
        self._met: set[str] = set()

    def unknown(self, raw: duckdb.DuckDBPyConnection, ids: set[str]) -> set[str]:
        """Those of `ids` with no event in the store: neither in the array nor met."""
        maybe = sorted(ids - self._met)
        if not maybe or not len(self._stored):
            return set(maybe)
        wanted = np.array(dedupe.hashes(raw, maybe), dtype=np.uint64)
        at = np.searchsorted(self._stored, wanted).clip(max=len(self._stored) - 1)
        held = self._stored[at] == wanted
        return {entity for entity, hit in zip(maybe, held, strict=True) if not hit}

    def met(self, ids: set[str]) -> None:
        """A pass met `ids`: from now on they may have events."""
        self._met |= ids

    def size(self) -> int:
        """Entities known: in the store at start, and met since."""
        return len(self._stored) + len(self._met)
