"""Discovery maths over aggregated histograms: candidates, 2x2 tests, BH, flags.

Input types are the sufficient statistics compute produces; nothing here reads data.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

VOLUME_STRATA = 4
BASE_THRESHOLDS = (1, 2, 3, 5, 10)
DEFAULT_VANITY = r"page|view|screen|login|logged in|log in|sign in|session|visit"


@dataclass(frozen=True)
class Histogram:
    """Entities by (count reached, converted, volume stratum) for one behaviour."""

    counts: dict[tuple[int, bool, int], int]

    def at_least(self, threshold: int) -> dict[tuple[bool, int], int]:
        """Entities with count >= threshold, by (converted, stratum)."""
        out: dict[tuple[bool, int], int] = defaultdict(int)
        for (value, converted, stratum), n in self.counts.items():
            if value >= threshold:
                out[(converted, stratum)] += n
        return dict(out)

    def doers(self) -> int:
        """Entities with a count of at least 1."""
        return sum(self.counts.values())

    def quantile_thresholds(self, quantiles: tuple[float, ...] = (0.5, 0.75, 0.9)) -> list[int]:
        """Nearest-rank quantiles of the counts among doers."""
        by_value: dict[int, int] = defaultdict(int)
        for (value, _, _), n in self.counts.items():
            by_value[value] += n
        total = sum(by_value.values())
        chosen = []
        for q in quantiles:
            rank = max(1, math.ceil(q * total - 1e-9))
            seen = 0
            for value in sorted(by_value):
                seen += by_value[value]
                if seen >= rank:
                    chosen.append(value)
                    break
        return chosen

    def thresholds(self) -> list[int]:
        """Base thresholds plus observed quantiles, deduplicated, ascending, reachable."""
        top = max((value for value, _, _ in self.counts), default=0)
        wanted = set(BASE_THRESHOLDS) | set(self.quantile_thresholds())
        return sorted(t for t in wanted if 1 <= t <= top)


@dataclass
class DiscoveryData:
    """Everything discovery needs, already aggregated by compute."""

    window_days: int
    eligible: dict[tuple[bool, int], int]  # (converted, stratum) -> entities
    excluded_converted_in_window: int
    events: dict[str, Histogram] = field(default_factory=dict)
    active_days: Histogram | None = None
    teammates: Histogram | None = None
    traits: dict[tuple[str, str], dict[tuple[bool, int], int]] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        """Eligible entities."""
        return sum(self.eligible.values())

    @property
    def conversions(self) -> int:
        """Eligible entities converting after the window."""
        return sum(n for (converted, _), n in self.eligible.items() if converted)


def is_vanity(event: str, pattern: str = DEFAULT_VANITY) -> bool:
    """Page views, logins, sessions and the like (case-insensitive regex search)."""
    return re.search(pattern, event, re.IGNORECASE) is not None
