"""Retraining while serving: the service holds the store (DuckDB allows one writing
process), so `pql model train` cannot open it; the service trains in a thread of its own
instead, on its own connection, and the evaluator picks the new version up when it is stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pqlengine.compute.entities import to_utc_naive
from pqlengine.config import Project
from pqlengine.live.scoring import LiveScorer
from pqlengine.model.train import train
from pqlengine.store import Store

log = logging.getLogger("pqlengine.live")


class TrainingBusy(RuntimeError):
    """A training is already running."""


@dataclass(frozen=True)
class TrainingJob:
    """One training run: `status` is running, done or failed (then `error` says why)."""

    status: str
    window_days: int
    started_at: datetime
    finished_at: datetime | None = None
    version: str | None = None
    error: str | None = None


class Trainer:
    """Runs `pql model train` (as of now) in the background, one run at a time."""

    def __init__(self, store: Store, project: Project, on_stored: Callable[[], None]) -> None:
        self._store = store
        self._project = project
        self._on_stored = on_stored
        self._lock = threading.Lock()
        self.last: TrainingJob | None = None

    def start(self, window_days: int) -> TrainingJob:
        """Start training with `window_days`; raises TrainingBusy while one runs."""
        with self._lock:
            if self.last is not None and self.last.status == "running":
                raise TrainingBusy(
                    f"a training started at {self.last.started_at.isoformat()}Z is still running"
                )
            job = TrainingJob("running", window_days, _now())
            self.last = job
        threading.Thread(target=self._run, args=(job,), name="pql-train", daemon=True).start()
        return job

    def _run(self, job: TrainingJob) -> None:
        store = self._store.cursor()
        try:
            result = train(store, self._project, job.started_at, window_days=job.window_days)
        except Exception as exc:  # reported through GET /api/model, the service keeps running
            if not isinstance(exc, ValueError):
                log.exception("training failed")
            finished = replace(job, status="failed", finished_at=_now(), error=str(exc))
        else:
            finished = replace(job, status="done", finished_at=_now(), version=result["version"])
        finally:
            store.close()
        with self._lock:
            self.last = finished
        if finished.status == "done":
            self._on_stored()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def model_status(scorer: LiveScorer, job: TrainingJob | None) -> dict[str, Any]:
    """What open PQLs are scored with, the model in service, why not one, the last training."""
    stored = scorer.model
    model = None
    if stored is not None:
        model = {
            "version": stored.version,
            "created_at": _iso(stored.created_at),
            "trained_as_of": _iso(stored.as_of),
            "window_days": stored.spec.window_days,
            "calibration": stored.estimator.calibration_,
        }
    return {
        "score_source": scorer.source,
        "model": model,
        "note": scorer.note,
        "training": None if job is None else training_json(job),
    }


def training_json(job: TrainingJob) -> dict[str, Any]:
    """A training run as the API shows it."""
    return {
        "status": job.status,
        "window_days": job.window_days,
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "version": job.version,
        "error": job.error,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else to_utc_naive(moment).isoformat() + "Z"
