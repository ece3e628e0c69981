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
from PySide6.QtCore import QRect, QRectF, Qt
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
#: A channel the step does not read; the corner mark of a window's start (the stride).
GREYED, GREYED_INK, ORIGIN = QColor(238, 238, 238), QColor(175, 175, 175), QColor(90, 90, 90)
INSIDE, BLANK, PAD = 0, 1, 2  # a tensor value, a value not computed yet, a padding zero
CACHE_LIMIT = 4096


#: Colour bands of channel groups (cycled): a group's input channels, filter and outputs.
GROUP_COLORS = ("#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f")


def group_color(group: int) -> str:
    return GROUP_COLORS[group % len(GROUP_COLORS)]


@dataclass(eq=False)
class Block:
    """One grid. `values` is the part inside the tensor, (row0, col0) its offset; `drawn`
    the tensor cells drawn, [y0, y1) × [x0, x1), which may reach into padding (negative
    or beyond the tensor: drawn as padding zeros). Default: exactly `values`."""

    title: str
    values: np.ndarray
    row0: int = 0
    col0: int = 0
    rows: int = 0  # full tensor size
    cols: int = 0
    drawn: tuple[int, int, int, int] | None = None
    highlight: tuple[int, int, int, int] | None = None  # (y, x, h, w) tensor coords
    highlight_kind: str = "window"
    ghost: tuple[int, int, int, int] | None = None  # the next window, outlined thinly
    origins: tuple[int, int, int, int, int] | None = None  # stride marks: y0, x0, s, ny, nx
    band: str = ""  # colour of the channel's group ("" none)
    #: a block of output columns: each cell's value is how many channels of that position
    #: are computed, drawn as a stacked bar of these (channels, colour) segments
    bars: tuple[tuple[int, str], ...] | None = None
    greyed: bool = False  # a channel the step does not read
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
        if self.drawn is None:
            h, w = self.values.shape
            self.drawn = (self.row0, self.row0 + h, self.col0, self.col0 + w)

    def padded_range(self) -> tuple[int, int, int, int]:
        """Drawn tensor coordinates [y0, y1) × [x0, x1), padding included."""
        return self.drawn

    def is_origin(self, y: int, x: int) -> bool:
        """Whether a window of the layer starts at cell (y, x) (stride marks)."""
        if self.origins is None:
            return False
        y0, x0, s, ny, nx = self.origins
        dy, dx = y - y0, x - x0
        return dy % s == 0 and dx % s == 0 and 0 <= dy // s < ny and 0 <= dx // s < nx


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

    def get(self, state: int, value: float, highlight: str | None, greyed: bool = False,
            origin: bool = False, bars: tuple | None = None) -> QPixmap:
        key = (state, value, highlight, greyed, origin, bars)
        pm = self._cache.get(key)
        if pm is None:
            pm = self._cache[key] = self._render(state, value, highlight, greyed, origin, bars)
        return pm

    def _render(self, state: int, value: float, highlight: str | None, greyed: bool,
                origin: bool, bars: tuple | None = None) -> QPixmap:
        ratio = self._ratio
        cw, ch = self.w, self.h
        pm = QPixmap(round(cw * ratio), round(ch * ratio))
        pm.setDevicePixelRatio(ratio)
        pm.fill(GREYED if greyed else COLORS[("cell", "blank", "pad")[state]])
        p = QPainter(pm)
        if bars:  # a column of channels: stacked bars of the channels computed
            total, y, left = sum(n for n, _ in bars), float(ch - 1), value
            for n, color in bars:
                part = min(left, n)
                left -= part
                h = (ch - 2) * part / total
                p.fillRect(QRectF(2, y - h, cw - 4, h), QColor(color))
                y -= h
            if highlight:
                p.fillRect(QRect(0, 0, cw, ch), COLORS[highlight])
            p.end()
            return pm
        if highlight:
            p.fillRect(QRect(0, 0, cw, ch), COLORS[highlight])
        if origin:  # a window of the layer starts here: a small corner mark
            side = max(3, ch // 4)
            p.fillRect(QRect(1, 1, side, max(2, side // 2)), ORIGIN)
            p.fillRect(QRect(1, 1, max(2, side // 2), side), ORIGIN)
        if state != BLANK:
            text = fmt(value)
            p.setFont(self.small if self._fits.horizontalAdvance(text) > cw - 3
                      else self.font)
            p.setPen(GREYED_INK if greyed else INK if state == INSIDE else PAD_INK)
            p.drawText(QRect(0, 0, cw, ch), Qt.AlignCenter, text)
        p.end()
        return pm


def same_geometry(a, b) -> bool:
    """Whether two blocks occupy the same cells at the same place with the same title."""
    return (a._rect == b._rect and a.title == b.title and a.row0 == b.row0
            and a.col0 == b.col0 and a.values.shape == b.values.shape
            and a.drawn == b.drawn and a.rows == b.rows and a.cols == b.cols
            and a.highlight_kind == b.highlight_kind and a.band == b.band
            and a.greyed == b.greyed and a.origins == b.origins and a.bars == b.bars)


def changed_cells(a, b) -> tuple[int, ...] | None:
    """What to repaint when block `a` is replaced by `b`: None (nothing), () (the whole
    block) or (y0, y1, x0, x1), the tensor cells whose value or highlight changed."""
    if not same_geometry(a, b):
        return ()
    boxes = []
    y0, y1, x0, x1 = b.padded_range()
    for old, new in ((a.highlight, b.highlight), (a.ghost, b.ghost)):
        if old == new:
            continue
        for hl in (old, new):
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
