"""Roof labels that never cover a layer's point.

The compute roof's label lies flat above (or below) the flat roof; the in-cache and
main-memory labels are written along their own sloping line, just above it (or below),
as roofline charts do, so each reads as its line's. Each label has candidate places along
its line; the first that stays inside the plot and clear of every point (its marker plus
a margin) and of the labels already placed wins.

Geometry is in scene pixels with y pointing up ("math" orientation): a placed label is a
rotated rectangle (centre, width, height, angle). `choose` is plain arithmetic on those;
`place_labels` measures the labels and points of a plot.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF

#: pixels kept clear around a point's centre (the marker's radius and a margin)
CLEARANCE = 8.0
#: pixels between a label and its line (the farther ones are tried when the nearer
#: ones cover points lying on the line)
GAPS = (3.0, 14.0)


@dataclass(frozen=True)
class Box:
    """A label's rectangle: centre (cx, cy), size, and angle (radians, counter-clockwise)."""

    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0

    def corners(self) -> list[tuple[float, float]]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        out = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = dx * self.w / 2, dy * self.h / 2
            out.append((self.cx + x * c - y * s, self.cy + x * s + y * c))
        return out

    def covers(self, p: tuple[float, float], clearance: float) -> bool:
        c, s = math.cos(self.angle), math.sin(self.angle)
        dx, dy = p[0] - self.cx, p[1] - self.cy
        x, y = dx * c + dy * s, -dx * s + dy * c  # p in the label's own frame
        return abs(x) <= self.w / 2 + clearance and abs(y) <= self.h / 2 + clearance

    def extent(self) -> tuple[float, float, float, float]:
        xs, ys = zip(*self.corners())
        return min(xs), min(ys), max(xs), max(ys)


def _overlap(a: Box, b: Box) -> bool:
    """Whether two labels overlap (their axis-aligned extents: erring on the safe side)."""
    ax0, ay0, ax1, ay1 = a.extent()
    bx0, by0, bx1, by1 = b.extent()
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def _inside(box: Box, bounds: tuple[float, float, float, float]) -> bool:
    return all(bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3]
               for x, y in box.corners())


def choose(candidates: Sequence[Sequence[Box]], points: Sequence[tuple[float, float]],
           bounds: tuple[float, float, float, float],
           clearance: float = CLEARANCE) -> list[int | None]:
    """For each label (in order) the index of its chosen candidate: the first inside
    `bounds` (x0, y0, x1, y1) that covers no point and no label placed before it; else
    the one with the fewest such conflicts (inside the bounds first); None for a label
    without any candidate."""
    placed: list[Box] = []
    out: list[int | None] = []
    for options in candidates:
        best, best_cost = None, math.inf
        for i, box in enumerate(options):
            cost = (sum(box.covers(p, clearance) for p in points) * 10
                    + sum(_overlap(box, q) for q in placed) * 10
                    + (0 if _inside(box, bounds) else 1000))
            if cost < best_cost:
                best, best_cost = i, cost
            if cost == 0:
                break
        out.append(best)
        if best is not None:
            placed.append(options[best])
    return out


#: a candidate: position in view coordinates, side of the line (+1 above, −1 below),
#: whether the label follows its line's slope, and its distance from the line (pixels)
Candidate = tuple[tuple[float, float], int, bool, float]


def place_labels(plot: pg.PlotItem, labels: Sequence[pg.TextItem],
                 spots: Sequence[tuple[float, float]],
                 candidates: Sequence[Sequence[Candidate]]) -> None:
    """Put each label at its first candidate that covers no spot (view coordinates) and
    no other label. Sloped labels are TextItems made with rotateAxis=(1, 1)."""
    view = plot.vb

    def scene(x: float, y: float) -> tuple[float, float]:
        s = view.mapViewToScene(QPointF(x, y))
        return s.x(), -s.y()  # y up

    r = view.sceneBoundingRect()
    bounds = (r.left(), -r.bottom(), r.right(), -r.top())
    points = [scene(x, y) for x, y in spots]
    boxes = []
    for label, options in zip(labels, candidates):
        text = label.boundingRect()  # pixels: a TextItem is not scaled by the view
        w, h = text.width(), text.height()
        row = []
        for (x, y), side, sloped, gap in options:
            px, py = scene(x, y)
            angle = 0.0
            if sloped:
                qx, qy = scene(x + 0.1, y + 0.1)
                angle = math.atan2(qy - py, qx - px)
            nx, ny = -math.sin(angle), math.cos(angle)  # the line's upward normal
            off = side * (h / 2 + gap)
            row.append(Box(px + nx * off, py + ny * off, w, h, angle))
        boxes.append(row)
    for label, options, pick in zip(labels, candidates, choose(boxes, points, bounds)):
        if pick is None:
            continue
        pos, side, _, gap = options[pick]
        # anchored `gap` pixels beyond the middle of the text's bottom (above the line)
        # or top (below): the anchor is a fraction of the text's own size
        h = max(label.boundingRect().height(), 1.0)
        label.setAnchor((0.5, 1 + gap / h) if side > 0 else (0.5, -gap / h))
        label.setPos(*pos)


def along(x0: float, x1: float, line, steps: int = 12) -> list[tuple[float, float]]:
    """`steps` positions (x, line(x)) from x1 back to x0 (the right end first)."""
    if x1 <= x0:
        return [(x0, line(x0))]
    return [(x1 - (x1 - x0) * i / (steps - 1), line(x1 - (x1 - x0) * i / (steps - 1)))
            for i in range(steps)]


def roof_label_candidates(peak: float, bandwidth: float, cache_bandwidth: float,
                          x_range: tuple[float, float]) -> list[list[Candidate]]:
    """Candidate places of the three roof labels (view positions in log10 units): the
    compute roof's flat, above or below its flat part; the in-cache and main-memory ones
    along their slopes, above first."""
    lo, hi = math.log10(x_range[0]), math.log10(x_range[1])

    def slope(b: float):
        return lambda x: math.log10(min(peak, 10 ** x * b))

    def knee(b: float) -> float:
        return min(max(math.log10(peak / b), lo), hi)

    def on(line, x0: float, x1: float, sloped: bool) -> list[Candidate]:
        return [(p, side, sloped, gap) for gap in GAPS for side in (1, -1)
                for p in along(x0, x1, line)]

    flat = on(lambda x: math.log10(peak), max(knee(cache_bandwidth), lo) + 0.35, hi - 0.35,
              False)
    return [flat,
            on(slope(cache_bandwidth), lo + 0.3, knee(cache_bandwidth) - 0.3, True),
            on(slope(bandwidth), lo + 0.3, knee(bandwidth) - 0.3, True)]
