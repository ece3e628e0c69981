"""Latency sweep over the official α × resolution grid, plotted against mult-adds.

The measurement (`net.sweep.run_sweep`) runs on a worker thread with progress and cancel;
each point is annotated with the published top-1 accuracy of that setting.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS
from visualizer.net.analysis.sweep import SweepPoint, run_sweep
from visualizer.qtthreads.task import Task, stop

def _log_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """1-2-5 ticks for a log10 axis, labelled with plain numbers."""
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if lo <= v <= hi:
                ticks.append((math.log10(v), f"{v:g}"))
    return ticks


ALPHA_COLORS = {0.25: "#e15759", 0.5: "#f28e2b", 0.75: "#59a14f", 1.0: "#4e79a7"}


class SweepView(QWidget):
    #: the points measured (all of them, or those before a cancel)
    sweep_finished = Signal(list)

    def __init__(self, parent=None, alphas=OFFICIAL_ALPHAS, resolutions=OFFICIAL_RESOLUTIONS,
                 threads: int | None = None) -> None:
        super().__init__(parent)
        self.alphas, self.resolutions, self.threads = tuple(alphas), tuple(resolutions), threads
        self.points: list[SweepPoint] = []
        self.task: Task | None = None
        self.cancelled = False

        self.start_button = QPushButton("Measure latency sweep")
        self.start_button.setToolTip(
            "Time the whole network for each official width multiplier α × input resolution "
            "(untrained weights: latency does not depend on weight values) with onnxruntime, "
            "as in the live demo")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.runs = QSpinBox()
        self.runs.setRange(1, 1000)
        self.runs.setValue(20)
        self.runs.setPrefix("runs: ")
        self.runs.setToolTip("Timed inferences per setting (after 2 warm-up runs); the plot "
                             "shows their mean")
        self.progress = QProgressBar()
        self.progress.setRange(0, len(self.alphas) * len(self.resolutions))
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m settings")
        self.status = QLabel("Latency against mult-adds for the 16 official settings; labels "
                             "give each setting's published ImageNet top-1.")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing() + 4)

        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setLogMode(x=True, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "mult-adds (millions, log scale)")
        self.plot.setLabel("left", "latency (ms, log scale)")
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setTextPen("#333")
            self.plot.getAxis(name).setPen("#777")
        self.plot.getAxis("bottom").setTicks([_log_ticks(1, 5000)])
        self.plot.getAxis("left").setTicks([_log_ticks(0.1, 1000)])
        self.plot.addLegend(offset=(10, 10), labelTextColor="#222")
        self.plot.setToolTip("Each point: one α-resolution setting, measured on this computer. "
                             "The label is the published top-1 accuracy (float model)")

        bar = QHBoxLayout()
        bar.addWidget(self.start_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.runs)
        bar.addWidget(self.progress, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(self.status)
        box.addWidget(self.plot, 1)

        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self._redraw()

    # -- actions ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.task is not None:
            return
        self.points = []
        self.cancelled = False
        self._redraw()
        self.progress.setValue(0)
        alphas, resolutions, runs, threads = self.alphas, self.resolutions, self.runs.value(), \
            self.threads

        def job(report, cancelled):
            return run_sweep(alphas, resolutions, runs=runs, warmup=2, threads=threads,
                             progress=lambda done, total, p: report(p), cancel=cancelled)

        self.task = Task(job, self)
        self.task.progressed.connect(self._on_point)
        self.task.succeeded.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        self.task.finished.connect(self._on_thread_finished)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Measuring… (other work on this computer makes timings noisy)")
        self.task.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.cancelled = True
            self.task.cancel()
            self.status.setText("Cancelling after the current setting…")

    def busy(self) -> bool:
        return self.task is not None

    def shutdown(self) -> None:
        stop(self.task)  # cancels; a setting being measured finishes on its own

    # -- results (GUI thread) ---------------------------------------------------------------
    def _on_point(self, point: SweepPoint) -> None:
        self.points.append(point)
        self.progress.setValue(len(self.points))
        self._redraw()

    def _on_done(self, points: list) -> None:
        self.points = list(points)
        self._redraw()
        n, total = len(self.points), self.progress.maximum()
        if self.cancelled and n < total:
            self.status.setText(f"Cancelled: {n} of {total} settings measured.")
        elif n >= 2:
            first, last = min(self.points, key=lambda p: p.macs), max(self.points,
                                                                    key=lambda p: p.macs)
            self.status.setText(
                f"{first.label}: {first.latency_ms:.2f} ms for {first.macs / 1e6:.0f} M "
                f"mult-adds; {last.label}: {last.latency_ms:.2f} ms for "
                f"{last.macs / 1e6:.0f} M — {last.macs / first.macs:.0f}× the arithmetic, "
                f"{last.latency_ms / first.latency_ms:.1f}× the time.")
        else:
            self.status.setText(f"{n} setting(s) measured.")

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"Sweep failed: {message}")

    def _on_thread_finished(self) -> None:
        self.task = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.sweep_finished.emit(list(self.points))

    def _redraw(self) -> None:
        plot = self.plot.getPlotItem()
        plot.clear()
        if plot.legend is not None:
            plot.legend.clear()
        if not self.points:
            plot.setXRange(1, math.log10(700), padding=0)  # log axes: ranges in log10
            plot.setYRange(-0.5, 2, padding=0)
            hint = pg.TextItem("Press “Measure latency sweep”: each setting is built and\n"
                               "timed in turn (seconds to a minute in all).", color="#555",
                               anchor=(0.5, 0.5))
            hint.setPos(math.log10(90), 0.75)
            plot.addItem(hint)
            return
        xs = [math.log10(p.macs / 1e6) for p in self.points]
        ys = [math.log10(max(p.latency_ms, 1e-3)) for p in self.points]
        # room on the right and at the top for the labels beside the points
        plot.setXRange(min(xs) - 0.1, max(xs) + 0.45, padding=0)
        plot.setYRange(min(ys) - 0.1, max(ys) + 0.15, padding=0)
        small = QFont()
        small.setPointSize(8)
        for alpha in self.alphas:
            pts = sorted((p for p in self.points if p.alpha == alpha), key=lambda p: p.macs)
            if not pts:
                continue
            color = ALPHA_COLORS.get(alpha, "#555")
            plot.plot([p.macs / 1e6 for p in pts], [p.latency_ms for p in pts],
                      pen=pg.mkPen(color, width=1.5), symbol="o", symbolSize=8,
                      symbolBrush=color, symbolPen=color, name=f"α = {alpha:g}")
            ok = [p for p in pts if math.isfinite(p.p25_ms) and p.p25_ms > 0]
            if ok:  # p25–p75 of the single runs, in the plot's log10 coordinates
                y = np.log10([max(p.latency_ms, 1e-6) for p in ok])
                plot.addItem(pg.ErrorBarItem(
                    x=np.log10([p.macs / 1e6 for p in ok]), y=y,
                    top=np.clip(np.log10([p.p75_ms for p in ok]) - y, 0, None),
                    bottom=np.clip(y - np.log10([p.p25_ms for p in ok]), 0, None),
                    beam=0.02, pen=pg.mkPen(color, width=1)))
            for p in pts:
                text = p.label + (f"  {p.top1:.1f}%" if p.top1 is not None else "")
                item = pg.TextItem(text, color="#222", anchor=(0, 1))
                item.setFont(small)
                item.setPos(math.log10(p.macs / 1e6), math.log10(max(p.latency_ms, 1e-6)))
                plot.addItem(item)
