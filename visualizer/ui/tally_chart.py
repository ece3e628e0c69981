"""Bar chart of multiplications: standard vs depthwise + pointwise, growing as steps run.

Pale bars show each path's total so the comparison never disappears; solid bars show the
multiplications done so far. Only bar heights change per step (`setOpts(height=...)`).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from visualizer.conv.explorer import Tally

STD, DW, PW = (70, 110, 200), (230, 140, 30), (40, 160, 90)


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


class TallyChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": CompactAxis("left")})
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumHeight(150)
        item = self.getPlotItem()
        item.showGrid(y=True, alpha=0.25)
        ax = item.getAxis("bottom")
        ax.setTicks([[(0, "standard"), (1, "separable")]])
        item.getAxis("left").setWidth(44)
        item.getAxis("left").enableAutoSIPrefix(False)
        x0, x1 = [0.0], [1.0]
        opts = dict(width=0.6, pen=None)
        self.std_total = pg.BarGraphItem(x=x0, height=[0], brush=_pale(STD), **opts)
        self.sep_total_dw = pg.BarGraphItem(x=x1, height=[0], brush=_pale(DW), **opts)
        self.sep_total_pw = pg.BarGraphItem(x=x1, y0=[0], height=[0], brush=_pale(PW), **opts)
        self.std_done = pg.BarGraphItem(x=x0, height=[0], brush=STD, **opts)
        self.dw_done = pg.BarGraphItem(x=x1, height=[0], brush=DW, **opts)
        self.pw_done = pg.BarGraphItem(x=x1, y0=[0], height=[0], brush=PW, **opts)
        for bar in (self.std_total, self.sep_total_dw, self.sep_total_pw,
                    self.std_done, self.dw_done, self.pw_done):
            self.addItem(bar)
        self.setXRange(-0.6, 1.6, padding=0)
        self._top: tuple[int, int, int] | None = None
        self.setToolTip("Multiplications per path. Pale: the whole path; solid: done so far. "
                        "Separable = depthwise (orange) + pointwise (green).")

    def show_tally(self, t: Tally) -> None:
        key = (t.standard_total, t.depthwise_total, t.pointwise_total)
        if key != self._top:
            self._top = key
            top = max(t.standard_total, t.separable_total, 1)
            self.std_total.setOpts(height=[t.standard_total])
            self.sep_total_dw.setOpts(height=[t.depthwise_total])
            self.sep_total_pw.setOpts(y0=[t.depthwise_total], height=[t.pointwise_total])
            self.setYRange(0, top * 1.08, padding=0)
        self.std_done.setOpts(height=[t.standard_done])
        self.dw_done.setOpts(height=[t.depthwise_done])
        self.pw_done.setOpts(y0=[t.depthwise_total], height=[t.pointwise_done])
