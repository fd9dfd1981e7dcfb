"""Search small k-of-m rules over behaviour thresholds; score them on train and held-out data.

Pure NumPy over a matrix of per-entity measures (event counts, sums, distinct counts, users,
runs of days); nothing here reads data.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

import numpy as np

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

Objective = Literal["f1", "precision", "lift"]
THRESHOLDS = (1, 2, 3, 5)
# Thresholds per criterion kind; a sum's come from its values (`thresholds_for`).
KIND_THRESHOLDS = {
    "count": THRESHOLDS,
    "distinct": (2, 3, 5),
    "users": (2, 3, 5),
    "active_days": (2, 3, 5),
    "consecutive_days": (2, 3, 4, 5),
}
SUM_QUANTILES = (0.5, 0.75, 0.9)
SHORTLIST = 8
# A criterion holds when its total reaches at_least within this (docs/semantics.md).
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Atom:
    """One criterion: the measure in `column` (`kind` of `event`'s `property`; event None:
    any event) reaches `threshold` in the window."""

    event: str | None
    column: int
    threshold: float
    kind: str = "count"
    property: str | None = None


@dataclass(frozen=True)
class Feature:
    """One column of the measure matrix: a criterion kind over an event (and property)."""

    kind: str
    event: str | None
    property: str | None = None


@dataclass(frozen=True)
class Rule:
    """At least `k` of `atoms`."""

    atoms: tuple[Atom, ...]
    k: int

    def matches(self, counts: np.ndarray) -> np.ndarray:
        """Boolean per row: does the entity meet the rule?"""
        met = np.zeros(counts.shape[0], dtype=np.int64)
        for atom in self.atoms:
            met += counts[:, atom.column] >= atom.threshold - TOLERANCE
        return met >= self.k


def thresholds_for(kind: str, values: np.ndarray) -> tuple[float, ...]:
    """The thresholds tried for a measure: fixed per kind, or for a sum the quantiles of its
    positive values rounded to two significant digits."""
    if kind != "sum":
        return tuple(float(t) for t in KIND_THRESHOLDS[kind])
    positive = values[values > 0]
    if positive.size == 0:
        return ()
    quantiles = np.quantile(positive, SUM_QUANTILES, method="inverted_cdf")
    return tuple(sorted({float(f"{q:.2g}") for q in quantiles}))


def score(predicted: np.ndarray, converted: np.ndarray) -> dict[str, Any]:
    """Precision, recall, F1, PQL rate and lift over the base rate, with intervals."""
    n = int(predicted.size)
    positives = int(predicted.sum())
    hits = int((predicted & converted).sum())
    conversions = int(converted.sum())
    base = conversions / n if n else None
    precision = hits / positives if positives else None
    recall = hits / conversions if conversions else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    interval = wilson_interval(Proportion(hits, positives))
    return {
        "entities": n,
        "pqls": positives,
        "pql_rate": positives / n if n else None,
        "converted_pqls": hits,
        "precision": precision,
        "precision_ci": None if isinstance(interval, Unavailable) else list(interval),
        "recall": recall,
        "f1": f1,
        "base_rate": base,
        "lift": precision / base if precision is not None and base else None,
    }


def shortlist(
    counts: np.ndarray, converted: np.ndarray, features: list[Feature], min_support: int
) -> list[Atom]:
    """The best threshold per feature by lift (enough entities on both sides), top SHORTLIST."""
    best: list[tuple[float, Atom]] = []
    base = converted.mean() if converted.size else 0.0
    for column, feature in enumerate(features):
        options = []
        for threshold in thresholds_for(feature.kind, counts[:, column]):
            did = counts[:, column] >= threshold - TOLERANCE
            n_did = int(did.sum())
            if n_did < min_support or converted.size - n_did < min_support or base == 0:
                continue
            atom = Atom(feature.event, column, threshold, feature.kind, feature.property)
            options.append((float(converted[did].mean() / base), atom))
        if options:
            best.append(max(options, key=lambda o: o[0]))
    best.sort(key=lambda o: -o[0])
    return [atom for _, atom in best[:SHORTLIST]]


def search(
    counts: np.ndarray,
    converted: np.ndarray,
    atoms: list[Atom],
    max_criteria: int,
    objective: Objective,
    min_support: int,
    eligible: np.ndarray | None = None,
) -> tuple[Rule, dict[str, Any]] | None:
    """The k-of-m rule (2 <= m <= max_criteria) with the best objective on this data; only
    `eligible` rows (the definition's gates) can be flagged."""
    best: tuple[float, Rule, dict[str, Any]] | None = None
    gate = np.ones(counts.shape[0], dtype=bool) if eligible is None else eligible
    for size in range(2, min(max_criteria, len(atoms)) + 1):
        for chosen in combinations(atoms, size):
            for k in range(1, size + 1):
                rule = Rule(tuple(chosen), k)
                result = score(gate & rule.matches(counts), converted)
                if result["pqls"] < min_support or result[objective] is None:
                    continue
                value = float(result[objective])
                if best is None or value > best[0] + 1e-12:
                    best = (value, rule, result)
    return None if best is None else (best[1], best[2])
