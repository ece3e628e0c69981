"""Plot set-up shared by the bar charts: a quiet, fixed pyqtgraph plot, and a legend line
over two plots side by side."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget


def bar_plot(title: str, tick_pt: int | None = None,
             labelled: str | None = None) -> pg.PlotWidget:
    """A white plot without menu, mouse or buttons, with a vertical grid. `tick_pt`: tick
    font size; `labelled`: the axis ("left" or "bottom") that carries one label per bar."""
    w = pg.PlotWidget(background="w")
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
