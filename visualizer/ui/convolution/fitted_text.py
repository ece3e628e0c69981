"""Painted text that never cuts its words: it shrinks its font to fit its lines.

Like PaintedText (a fixed height, repainting only itself), but when the text needs more
lines than it has, the font gets smaller (down to `floor_px`) instead of ending in "…";
only text that still does not fit at the floor is elided (its tooltip then has it all).
"""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics

from visualizer.ui.common.painted_text import PaintedText, wrap


class FittedText(PaintedText):
    def __init__(self, lines: int, font: QFont | None = None, color: str = "#202020",
                 tooltip: str = "", floor_px: int = 9) -> None:
        super().__init__(lines, font, color, tooltip)
        self.floor_px = floor_px
        self.paint_font = QFont(self.font())

    def set_lines(self, lines: int) -> None:
        """At most this many lines (the height follows)."""
        if lines != self._max_lines:
            self._max_lines = lines
            self._wrapped_for = -1
            self.setFixedHeight(self._height())

    def set_floor(self, px: int) -> None:
        if px != self.floor_px:
            self.floor_px = px
            self._wrapped_for = -1
            self.update()

    def _rewrap(self) -> None:
        width = self.width() - 4 - self.indent
        if self._wrapped_for == width:
            return
        self._wrapped_for = width
        font = QFont(self.font())
        px = font.pixelSize() if font.pixelSize() > 0 else round(
            QFontMetrics(font).height() * 0.8)
        lines = wrap(self._text, font, width) if self._text else []
        while len(lines) > self._max_lines and px > self.floor_px:
            px = max(self.floor_px, px - 1)
            font.setPixelSize(px)
            lines = wrap(self._text, font, width)
        self.paint_font = font
        self._keep(lines, font, width)

    @property
    def text_px(self) -> int:
        """The pixel size the text is painted at now."""
        self._rewrap()
        return self.paint_font.pixelSize()

    def _paint_font(self) -> QFont:
        return self.paint_font
