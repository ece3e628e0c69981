"""The multiplication counters of the Convolution tab: done so far and whole-layer totals."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """Multiplications done so far on the path being played, and each path's whole-layer
    total. The path not being played counts 0 done: its total is a total, not progress
    (in the race both paths are played). `standard_*` is the standard path as played
    (grouped when groups > 1); `ungrouped_total` is the plain standard convolution's
    total, for comparison."""

    standard_done: int
    standard_total: int
    depthwise_done: int
    depthwise_total: int
    pointwise_done: int
    pointwise_total: int
    playing: str = "standard"  # "standard", "separable" or "race"
    ungrouped_total: int = 0

    @property
    def separable_done(self) -> int:
        return self.depthwise_done + self.pointwise_done

    @property
    def separable_total(self) -> int:
        return self.depthwise_total + self.pointwise_total

    def plays(self, side: str) -> bool:
        """Whether `side` ("standard" or "separable") is being played (not only a total)."""
        return self.playing in (side, "race")
