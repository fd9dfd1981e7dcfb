"""The service's own check of `targets:` (docs/semantics.md "Alert when a target goes off
track"): every `live.targets_every_seconds` it computes the targets as of now on the read
worker and records their statuses, so a target that goes off track is alerted while
`pql serve` holds the store (where `pql targets` only reads)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pqlengine.clock import Clock, naive_now
from pqlengine.config import Project
from pqlengine.destinations.outbox import Target
from pqlengine.destinations.target_alerts import alert_destinations, record_statuses
from pqlengine.live.reads import ReadsBusy
from pqlengine.store import Store

log = logging.getLogger("pqlengine.live")


@dataclass(frozen=True)
class TargetCheck:
    """The last check: when, the status per target, alerts queued, or the error."""

    checked_at: datetime
    statuses: dict[str, str]
    queued: int
    error: str | None = None


class TargetWatch:
    """Submits a target check to the read worker when one is due (`tick`, from the
    service's watcher loop); does nothing without targets or an alert destination."""

    def __init__(
        self,
        project: Project,
        destinations: list[Target],
        clock: Clock,
        submit: Callable[[Callable[[Store], Any]], Future[Any]],
        on_queued: Callable[[], None],
    ) -> None:
        self._project = project
        self._destinations = alert_destinations(destinations)
        self._clock = clock
        self._submit = submit
        self._on_queued = on_queued
        self._every = project.live.targets_every_seconds
        self._next = 0.0  # monotonic; the first check runs at the first tick
        self._running: Future[Any] | None = None
        self.last: TargetCheck | None = None

    @property
    def active(self) -> bool:
        """True when there are targets and somewhere to alert."""
        return bool(self._project.targets and self._destinations)

    def tick(self) -> None:
        """Start a check when one is due and none is running."""
        if not self.active or time.monotonic() < self._next:
            return
        if self._running is not None and not self._running.done():
            return
        try:
            self._running = self._submit(self._check)
        except ReadsBusy:
            return  # reads are queued up: try at the next tick
        self._next = time.monotonic() + self._every

    def _check(self, store: Store) -> None:
        from pqlengine.compute.targets import compute_targets

        now = naive_now(self._clock)
        try:
            reports = compute_targets(store, self._project, now)["targets"]
            queued = record_statuses(
                store.raw, reports, self._project.project, self._destinations, now
            )
        except Exception as exc:  # reported in /healthz; the next check tries again
            log.exception("target check failed")
            self.last = TargetCheck(now, {}, 0, f"{type(exc).__name__}: {exc}")
            return
        self.last = TargetCheck(now, {r["name"]: r["status"] for r in reports}, len(queued))
        if queued:
            self._on_queued()
