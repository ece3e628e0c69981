"""The step's products as text, where hovering a product term names its two cells."""
from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontMetrics

from visualizer.ui.convolution.fitted_text import FittedText

TERM = re.compile(r"[^\s+=:]+·[^\s+=]+")
CHANNELS = re.compile(r"^ch (\d+)(?:–(\d+))?:")


def terms_of(lines: list[str]) -> list[tuple[int, int, int, int, int]]:
    """(visible line, start char, end char, first channel, term index) of every product
    term in wrapped lines: a term's index counts from the start of its 'ch …:' line, which
    a long line may continue over several visible lines."""
    out, channel, index = [], None, 0
    for row, line in enumerate(lines):
        m = CHANNELS.match(line)
        if m:
            channel, index = int(m.group(1)), 0
            if "not listed" in line:
                channel = None
        elif line.startswith(("ch ", "…")) or not line.startswith(" ") and "step" in line:
            channel = None
        if channel is None:
            continue
        start = m.end() if m else 0
        for t in TERM.finditer(line, start):
            out.append((row, t.start(), t.end(), channel, index))
            index += 1
    return out


class StepTextView(FittedText):
    """Emits `term_hovered((channel, index))`: the index-th product of the line that
    starts at input channel `channel` (None when the mouse leaves a term)."""

    term_hovered = Signal(object)

    def __init__(self, lines: int, font, tooltip: str = "") -> None:
        super().__init__(lines, font, tooltip=tooltip)
        self.setMouseTracking(True)
        self._hover: tuple[int, int] | None = None

    def term_at(self, x: int, y: int) -> tuple[int, int] | None:
        lines = self.visible_lines()
        metrics = QFontMetrics(self.paint_font)
        row = (y - 2) // metrics.lineSpacing()
        for r, a, b, channel, index in terms_of(lines):
            if r == row and 2 + metrics.horizontalAdvance(lines[r][:a]) <= x < \
                    2 + metrics.horizontalAdvance(lines[r][:b]):
                return channel, index
        return None

    def mouseMoveEvent(self, e) -> None:  # noqa: N802
        pos = e.position().toPoint()
        hit = self.term_at(pos.x(), pos.y())
        if hit != self._hover:
            self._hover = hit
            self.term_hovered.emit(hit)
        super().mouseMoveEvent(e)

    def leaveEvent(self, e) -> None:  # noqa: N802
        if self._hover is not None:
            self._hover = None
            self.term_hovered.emit(None)
        super().leaveEvent(e)
