"""A painted view of small number grids (one block per channel or filter), editable in place.

One widget paints every block, so a 64-channel layer costs a handful of paint calls, not
thousands of child widgets; callers pass only the part that fits (see `crop`).
"""
from __future__ import annotations

from PySide6.QtCore import QLine, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QLineEdit, QScrollArea, QSizePolicy, QWidget

from visualizer.ui.convolution.grid_cells import (BLANK, CELL_H, CELL_W, COLORS, INSIDE, PAD,
                                                  Block, CellPictures, changed_cells)
from visualizer.ui.convolution.grid_interaction import GridInteraction
from visualizer.ui.common.painted_text import PaintedText

GAP, TITLE_H = 8, 16
BASE_POINTS, SMALL_POINTS = 8.5, 7.0
#: Opaque, so the overlapping corners of the four edge fills do not show
OUTLINE = {kind: QColor(COLORS[kind].darker(160).rgb())
           for kind in ("window", "target", "depthwise", "pointwise", "trace")}
TRACE = QColor(200, 0, 160)  # a traced product's two cells


class GridView(GridInteraction, QWidget):
    """Paints blocks left to right, wrapping to the width; emits edits as (key, text).
    `set_scale` sizes cells and fonts (presenter zoom)."""

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
        self.scale = 0.0
        self.set_scale(1.0)
        self._editor = QLineEdit(self)
        self._editor.hide()
        self._editor.setAlignment(Qt.AlignCenter)
        self._editor.editingFinished.connect(self._commit)
        self._editor.installEventFilter(self)
        self._editing: tuple | None = None
        self._followed: tuple = ()
        self.setFocusPolicy(Qt.ClickFocus)
        self.setMouseTracking(True)  # hover tracing
        self._hover_key: tuple | None = None
        #: Cells outlined for tracing: (channel, y, x) in tensor coordinates; a depth
        #: column's cells are (None, channel, 0).
        self.marks: tuple[tuple, ...] = ()
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def set_scale(self, scale: float) -> None:
        """Cells, numbers and titles at `scale` × their normal size."""
        if scale == self.scale:
            return
        self.scale = scale
        self.cell_w, self.cell_h = round(CELL_W * scale), round(CELL_H * scale)
        self.title_h = round(TITLE_H * scale)
        self._font = QFont()
        self._font.setPointSizeF(BASE_POINTS * scale)
        self._small = QFont(self._font)
        self._small.setPointSizeF(SMALL_POINTS * scale)  # numbers too wide at the normal size
        self._titles = QFontMetrics(self._font)
        self._title_w: dict[str, int] = {}
        self._cells = CellPictures(self._font, self._small, (self.cell_w, self.cell_h))
        if self.blocks:
            self._layout(self.width())
            self.update()

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

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._layout(width, place=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, self._layout(300, place=False))

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._layout(event.size().width())
        super().resizeEvent(event)

    def _block_width(self, b: Block) -> int:
        title_w = self._title_w.get(b.title)
        if title_w is None:
            if len(self._title_w) > 1024:
                self._title_w.clear()
            title_w = self._title_w[b.title] = self._titles.horizontalAdvance(b.title)
        _, _, x0, x1 = b.padded_range()
        return max((x1 - x0) * self.cell_w, title_w + 4)

    def needed_width(self, rows: bool = False) -> int:
        """Width of the widest block or, with `rows`, of the widest row of blocks (rows
        start at blocks with `newline`, e.g. the channel slices of one filter)."""
        widths = [self._block_width(b) for b in self.blocks]
        if not rows:
            return max(widths, default=0)
        out, row = [0], 0
        for b, w in zip(self.blocks, widths):
            if b.newline and row:
                out.append(row)
                row = 0
            row += w + (GAP if row else 0)
        return max(*out, row)

    def follow_highlight(self) -> None:
        """Scroll the enclosing scroll area so the highlighted blocks are in view, once each
        time they change (so a user who scrolls away is not fought on every step). Runs
        again once pending layouts have settled: a new layer may re-flow the blocks."""
        key = tuple((b.title, b.row0, b.col0) for b in self.blocks if b.highlight)
        if not key or key == self._followed:
            return
        self._followed = key
        self._show_highlight()
        QTimer.singleShot(0, self._show_highlight)

    def _show_highlight(self) -> None:
        lit = [b for b in self.blocks if b.highlight]
        viewport = self.parentWidget()
        area = viewport.parentWidget() if viewport is not None else None
        if not lit or not isinstance(area, QScrollArea):
            return
        box = lit[0]._rect
        for b in lit[1:]:
            box = box.united(b._rect)
        shown = QRect(-self.x(), -self.y(), viewport.width(), viewport.height())
        if shown.contains(box):
            return
        if box.height() + 8 > viewport.height():  # too tall: start at its first block
            area.verticalScrollBar().setValue(box.top() - 4)
            area.ensureVisible(box.left(), box.top(), 4, 0)
        else:
            area.ensureVisible(box.center().x(), box.center().y(),
                               min(box.width(), viewport.width()) // 2 + 4,
                               box.height() // 2 + 4)

    def _layout(self, width: int, place: bool = True) -> int:
        x = y = 0
        row_h = widest = 0
        for b in self.blocks:
            y0, y1, _, _ = b.padded_range()
            w = self._block_width(b)
            widest = max(widest, w)
            h = (y1 - y0) * self.cell_h + self.title_h
            if x > 0 and (b.newline or x + w > width):
                x, y, row_h = 0, y + row_h + GAP, 0
            if place:
                b._rect = QRect(x, y, w, h)
            x += w + GAP
            row_h = max(row_h, h)
        total = y + row_h + 2
        if place and self.minimumHeight() != total:
            self.setMinimumHeight(total)
        if place and self.minimumWidth() != widest + 2:  # never cut a block: scroll instead
            self.setMinimumWidth(widest + 2)
        return total

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
            p.setPen(QColor(40, 40, 40))
            p.drawText(title, Qt.AlignLeft | Qt.AlignVCenter, b.title)
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
        cells = self._cells
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
                p.drawPixmap(left + (tx - x0) * self.cell_w, py, cells.get(state, v, lit))
        # grid lines in one call rather than one rectangle per cell
        top_left = self._cell_rect(b, y0, x0).topLeft()
        left, top = top_left.x(), top_left.y()
        right, bottom = left + (x1 - x0) * self.cell_w, top + (y1 - y0) * self.cell_h
        lines = [QLine(left, top + i * self.cell_h, right, top + i * self.cell_h) for i in range(y1 - y0 + 1)]
        lines += [QLine(left + j * self.cell_w, top, left + j * self.cell_w, bottom)
                  for j in range(x1 - x0 + 1)]
        p.setPen(COLORS["grid"])
        p.drawLines(lines)
        if b.highlight:
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

def _frame(p: QPainter, r: QRect, color: QColor) -> None:
    """A 2-pixel outline just inside the cells of `r`, so repainting those cells alone
    also erases it. Four fills: a wide pen's drawRect costs ~100× more in the raster
    engine."""
    x, y, w, h = r.x(), r.y(), r.width(), r.height()
    for edge in ((x, y, w, 2), (x, y + h - 2, w, 2), (x, y, 2, h), (x + w - 2, y, 2, h)):
        p.fillRect(*edge, color)


