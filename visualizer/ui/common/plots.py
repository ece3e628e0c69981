"""Plot set-up shared by the bar charts: a quiet, fixed pyqtgraph plot, and a legend line
over two plots side by side."""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class OpaqueGridAxis(pg.AxisItem):
    """An axis whose translucent tick and grid lines are drawn opaque, mixed with the
    plot's background beforehand, and which lies beneath the plotted data.

    Qt's raster engine draws a translucent 1-px line some 50× slower than an opaque one:
    the ~50 grid lines of a bar chart took 7-10 ms per repaint of the axis, the largest
    part of redrawing a chart on the GUI thread. Beneath the data, an opaque grid looks
    like the translucent one (which barely showed on the bars)."""

    def __init__(self, orientation: str, background: str = "w", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self._background = pg.mkColor(background)

    def lay_beneath_data(self) -> None:
        """Below the ViewBox (z -100) and its items; call after the PlotItem has placed
        the axis (it sets z 0.5)."""
        self.setZValue(-200)

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        super().drawPicture(p, axisSpec, [(self._opaque(pen), a, b) for pen, a, b in tickSpecs],
                            textSpecs)

    def _opaque(self, pen: QPen) -> QPen:
        c = pen.color()
        if c.alpha() == 255:
            return pen
        a, bg = c.alphaF(), self._background
        pen = QPen(pen)
        pen.setColor(QColor.fromRgbF(*(a * v + (1 - a) * w for v, w in (
            (c.redF(), bg.redF()), (c.greenF(), bg.greenF()), (c.blueF(), bg.blueF())))))
        return pen


def bar_plot(title: str, tick_pt: int | None = None,
             labelled: str | None = None) -> pg.PlotWidget:
    """A white plot without menu, mouse or buttons, with a vertical grid. `tick_pt`: tick
    font size; `labelled`: the axis ("left" or "bottom") that carries one label per bar."""
    w = pg.PlotWidget(background="w", axisItems={
        name: OpaqueGridAxis(name, "w") for name in ("left", "bottom")})
    w.setTitle(title, color="#222", size="10pt")
    w.setMenuEnabled(False)
    w.setMouseEnabled(x=False, y=False)
    w.hideButtons()
    w.showGrid(x=True, y=False, alpha=0.25)
    font = None
    if tick_pt is not None:
        font = QFont()
        font.setPointSize(tick_pt)
    for name in ("left", "bottom"):
        axis = w.getAxis(name)
        axis.setTextPen("#333")
        axis.setPen("#777")
        if font is not None:
            axis.setStyle(tickFont=font)
        if name == labelled:
            # custom ticks are all one level: let them fill the axis instead of being
            # thinned (a label that would overlap its neighbour is left out)
            axis.setStyle(textFillLimits=[(0, 1.0)], hideOverlappingLabels=True)
        # axes repaint from a pixmap unless their range or ticks change: a live update
        # then only redraws the bars (drawing 31 tick labels twice costs ~10-20 ms a frame)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.lay_beneath_data()
    return w


def legend_over_plots(owner: QWidget, legend_html: str, left: QWidget, left_stretch: int,
                      right: QWidget, right_stretch: int) -> QLabel:
    """Lay out `owner`: a wrapped legend line above `left` and `right` side by side; returns
    the legend label."""
    legend = QLabel(legend_html)
    legend.setWordWrap(True)
    plots = QHBoxLayout()
    plots.setContentsMargins(0, 0, 0, 0)
    plots.addWidget(left, left_stretch)
    plots.addWidget(right, right_stretch)
    box = QVBoxLayout(owner)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(legend)
    box.addLayout(plots, 1)
    return legend


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= value (a stable axis end)."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if value <= m * step * (1 + 1e-9):
            return m * step
    return 10 * step
