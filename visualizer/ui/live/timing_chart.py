"""Live per-layer timing: one account of a frame. ms per layer coloured by type, with its
spread (p25–p75 whiskers), the kernels outside the paper layers ("other") and the time
outside every kernel ("overhead") as rows of their own, so that the bars add up to the
whole frame named in the title; mult-adds as a second series, and the achieved GMAC/s per
layer beside it.

The bar items are created once per model (set_layers) and only resized per update with
BarGraphItem.setOpts(width=...) (the bars are horizontal: one row per layer, in network
order), so a live update is cheap.
"""
from __future__ import annotations


import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QWidget

from visualizer.net.analysis.timing_stats import OVERHEAD, OVERHEAD_TIP, Account
from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.model.rates import gmacs_per_s
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.common.plots import bar_plot, legend_over_plots, nice_ceiling

NORMAL_STYLE = "color: #555;"
CONTENDED_STYLE = "color: #b00020;"  # the conditions line while the figures are inflated

OTHER = "other"  # row gathering softmax, layout changes and nodes outside the paper layers


COLD_START_TIP = (
    "<p><b>Solid bars</b>: one account of a live frame. Each layer's kernel time (trimmed "
    "mean of the last timed frames, n of them; the fastest and slowest fifth left out, so "
    "one frame interrupted by another program does not move the bars), with its spread "
    "(whiskers: 25th to 75th percentile); <b>other</b>: the kernels outside the paper "
    "layers (layout changes, softmax); <b>overhead</b>: the " + OVERHEAD_TIP + ". "
    "Profiling slows a frame down, so these parts of a profiled frame are scaled to add "
    "up to the plain frames' time, the whole frame in the title.</p>"
    "<p><b>Outline bars</b>: the same total time shared out in proportion to each "
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


def ms_title(frames: int, total_ms: float | None = None) -> str:
    """The ms chart's title: the whole frame the bars add up to, and n, the timed frames
    they rest on (the statistic is in the tooltip: the title must fit a 1024-px window)."""
    if frames == 0:
        return "ms per layer (no timed frame yet)"
    whole = f"sum {total_ms:.2f} ms, " if total_ms is not None else ""
    return f"ms per layer ({whole}n = {frames})"


def legend_html() -> str:
    swatches = " ".join(f'<span style="color:{TYPE_COLORS.get(t, TYPE_COLORS[OTHER])}">■'
                        f'</span>&nbsp;{t}'
                        for t in ("conv", "depthwise", "pointwise", "pool", "fc", OTHER,
                                  OVERHEAD))
    return (f"{swatches} &nbsp;|&nbsp; solid: measured ms, whiskers p25–p75 &nbsp; "
            "outline: time the layer would take if time followed mult-adds")


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
        self.conditions = QLabel()  # what the figures rest on, under the charts
        self.conditions.setWordWrap(True)
        self.conditions.setStyleSheet(NORMAL_STYLE)
        self._contended = False
        self.layout().addWidget(self.conditions)
        self.total_ms: float | None = None
        self.whiskers: pg.ErrorBarItem | None = None
        self.frames = 0  # n: the timed frames behind the bars
        self.names: list[str] = []
        self.macs = np.zeros(0)
        self.ms_bars: pg.BarGraphItem | None = None
        self.macs_bars: pg.BarGraphItem | None = None
        self.rate_bars: pg.BarGraphItem | None = None

    def set_layers(self, layers: tuple[NetLayer, ...]) -> None:
        """One row per paper layer, then `other` and `overhead`; creates the bar items
        (once per model)."""
        for plot in (self.ms_plot, self.rate_plot):
            plot.clear()
        self.names = [l.name for l in layers] + [OTHER, OVERHEAD]
        types = [l.type for l in layers] + [OTHER, OVERHEAD]
        self.macs = np.array([l.macs for l in layers] + [0, 0], dtype=float)
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
        self.whiskers = pg.ErrorBarItem(x=zeros, y=y, left=zeros, right=zeros, beam=0.35,
                                        pen=pg.mkPen("#222", width=1))
        self.ms_plot.addItem(self.ms_bars)
        self.ms_plot.addItem(self.macs_bars)
        self.ms_plot.addItem(self.whiskers)
        self.rate_plot.addItem(self.rate_bars)
        ticks = [list(zip(range(n), self.names))]
        self.ms_plot.getAxis("left").setTicks(ticks)
        self.rate_plot.getAxis("left").setTicks(ticks)
        self.ms_plot.setYRange(-0.6, n - 0.4, padding=0)
        self.total_ms = None
        self._set_frames(0)
        self.conditions.setText("")
        self.ms_plot.setXRange(0, 1)
        self.rate_plot.setXRange(0, 1)

    def update_times(self, account: Account | None, conditions: str = "",
                     contended: bool = False) -> None:
        """Resize the bars to the account's rows (node groups outside the paper layers go
        to `other`), whiskers to their spread; `conditions`: threads, pacing, precision,
        provider (shown under the charts with the account's own); `contended`: other
        programs took the cores meanwhile (MachineLoad.contended), the line turns red."""
        if self.ms_bars is None or account is None:
            return
        index = {n: i for i, n in enumerate(self.names)}
        n = len(self.names)
        ms, lo, hi = np.zeros(n), np.zeros(n), np.zeros(n)
        for row in account.rows:
            i = index.get(row.name, n - 2)  # softmax, layout, unattributed: other
            ms[i] += row.ms
            lo[i] += row.p25
            hi[i] += row.p75
        self.total_ms = float(ms.sum())
        self._set_frames(account.n)
        macs_share = self.macs / (self.macs.sum() or 1) * self.total_ms
        # a layer without a time has no speed: no bar (its row reads "—" in the table)
        rate = np.array([gmacs_per_s(m, t) or 0.0 for m, t in zip(self.macs, ms)])
        self.ms_bars.setOpts(width=ms)
        self.macs_bars.setOpts(width=macs_share)
        self.rate_bars.setOpts(width=rate)
        self.whiskers.setData(x=ms, y=np.arange(n, dtype=float),
                              left=np.clip(ms - lo, 0, None), right=np.clip(hi - ms, 0, None))
        self._fit(self.ms_plot, max(hi.max(), macs_share.max()))
        self._fit(self.rate_plot, rate.max())
        text = account.conditions()
        self.conditions.setText(f"{conditions}; {text}" if conditions else text)
        self._set_contended(contended)

    def _set_contended(self, contended: bool) -> None:
        """Red conditions line while other programs took the cores; restyled only on a
        change (setStyleSheet re-polishes the label)."""
        if contended != self._contended:
            self._contended = contended
            self.conditions.setStyleSheet(CONTENDED_STYLE if contended else NORMAL_STYLE)

    def _set_frames(self, frames: int) -> None:
        self.frames = frames
        title = ms_title(frames, self.total_ms if frames else None)
        if title != getattr(self, "_title", None):
            self._title = title
            self.ms_plot.setTitle(title, color="#222", size="10pt")

    def _fit(self, plot: pg.PlotWidget, top: float) -> None:
        """Change the x range only when the bars outgrow it or shrink below 40 % of it,
        so the axis (and its cached picture) stays put from frame to frame."""
        current = plot.getViewBox().viewRange()[0][1]
        if top > current or top < 0.4 * current:
            plot.setXRange(0, nice_ceiling(max(top, 1e-3)), padding=0)

    def ms_values(self) -> np.ndarray:
        """Current bar lengths (for tests and exports)."""
        return np.asarray(self.ms_bars.opts["width"], dtype=float) if self.ms_bars else np.zeros(0)
