"""Held-out verdict on a suggested definition: does it beat the current one and the base rate?

The sufficient statistic is a 2 x 2 x 2 table of the held-out (later) entities by
(flagged by the suggestion, flagged by the current definition, converted). Both rules are
judged on the same entities, so the comparison is paired.

What "beats" means (stated in every result under "test"):
1. Against the base rate: the suggestion's held-out lift (PQL-to-paid rate / overall rate) has
   a 95% interval whose lower bound is above 1, i.e. its PQLs convert more often than the
   entities it leaves out, beyond noise.
2. Against the current definition: the paired difference in lift (suggested minus current, on
   the same entities and the same base rate) has a 95% interval whose upper bound is not below
   0, i.e. the suggestion is not worse beyond noise. When the lower bound is above 0 it is
   better; otherwise the two are not distinguishable (which is not "equal").
A suggestion wins when both hold. Intervals are percentile intervals of a nonparametric
bootstrap over entities; resampling entities is a multinomial draw of the eight cell counts,
so it is exact and cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval

RESAMPLES = 4000
SEED = 20261205
TEST = (
    "beats = held-out lift 95% CI above 1 (PQLs convert more than the rest) and the paired "
    "difference in lift vs the current definition on the same entities not below 0 beyond "
    "noise (95% CI upper bound >= 0); percentile bootstrap over entities"
)


@dataclass(frozen=True)
class PairedTable:
    """Held-out entity counts; `cells[4 * suggested + 2 * current + converted]`."""

    cells: tuple[int, ...]

    @classmethod
    def of(cls, suggested: np.ndarray, current: np.ndarray, converted: np.ndarray) -> PairedTable:
        """Count the entities of each combination (three boolean arrays of one length)."""
        code = 4 * suggested.astype(np.int64) + 2 * current.astype(np.int64)
        code += converted.astype(np.int64)
        return cls(tuple(int(c) for c in np.bincount(code, minlength=8)))


def _lifts(cells: np.ndarray, rule: int) -> np.ndarray:
    """Lift of one rule (0 suggested, 1 current) per row of an (r, 8) array; NaN when
    undefined (no PQLs or no conversions)."""
    shaped = cells.reshape(-1, 2, 2, 2).astype(float)
    flagged = shaped.sum(axis=2 - rule)  # (r, flagged, converted)
    pqls = flagged[:, 1, :].sum(axis=1)
    hits = flagged[:, 1, 1]
    n = shaped.sum(axis=(1, 2, 3))
    conversions = shaped[..., 1].sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (hits / pqls) / (conversions / n)
    return np.where((pqls > 0) & (conversions > 0), lift, np.nan)


def _interval(draws: np.ndarray) -> list[float] | None:
    """95% percentile interval of the defined draws; None when fewer than 95% are defined."""
    defined = draws[~np.isnan(draws)]
    if defined.size < 0.95 * draws.size:
        return None
    low, high = np.percentile(defined, [2.5, 97.5])
    return [float(low), float(high)]


def _rate(successes: int, trials: int) -> dict[str, Any]:
    interval = wilson_interval(Proportion(successes, trials))
    return {
        "rate": successes / trials if trials else None,
        "ci": None if isinstance(interval, Unavailable) else list(interval),
    }


def _summary(table: np.ndarray, rule: int, lift_ci: list[float] | None) -> dict[str, Any]:
    """PQL rate, PQL-to-paid and non-PQL-to-paid rates with Wilson intervals; lift and CI."""
    flagged = table.reshape(2, 2, 2).sum(axis=1 - rule)
    n = int(table.sum())
    pqls, hits = int(flagged[1].sum()), int(flagged[1, 1])
    others, other_hits = int(flagged[0].sum()), int(flagged[0, 1])
    lift = float(_lifts(table[None, :], rule)[0])
    return {
        "entities": n,
        "pqls": pqls,
        "pql_rate": _rate(pqls, n),
        "pql_to_paid": _rate(hits, pqls),
        "non_pql_to_paid": _rate(other_hits, others),
        "lift": None if np.isnan(lift) else lift,
        "lift_ci": lift_ci,
    }


def _fmt(lift: float | None, ci: list[float] | None) -> str:
    if lift is None:
        return "lift n/a"
    return f"lift {lift:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else " (no interval)")


def held_out_verdict(
    table: PairedTable, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Any]:
    """The verdict on the suggestion with its numbers; `wins` says whether it may be written
    without --force and `sentence` says why in one line."""
    cells = np.asarray(table.cells, dtype=np.int64)
    n = int(cells.sum())
    conversions = int(cells[1::2].sum())
    result: dict[str, Any] = {
        "test": TEST,
        "entities": n,
        "base_rate": _rate(conversions, n),
        "wins": False,
    }
    if n == 0 or conversions == 0:
        result["reason"] = "no_conversions" if n else "no_entities"
        result["sentence"] = "cannot be judged: the later cohorts have " + (
            f"no conversions among {n} entities" if n else "no entities"
        )
        return result
    draws = np.random.default_rng(seed).multinomial(n, cells / n, size=resamples)
    suggested_draws, current_draws = _lifts(draws, 0), _lifts(draws, 1)
    suggested = _summary(cells, 0, _interval(suggested_draws))
    current = _summary(cells, 1, _interval(current_draws))
    result["suggested"], result["current"] = suggested, current
    low = suggested["lift_ci"][0] if suggested["lift_ci"] else None
    beats_base = low is not None and low > 1
    result["beats_base_rate"] = beats_base
    shown = _fmt(suggested["lift"], suggested["lift_ci"])
    if current["lift"] is None or suggested["lift"] is None:
        interval = None
        both = f"{shown}; the current definition flags none of them"
    else:
        difference = suggested["lift"] - current["lift"]
        interval = _interval(suggested_draws - current_draws)
        result["lift_difference"] = difference
        result["lift_difference_ci"] = interval
        both = f"{shown} vs current {_fmt(current['lift'], current['lift_ci'])}, difference "
        both += f"{difference:+.2f}"
        both += f" [{interval[0]:+.2f}, {interval[1]:+.2f}]" if interval else " (no interval)"
    if not beats_base:
        result["versus_current"] = "not compared"
        why = (
            "no PQLs" if suggested["lift"] is None else both + "; its lift interval is not above 1"
        )
        result["sentence"] = f"does not beat the base rate on later cohorts ({why})"
        return result
    if current["lift"] is None:
        result["versus_current"] = "unavailable"
        result["wins"] = True
        result["sentence"] = f"beats the base rate on later cohorts ({both})"
        return result
    if interval is None or interval[1] < 0:
        result["versus_current"] = "worse" if interval else "unavailable"
        result["sentence"] = f"does not beat the current definition on later cohorts ({both})"
        return result
    result["wins"] = True
    if interval[0] > 0:
        result["versus_current"] = "better"
        result["sentence"] = f"beats the current definition on later cohorts ({both})"
    else:
        result["versus_current"] = "not distinguishable"
        result["sentence"] = (
            "beats the base rate and is not worse than the current definition beyond noise on "
            f"later cohorts ({both}; the difference is not significant, which is not 'none')"
        )
    return result
