"""2x2 tables of behaviour against conversion, and the tests run on them.

A `TwoByTwo` is a sufficient statistic: compute counts it, the functions here do the
maths. Rows are "did the behaviour" (with) and "did not" (without); columns are
"converted" and "did not convert".
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
from scipy import stats as scipy_stats

from pqlengine.stats.intervals import Z_95, Proportion, Unavailable, wilson_interval

Interval = tuple[float, float]
TestName = Literal["fisher", "chi2"]

# Below this expected count the chi-square approximation is poor (Cochran 1954).
_MIN_EXPECTED_FOR_CHI2 = 5.0


@dataclass(frozen=True)
class TwoByTwo:
    """Entity counts: who did the behaviour ("with") or not, and who converted."""

    with_converted: int
    with_total: int
    without_converted: int
    without_total: int

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool):
                raise TypeError(f"{field.name} must be an integer count, got {value!r}")
            # Store plain ints: NumPy int64 would overflow in the products ad, bc, ...
            object.__setattr__(self, field.name, operator.index(value))
        for converted, total, side in (
            (self.with_converted, self.with_total, "with"),
            (self.without_converted, self.without_total, "without"),
        ):
            if not 0 <= converted <= total:
                raise ValueError(f"{side}_converted {converted} outside 0..{total}")

    def __add__(self, other: TwoByTwo) -> TwoByTwo:
        return TwoByTwo(
            self.with_converted + other.with_converted,
            self.with_total + other.with_total,
            self.without_converted + other.without_converted,
            self.without_total + other.without_total,
        )

    @property
    def entities(self) -> int:
        """All entities in the table."""
        return self.with_total + self.without_total

    @property
    def conversions(self) -> int:
        """All entities that converted."""
        return self.with_converted + self.without_converted

    @property
    def support(self) -> float | None:
        """Share of entities that did the behaviour, or None for an empty table."""
        return self.with_total / self.entities if self.entities else None

    @property
    def rate_with(self) -> Proportion:
        """Conversions among entities that did the behaviour."""
        return Proportion(self.with_converted, self.with_total)

    @property
    def rate_without(self) -> Proportion:
        """Conversions among entities that did not do the behaviour."""
        return Proportion(self.without_converted, self.without_total)

    def cells(self) -> list[list[int]]:
        """[[with converted, with not], [without converted, without not]], as scipy wants."""
        return [
            [self.with_converted, self.with_total - self.with_converted],
            [self.without_converted, self.without_total - self.without_converted],
        ]


@dataclass(frozen=True)
class TableStats:
    """What a 2x2 table says; each None value has a note in `notes` saying why."""

    rate_with: float | None
    rate_with_ci: Interval | None
    rate_without: float | None
    rate_without_ci: Interval | None
    lift: float | None
    odds_ratio: float | None
    odds_ratio_ci: Interval | None
    p_value: float | None
    test: TestName | None
    precision: float | None
    recall: float | None
    phi: float | None
    notes: tuple[Unavailable, ...] = ()


_LABELS = {
    "rate_with": "The conversion rate of entities with the behaviour",
    "rate_with_ci": "The interval for the conversion rate with the behaviour",
    "rate_without": "The conversion rate of entities without the behaviour",
    "rate_without_ci": "The interval for the conversion rate without the behaviour",
    "lift": "The lift",
    "odds_ratio": "The odds ratio",
    "odds_ratio_ci": "The interval for the odds ratio",
    "p_value": "The p-value",
    "precision": "The precision",
    "recall": "The recall",
    "phi": "The phi coefficient",
}

_REASONS = {
    "no_doers": "no entity did the behaviour",
    "no_non_doers": "every entity did the behaviour, so there is nobody to compare with",
    "no_conversions": "no entity converted, so conversion does not vary",
    "all_converted": "every entity converted, so conversion does not vary",
    "zero_baseline": "no entity without the behaviour converted, so the baseline rate is 0",
}

HALDANE_ANSCOMBE = Unavailable(
    "odds_ratio.haldane_anscombe",
    "A cell of the table is 0, so 0.5 was added to every cell (Haldane-Anscombe) "
    "for the odds ratio and its interval; the uncorrected odds ratio is 0 or infinite.",
)


def _missing(field: str, reason: str) -> Unavailable:
    return Unavailable(
        f"{field}.{reason}", f"{_LABELS[field]} cannot be computed: {_REASONS[reason]}."
    )


def _empty_margin(table: TwoByTwo) -> str | None:
    """The reason code of the first empty row or column margin, if any."""
    if table.with_total == 0:
        return "no_doers"
    if table.without_total == 0:
        return "no_non_doers"
    if table.conversions == 0:
        return "no_conversions"
    if table.conversions == table.entities:
        return "all_converted"
    return None


def _odds_ratio(table: TwoByTwo) -> tuple[float, Interval, bool]:
    """Odds ratio ad/bc and its Woolf 95% interval; the flag says whether 0.5 was added."""
    cells = [float(count) for row in table.cells() for count in row]
    corrected = min(cells) == 0
    if corrected:
        cells = [count + 0.5 for count in cells]
    a, b, c, d = cells
    log_odds_ratio = math.log(a) + math.log(d) - math.log(b) - math.log(c)
    half_width = Z_95 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    interval = (math.exp(log_odds_ratio - half_width), math.exp(log_odds_ratio + half_width))
    return math.exp(log_odds_ratio), interval, corrected


def _independence_test(table: TwoByTwo) -> tuple[float, TestName]:
    """Two-sided p-value: Fisher's exact test if an expected count is < 5, else chi-square."""
    cells = np.array(table.cells(), dtype=np.int64)
    expected = np.outer(cells.sum(axis=1), cells.sum(axis=0)) / cells.sum()
    if expected.min() < _MIN_EXPECTED_FOR_CHI2:
        return float(scipy_stats.fisher_exact(cells).pvalue), "fisher"
    return float(scipy_stats.chi2_contingency(cells, correction=False).pvalue), "chi2"


def _phi(table: TwoByTwo) -> float:
    """Pearson phi, (ad - bc) / sqrt(product of margins); positive when doers convert more."""
    (a, b), (c, d) = table.cells()
    margins = (a + b, c + d, a + c, b + d)
    return (a * d - b * c) / math.prod(math.sqrt(margin) for margin in margins)


def analyse(table: TwoByTwo) -> TableStats:
    """Rates with Wilson 95% intervals, lift, odds ratio, independence test, phi.

    The odds ratio and its Woolf (log-normal) interval use the sample cells; when a
    cell is 0 but no margin is, 0.5 is added to every cell (Haldane-Anscombe) for the
    point estimate as well as the interval, so the two agree, and `notes` says so.
    When a row or column margin is 0 the table holds no comparison: the odds ratio,
    p-value and phi are None (no correction is applied to invent one). `test` is None
    exactly when `p_value` is None. Chi-square is Pearson's, without Yates' correction.
    """
    missing: dict[str, str] = {}
    rate_with = table.rate_with.rate
    rate_without = table.rate_without.rate
    ci_with = wilson_interval(table.rate_with)
    ci_without = wilson_interval(table.rate_without)
    if rate_with is None:
        missing.update(rate_with="no_doers", rate_with_ci="no_doers", precision="no_doers")
    if rate_without is None:
        missing.update(rate_without="no_non_doers", rate_without_ci="no_non_doers")

    lift = None
    if rate_with is None:
        missing["lift"] = "no_doers"
    elif rate_without is None:
        missing["lift"] = "no_non_doers"
    elif rate_without == 0:
        missing["lift"] = "zero_baseline"
    else:
        lift = rate_with / rate_without

    recall = None
    if table.conversions == 0:
        missing["recall"] = "no_conversions"
    else:
        recall = table.with_converted / table.conversions

    odds_ratio = odds_ratio_ci = p_value = test = phi = None
    corrected = False
    empty_margin = _empty_margin(table)
    if empty_margin is None:
        odds_ratio, odds_ratio_ci, corrected = _odds_ratio(table)
        p_value, test = _independence_test(table)
        phi = _phi(table)
    else:
        for field in ("odds_ratio", "odds_ratio_ci", "p_value", "phi"):
            missing[field] = empty_margin

    notes = [_missing(field, missing[field]) for field in _LABELS if field in missing]
    if corrected:
        notes.append(HALDANE_ANSCOMBE)
    return TableStats(
        rate_with=rate_with,
        rate_with_ci=None if isinstance(ci_with, Unavailable) else ci_with,
        rate_without=rate_without,
        rate_without_ci=None if isinstance(ci_without, Unavailable) else ci_without,
        lift=lift,
        odds_ratio=odds_ratio,
        odds_ratio_ci=odds_ratio_ci,
        p_value=p_value,
        test=test,
        precision=rate_with,
        recall=recall,
        phi=phi,
        notes=tuple(notes),
    )


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg q-values in input order; None entries stay None and are not counted."""
    positions = [i for i, p in enumerate(p_values) if p is not None]
    present = np.array([p_values[i] for i in positions], dtype=np.float64)
    if not np.all((present >= 0) & (present <= 1)):  # also rejects NaN
        raise ValueError("p-values must lie in [0, 1]")
    q_values: list[float | None] = [None] * len(p_values)
    if not positions:
        return q_values
    order = np.argsort(present, kind="mergesort")
    m = len(present)
    # Same arithmetic as statsmodels (p / (rank / m)), so results agree to the last bits.
    raw = present[order] / (np.arange(1, m + 1) / m)
    adjusted = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    for sorted_index, q in zip(order, adjusted, strict=True):
        q_values[positions[sorted_index]] = float(q)
    return q_values


def two_proportion_ztest(a: Proportion, b: Proportion) -> tuple[float, float] | Unavailable:
    """Pooled two-sided z-test of rate a == rate b: (z, p), z > 0 when a's rate is higher."""
    for proportion in (a, b):
        if not 0 <= proportion.successes <= proportion.trials:
            raise ValueError(f"successes {proportion.successes} outside 0..{proportion.trials}")
    if a.trials == 0 or b.trials == 0:
        return Unavailable("empty", "a group has no entities, so there is no rate to compare")
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    variance = pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials)
    if variance == 0:
        return Unavailable(
            "no_variance", "every entity has the same outcome, so the rates cannot differ"
        )
    z = (a.successes / a.trials - b.successes / b.trials) / math.sqrt(variance)
    return z, float(2 * scipy_stats.norm.sf(abs(z)))
