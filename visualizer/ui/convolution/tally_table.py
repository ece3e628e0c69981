"""The multiplication counters (done so far / whole layer per path), painted directly.

A rich-text QLabel here re-laid out the whole window on every animation step; this widget
has a fixed height, so new counts repaint only its own rectangle. Column widths follow
the totals (done ≤ total), so the columns stay put while the counts grow.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class TallyRow:
    color: str  # swatch colour, "" for none
    name: str
    done: int
    total: int
    bold: bool = False
    idle: bool = False  # a path not being played: greyed, its figure is a total, not progress

    @property
    def done_text(self) -> str:
        return "—" if self.idle else f"{self.done:,}"

    @property
    def total_text(self) -> str:
        return f"/ {self.total:,} total" if self.idle else f"/ {self.total:,}"


HEADER = ("", "done so far", "whole layer")
#: The colour swatch and the gap between columns, as shares of the counts' font size.
SWATCH, GAP = 0.65, 0.8
IDLE = QColor(150, 150, 150)


class TallyTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[TallyRow, ...] = ()
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._geometry: _Geometry | None = None
        self._base = self._small = QFont()
        self.set_fonts(16, 11)

    def set_fonts(self, base_px: int, small_px: int) -> None:
        """Counts at `base_px`; the header at `small_px`, which is also as small as the
        counts may shrink to in a narrow panel."""
        self._base, self._small = QFont(self.font()), QFont(self.font())
        self._base.setPixelSize(base_px)
        self._small.setPixelSize(small_px)
        self.floor_px = small_px
        self._geometry = None
        self.setFixedHeight(self._height(max(4, len(self.rows))))
        self.update()

    @property
    def min_text_px(self) -> int:
        g = self._layout() if self.rows else None
        return min(self._small.pixelSize(), g.font.pixelSize() if g else self._base.pixelSize())

    def _height(self, rows: int = 4) -> int:
        return (QFontMetrics(self._small).lineSpacing() + 2
                + rows * (QFontMetrics(self._base).lineSpacing() + 2) + 2)

    def set_rows(self, rows: tuple[TallyRow, ...]) -> None:
        rows = tuple(rows)
        if rows == self.rows:
            return
        if len(rows) != len(self.rows):
            self.setFixedHeight(self._height(len(rows)))
        same_frame = self._frame_key(rows) == self._frame_key(self.rows)
        self.rows = rows
        if same_frame and self._geometry is not None:
            self.update(self._geometry.done_column)  # only the counts moved
        else:
            self.update()

    def text(self) -> str:
        """The table as plain text, one row per line (for copying and tests)."""
        return "\n".join(f"{r.name}  {r.total:,} total (not playing)" if r.idle
                         else f"{r.name}  {r.done:,} / {r.total:,}" for r in self.rows)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._needed_width(self._base), self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, self.height())

    @staticmethod
    def _frame_key(rows: tuple[TallyRow, ...]) -> tuple:
        return tuple((r.color, r.name, r.total, r.bold, r.idle) for r in rows)

    @staticmethod
    def _total(r: TallyRow, short: bool) -> str:
        """A row's total; `short`: without the word "total" (a narrow panel: the greyed
        row already says it is not being played)."""
        return f"/ {r.total:,}" if short else r.total_text

    def _swatch(self) -> int:
        return max(8, round(SWATCH * self._base.pixelSize()))

    def _gap(self) -> int:
        return max(10, round(GAP * self._base.pixelSize()))

    def _columns(self, font: QFont, short: bool = False) -> tuple[int, int, int]:
        m, bold = QFontMetrics(font), QFont(font)
        bold.setBold(True)
        mb = QFontMetrics(bold)
        name = (max((m.horizontalAdvance(r.name) for r in self.rows), default=0)
                + self._swatch() + 6)
        done = max((mb.horizontalAdvance(f"{r.total:,}") for r in self.rows), default=0)
        total = max((m.horizontalAdvance(self._total(r, short)) for r in self.rows), default=0)
        small = QFontMetrics(self._small)
        return (name, max(done, small.horizontalAdvance(HEADER[1])),
                max(total, small.horizontalAdvance(HEADER[2])))

    def _needed_width(self, font: QFont, short: bool = False) -> int:
        return sum(self._columns(font, short)) + 2 * self._gap() + 4

    def _layout(self) -> "_Geometry":
        """Fonts and column positions; they depend on names, totals and width only."""
        key = (self._frame_key(self.rows), self.width())
        if self._geometry is not None and self._geometry.key == key:
            return self._geometry
        font = QFont(self._base)
        need = self._needed_width(font)
        for _ in range(4):  # narrower than the numbers need: shrink the font (the headers
            if need <= self.width() or font.pixelSize() <= self.floor_px:  # do not shrink)
                break
            font.setPixelSize(max(self.floor_px, int(font.pixelSize() * self.width() / need * 0.98)))
            need = self._needed_width(font)
        short = need > self.width()
        bold = QFont(font)
        bold.setBold(True)
        name_w, done_w, total_w = self._columns(font, short)
        x_done = 2 + name_w + self._gap()
        head_h = QFontMetrics(self._small).lineSpacing() + 2
        row_h = QFontMetrics(self._base).lineSpacing() + 2
        self._geometry = _Geometry(
            key, font, bold, name_w, done_w, total_w, x_done, x_done + done_w + self._gap(),
            head_h, row_h, QRect(x_done, head_h, done_w, row_h * len(self.rows)), short)
        return self._geometry

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.rows:
            return
        g = self._layout()
        clip = event.rect()
        p = QPainter(self)
        if not g.done_column.contains(clip):  # the fixed parts: header, names, totals
            p.setFont(self._small)
            p.setPen(QColor(110, 110, 110))
            p.drawText(QRect(g.x_done, 0, g.done_w, g.head_h), Qt.AlignRight | Qt.AlignVCenter,
                       HEADER[1])
            p.drawText(QRect(g.x_total, 0, g.total_w + 40, g.head_h),
                       Qt.AlignLeft | Qt.AlignVCenter, HEADER[2])
            p.setFont(g.font)
            y = g.head_h
            for r in self.rows:
                if r.color:
                    side = self._swatch()
                    p.fillRect(QRect(2, y + (g.row_h - side) // 2, side, side),
                               QColor(r.color))
                p.setPen(IDLE if r.idle else QColor(20, 20, 20))
                p.drawText(QRect(2 + self._swatch() + 6, y, g.name_w, g.row_h),
                           Qt.AlignLeft | Qt.AlignVCenter, r.name)
                p.setPen(IDLE if r.idle else QColor(90, 90, 90))
                p.drawText(QRect(g.x_total, y, self.width() - g.x_total, g.row_h),
                           Qt.AlignLeft | Qt.AlignVCenter, self._total(r, g.short))
                y += g.row_h
        y = g.head_h
        for r in self.rows:
            p.setPen(IDLE if r.idle else QColor(20, 20, 20))
            p.setFont(g.bold if r.bold and not r.idle else g.font)
            p.drawText(QRect(g.x_done, y, g.done_w, g.row_h), Qt.AlignRight | Qt.AlignVCenter,
                       r.done_text)
            y += g.row_h
        p.end()


@dataclass(frozen=True)
class _Geometry:
    key: tuple
    font: QFont
    bold: QFont
    name_w: int
    done_w: int
    total_w: int
    x_done: int
    x_total: int
    head_h: int
    row_h: int
    done_column: QRect
    short: bool = False
