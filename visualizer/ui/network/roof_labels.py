"""Roof labels that never cover a layer's point.

Each roof label has candidate places along its own line (on both sides of it); the first
that stays inside the plot and clear of every point (its marker plus a margin) and of
the labels already placed wins. Geometry is in scene pixels: `choose` is plain
arithmetic on rectangles, `place_labels` measures the labels and points of a plot.
"""
from __future__ import annotations

import math
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF

#: (left, top, right, bottom) in scene pixels (y grows downwards)
Rect = tuple[float, float, float, float]
#: pixels kept clear around a point's centre (the marker's radius and a margin)
CLEARANCE = 8.0


def _hits_point(r: Rect, p: tuple[float, float], clearance: float) -> bool:
    return (r[0] - clearance <= p[0] <= r[2] + clearance
            and r[1] - clearance <= p[1] <= r[3] + clearance)


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(r: Rect, bounds: Rect) -> bool:
    return bounds[0] <= r[0] and r[2] <= bounds[2] and bounds[1] <= r[1] and r[3] <= bounds[3]


def choose(candidates: Sequence[Sequence[Rect]], points: Sequence[tuple[float, float]],
           bounds: Rect, clearance: float = CLEARANCE) -> list[int | None]:
    """For each label (in order) the index of its chosen candidate rectangle: the first
    inside `bounds` that covers no point and no label placed before it; else the one with
    the fewest such conflicts (inside the bounds first); None for a label without any."""
    placed: list[Rect] = []
    out: list[int | None] = []
    for options in candidates:
        best, best_cost = None, math.inf
        for i, r in enumerate(options):
            cost = (sum(_hits_point(r, p, clearance) for p in points) * 10
                    + sum(_overlap(r, q) for q in placed) * 10
                    + (0 if _inside(r, bounds) else 1000))
            if cost < best_cost:
                best, best_cost = i, cost
            if cost == 0:
                break
        out.append(best)
        if best is not None:
            placed.append(options[best])
    return out


def _rect(view: pg.ViewBox, pos: tuple[float, float], anchor: tuple[float, float],
          size: tuple[float, float]) -> Rect:
    s = view.mapViewToScene(QPointF(*pos))
    left, top = s.x() - anchor[0] * size[0], s.y() - anchor[1] * size[1]
    return (left, top, left + size[0], top + size[1])


def place_labels(plot: pg.PlotItem, labels: Sequence[pg.TextItem],
                 spots: Sequence[tuple[float, float]],
                 candidates: Sequence[Sequence[tuple[tuple[float, float],
                                                     tuple[float, float]]]]) -> None:
    """Put each label at its first candidate ((x, y) in view coordinates, anchor) that
    covers no spot (view coordinates) and no other label."""
    view = plot.vb
    bounds_rect: QRectF = view.sceneBoundingRect()
    bounds = (bounds_rect.left(), bounds_rect.top(), bounds_rect.right(),
              bounds_rect.bottom())
    points = [(s.x(), s.y()) for s in (view.mapViewToScene(QPointF(x, y)) for x, y in spots)]
    rects = []
    for label, options in zip(labels, candidates):
        box = label.boundingRect()  # pixels: a TextItem ignores the view's scaling
        size = (box.width(), box.height())
        rects.append([_rect(view, pos, anchor, size) for pos, anchor in options])
    for label, options, pick in zip(labels, candidates, choose(rects, points, bounds)):
        if pick is None:
            continue
        pos, anchor = options[pick]
        label.setAnchor(anchor)
        label.setPos(*pos)


def along(x0: float, x1: float, line, steps: int = 10) -> list[tuple[float, float]]:
    """`steps` positions (x, line(x)) from x1 back to x0 (the right end first)."""
    if x1 <= x0:
        return [(x0, line(x0))]
    return [(x1 - (x1 - x0) * i / (steps - 1), line(x1 - (x1 - x0) * i / (steps - 1)))
            for i in range(steps)]


def roof_label_candidates(peak: float, bandwidth: float, cache_bandwidth: float,
                          x_range: tuple[float, float]):
    """Candidate places (view position in log10 units, anchor) of the three roof labels:
    the compute roof's above or below its flat part, the in-cache and main-memory ones
    beside their slopes (above-left or below-right, clear of the rising line)."""
    lo, hi = math.log10(x_range[0]), math.log10(x_range[1])

    def slope(b: float):
        return lambda x: math.log10(min(peak, 10 ** x * b))

    def on(line, x0: float, x1: float, sides) -> list:
        return [((x, y + dy), anchor) for x, y in along(x0, x1, line) for anchor, dy in sides]

    def knee(b: float) -> float:
        return min(max(math.log10(peak / b), lo), hi)

    above_below = (((1, 1), 0.01), ((1, 0), -0.01))
    # a rising line never crosses the text above-left of a point on it (anchor: its
    # bottom-right corner) nor below-right (its top-left corner): the in-cache label
    # goes left of its line, the main-memory label right of its own, so that each
    # reads as its line's
    left, right = ((1, 1), 0.0), ((0, 0), -0.01)
    return [on(lambda x: math.log10(peak), max(knee(cache_bandwidth), lo + 0.3), hi - 0.02,
               above_below),
            on(slope(cache_bandwidth), lo + 0.3, knee(cache_bandwidth) - 0.2, (left, right)),
            on(slope(bandwidth), lo + 0.05, knee(bandwidth) - 0.2, (right, left))]
