"""The live `pql_score`: the stored model's calibrated score for open PQLs when the store
holds a compatible model, criteria progress otherwise; each score says which it is.

The model is unpickled once per version (at start, and when a newer version appears in the
store: one small query per pass). Its features are computed by one query per pass for all
the pass's open PQLs, compiled once per model version with the instant and the ids read
from `live_clock` and `live_model_ids`, over the pass's own copy of the events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from pqlengine.compute.model_features import entity_matrix, unconverted_features
from pqlengine.config import Project
from pqlengine.live.tables import replace_rows
from pqlengine.model.persist import (
    StoredModel,
    ensure_model_tables,
    load_model,
    newest_model_version,
)
from pqlengine.model.score import check_compatible, scored_rows
from pqlengine.store import Store, Tables

CRITERIA_PROGRESS = "criteria_progress"
MODEL_PREFIX = "model:"
log = logging.getLogger("pqlengine.live")


@dataclass(frozen=True)
class Score:
    """An entity's pql_score (0-100), where it came from, and the model's top reasons
    (explain.py's dicts: feature, value, typical, points, text; [] for criteria progress)."""

    score: float
    source: str  # "model:<version>" | "criteria_progress"
    reasons: list[dict[str, Any]] = field(default_factory=list)


def progress_score(record: dict[str, Any], project: Project) -> Score:
    """Weight of the criteria met over the total weight, 0-100 (one decimal)."""
    definition = project.definition
    total = sum(definition.weight_of(c) for c in definition.criteria)
    met = sum(
        definition.weight_of(c) for c in definition.criteria if c.id in record["criteria_met"]
    )
    return Score(round(100.0 * met / total, 1) if total else 0.0, CRITERIA_PROGRESS)


class LiveScorer:
    """Scores a pass's open PQLs with the newest compatible stored model."""

    def __init__(self, store: Store, pass_events: Tables, project: Project) -> None:
        self._store = store
        self._pass_events = pass_events  # the store with `events` = the pass's copy
        self._project = project
        self.model: StoredModel | None = None
        self.note: str | None = "no model in the store: run `pql model train` or retrain here"
        self._seen: str | None = None  # the newest version looked at, loaded or refused
        self._compiled: dict[tuple[str, bool], str] = {}
        ensure_model_tables(store)

    @property
    def source(self) -> str:
        """What open PQLs are scored with now."""
        return CRITERIA_PROGRESS if self.model is None else MODEL_PREFIX + self.model.version

    def refresh(self) -> None:
        """Load the newest stored model when its version changed since the last look."""
        version = newest_model_version(self._store)
        if version == self._seen:
            return
        self._seen = version
        if version is None:
            return
        try:
            # Unpickles: the store is trusted (model.persist).
            stored = load_model(self._store, version)
            check_compatible(self._project, stored)
        except Exception as exc:  # not a model this service can use: say why, keep alerting
            self.model = None
            self.note = f"model {version} is not used, open PQLs get criteria progress: {exc}"
            log.warning(self.note)
            return
        self._sql(stored, full=False)  # compile now, not on the next pass
        self.model, self.note = stored, None
        log.info("open PQLs are now scored with model %s", version)

    def scores(self, entity_ids: list[str], now: datetime, full: bool) -> dict[str, Score]:
        """Model scores at `now` of those of `entity_ids` the model can score (not converted),
        from all events (`full`) or the pass's copy of the touched entities' events; {}
        without a model."""
        stored = self.model
        if stored is None or not entity_ids:
            return {}
        raw = self._store.raw
        ids = pa.table({"entity_id": pa.array(entity_ids, pa.string())})
        replace_rows(raw, {"live_model_ids": ids})
        try:
            table = raw.execute(self._sql(stored, full)).to_arrow_table()
            spec = stored.spec
            rows = scored_rows(
                stored, entity_matrix(table, list(spec.events), now, spec.window_days)
            )
        except Exception as exc:
            # A broken model must not hold up alerts: this pass falls back, labelled as such.
            log.exception(
                "scoring with model %s failed; criteria progress this pass", stored.version
            )
            self.note = f"the last pass could not score with model {stored.version}: {exc}"
            return {}
        self.note = None
        source = MODEL_PREFIX + stored.version
        return {row["entity_id"]: Score(row["score"], source, row["reasons"]) for row in rows}

    def _sql(self, stored: StoredModel, full: bool) -> str:
        key = (stored.version, full)
        if key not in self._compiled:
            clock = self._store.table("live_clock").as_of.max()
            ids = self._store.table("live_model_ids").entity_id
            spec = stored.spec
            # The model's own entity, signup and conversion (checked equal to the service's)
            # and its free-mail list, as `pql model score` uses them.
            events = self._store if full else self._pass_events
            expression = unconverted_features(
                events, stored.project, clock, spec.window_days, list(spec.events), ids
            )
            self._compiled[key] = str(self._store.con.compile(expression))
        return self._compiled[key]
