"""Bar chart of multiplications: standard vs depthwise + pointwise, growing as steps run.

Pale bars show each path's total so the comparison never disappears; solid bars show the
multiplications done so far. pyqtgraph draws the axes, grid and view range; each bar is a
plain QGraphicsRectItem in data coordinates, so a step moves one rectangle in C++
(`setRect`) instead of re-rendering a BarGraphItem through Python (~0.5 ms per step).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget

from visualizer.conv.explorer import Tally

STD, DW, PW = (70, 110, 200), (230, 140, 30), (40, 160, 90)
GRP = (140, 90, 190)  # a grouped convolution: the standard path when groups > 1
WIDTH = 0.6  # bar width in x units (bars at x = 0, 1 and, with groups, 2)


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

    def set(self, y0: float, height: float, x: float | None = None) -> None:
        x = self.x if x is None else x
        if (y0, height, x) != (*(self.value or (None, None)), self.x):
            self.value, self.x = (y0, height), x
            self.item.setRect(QRectF(x - WIDTH / 2, y0, WIDTH, height))


class TallyChart(pg.PlotWidget):
    """Standard (and, with groups > 1, grouped) vs separable. Pale: a path's total; solid:
    done so far on the path being played (the other path shows only its pale total)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": CompactAxis("left")})
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        item = self.getPlotItem()
        item.showGrid(y=True, alpha=0.25)
        item.getAxis("left").enableAutoSIPrefix(False)
        for name in ("left", "bottom"):  # axes and grid lines: blitted when a bar moves
            item.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.std_total = Bar(item, 0, _pale(STD))
        self.grp_total = Bar(item, 1, _pale(GRP))
        self.sep_total_dw = Bar(item, 1, _pale(DW))
        self.sep_total_pw = Bar(item, 1, _pale(PW))
        self.std_done = Bar(item, 0, STD)
        self.grp_done = Bar(item, 1, GRP)
        self.dw_done = Bar(item, 1, DW)
        self.pw_done = Bar(item, 1, PW)
        self.setYRange(0, 1, padding=0)
        self.font_px = 0
        self.set_font_px(11)
        self._top: tuple | None = None
        self.ticks: list[tuple[float, str]] = []
        self.setToolTip("Multiplications per path. Pale: the whole layer; solid: done so far "
                        "on the path being played. Separable = depthwise (orange) + "
                        "pointwise (green). With groups > 1, the grouped convolution "
                        "(purple) is what the standard path plays.")

    def set_font_px(self, px: int) -> None:
        """Axis labels at `px` pixels; the axes and the chart's height follow."""
        if px == self.font_px:
            return
        self.font_px = px
        font = QFont()
        font.setPixelSize(px)
        item = self.getPlotItem()
        for name in ("left", "bottom"):
            item.getAxis(name).setStyle(tickFont=font, tickTextOffset=max(3, px // 3))
        item.getAxis("left").setWidth(round(px * 4))
        item.getAxis("bottom").setHeight(round(px * 2.2))
        self.setMinimumHeight(round(px * 12))
        self.setMaximumHeight(round(px * 26))

    def show_tally(self, t: Tally, groups: int = 1) -> None:
        """Bar heights for these counts; with groups > 1, three bars: standard, grouped
        (the standard path as played) and separable."""
        grouped = groups > 1
        sep_x = 2 if grouped else 1
        key = (t.standard_total, t.depthwise_total, t.pointwise_total, t.ungrouped_total,
               groups)
        if key != self._top:
            self._top = key
            ungrouped = t.ungrouped_total or t.standard_total
            self.ticks = [(0, "standard")] + ([(1, f"grouped (g={groups})")] if grouped
                                              else []) + [(sep_x, "separable")]
            self.getPlotItem().getAxis("bottom").setTicks([self.ticks])
            self.std_total.set(0, ungrouped)
            self.grp_total.set(0, t.standard_total if grouped else 0)
            self.sep_total_dw.set(0, t.depthwise_total, sep_x)
            self.sep_total_pw.set(t.depthwise_total, t.pointwise_total, sep_x)
            self.setXRange(-0.6, sep_x + 0.6, padding=0)
            top = max(ungrouped, t.separable_total, 1)
            self.setYRange(0, top * 1.08, padding=0)
        std_done = t.standard_done if t.plays("standard") else 0
        self.std_done.set(0, 0 if grouped else std_done)
        self.grp_done.set(0, std_done if grouped else 0)
        self.dw_done.set(0, t.depthwise_done, sep_x)
        self.pw_done.set(t.depthwise_total, t.pointwise_done, sep_x)
