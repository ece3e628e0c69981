"""The tensor panels of the Convolution tab: input, weights and output side by side (the
race: two lanes of them), each with its two-line caption and, when cropped, an overview.

The panels' widths and the cells' size come from the fit (conv/fit.py) of what they hold
in this widget's size; nothing here scrolls. The widget places its children itself, so a
step (new blocks, same fit) moves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.conv.fit import Fit, PanelFit, Section, fit_row
from visualizer.ui.convolution.grid_cells import Block
from visualizer.ui.convolution.grid_view import GridView
from visualizer.ui.convolution.metrics import TextSizes, cell_heights, cell_metrics, measure
from visualizer.ui.convolution.minimap import MiniMap, MiniMapModel

#: Panels per lane: input, weights, output.
PANELS = 3


@dataclass
class PanelContent:
    blocks: list[Block]
    caption: str  # two lines at most ("\n" between them)
    minimap: MiniMapModel | None = None
    zoom: int = 1  # 0: cells as large as the panel allows, up to 3 × the fit's (race columns)


class Panel:
    def __init__(self, parent: QWidget) -> None:
        self.view = GridView(parent)
        self.caption = self.view.caption_label
        self.caption.setParent(parent)
        self.minimap = MiniMap(parent)
        self.fit: PanelFit | None = None


class LaneHeader(QWidget):
    """A race lane's name, a bar of its multiplications done and the figures."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.name, self.text, self.color, self.done, self.total = "", "", "#4670c8", 0, 1
        self.setToolTip("Multiplications done on this side so far, of its whole layer. "
                        "Both sides do the same number of multiplications per frame.")

    def show_progress(self, name: str, color: str, done: int, total: int, text: str) -> None:
        state = (name, color, done, total, text)
        if state != (self.name, self.color, self.done, self.total, self.text):
            self.name, self.color, self.done, self.total, self.text = state
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        font = self.font()
        font.setBold(True)
        p.setFont(font)
        m = QFontMetrics(font)
        name_w = m.horizontalAdvance(self.name) + 10
        p.setPen(QColor(self.color))
        p.drawText(QRect(0, 0, name_w, self.height()), Qt.AlignLeft | Qt.AlignVCenter, self.name)
        text_w = QFontMetrics(self.font()).horizontalAdvance(self.text) + 8
        bar = QRect(name_w, self.height() // 4, max(20, self.width() - name_w - text_w - 8),
                    self.height() // 2)
        p.fillRect(bar, QColor(235, 235, 235))
        filled = QRect(bar)
        filled.setWidth(round(bar.width() * min(1.0, self.done / max(1, self.total))))
        p.fillRect(filled, QColor(self.color))
        p.setFont(self.font())
        p.setPen(QColor(30, 30, 30))
        p.drawText(QRect(bar.right() + 8, 0, text_w, self.height()),
                   Qt.AlignLeft | Qt.AlignVCenter, self.text)
        p.end()


class TensorPanels(QWidget):
    """`refit` is emitted when its size changed: the owner shows its content again."""

    refit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lanes = [[Panel(self) for _ in range(PANELS)] for _ in range(2)]
        self.headers = [LaneHeader(self), LaneHeader(self)]
        self.race = False
        self.sizes = TextSizes()
        self.widest = ""
        self.fits: list[Fit] = []
        self._size = (0, 0)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._show_lanes()

    @property
    def panels(self) -> list[Panel]:
        """The panels in use (one lane, or both in the race)."""
        return [p for lane in self.lanes[:2 if self.race else 1] for p in lane
                if p.fit is not None]

    def set_race(self, race: bool) -> None:
        if race != self.race:
            self.race = race
            self._show_lanes()

    def _show_lanes(self) -> None:
        for i, lane in enumerate(self.lanes):
            on = i == 0 or self.race
            for p in lane:
                p.view.setVisible(on)
                p.caption.setVisible(on)
                if not on:
                    p.minimap.hide()
            self.headers[i].setVisible(self.race)

    def set_sizes(self, sizes: TextSizes, widest: str = "") -> None:
        """Text sizes (scale, smallest text) and the widest number the cells must hold."""
        self.sizes, self.widest = sizes, widest
        font = sizes.font("body", bold=True)
        for lane in self.lanes:
            for p in lane:
                if p.caption.font() != font:
                    p.caption.setFont(font)
        for h in self.headers:
            h.setFont(sizes.font("body"))
            h.setFixedHeight(round(sizes.px("body") * 1.8))

    # ---- the fit ----
    def _area(self) -> tuple[int, int]:
        """Width and height of one lane's panels (below their captions)."""
        lanes = 2 if self.race else 1
        head = self.headers[0].height() if self.race else 0
        cap = self.lanes[0][0].caption.height()
        h = (self.height() - (lanes - 1) * 8) // lanes - head - cap - 2
        return self.width(), max(20, h)

    def _captions_w(self, captions: Sequence[str]) -> list[int]:
        metrics = QFontMetrics(self.lanes[0][0].caption.font())
        return [max((metrics.horizontalAdvance(line) for line in c.split("\n")), default=0) + 8
                for c in captions]

    def fit(self, lanes: Sequence[Sequence[tuple[Sequence[Sequence[Section]], Sequence[str]]]]
            ) -> list[list[Fit]]:
        """lanes[i]: the variants of lane i's panels (sections per panel, captions per panel;
        e.g. the depthwise and pointwise phases): all are fitted at one cell size, the
        largest at which every variant fits whole (else the smallest), so the cells keep
        their size through an animation. Returns the fits of each lane's variants."""
        width, height = self._area()
        heights = cell_heights(self.sizes)
        measures = [measure(h, self.sizes.min_px, self.widest) for h in heights]
        chosen = 0
        for variants in lanes:
            for panels, captions in variants:
                f = fit_row(panels, width, height, measures, self._captions_w(captions))
                chosen = max(chosen, measures.index(f.measure))
        out = []
        mini = round(self.lanes[0][0].caption.height() * 1.7)
        for variants in lanes:
            fits = []
            for panels, captions in variants:
                mins = self._captions_w(captions)
                f = fit_row(panels, width, height, measures[chosen:], mins)
                cropped = [any(sf.cropped(s) for sf, s in zip(pf.sections, secs))
                           for pf, secs in zip(f.panels, panels)]
                if any(cropped):  # room for the overview beside those captions
                    mins = [m + mini if c else m for m, c in zip(mins, cropped)]
                    f = fit_row(panels, width, height, measures[chosen:], mins)
                fits.append(f)
            out.append(fits)
        return out

    def show(self, lane: int, fit: Fit, contents: Sequence[PanelContent]) -> None:
        """Show one lane's panels as fitted."""
        m = cell_metrics(fit.measure.cell_h, self.sizes.min_px, self.widest)
        for i, panel in enumerate(self.lanes[lane]):
            used = i < len(contents)
            panel.view.setVisible(used)
            panel.caption.setVisible(used)
            if not used:
                panel.minimap.set_model(None)
                panel.fit = None
                continue
            content, panel.fit = contents[i], fit.panels[i]
            panel.view.set_blocks(content.blocks, content.caption)
            panel.minimap.set_model(content.minimap)
        self._place(lane, fit, len(contents))
        for panel, content in zip(self.lanes[lane], contents):
            v, z = panel.view, 1  # metrics once the view is placed: its cells built once
            if content.zoom == 0 and content.blocks:  # as large as its room allows
                y0, y1, x0, x1 = content.blocks[0].padded_range()
                z = max(1, min(3, (v.height() - m.title_h - 1) // ((y1 - y0) * m.cell_h),
                               (v.width() - 1) // ((x1 - x0) * m.cell_w)))
            v.set_metrics(replace(m, cell_w=m.cell_w * z, cell_h=m.cell_h * z) if z > 1 else m)

    def _place(self, lane: int, fit: Fit, used: int = PANELS) -> None:
        """Captions, overviews and views of one lane, left to right, as the fit says
        (in the race, the last panel also gets the width left over)."""
        width, height = self._area()
        n, gap = len(fit.panels), fit.measure.gap * 2
        need = sum(pf.width for pf in fit.panels) + gap * (n - 1)
        # spare width widens the gaps (up to four times), the rest stays on the right
        extra = min(4 * gap, max(0, width - need) // max(1, n - 1))
        head_h = self.headers[lane].height() if self.race else 0
        top = lane * (self.height() + 8) // (2 if self.race else 1)
        if self.race:
            self.headers[lane].setGeometry(0, top, width, head_h)
        cap_h = self.lanes[lane][0].caption.height()
        x = 0
        for i, (panel, pf) in enumerate(zip(self.lanes[lane], fit.panels)):
            w = width - x if self.race and i == used - 1 else min(width - x, pf.width)
            cap_w = min(width - x, w + (extra + gap // 2 if i < n - 1 else width))
            mini_w = round(cap_h * 1.7) if panel.minimap.model is not None else 0
            _set(panel.caption, QRect(x, top + head_h, max(1, min(cap_w, w) - mini_w)
                                      if mini_w else cap_w, cap_h))
            _set(panel.minimap, QRect(x + w - mini_w, top + head_h, mini_w, cap_h))
            panel.minimap.setVisible(mini_w > 0)
            _set(panel.view, QRect(x, top + head_h + cap_h + 2, w, height))
            x += w + gap + extra

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        size = (self.width(), self.height())
        if size != self._size:
            self._size = size
            self.refit.emit()


def _set(widget: QWidget, rect: QRect) -> None:
    if widget.geometry() != rect:
        widget.setGeometry(rect)
