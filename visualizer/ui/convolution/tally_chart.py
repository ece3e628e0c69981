"""Bar chart of multiplications: standard vs depthwise + pointwise, growing as steps run.

Pale bars show each path's total so the comparison never disappears; solid bars show the
multiplications done so far. pyqtgraph draws the axes, grid and view range; each bar is a
plain QGraphicsRectItem in data coordinates, so a step moves one rectangle in C++
(`setRect`) instead of re-rendering a BarGraphItem through Python (~0.5 ms per step).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget

from visualizer.conv.explorer import Tally

STD, DW, PW = (70, 110, 200), (230, 140, 30), (40, 160, 90)
WIDTH = 0.6  # bar width in x units (bars at x = 0 and x = 1)


def _pale(rgb: tuple[int, int, int]) -> tuple[int, int, int, int]:
    return (*rgb, 55)


def compact(v: float) -> str:
    """Axis numbers that stay short: 3,888 → 3.9k, 566,820,864 → 567M."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:g}"


class CompactAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph name)
        return [compact(v * scale) for v in values]


class Bar:
    """One rectangle from y0 to y0 + height at x (centre); moved only when it changes."""

    def __init__(self, plot: pg.PlotItem, x: float, rgba: tuple[int, ...]) -> None:
        self.x = x
        self.item = QGraphicsRectItem()
        self.item.setPen(Qt.NoPen)
        self.item.setBrush(QBrush(QColor(*rgba)))
        plot.addItem(self.item)
        self.value: tuple[float, float] | None = None
        self.set(0, 0)

    def set(self, y0: float, height: float) -> None:
        if (y0, height) != self.value:
            self.value = (y0, height)
            self.item.setRect(QRectF(self.x - WIDTH / 2, y0, WIDTH, height))


class TallyChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": CompactAxis("left")})
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumHeight(120)
        item = self.getPlotItem()
        item.showGrid(y=True, alpha=0.25)
        ax = item.getAxis("bottom")
        ax.setTicks([[(0, "standard"), (1, "separable")]])
        item.getAxis("left").setWidth(44)
        item.getAxis("left").enableAutoSIPrefix(False)
        for name in ("left", "bottom"):  # axes and grid lines: blitted when a bar moves
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.std_total = Bar(item, 0, _pale(STD))
        self.sep_total_dw = Bar(item, 1, _pale(DW))
        self.sep_total_pw = Bar(item, 1, _pale(PW))
        self.std_done = Bar(item, 0, STD)
        self.dw_done = Bar(item, 1, DW)
        self.pw_done = Bar(item, 1, PW)
        self.setXRange(-0.6, 1.6, padding=0)
        self.setYRange(0, 1, padding=0)
        self._top: tuple[int, int, int] | None = None
        self._std_name = "standard"
        self.setToolTip("Multiplications per path. Pale: the whole path; solid: done so far. "
                        "Separable = depthwise (orange) + pointwise (green).")

    def show_tally(self, t: Tally, standard_name: str = "standard") -> None:
        """Bar heights for these counts; `standard_name` labels the first bar (e.g.
        "grouped (g=4)" when the standard path is a grouped convolution)."""
        if standard_name != self._std_name:
            self._std_name = standard_name
            self.getPlotItem().getAxis("bottom").setTicks(
                [[(0, standard_name), (1, "separable")]])
        key = (t.standard_total, t.depthwise_total, t.pointwise_total)
        if key != self._top:
            self._top = key
            top = max(t.standard_total, t.separable_total, 1)
            self.std_total.set(0, t.standard_total)
            self.sep_total_dw.set(0, t.depthwise_total)
            self.sep_total_pw.set(t.depthwise_total, t.pointwise_total)
            self.setYRange(0, top * 1.08, padding=0)
        self.std_done.set(0, t.standard_done)
        self.dw_done.set(0, t.depthwise_done)
        self.pw_done.set(t.depthwise_total, t.pointwise_done)
