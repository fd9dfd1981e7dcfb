"""Per-entity behaviour counts in the first days after signup (for suggest and models)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from pqlengine.compute.discovery import cohort_frame, window_events
from pqlengine.config import Project
from pqlengine.store import Store


@dataclass(frozen=True)
class WindowFeatures:
    """Rows are eligible entities (window and conversion window over, not converted inside
    the window); `counts[:, j]` is how often each did `events[j]` inside the window."""

    entity_ids: list[str]
    signup_epoch_s: np.ndarray
    converted: np.ndarray  # converted after the window, within the conversion window
    events: list[str]
    counts: np.ndarray


def window_features(
    store: Store, project: Project, as_of: datetime, window_days: int, events: list[str]
) -> WindowFeatures:
    """Counts per entity and event, pivoted in the database; only the matrix leaves it."""
    cohort = cohort_frame(store, project, as_of, window_days)
    cohort = cohort.filter(~cohort.converted_in_window)
    inside = window_events(store, project, as_of, cohort, ("event",))
    inside = inside.filter(inside.event.isin(events))
    pivot = inside.group_by("entity_id").agg(
        **{f"c{j}": (inside.event == name).sum() for j, name in enumerate(events)}
    )
    base = cohort.select("entity_id", "signup_at", "converted")
    joined = base.left_join(pivot, base.entity_id == pivot.entity_id).order_by(base.entity_id)
    table = joined.to_pyarrow()
    count_columns = [
        np.nan_to_num(table.column(f"c{j}").to_numpy(zero_copy_only=False).astype(float))
        for j in range(len(events))
    ]
    counts = np.column_stack(count_columns) if count_columns else np.zeros((table.num_rows, 0))
    return WindowFeatures(
        entity_ids=table.column("entity_id").to_pylist(),
        signup_epoch_s=_epoch_seconds(table.column("signup_at").to_numpy()),
        converted=table.column("converted").to_numpy(zero_copy_only=False).astype(bool),
        events=list(events),
        counts=counts.astype(np.int64),
    )


def _epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Naive-UTC datetime64 values as float seconds since the epoch."""
    return values.astype("datetime64[us]").astype(np.int64) / 1e6
