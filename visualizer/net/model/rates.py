"""The one definition of achieved speed: billions of mult-adds per second.

GMAC/s = mult-adds / (ms · 1e6). A layer with no time of its own (0 ms: fused into another
node, or not timed yet) has no speed, and neither has a row without arithmetic (layout,
softmax, the overhead): None, shown as "—", never 0 or infinity.
"""
from __future__ import annotations

import math


def gmacs_per_s(macs: float, ms: float | None) -> float | None:
    """GMAC/s of `macs` mult-adds done in `ms` milliseconds; None without a positive time
    or without mult-adds."""
    if ms is None or not math.isfinite(ms) or ms <= 0 or macs <= 0:
        return None
    return macs / (ms * 1e6)


def rate_text(gmacs: float | None, digits: int = 1) -> str:
    """A speed as the tables and exports show it: "12.3", or "—" for None."""
    return "—" if gmacs is None else f"{gmacs:.{digits}f}"
