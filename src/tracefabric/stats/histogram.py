"""A streaming histogram of non-negative integers: exact counts per value, so memory grows with
the number of distinct values (turns, calls, tokens), never with the number of records."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Histogram:
    counts: Counter[int] = field(default_factory=Counter)

    def add(self, value: int, times: int = 1) -> None:
        self.counts[int(value)] += times

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def min(self) -> int:
        return min(self.counts) if self.counts else 0

    @property
    def max(self) -> int:
        return max(self.counts) if self.counts else 0

    @property
    def mean(self) -> float:
        total = self.total
        return sum(v * c for v, c in self.counts.items()) / total if total else 0.0

    def percentile(self, q: float) -> int:
        """The smallest value with at least q% of the values at or below it."""
        total = self.total
        if not total:
            return 0
        rank = math.ceil(q / 100 * total)
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        return self.max

    def bins(self, count: int = 10) -> list[dict[str, int]]:
        """Up to `count` equal-width integer bins [lo, hi] from min to max."""
        if not self.counts:
            return []
        low, high = self.min, self.max
        width = max(1, math.ceil((high - low + 1) / count))
        bins = [{"lo": lo, "hi": min(lo + width - 1, high), "count": 0} for lo in range(low, high + 1, width)]
        for value, times in self.counts.items():
            bins[(value - low) // width]["count"] += times
        return bins

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.total,
            "min": self.min,
            "max": self.max,
            "mean": round(self.mean, 3),
            "p50": self.percentile(50),
            "p90": self.percentile(90),
            "p99": self.percentile(99),
            "bins": self.bins(),
        }
