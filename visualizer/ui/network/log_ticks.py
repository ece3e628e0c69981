"""1-2-5 tick labels for a pyqtgraph axis whose items are drawn in log10 coordinates
(pyqtgraph's own log axis crowds its minor labels on a wide plot)."""
from __future__ import annotations

import math

import pyqtgraph as pg


def log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """(log10 position, label) of the 1-2-5 values from `low` to `high`; only the powers
    of ten when the range spans more than three decades."""
    ticks = []
    dense = math.log10(high / low) <= 3
    for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in ((1, 2, 5) if dense else (1,)):
            v = m * 10.0 ** e
            if low <= v <= high:
                ticks.append((math.log10(v), f"{v:g}"))
    return ticks


def set_log_ticks(axis: pg.AxisItem, low: float, high: float) -> None:
    ticks = log_ticks(low, high)
    axis.setTicks([[t for t in ticks if t[1].lstrip("0.").startswith("1")],
                   [t for t in ticks if not t[1].lstrip("0.").startswith("1")]])
