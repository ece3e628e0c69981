"""Live per-layer timing: ms per layer coloured by type, with mult-adds as a second series,
and the achieved GMAC/s per layer beside it.

The bar items are created once per model (set_layers) and only resized per frame with
BarGraphItem.setOpts(width=...) (the bars are horizontal: one row per layer, in network
order), so a live update is cheap.
"""
from __future__ import annotations


import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.common.plots import bar_plot, legend_over_plots, nice_ceiling

OTHER = "other"  # row gathering softmax, layout changes and nodes outside the paper layers


COLD_START_TIP = (
    "<p><b>Solid bars</b>: measured kernel time of each layer: trimmed mean of the last "
    "timed frames (n of them; the fastest and slowest fifth left out, so one frame "
    "interrupted by another program does not move the bars). <b>Outline bars</b>: the same total time shared out in proportion to each "
    "layer's mult-adds. A solid bar longer than its outline is slow for its arithmetic "
    "(typically depthwise).</p>"
    "<p><b>Why conv1 (then pw1) often looks slowest here:</b> conv1 has only 3 input "
    "channels, which fill the CPU's vector units poorly, and in the live demo it runs first "
    "after an idle gap between frames: onnxruntime's worker threads have gone to sleep and "
    "the caches are cold (and the window may be painting the new frame at that moment), "
    "so the first layers take 2–4× as long as in back-to-back runs. The bars show what "
    "was measured; “Profile layers” in the Network tab times back-to-back runs for "
    "comparison.</p>")


def _plot(title: str, x_label: str) -> pg.PlotWidget:
    """Horizontal bars, one row per layer from the top, `x_label` under them."""
    w = bar_plot(title)
    w.getPlotItem().invertY(True)
    w.setLabel("bottom", x_label)
    w.getAxis("bottom").enableAutoSIPrefix(False)
    return w


def ms_title(frames: int) -> str:
    """The ms chart's title, with n, the timed frames its bars rest on (the statistic is
    in the tooltip: the title must fit a 1024-px window)."""
    if frames == 0:
        return "ms per layer (no timed frame yet)"
    return f"ms per layer (n = {frames} timed frame{'s' * (frames != 1)})"


def legend_html() -> str:
    swatches = " ".join(f'<span style="color:{TYPE_COLORS[t]}">■</span>&nbsp;{t}'
                        for t in ("conv", "depthwise", "pointwise", "pool", "fc", OTHER))
    return (f"{swatches} &nbsp;|&nbsp; solid: measured ms &nbsp; outline: time the layer "
            "would take if time followed mult-adds")


class TimingChart(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.ms_plot = _plot(ms_title(0), "ms")
        self.rate_plot = _plot("GMAC/s per layer", "GMAC/s")
        self.rate_plot.setYLink(self.ms_plot)
        self.rate_plot.getAxis("left").setStyle(showValues=False)
        self.ms_plot.setToolTip(COLD_START_TIP)
        self.rate_plot.setToolTip("Mult-adds per second each layer achieves: "
                                  "mult-adds / measured time.")
        self.legend = legend_over_plots(self, legend_html(), self.ms_plot, 3,
                                        self.rate_plot, 2)
        self.frames = 0  # n: the timed frames behind the bars
        self.names: list[str] = []
        self.macs = np.zeros(0)
        self.ms_bars: pg.BarGraphItem | None = None
        self.macs_bars: pg.BarGraphItem | None = None
        self.rate_bars: pg.BarGraphItem | None = None

    def set_layers(self, layers: tuple[NetLayer, ...]) -> None:
        """One row per paper layer plus `other`; creates the bar items (once per model)."""
        for plot in (self.ms_plot, self.rate_plot):
            plot.clear()
        self.names = [l.name for l in layers] + [OTHER]
        types = [l.type for l in layers] + [OTHER]
        self.macs = np.array([l.macs for l in layers] + [0], dtype=float)
        n = len(self.names)
        y = np.arange(n, dtype=float)
        brushes = [pg.mkBrush(TYPE_COLORS.get(t, TYPE_COLORS[OTHER])) for t in types]
        zeros = np.zeros(n)
        self.macs_bars = pg.BarGraphItem(x0=0, y=y, height=0.8, width=zeros,
                                         brush=pg.mkBrush(0, 0, 0, 0),
                                         pen=pg.mkPen("#444", width=1, style=pg.QtCore.Qt.DashLine))
        self.ms_bars = pg.BarGraphItem(x0=0, y=y, height=0.8, width=zeros, brushes=brushes,
                                       pen=pg.mkPen(None))
        self.rate_bars = pg.BarGraphItem(x0=0, y=y, height=0.8, width=zeros, brushes=brushes,
                                         pen=pg.mkPen(None))
        self.ms_plot.addItem(self.ms_bars)
        self.ms_plot.addItem(self.macs_bars)
        self.rate_plot.addItem(self.rate_bars)
        ticks = [list(zip(range(n), self.names))]
        self.ms_plot.getAxis("left").setTicks(ticks)
        self.rate_plot.getAxis("left").setTicks(ticks)
        self.ms_plot.setYRange(-0.6, n - 0.4, padding=0)
        self._set_frames(0)
        self.ms_plot.setXRange(0, 1)
        self.rate_plot.setXRange(0, 1)

    def update_times(self, mean_ms: dict[str, float], frames: int) -> None:
        """Resize the bars to ms per node group (names outside the rows go to other);
        `frames`: n, the timed frames behind the figures (in the title)."""
        if self.ms_bars is None:
            return
        self._set_frames(frames)
        index = {n: i for i, n in enumerate(self.names)}
        ms = np.zeros(len(self.names))
        for name, value in mean_ms.items():
            ms[index.get(name, len(self.names) - 1)] += value
        total = ms.sum()
        macs_share = self.macs / (self.macs.sum() or 1) * total
        # a layer without a time has no speed: no bar (its row reads "—" in the table)
        rate = np.array([gmacs_per_s(m, t) or 0.0 for m, t in zip(self.macs, ms)])
        self.ms_bars.setOpts(width=ms)
        self.macs_bars.setOpts(width=macs_share)
        self.rate_bars.setOpts(width=rate)
        self._fit(self.ms_plot, max(ms.max(), macs_share.max()))
        self._fit(self.rate_plot, rate.max())

    def _set_frames(self, frames: int) -> None:
        if frames != self.frames or frames == 0:
            self.frames = frames
            self.ms_plot.setTitle(ms_title(frames), color="#222", size="10pt")

    def _fit(self, plot: pg.PlotWidget, top: float) -> None:
        """Change the x range only when the bars outgrow it or shrink below 40 % of it,
        so the axis (and its cached picture) stays put from frame to frame."""
        current = plot.getViewBox().viewRange()[0][1]
        if top > current or top < 0.4 * current:
            plot.setXRange(0, nice_ceiling(max(top, 1e-3)), padding=0)

    def ms_values(self) -> np.ndarray:
        """Current bar lengths (for tests and exports)."""
        return np.asarray(self.ms_bars.opts["width"], dtype=float) if self.ms_bars else np.zeros(0)
