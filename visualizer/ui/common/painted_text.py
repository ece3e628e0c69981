"""Text that changes on every animation step without re-laying out the window.

A QLabel whose text changes calls updateGeometry(), which invalidates every layout up to
the window; Qt then re-lays out and repaints the whole window (15–25 ms per step). These
widgets keep a size that depends only on their font and line count, wrap and elide the
text themselves and repaint only their own rectangle.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QSizePolicy, QWidget


def wrap(text: str, font: QFont, width: int) -> list[str]:
    """Lines of `text` as Qt would word-wrap them to `width` pixels (newlines kept)."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
    metrics = QFontMetrics(font)
    out: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph or metrics.horizontalAdvance(paragraph) <= width:
            out.append(paragraph)  # fits: no text layout needed (the common case)
            continue
        layout = QTextLayout(paragraph, font)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1))
            out.append(paragraph[line.textStart():line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
    return out


class PaintedText(QWidget):
    """Plain text in at most `lines` wrapped lines; the last one is elided ("…") when the
    text needs more, and the tooltip then carries the whole text. Its height is fixed by
    `lines`, so setting new text repaints this widget only. Right-click copies the text."""

    def __init__(self, lines: int, font: QFont | None = None, color: str = "#202020",
                 tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._lines: list[str] = []
        self._elided = False
        self._max_lines = lines
        self._tip = tooltip
        self._color = QColor(color)
        if font is not None:
            self.setFont(font)
        self._wrapped_for = -1
        self.indent = 0  # pixels left free at the left of every line
        self.setFixedHeight(self._height())
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip(tooltip)
        copy = QAction("Copy text", self)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self._text))
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ActionsContextMenu)

    def _height(self) -> int:
        return QFontMetrics(self.font()).lineSpacing() * self._max_lines + 4

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self._wrapped_for = -1
        self.update()

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel-compatible name
        self.set_text(text)

    def set_tooltip(self, tip: str) -> None:
        """The tooltip shown (followed by the whole text when it is elided)."""
        self._tip = tip
        self._wrapped_for = -1
        self.setToolTip(tip)

    def set_color(self, color: str) -> None:
        if QColor(color) != self._color:
            self._color = QColor(color)
            self.update()

    @property
    def elided(self) -> bool:
        self._rewrap()
        return self._elided

    def visible_lines(self) -> list[str]:
        """The lines as painted (after wrapping and eliding)."""
        self._rewrap()
        return list(self._lines)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.FontChange:
            self.setFixedHeight(self._height())
            self._wrapped_for = -1
        super().changeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, self._height())

    def _rewrap(self) -> None:
        width = self.width() - 4 - self.indent
        if self._wrapped_for == width:
            return
        self._wrapped_for = width
        self._keep(wrap(self._text, self.font(), width) if self._text else [], self.font(),
                   width)

    def _keep(self, lines: list[str], font: QFont, width: int) -> None:
        """Paint `lines`, the last one elided when there are more than fit; the tooltip
        then carries the whole text."""
        self._elided = len(lines) > self._max_lines
        if self._elided:
            keep = lines[:self._max_lines - 1]
            rest = " ".join(lines[self._max_lines - 1:])
            keep.append(QFontMetrics(font).elidedText(rest, Qt.ElideRight, width))
            lines = keep
        self._lines = lines
        tip = self._tip
        if self._elided:
            tip = (tip + "\n\n" if tip else "") + self._text
        if self.toolTip() != tip:
            self.setToolTip(tip)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._wrapped_for = -1
        super().resizeEvent(event)

    def _paint_font(self) -> QFont:
        """The font the lines are painted in (subclasses may shrink it)."""
        return self.font()

    def paintEvent(self, event) -> None:  # noqa: N802
        self._rewrap()
        if not self._lines:
            return
        p = QPainter(self)
        p.setPen(self._color)
        font = self._paint_font()
        p.setFont(font)
        metrics = QFontMetrics(font)
        step, y = metrics.lineSpacing(), 2 + metrics.ascent()
        for line in self._lines:
            p.drawText(QPoint(2 + self.indent, y), line)
            y += step
        p.end()
