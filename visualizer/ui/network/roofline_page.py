"""The roofline page of the Network tab: each layer's mult-adds per byte (x) against the
GMAC/s it achieved (y), log-log, under this computer's measured roofs.

The roofs come from net/roofs.py: read from the cache or measured (~2-3 s) in a background
Task with a progress bar, never on the GUI thread, the first time the page is shown or
when the user asks again. Points follow the tab's mean layer times as they arrive.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolTip,
                               QVBoxLayout, QWidget)

from visualizer.net.analysis import roofs as rf
from visualizer.net.model.mobilenet import NetLayer
from visualizer.net.analysis.roofline import RooflinePoint, attainable, explain, roofline_points
from visualizer.ui.common.plots import OpaqueGridAxis
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.qtthreads.task import Task
from visualizer.ui.network.log_ticks import set_log_ticks

X_RANGE = (0.1, 100.0)  # MAC/byte shown (log axis)
HOVER_PX = 9
NOISE = 0.10  # a point this far above its roof is flagged


def _legend() -> str:
    swatches = " ".join(f'<span style="color:{TYPE_COLORS[t]}">●</span>&nbsp;{t}'
                        for t in ("conv", "depthwise", "pointwise", "fc"))
    return (f"{swatches} &nbsp;|&nbsp; <b>━</b> roof, data in cache &nbsp;"
            f"<span style='color:#888'><b>╍</b></span> roof, main memory")


class RooflinePage(QWidget):
    #: the roofs on show changed (Roofs) — for tests and the status line
    roofs_changed = Signal(object)

    def __init__(self, parent=None, threads: int | None = None,
                 size: rf.CalibrationSize = rf.DEFAULT_SIZE,
                 cache: str | os.PathLike | None = None) -> None:
        super().__init__(parent)
        self.threads, self.size, self.cache = threads, size, cache
        self.roofs: rf.Roofs | None = None
        self.points: tuple[RooflinePoint, ...] = ()
        self._layers: tuple[NetLayer, ...] = ()
        self._mean: dict[str, float] = {}
        self.dtype = "float32"  # of the timed model's activations and weights
        self._task: Task | None = None
        self._stale = False
        self._build()

    def _build(self) -> None:
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.caption.setStyleSheet("padding: 2px")
        self.legend = QLabel(_legend())
        self.legend.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #444; font-size: 8pt")
        self.progress = QProgressBar(maximum=100, textVisible=False, maximumWidth=120,
                                     maximumHeight=12)
        self.progress.hide()
        self.measure_button = QPushButton("Measure roofs again")
        self.measure_button.setToolTip(
            "Time a large 1×1 convolution (compute roof), a stream of element-wise Relu over "
            "128 MB (memory roof) and over 1 MB tensors (in-cache roof) with onnxruntime, "
            "about 2-3 s. Close other busy programs first: they lower the roofs.")
        self.measure_button.clicked.connect(lambda: self.calibrate(refresh=True))
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020")
        self.warning.hide()
        self.hover = QLabel(" ")
        self.hover.setStyleSheet("color: #222; font-weight: 600")

        self.plot = pg.PlotWidget(background="w", axisItems={
            n: OpaqueGridAxis(n, "w") for n in ("left", "bottom")})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        # items are drawn in log10 coordinates; the axes carry 1-2-5 ticks (set_log_ticks)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "arithmetic intensity (mult-adds per byte moved)")
        self.plot.setLabel("left", "achieved GMAC/s")
        for n in ("left", "bottom"):
            axis = self.plot.getAxis(n)
            axis.setTextPen("#333")
            axis.setPen("#777")
            axis.lay_beneath_data()
        self.dram_line = pg.PlotCurveItem(pen=pg.mkPen("#999", width=2, style=Qt.DashLine))
        self.cache_line = pg.PlotCurveItem(pen=pg.mkPen("#333", width=2))
        self.labels = [pg.TextItem(color="#333", anchor=a) for a in ((0, 1), (0, 1), (0, 1))]
        self.scatter = pg.ScatterPlotItem(size=10, pxMode=True)
        for item in (self.dram_line, self.cache_line, *self.labels, self.scatter):
            self.plot.addItem(item)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)

        top = QHBoxLayout()
        top.addWidget(self.legend, 1)
        top.addWidget(self.progress)
        top.addWidget(self.measure_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.caption)
        box.addWidget(self.status)
        box.addWidget(self.warning)
        box.addLayout(top)
        box.addWidget(self.plot, 1)
        box.addWidget(self.hover)

    # -- data ------------------------------------------------------------------------------
    def show_times(self, layers: tuple[NetLayer, ...], mean_ms: dict[str, float],
                   dtype: str | None = None) -> None:
        """The network and its mean layer times (ms; {} before any timing); `dtype`: the
        element type it ran in ("float32", "int8"; None: unchanged)."""
        self._layers, self._mean = layers, mean_ms
        self.dtype = dtype or self.dtype
        if self.isVisible():
            self._draw()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        if self.roofs is None and self._task is None:
            self.calibrate()
        if self._stale:
            self._draw()

    def _draw(self) -> None:
        self._stale = False
        self.points = roofline_points(self._layers, self._mean, self.dtype)
        timed = [p for p in self.points if p.gmacs_per_s]
        r = self.roofs
        if timed:
            xs = np.log10([p.intensity for p in timed])
            ys = np.log10([p.gmacs_per_s for p in timed])
            self.scatter.setData(xs, ys, data=[p.name for p in timed], brush=[
                pg.mkBrush(TYPE_COLORS.get(p.type, TYPE_COLORS["other"])) for p in timed],
                pen=pg.mkPen("#222", width=0.6))
        else:
            self.scatter.setData([], [])
        speeds = [p.gmacs_per_s for p in timed]
        top = max([r.peak_gmacs if r else 1.0] + speeds)
        low = min(speeds) if speeds else top / 1e3
        y0, y1 = math.log10(low) - 0.15, math.log10(top) + 0.25
        self.plot.setXRange(math.log10(X_RANGE[0]), math.log10(X_RANGE[1]), padding=0.02)
        self.plot.setYRange(y0, y1, padding=0)
        set_log_ticks(self.plot.getAxis("bottom"), *X_RANGE)
        set_log_ticks(self.plot.getAxis("left"), 10 ** y0, 10 ** y1)
        self._draw_roofs()
        self.caption.setText(explain(self.points, *(
            (r.peak_gmacs, r.bandwidth_gbs, r.cache_bandwidth_gbs) if r else (None,) * 3),
            dtype=self.dtype))
        if not timed:
            self.caption.setText(self.caption.text() + " Profile the layers or run the live "
                                 "demo to place the points.")
        self.warning.setText(self._over_roof_note(timed))
        self.warning.setVisible(bool(self.warning.text()))

    def _over_roof_note(self, timed: list[RooflinePoint]) -> str:
        """A warning when layers ran faster than the roofs allow (by more than NOISE): the
        roofs were then measured while the computer was busier than during the run."""
        r = self.roofs
        if r is None:
            return ""
        over = [p.name for p in timed if p.gmacs_per_s > (1 + NOISE) * attainable(
            p.intensity, r.peak_gmacs, r.cache_bandwidth_gbs)]
        if not over:
            return ""
        return (f"{len(over)} layer(s) ({', '.join(over[:4])}{'…' if len(over) > 4 else ''}) "
                "ran faster than the measured roofs allow: the roofs were probably measured "
                "while other programs kept the CPU busy. Measure them again when it is idle.")

    def _draw_roofs(self) -> None:
        r = self.roofs
        if r is None:
            for item in (self.dram_line, self.cache_line):
                item.setData([], [])
            for label in self.labels:
                label.setText("")
            return
        for item, bw in ((self.dram_line, r.bandwidth_gbs),
                         (self.cache_line, r.cache_bandwidth_gbs)):
            knee = r.peak_gmacs / bw
            xs = [X_RANGE[0], min(max(knee, X_RANGE[0]), X_RANGE[1]), X_RANGE[1]]
            ys = [attainable(x, r.peak_gmacs, bw) for x in xs]
            item.setData(np.log10(xs), np.log10(ys))
        y_peak = math.log10(r.peak_gmacs)
        texts = (f"compute roof {r.peak_gmacs:.0f} GMAC/s",
                 f"in cache {r.cache_bandwidth_gbs:.0f} GB/s",
                 f"main memory {r.bandwidth_gbs:.0f} GB/s")
        spots = ((math.log10(max(r.peak_gmacs / r.cache_bandwidth_gbs, X_RANGE[0])), y_peak),
                 (math.log10(X_RANGE[0]) + 0.08,
                  math.log10(min(X_RANGE[0] * 10 ** 0.08 * r.cache_bandwidth_gbs,
                                 r.peak_gmacs))),
                 (math.log10(X_RANGE[0]) + 0.45,
                  math.log10(X_RANGE[0] * 10 ** 0.45 * r.bandwidth_gbs) - 0.02))
        for label, text, (x, y) in zip(self.labels, texts, spots):
            label.setText(text)
            label.setPos(x, y)

    # -- hover -----------------------------------------------------------------------------
    def point_at(self, scene_pos) -> RooflinePoint | None:
        """The layer point under a scene position (within a few pixels), if any."""
        view = self.plot.getPlotItem().vb
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        names = {p.name: p for p in self.points}
        best, best_d = None, HOVER_PX
        for spot in self.scatter.points():
            s = view.mapViewToScene(spot.pos())
            d = math.hypot(s.x() - scene_pos.x(), s.y() - scene_pos.y())
            if d <= best_d:
                best, best_d = names.get(spot.data()), d
        return best

    def describe(self, p: RooflinePoint) -> str:
        text = (f"{p.name} ({p.type}): {p.intensity:.2f} MAC/byte, {p.macs / 1e6:.1f} M "
                f"mult-adds, {p.bytes / 1024:,.0f} KiB moved")
        if p.gmacs_per_s is not None:
            text += f", {p.gmacs_per_s:.1f} GMAC/s"
            if self.roofs:
                roof = attainable(p.intensity, self.roofs.peak_gmacs,
                                  self.roofs.cache_bandwidth_gbs)
                text += f" ({100 * p.gmacs_per_s / roof:.0f}% of its in-cache roof)"
        return text

    def _on_mouse(self, scene_pos) -> None:
        p = self.point_at(scene_pos)
        self.hover.setText(self.describe(p) if p else " ")
        if p is not None:
            QToolTip.showText(self.plot.mapToGlobal(
                self.plot.mapFromScene(scene_pos)), self.describe(p), self.plot)
        else:
            QToolTip.hideText()

    # -- calibration -----------------------------------------------------------------------
    def calibrate(self, refresh: bool = False) -> None:
        """Read the cached roofs or (first time, or `refresh`) measure them, off the GUI
        thread."""
        if self._task is not None:
            return
        threads, size, cache = self.threads, self.size, self.cache

        def job(report, cancelled):
            try:
                return rf.load_or_measure(threads, refresh=refresh, size=size, cache=cache,
                                          progress=lambda s, f: report((s, f)),
                                          cancel=cancelled)
            except rf.CalibrationCancelled:
                return None

        self._task = task = Task(job, self)
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_roofs)
        task.failed.connect(lambda text: self.status.setText(f"Roof calibration failed: {text}"))
        task.finished.connect(self._on_finished)
        self.measure_button.setEnabled(False)
        self.status.setText("Reading this computer's roofs…")
        task.start()

    def _on_progress(self, item) -> None:
        stage, fraction = item
        self.progress.show()
        self.progress.setValue(int(100 * fraction))
        self.status.setText(f"Measuring this computer's roofs — {stage}…")

    def _on_roofs(self, roofs: rf.Roofs | None) -> None:
        if roofs is None:
            return
        self.roofs = roofs
        threads = roofs.threads or "default"
        self.status.setText(
            f"Roofs measured with onnxruntime {roofs.onnxruntime}, threads {threads}: "
            f"compute {roofs.peak_gmacs:.0f} GMAC/s, memory {roofs.bandwidth_gbs:.0f} GB/s, "
            f"in cache {roofs.cache_bandwidth_gbs:.0f} GB/s; {roofs.cpu or 'CPU'} "
            f"({', '.join(roofs.cpu_features) or 'no notable features'})")
        self._draw()
        self.roofs_changed.emit(roofs)

    def _on_finished(self) -> None:
        self._task = None  # the Task deletes itself
        self.progress.hide()
        self.measure_button.setEnabled(True)

    def busy(self) -> bool:
        return self._task is not None

    def shutdown(self) -> Task | None:
        """The calibration in flight (if any), for the caller to stop with the tab's others."""
        return self._task
