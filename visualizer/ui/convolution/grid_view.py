"""A painted view of small number grids (one block per channel or filter), editable in place.

One widget paints every block, so a 64-channel layer costs a handful of paint calls, not
thousands of child widgets; callers pass only the part that fits (conv/fit.py). Each
block may carry its group's colour band, be greyed (a channel the step does not read),
mark where windows start (the stride) and outline the next window.
"""
from __future__ import annotations

from PySide6.QtCore import QLine, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from visualizer.ui.convolution.grid_cells import (BLANK, CELL_H, COLORS, INSIDE, PAD, Block,
                                                  CellPictures, changed_cells)
from visualizer.ui.convolution.metrics import CellMetrics, cell_metrics, pixel_font
from visualizer.ui.convolution.grid_interaction import GridInteraction
from visualizer.ui.common.painted_text import PaintedText

#: Opaque, so the overlapping corners of the four edge fills do not show
OUTLINE = {kind: QColor(COLORS[kind].darker(160).rgb())
           for kind in ("window", "target", "depthwise", "pointwise", "trace")}
TRACE = QColor(200, 0, 160)  # a traced product's two cells
GHOST = QColor(60, 60, 60)  # the next window position (the stride)


class GridView(GridInteraction, QWidget):
    """Paints blocks left to right, wrapping to the width (a block with `newline` starts a
    row); emits edits as (key, text). Its size and cell size are set by its owner (the
    panels' fit): nothing here scrolls."""

    edited = Signal(object, str)  # tensor index tuple, text typed
    message = Signal(str)
    hovered = Signal(object)  # (block, y, x) under the mouse, or None when it leaves
    clicked_cell = Signal(object)  # (block, y, x)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blocks: list[Block] = []
        #: What the view shows and hides; the owner places it above the view. Two lines
        #: of fixed height: a new caption never re-lays out the window.
        bold = QFont(self.font())
        bold.setBold(True)
        self.caption_label = PaintedText(2, bold, "#444444")
        self._selected: tuple[Block, int, int] | None = None
        self.metrics: CellMetrics | None = None
        self.set_metrics(cell_metrics(CELL_H))
        self._editor = QLineEdit(self)
        self._editor.hide()
        self._editor.setAlignment(Qt.AlignCenter)
        self._editor.editingFinished.connect(self._commit)
        self._editor.installEventFilter(self)
        self._editing: tuple | None = None
        self.setFocusPolicy(Qt.ClickFocus)
        self.setMouseTracking(True)  # hover preview
        self._hover_key: tuple | None = None
        #: Cells outlined for tracing: (channel, y, x) in tensor coordinates; a depth
        #: column's cells are (None, channel, 0).
        self.marks: tuple[tuple, ...] = ()
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)

    def set_metrics(self, m: "CellMetrics") -> None:
        """Cell size and fonts (from the panels' fit)."""
        if m == self.metrics:
            return
        self.metrics = m
        self.cell_w, self.cell_h, self.title_h = m.cell_w, m.cell_h, m.title_h
        self._font = pixel_font(m.number_px)
        self._small = pixel_font(m.small_px)
        self._title_font = pixel_font(m.title_px)
        self._titles = QFontMetrics(self._title_font)
        self._title_w: dict[str, int] = {}
        self._cells = CellPictures(self._font, self._small, (self.cell_w, self.cell_h))
        if self.blocks:
            self._layout(self.width())
            self.update()

    @property
    def min_text_px(self) -> int:
        """The smallest font this view paints with (cell numbers, titles)."""
        m = self.metrics
        return min(m.number_px, m.small_px, m.title_px)

    # ---- data ----
    def set_blocks(self, blocks: list[Block], caption: str = "") -> None:
        """Show new blocks, repainting only the cells that differ from what is shown."""
        old, old_selected = self.blocks, self._selected
        self.blocks = blocks
        self.caption_label.set_text(caption)
        if self._selected:  # blocks are rebuilt on every refresh: find the cell again
            self._selected = self._find(self._selected[0].key(*self._selected[1:]))
        self._layout(self.width())
        if len(old) != len(blocks):
            self.update()
            return
        for a, b in zip(old, blocks):
            dirty = changed_cells(a, b)
            if dirty is not None:  # outlines lie inside their cells: no margin needed
                self.update(self._tensor_rect(b, *dirty) if dirty else
                            a._rect.united(b._rect).adjusted(-1, -1, 1, 1))
        for sel in (old_selected, self._selected):
            if sel:
                self.update(self._cell_rect(*sel))

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._layout(event.size().width())
        super().resizeEvent(event)

    def block_width(self, b: Block) -> int:
        title_w = self._title_w.get(b.title)
        if title_w is None:
            if len(self._title_w) > 1024:
                self._title_w.clear()
            title_w = self._title_w[b.title] = self._titles.horizontalAdvance(b.title)
        _, _, x0, x1 = b.padded_range()
        return max((x1 - x0) * self.cell_w + 1, title_w + 4)  # + 1: the closing grid line

    def _layout(self, width: int) -> int:
        x = y = 0
        row_h = 0
        gap = self.metrics.gap
        for b in self.blocks:
            y0, y1, _, _ = b.padded_range()
            w = self.block_width(b)
            h = (y1 - y0) * self.cell_h + self.title_h + 1
            if x > 0 and (b.newline or x + w > width):
                x, y, row_h = 0, y + row_h + gap, 0
            b._rect = QRect(x, y, w, h)
            x += w + gap
            row_h = max(row_h, h)
        return y + row_h

    def content_rect(self) -> QRect:
        """The rectangle the blocks occupy (they never leave the view when it is as big
        as the fit said)."""
        out = QRect()
        for b in self.blocks:
            out = out.united(b._rect)
        return out

    # ---- painting ----
    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setFont(self._font)
        # the dirty region is often a few small rectangles in different blocks: paint each
        # alone rather than everything inside their bounding rectangle
        self._cells.begin(self.devicePixelRatioF())
        rects = list(event.region())
        for clip in rects if len(rects) <= 16 else [event.rect()]:
            if len(rects) > 1:
                p.setClipRect(clip)
            for b in self.blocks:
                if b._rect.intersects(clip):
                    self._paint_block(p, b, clip)
        p.end()

    def _paint_block(self, p: QPainter, b: Block, clip: QRect) -> None:
        r = b._rect
        title = QRect(r.x(), r.y(), r.width(), self.title_h)
        if title.intersects(clip):
            band = max(3, self.title_h // 6)
            if b.band:  # the channel's group colour, across the block
                p.fillRect(QRect(r.x(), r.y(), r.width(), band), QColor(b.band))
            p.setFont(self._title_font)
            p.setPen(QColor(160, 160, 160) if b.greyed else QColor(40, 40, 40))
            p.drawText(title.adjusted(0, band, 0, 0), Qt.AlignLeft | Qt.AlignVCenter, b.title)
            p.setFont(self._font)
        y0, y1, x0, x1 = b.padded_range()
        h, w = b.values.shape
        # only the cells inside the repainted rectangle
        top, left = r.y() + self.title_h, r.x()
        cy0 = max(y0, y0 + (clip.top() - top) // self.cell_h)
        cy1 = min(y1, y0 + (clip.bottom() - top) // self.cell_h + 1)
        cx0 = max(x0, x0 + (clip.left() - left) // self.cell_w)
        cx1 = min(x1, x0 + (clip.right() - left) // self.cell_w + 1)
        vals, kind = b.values.tolist(), b.highlight_kind
        hy0, hx0, hh, hw = b.highlight or (0, 0, 0, 0)
        hy1, hx1 = hy0 + hh, hx0 + hw
        cells, greyed, origin, bars = self._cells, b.greyed, b.is_origin, b.bars
        marks = b.origins is not None
        for ty in range(cy0, cy1):
            vy, py = ty - b.row0, top + (ty - y0) * self.cell_h
            row_in, row_lit = 0 <= vy < h, hy0 <= ty < hy1
            for tx in range(cx0, cx1):
                vx = tx - b.col0
                if row_in and 0 <= vx < w:
                    v, state = vals[vy][vx], INSIDE
                    if v != v:  # NaN: not computed yet (NaN keys would never hit the cache)
                        v, state = 0.0, BLANK
                else:
                    v, state = 0.0, PAD
                lit = kind if row_lit and hx0 <= tx < hx1 else None
                p.drawPixmap(left + (tx - x0) * self.cell_w, py,
                             cells.get(state, v, lit, greyed, marks and origin(ty, tx), bars))
        # grid lines in one call rather than one rectangle per cell
        top_left = self._cell_rect(b, y0, x0).topLeft()
        left, top = top_left.x(), top_left.y()
        right, bottom = left + (x1 - x0) * self.cell_w, top + (y1 - y0) * self.cell_h
        lines = [QLine(left, top + i * self.cell_h, right, top + i * self.cell_h) for i in range(y1 - y0 + 1)]
        lines += [QLine(left + j * self.cell_w, top, left + j * self.cell_w, bottom)
                  for j in range(x1 - x0 + 1)]
        p.setPen(COLORS["grid"])
        p.drawLines(lines)
        if b.ghost and _inside(b.ghost, y0, y1, x0, x1):  # the next window: a thin dashed frame
            gy, gx, gh, gw = b.ghost
            a = self._cell_rect(b, max(gy, y0), max(gx, x0))
            z = self._cell_rect(b, min(gy + gh, y1) - 1, min(gx + gw, x1) - 1)
            pen = QPen(GHOST, 1, Qt.DashLine)
            p.setPen(pen)
            p.drawRect(a.united(z).adjusted(2, 2, -3, -3))
        if b.highlight and _inside(b.highlight, y0, y1, x0, x1):
            hy, hx, hh, hw = b.highlight
            a = self._cell_rect(b, max(hy, y0), max(hx, x0))
            z = self._cell_rect(b, min(hy + hh, y1) - 1, min(hx + hw, x1) - 1)
            _frame(p, a.united(z), OUTLINE[b.highlight_kind])
        if self._selected and self._selected[0] is b:
            _frame(p, self._cell_rect(b, self._selected[1], self._selected[2]),
                   COLORS["selected"])
        for ch, ty, tx in self.marks:
            if ch == b.channel and y0 <= ty < y1 and x0 <= tx < x1:
                _frame(p, self._cell_rect(b, ty, tx), TRACE)

    def set_marks(self, marks: tuple[tuple, ...]) -> None:
        """Outline these cells (tracing a product term); () clears."""
        marks = tuple(marks)
        if marks != self.marks:
            self.marks = marks
            self.update()

    def _tensor_rect(self, b: Block, ty0: int, ty1: int, tx0: int, tx1: int) -> QRect:
        """Pixels of the cells [ty0, ty1) × [tx0, tx1) of a block."""
        return self._cell_rect(b, ty0, tx0).united(self._cell_rect(b, ty1 - 1, tx1 - 1))

    def _cell_rect(self, b: Block, ty: int, tx: int) -> QRect:
        y0, _, x0, _ = b.padded_range()
        return QRect(b._rect.x() + (tx - x0) * self.cell_w, b._rect.y() + self.title_h + (ty - y0) * self.cell_h,
                     self.cell_w, self.cell_h)

def _inside(box, y0: int, y1: int, x0: int, x1: int) -> bool:
    """Whether a (y, x, h, w) box overlaps the drawn cells."""
    y, x, h, w = box
    return y < y1 and y + h > y0 and x < x1 and x + w > x0


def _frame(p: QPainter, r: QRect, color: QColor) -> None:
    """A 2-pixel outline just inside the cells of `r`, so repainting those cells alone
    also erases it. Four fills: a wide pen's drawRect costs ~100× more in the raster
    engine."""
    x, y, w, h = r.x(), r.y(), r.width(), r.height()
    for edge in ((x, y, w, 2), (x, y + h - 2, w, 2), (x, y, 2, h), (x + w - 2, y, 2, h)):
        p.fillRect(*edge, color)


