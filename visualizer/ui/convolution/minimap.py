"""The overview of a cropped tensor: its whole extent, and the part on screen."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from visualizer.conv.wording import span

FRAME, SHOWN, BACK = QColor(110, 110, 110), QColor(40, 110, 200, 170), QColor(236, 236, 236)


@dataclass(frozen=True)
class MiniMapModel:
    """A tensor of rows × cols cells (padding included) and channel sections; the part
    on screen: rows r0…r1-1, columns c0…c1-1 (from 0 at the top-left drawn cell), and
    channels start…stop-1 of each section (total, start, stop)."""

    rows: int
    cols: int
    shown: tuple[int, int, int, int]
    strips: tuple[tuple[int, int, int], ...]

    def text(self) -> str:
        r0, r1, c0, c1 = self.shown
        parts = []
        if (r0, r1, c0, c1) != (0, self.rows, 0, self.cols):
            parts.append(f"rows {span(r0, r1)} and columns {span(c0, c1)} of "
                         f"{self.rows}×{self.cols}")
        for total, a, b in self.strips:
            if b - a < total:
                parts.append(f"channels {span(a, b)} of 0–{total - 1}")
        return "; ".join(parts)


class MiniMap(QWidget):
    """Painted overview: a box for rows × cols with the shown part filled, and one strip
    per channel section with the shown channels filled. Hidden when nothing is cropped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: MiniMapModel | None = None
        self.hide()

    def set_model(self, model: MiniMapModel | None) -> None:
        if model == self.model:
            return
        self.model = model
        self.setToolTip("" if model is None else
                        "Overview: the whole tensor, with the part on screen filled (" +
                        model.text() + "). The grids show it in full when it fits; "
                        "this window follows the step.")
        self.update()

    @staticmethod
    def _bar(p: QPainter, bar: QRect, total: int, a: int, b: int) -> None:
        p.fillRect(bar, BACK)
        x0 = bar.x() + bar.width() * a / total
        x1 = bar.x() + bar.width() * b / total
        p.fillRect(QRectF(x0, bar.y(), max(2.0, x1 - x0), bar.height()), SHOWN)
        p.setPen(QPen(FRAME, 1))
        p.drawRect(bar)

    def _channels(self, p: QPainter, box: QRect, total: int, a: int, b: int) -> None:
        """Channels as a grid of squares (shown ones filled), or a bar when too many."""
        side, cols = 0.0, 1
        for c in range(1, min(total, 256) + 1):
            s = min(box.width() / c, box.height() / -(-total // c))
            if s > side:
                side, cols = s, c
        if side < 3:
            self._bar(p, QRect(box.x(), box.center().y() - 3, box.width(), 6), total, a, b)
            return
        p.setPen(QPen(FRAME, 1))
        for i in range(total):
            r, c = divmod(i, cols)
            cell = QRectF(box.x() + c * side, box.y() + r * side, side - 1, side - 1)
            p.fillRect(cell, SHOWN if a <= i < b else BACK)
            p.drawRect(cell)

    def paintEvent(self, event) -> None:  # noqa: N802
        m = self.model
        if m is None:
            return
        p = QPainter(self)
        w, h = self.width(), self.height()
        strip_h = max(3, h // 8)
        box_h = h - (strip_h + 2) * len(m.strips) - 1
        r0, r1, c0, c1 = m.shown
        spatial = (r0, r1, c0, c1) != (0, m.rows, 0, m.cols)
        if spatial and box_h > 6:
            side = min(box_h / m.rows, (w - 2) / m.cols)
            bw, bh = side * m.cols, side * m.rows
            box = QRectF(1 + (w - 2 - bw) / 2, 0.5, bw, bh)
            p.fillRect(box, BACK)
            p.fillRect(QRectF(box.x() + c0 * side, box.y() + r0 * side,
                              max(2.0, (c1 - c0) * side), max(2.0, (r1 - r0) * side)), SHOWN)
            p.setPen(QPen(FRAME, 1))
            p.drawRect(box)
            y = int(box.bottom()) + 2
        else:  # channels only: one small square per channel, when there are few
            rows = max(1, len(m.strips))
            y0, each = 0, h // rows
            for total, a, b in m.strips:
                self._channels(p, QRect(1, y0 + 1, w - 2, each - 2), total, a, b)
                y0 += each
            p.end()
            return
        for total, a, b in m.strips:
            self._bar(p, QRect(1, y, w - 2, strip_h), total, a, b)
            y += strip_h + 2
        p.end()
