"""Proportions with intervals, as small frozen dataclasses that can be added."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # two-sided 95% normal quantile


@dataclass(frozen=True)
class Unavailable:
    """A statistic that cannot be computed: a reason code and a sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class Proportion:
    """`successes` out of `trials` (sufficient statistic of a rate)."""

    successes: int
    trials: int

    def __add__(self, other: Proportion) -> Proportion:
        return Proportion(self.successes + other.successes, self.trials + other.trials)

    @property
    def rate(self) -> float | None:
        """successes / trials, or None when there are no trials."""
        return self.successes / self.trials if self.trials else None


def wilson_interval(proportion: Proportion, z: float = Z_95) -> tuple[float, float] | Unavailable:
    """Wilson score interval (Wilson 1927) for a binomial proportion."""
    n, k = proportion.trials, proportion.successes
    if n <= 0:
        return Unavailable("empty", "no entities in the denominator, so there is no rate")
    if not 0 <= k <= n:
        raise ValueError(f"successes {k} outside 0..{n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (z / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
