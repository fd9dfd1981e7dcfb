"""The model's feature matrix: which columns, in which order, and a 'typical' entity.

Turns compute's per-entity matrix into the float matrix the model sees (NaN = never done /
unknown, which the trees handle natively), and says which columns belong together when a
lead's score is explained.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from pqlengine.compute.model_features import EntityMatrix

COUNT = "count: "
DAYS_SINCE = "days_since: "
GLOBAL_FEATURES = (
    "active_days",
    "event_count",
    "event_types",
    "teammates",
    "days_since_any_event",
    "employees",
    "plan",
    "free_email_domain",
)
# Reason groups of the global features (an event's group is its count and days_since).
GLOBAL_GROUPS = (
    ("active days", ("active_days",)),
    ("event volume", ("event_count",)),
    ("breadth", ("event_types",)),
    ("teammates", ("teammates",)),
    ("recency", ("days_since_any_event",)),
    ("employees", ("employees",)),
    ("plan", ("plan",)),
    ("email domain", ("free_email_domain",)),
)
# Where a missing value is "never happened" (ordered after every real value), not "unknown".
NEVER_IS_MISSING = ("days_since_any_event",)


@dataclass(frozen=True)
class FeatureSpec:
    """What the model was trained on: the window, the event names, the plan categories."""

    window_days: int
    events: tuple[str, ...]
    plans: tuple[str, ...]  # plan value -> category code (its index); others are missing
    entity: str

    @property
    def names(self) -> list[str]:
        """Column names, in matrix order."""
        return [
            *(COUNT + e for e in self.events),
            *(DAYS_SINCE + e for e in self.events),
            *GLOBAL_FEATURES,
        ]

    @property
    def categorical(self) -> np.ndarray:
        """Boolean mask of the categorical columns (plan)."""
        return np.array([name == "plan" for name in self.names])

    def groups(self) -> list[tuple[str, list[int]]]:
        """(label, column indexes) of the feature groups a reason talks about."""
        index = {name: i for i, name in enumerate(self.names)}
        found = [(e, [index[COUNT + e], index[DAYS_SINCE + e]]) for e in self.events]
        found += [(label, [index[c] for c in columns]) for label, columns in GLOBAL_GROUPS]
        if self.entity != "account":
            found = [g for g in found if g[0] != "teammates"]
        return found

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (stored with the model)."""
        return {**asdict(self), "features": self.names}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureSpec:
        """Inverse of `to_json`."""
        return cls(
            window_days=int(data["window_days"]),
            events=tuple(data["events"]),
            plans=tuple(data["plans"]),
            entity=str(data["entity"]),
        )


def spec_for(matrix: EntityMatrix, window_days: int, entity: str) -> FeatureSpec:
    """The spec for a training matrix: its events and the plans seen in it."""
    plans = sorted({str(p) for p in matrix.plan if p is not None})
    return FeatureSpec(window_days, tuple(matrix.events), tuple(plans), entity)


def design(matrix: EntityMatrix, spec: FeatureSpec) -> np.ndarray:
    """The float matrix in `spec.names` order (matrix.events must be spec.events)."""
    if tuple(matrix.events) != spec.events:
        raise ValueError("the entity matrix was built for other events than the model's")
    codes = {plan: float(code) for code, plan in enumerate(spec.plans)}
    plan = np.array([codes.get(str(p), np.nan) if p is not None else np.nan for p in matrix.plan])
    email = np.array(
        [{"free": 1.0, "company": 0.0}.get(str(d), np.nan) for d in matrix.email_domain]
    )
    teammates = matrix.teammates.astype(float)
    if spec.entity != "account":
        teammates = np.ones(len(matrix))
    columns = [
        matrix.counts.astype(float),
        matrix.days_since,
        np.column_stack(
            [
                matrix.active_days.astype(float),
                matrix.event_count.astype(float),
                matrix.event_types.astype(float),
                teammates,
                matrix.days_since_any,
                matrix.employees,
                plan,
                email,
            ]
        ),
    ]
    return np.column_stack(columns) if len(matrix) else np.zeros((0, len(spec.names)))


def typical_row(features: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """A 'typical' training entity: the median of each column, where a missing days-since
    means "never" (later than any value: when most never did it, typical is never); the most
    common value (missing included) for plan and email domain; the median of the known values
    for employees."""
    typical = np.full(features.shape[1], np.nan)
    for column, name in enumerate(spec.names):
        values = features[:, column]
        if values.size == 0:
            continue
        if name in ("plan", "free_email_domain"):
            typical[column] = _mode_with_missing(values)
        elif name.startswith(DAYS_SINCE) or name in NEVER_IS_MISSING:
            median = float(np.median(np.where(np.isnan(values), np.inf, values)))
            typical[column] = np.nan if np.isinf(median) else median
        elif np.isnan(values).all():
            typical[column] = np.nan
        else:
            typical[column] = float(np.nanmedian(values))
    return typical


def _mode_with_missing(values: np.ndarray) -> float:
    missing = int(np.isnan(values).sum())
    known = values[~np.isnan(values)]
    if known.size == 0:
        return np.nan
    found, counts = np.unique(known, return_counts=True)
    best = int(np.argmax(counts))
    return np.nan if missing > counts[best] else float(found[best])
