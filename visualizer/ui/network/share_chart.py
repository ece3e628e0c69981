"""Grouped bars: each layer's (and each type's) share of mult-adds beside its share of time.

Pale bar = share of mult-adds, solid bar = share of measured kernel time, coloured by type.
Where the solid bar is much longer than the pale one, the layer is slow for its
arithmetic (memory-bound): typically the depthwise layers.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from visualizer.net.model.mobilenet import NetLayer
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.common.plots import bar_plot, legend_over_plots, nice_ceiling

from visualizer.net.analysis.shares import TypeShare

_SHORT = {"conv": "conv", "depthwise": "dw", "pointwise": "pw", "pool": "pool", "fc": "fc",
          "other": "other", "overhead": "ovh"}


def _pale(color: str) -> QColor:
    c = QColor(color)
    c.setAlpha(90)
    return c


def legend_html() -> str:
    swatches = " ".join(f'<span style="color:{TYPE_COLORS[t]}">■</span>&nbsp;{t}'
                        for t in ("conv", "depthwise", "pointwise", "fc", "other", "overhead"))
    return (f"{swatches} &nbsp;&nbsp;|&nbsp;&nbsp; pale bar: % of mult-adds, "
            f"solid bar: % of measured time")


class ShareChart(QWidget):
    """Per-layer chart (horizontal, in table order) and by-type chart side by side."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layer_plot = bar_plot("Per layer", 8, "left")
        self.layer_plot.getPlotItem().invertY(True)
        self.layer_plot.setLabel("bottom", "% of network")
        self.type_plot = bar_plot("By layer type", 8, "bottom")
        self.type_plot.setLabel("left", "% of network")
        self.layer_plot.setToolTip(
            "Each layer has two bars: the pale one is its share of the network's mult-adds, "
            "the solid one its share of the measured kernel time. A solid bar much longer "
            "than the pale one means the layer is slow for the arithmetic it does.")
        self.type_plot.setToolTip(
            "The same shares summed by layer type. Depthwise layers do ~3% of the arithmetic "
            "but read and write as much memory as the pointwise layers beside them.")
        self.legend = legend_over_plots(self, legend_html(), self.layer_plot, 4,
                                        self.type_plot, 3)
        self.layer_bars: list[pg.BarGraphItem] = []
        self.type_bars: list[pg.BarGraphItem] = []
        self._layer_key: tuple | None = None
        self._type_key: tuple | None = None

    def update_shares(self, layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                      shares: tuple[TypeShare, ...]) -> None:
        """Bars of the current shares. The bar items, ticks and axes are rebuilt only when
        the layers (or whether times are known) change; otherwise the bars are resized in
        place, which keeps a live update to a few milliseconds."""
        total_macs = sum(l.macs for l in layers) or 1
        total_ms = sum(mean_ms.values())
        macs = [100 * l.macs / total_macs for l in layers]
        times = [100 * mean_ms.get(l.name, 0.0) / total_ms if total_ms else 0.0
                 for l in layers]
        key = (tuple((l.name, l.type) for l in layers), bool(total_ms))
        if key != self._layer_key:
            self._layer_key = key
            self._build_layer_bars(layers, bool(total_ms))
        self.layer_bars[0].setOpts(width=macs)
        if total_ms:
            self.layer_bars[1].setOpts(width=times)
        _fit(self.layer_plot, "x", max(macs + times + [1.0]))

        timed = any(s.time_percent is not None for s in shares)
        key = (tuple(s.type for s in shares), timed)
        if key != self._type_key:
            self._type_key = key
            self._build_type_bars(shares, timed)
        self.type_bars[0].setOpts(height=[s.macs_percent for s in shares])
        if timed:
            self.type_bars[1].setOpts(height=[s.time_percent or 0.0 for s in shares])
        _fit(self.type_plot, "y", max([s.macs_percent for s in shares]
                                      + [s.time_percent or 0 for s in shares] + [1]))

    def _build_layer_bars(self, layers: tuple[NetLayer, ...], timed: bool) -> None:
        lp = self.layer_plot
        for item in self.layer_bars:
            lp.removeItem(item)
        ys = np.arange(len(layers), dtype=float)
        colors = [TYPE_COLORS[l.type] for l in layers]
        zeros = np.zeros(len(layers))
        half = 0.4 if timed else 0.8
        self.layer_bars = [pg.BarGraphItem(
            x0=0, y=ys - (half / 2 if timed else 0), height=half, width=zeros,
            brushes=[_pale(c) for c in colors], pens=[pg.mkPen(c) for c in colors])]
        if timed:
            self.layer_bars.append(pg.BarGraphItem(
                x0=0, y=ys + half / 2, height=half, width=zeros, brushes=colors,
                pens=[pg.mkPen(c) for c in colors]))
        for item in self.layer_bars:
            lp.addItem(item)
        lp.getAxis("left").setTicks([[(y, l.name) for y, l in enumerate(layers)]])
        lp.setYRange(-0.7, len(layers) - 0.3, padding=0)

    def _build_type_bars(self, shares: tuple[TypeShare, ...], timed: bool) -> None:
        tp = self.type_plot
        for item in self.type_bars:
            tp.removeItem(item)
        xs = np.arange(len(shares), dtype=float)
        tcol = [TYPE_COLORS[s.type] for s in shares]
        w = 0.38 if timed else 0.7
        zeros = np.zeros(len(shares))
        self.type_bars = [pg.BarGraphItem(
            x=xs - (w / 2 if timed else 0), height=zeros, width=w,
            brushes=[_pale(c) for c in tcol], pens=[pg.mkPen(c) for c in tcol])]
        if timed:
            self.type_bars.append(pg.BarGraphItem(
                x=xs + w / 2, height=zeros, width=w, brushes=tcol,
                pens=[pg.mkPen(c) for c in tcol]))
        for item in self.type_bars:
            tp.addItem(item)
        tp.getAxis("bottom").setTicks([[(x, _SHORT[s.type]) for x, s in enumerate(shares)]])
        tp.setXRange(-0.6, len(shares) - 0.4, padding=0)


def _fit(plot: pg.PlotWidget, axis: str, top: float) -> None:
    """Move the value axis's end only when the bars outgrow it or shrink below 40 % of it
    (to a round number), so the cached axis picture stays valid from update to update."""
    view = plot.getViewBox().viewRange()[0 if axis == "x" else 1]
    current = view[1]
    if top > current or top < 0.4 * current:
        end = nice_ceiling(top * 1.02)
        if axis == "x":
            plot.setXRange(0, end, padding=0)
        else:
            plot.setYRange(0, end, padding=0)
