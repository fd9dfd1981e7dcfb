"""Search small k-of-m rules over behaviour thresholds; score them on train and held-out data.

Pure NumPy over a count matrix; nothing here reads data.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

import numpy as np

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

Objective = Literal["f1", "precision", "lift"]
THRESHOLDS = (1, 2, 3, 5)
SHORTLIST = 8


@dataclass(frozen=True)
class Atom:
    """One criterion: `event` done at least `threshold` times in the window."""

    event: str
    column: int
    threshold: int


@dataclass(frozen=True)
class Rule:
    """At least `k` of `atoms`."""

    atoms: tuple[Atom, ...]
    k: int

    def matches(self, counts: np.ndarray) -> np.ndarray:
        """Boolean per row: does the entity meet the rule?"""
        met = np.zeros(counts.shape[0], dtype=np.int64)
        for atom in self.atoms:
            met += counts[:, atom.column] >= atom.threshold
        return met >= self.k


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
    counts: np.ndarray, converted: np.ndarray, events: list[str], min_support: int
) -> list[Atom]:
    """The best threshold per event by lift (enough entities on both sides), top SHORTLIST."""
    best: list[tuple[float, Atom]] = []
    base = converted.mean() if converted.size else 0.0
    for column, event in enumerate(events):
        options = []
        for threshold in THRESHOLDS:
            did = counts[:, column] >= threshold
            n_did = int(did.sum())
            if n_did < min_support or converted.size - n_did < min_support or base == 0:
                continue
            options.append((float(converted[did].mean() / base), Atom(event, column, threshold)))
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
