"""Blocks of cells for GridView, their pictures and change detection.

A cell's look depends only on (kind, value, highlight), and the same few looks repeat, so
each is rendered once into a pixmap and then blitted: one draw call per cell instead of
fills, pens and text layout. `changed_cells` tells which cells of a block differ from
what is on screen, so a step repaints a handful of cells, not the whole view.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap

from visualizer.conv.step_text import fmt

CELL_W, CELL_H = 32, 22  # at scale 1 (GridView.set_scale multiplies them)

COLORS = {
    "window": QColor(120, 150, 220, 120),   # standard: input window / weights in use
    "depthwise": QColor(230, 140, 30, 130),  # depthwise phase (the tally's orange)
    "pointwise": QColor(40, 160, 90, 120),   # pointwise phase (the tally's green)
    "target": QColor(64, 160, 255, 170),    # output cell being filled
    "trace": QColor(200, 0, 160, 60),       # operands of a hovered output cell
    "pad": QColor(235, 235, 235),
    "cell": QColor(255, 255, 255),
    "blank": QColor(246, 248, 250),
    "grid": QColor(170, 170, 170),
    "selected": QColor(220, 40, 40),
}
INK, PAD_INK = QColor(20, 20, 20), QColor(150, 150, 150)
INSIDE, BLANK, PAD = 0, 1, 2  # a tensor value, a value not computed yet, a padding zero
CACHE_LIMIT = 4096


def crop(size: int, focus: int, span: int, limit: int) -> tuple[int, int]:
    """A [start, stop) range of at most `limit` indices in range(size) that keeps
    focus … focus+span-1 visible (as much of it as fits)."""
    if size <= limit:
        return 0, size
    start = max(0, min(focus + span // 2 - limit // 2, size - limit))
    return start, start + limit


@dataclass(eq=False)
class Block:
    """One grid. `values` is the visible part; (row0, col0) its offset in the tensor;
    `pad` rings of padding zeros are drawn around it when the crop reaches the edge."""

    title: str
    values: np.ndarray
    row0: int = 0
    col0: int = 0
    rows: int = 0  # full tensor size (for padding at the edges)
    cols: int = 0
    pad: int = 0
    highlight: tuple[int, int, int, int] | None = None  # (y, x, h, w) tensor coords
    highlight_kind: str = "window"
    key: Callable[[int, int], tuple] | None = None  # tensor index of cell (y, x); None = read-only
    newline: bool = False  # start a new row of blocks
    channel: int | None = None  # tensor channel drawn (None: a depth column, see channels)
    channels: range | None = None  # channels of a depth column, one per row
    role: str = ""  # "standard", "depthwise" or "pointwise" for output blocks
    tooltip: str = ""
    _rect: QRect = field(default_factory=QRect)

    def __post_init__(self) -> None:
        self.rows = self.rows or self.values.shape[0]
        self.cols = self.cols or self.values.shape[1]

    def padded_range(self) -> tuple[int, int, int, int]:
        """Drawn tensor coordinates [y0, y1) × [x0, x1), padding included."""
        h, w = self.values.shape
        y0 = self.row0 - (self.pad if self.row0 == 0 else 0)
        x0 = self.col0 - (self.pad if self.col0 == 0 else 0)
        y1 = self.row0 + h + (self.pad if self.row0 + h == self.rows else 0)
        x1 = self.col0 + w + (self.pad if self.col0 + w == self.cols else 0)
        return y0, y1, x0, x1


class CellPictures:
    """Pixmaps of cell looks, made on first use (numbers that do not fit get a smaller
    font). Cleared when the screen's pixel ratio changes or the cache grows too big."""

    def __init__(self, font: QFont, small: QFont, size: tuple[int, int] = (CELL_W, CELL_H)
                 ) -> None:
        self.font, self.small = font, small
        self.w, self.h = size
        self._fits = QFontMetrics(font)
        self._cache: dict[tuple, QPixmap] = {}
        self._ratio = 1.0

    def begin(self, ratio: float) -> None:
        """Call once per paint with the widget's device pixel ratio."""
        if ratio != self._ratio or len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
            self._ratio = ratio

    def get(self, state: int, value: float, highlight: str | None) -> QPixmap:
        key = (state, value, highlight)
        pm = self._cache.get(key)
        if pm is None:
            pm = self._cache[key] = self._render(state, value, highlight)
        return pm

    def _render(self, state: int, value: float, highlight: str | None) -> QPixmap:
        ratio = self._ratio
        cw, ch = self.w, self.h
        pm = QPixmap(round(cw * ratio), round(ch * ratio))
        pm.setDevicePixelRatio(ratio)
        pm.fill(COLORS[("cell", "blank", "pad")[state]])
        p = QPainter(pm)
        if highlight:
            p.fillRect(QRect(0, 0, cw, ch), COLORS[highlight])
        if state != BLANK:
            text = fmt(value)
            p.setFont(self.small if self._fits.horizontalAdvance(text) > cw - 3
                      else self.font)
            p.setPen(INK if state == INSIDE else PAD_INK)
            p.drawText(QRect(0, 0, cw, ch), Qt.AlignCenter, text)
        p.end()
        return pm


def same_geometry(a, b) -> bool:
    """Whether two blocks occupy the same cells at the same place with the same title."""
    return (a._rect == b._rect and a.title == b.title and a.row0 == b.row0
            and a.col0 == b.col0 and a.values.shape == b.values.shape
            and a.pad == b.pad and a.rows == b.rows and a.cols == b.cols
            and a.highlight_kind == b.highlight_kind)


def changed_cells(a, b) -> tuple[int, ...] | None:
    """What to repaint when block `a` is replaced by `b`: None (nothing), () (the whole
    block) or (y0, y1, x0, x1), the tensor cells whose value or highlight changed."""
    if not same_geometry(a, b):
        return ()
    boxes = []
    if a.highlight != b.highlight:
        y0, y1, x0, x1 = b.padded_range()
        for hl in (a.highlight, b.highlight):
            if hl:
                hy, hx, hh, hw = hl
                box = (max(hy, y0), min(hy + hh, y1), max(hx, x0), min(hx + hw, x1))
                if box[0] < box[1] and box[2] < box[3]:
                    boxes.append(box)
    # equal bytes (NaN included) is the common case and far cheaper than elementwise tests
    if a.values.dtype != b.values.dtype or a.values.tobytes() != b.values.tobytes():
        same = (a.values == b.values) | (np.isnan(a.values) & np.isnan(b.values))
        if not same.all():
            ys, xs = np.nonzero(~same)
            boxes.append((b.row0 + int(ys.min()), b.row0 + int(ys.max()) + 1,
                          b.col0 + int(xs.min()), b.col0 + int(xs.max()) + 1))
    if not boxes:
        return None
    return (min(x[0] for x in boxes), max(x[1] for x in boxes),
            min(x[2] for x in boxes), max(x[3] for x in boxes))
