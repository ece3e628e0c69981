"""The "Float vs int8" page of the Network tab: the live demo's quantized checkpoint timed
in float and in int8, per layer side by side.

"Compare" runs the measurement that precision "auto" rests on
(net/analysis/precision_load.compare_source: float, int8 and int8 with exact float
islands, interleaved, one account per precision) in a background Task with progress and cancel, never on
the GUI thread; its choice is remembered for "auto". The chart and the sentences show
that result as it is: per-layer figures adding up to each whole graph, int8/float per type,
the float islands tried and kept, the choice, the CPU features and the why, written from
these numbers (precision_why.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from visualizer.net.checkpoints.official import parse_official
from visualizer.ui.common.plots import bar_plot, nice_ceiling
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.precision_text import summary_html
from visualizer.qtthreads.task import Task

RUNS, WARMUP = 30, 3  # interleaved timed runs of each precision
FILES = (".tflite", ".tgz", ".tar.gz")
BAR = 0.38  # height of one bar; a layer's two bars fill 0.76 of its row
ROW_PX = 11  # fewer pixels per layer row: only every second (third, …) layer is labelled
TEXT_SHARE = 0.4  # the sentences take at most this share of the page (then they scroll)


def not_comparable(model) -> str | None:
    """Why the live demo's model cannot be compared in float and int8, or None if it can
    (a local .tflite/.tgz is tried: a float one fails with a clear message)."""
    how = ("Load a quantized checkpoint in the Live tab to compare: an official *_quant name "
           "(e.g. mobilenet_v1_0.5_160_quant) or a quantized .tflite file.")
    if model is None:
        return f"No live model yet. {how}"
    source = getattr(model, "source", "")  # models without one (e.g. test fakes): float
    if getattr(model, "precision", "float") == "int8":
        return None if source else f"{model.name} was not loaded from a file. {how}"
    official = parse_official(source) if source else None
    if official is not None:
        return None if official.quantized else \
            f"{model.name} holds float weights: it has no int8 version. {how}"
    if source.lower().endswith(FILES) and Path(source).expanduser().is_file():
        return None
    return f"{model.name} is not a quantized checkpoint. {how}"


def compare_job(model, runs: int, warmup: int, threads: int | None):
    """A Task function: loads the checkpoint's other precision, then times both."""
    def job(report, cancelled):
        from visualizer.net.analysis.precision_load import compare_source

        report(0.0)
        r = compare_source(model.source, threads, runs, warmup, progress=report,
                           cancelled=cancelled)
        return None if r is None else {**r, "model": model.name}
    return job


TITLE = "ms per layer: <b>pale</b> float (upper) vs <b>solid</b> int8 (lower)"


class PrecisionPage(QWidget):
    #: a comparison result was drawn (its dict) — for tests and the status line
    compared = Signal(object)

    def __init__(self, parent=None, threads: int | None = None, runs: int = RUNS,
                 warmup: int = WARMUP) -> None:
        super().__init__(parent)
        self.threads, self.runs, self.warmup = threads, runs, warmup
        self.model = None
        self.result: dict | None = None
        self.names: list[str] = []
        self.float_ms = np.zeros(0)
        self.int8_ms = np.zeros(0)
        self._task: Task | None = None
        self._cancelled = False
        self._build()
        self.set_model(None)

    def _build(self) -> None:
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.button = QPushButton("Compare float vs int8")
        self.button.setToolTip(
            f"Time the live model's checkpoint in float and in int8: {self.runs} runs of "
            "each, in alternating blocks so a change in machine load hits both alike; "
            "per-layer times from onnxruntime's profiler, scaled to add up to each "
            "precision's plain whole-graph time (trimmed means).")
        self.button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar(maximum=100, textVisible=False, maximumWidth=120,
                                     maximumHeight=12)
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: #444; font-size: 8pt")
        self.plot = bar_plot(TITLE, tick_pt=8, labelled="left")
        self.plot.getPlotItem().invertY(True)
        self.plot.setLabel("bottom", "ms (trimmed mean)")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.float_bars = pg.BarGraphItem(x0=[], y=[], height=BAR, width=[])
        self.int8_bars = pg.BarGraphItem(x0=[], y=[], height=BAR, width=[])
        self.plot.addItem(self.float_bars)
        self.plot.addItem(self.int8_bars)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)
        self.plot.getPlotItem().vb.sigResized.connect(lambda _vb: self._label_rows())
        self.hover = QLabel("hover a layer for its times")
        self.hover.setStyleSheet("color: #222; font-weight: 600")

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addWidget(self.button)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(top)
        text = QWidget()
        lines = QVBoxLayout(text)
        lines.setContentsMargins(0, 0, 0, 0)
        lines.addWidget(self.summary)
        lines.addWidget(self.why)
        lines.addStretch(1)
        self.text_area = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        self.text_area.setWidget(text)
        box.addWidget(self.text_area)
        box.addWidget(self.plot, 1)
        box.addWidget(self.hover)
        box.addStretch(0)  # keeps the status line at the top until there is a result
        for w in (self.text_area, self.plot, self.hover):
            w.hide()  # an empty chart says nothing: shown with the first result

    # -- the model -------------------------------------------------------------------------
    def set_model(self, model) -> None:
        """The live demo's LoadedModel (or None): enables Compare for a quantized one."""
        self.model = model
        reason = not_comparable(model)
        self.button.setEnabled(reason is None and self._task is None)
        if self._task is None:
            self.status.setText(reason or f"{model.name}: press Compare to time it in float "
                                          "and int8 (about 5-20 s).")

    # -- the comparison --------------------------------------------------------------------
    def start(self) -> None:
        """Run the comparison of the live model on a worker thread."""
        if self._task is not None or not_comparable(self.model) is not None:
            return
        self._task = task = Task(compare_job(self.model, self.runs, self.warmup,
                                             self.threads), self)
        task.progressed.connect(lambda f: self.progress.setValue(round(100 * f)))
        task.succeeded.connect(self.show_result)
        task.failed.connect(self._on_failed)
        task.finished.connect(self._on_finished)
        self._cancelled = False
        self.button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText(f"{self.model.name}: timing float and int8…")
        task.start()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._cancelled = True  # the thread forgets the request once it has ended
            self.status.setText("cancelling…")

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#b00020'>{message}</span>")

    def _on_finished(self) -> None:
        if self._task is None:
            return
        self._task = None  # the Task deletes itself
        self.progress.hide()
        self.cancel_button.hide()
        self.button.setEnabled(not_comparable(self.model) is None)
        if self._cancelled:
            self.status.setText("Comparison cancelled.")

    def show_result(self, result: dict | None) -> None:
        """Draw a compare_precisions result (with "model"); None (cancelled) is ignored."""
        if result is None:
            return
        self.result = result
        layers = result["layers"]  # every layer has both precisions (0 ms: no row)
        self.names = [l["name"] for l in layers]
        self.float_ms = np.array([l["ms"]["float"] for l in layers], float)
        self.int8_ms = np.array([l["ms"]["int8"] for l in layers], float)
        rows = np.arange(len(layers), dtype=float)
        colors = [TYPE_COLORS.get(l["type"], TYPE_COLORS["other"]) for l in layers]
        pale = [pg.mkColor(c) for c in colors]
        for c in pale:
            c.setAlpha(90)
        self.float_bars.setOpts(x0=np.zeros(len(rows)), y=rows - BAR / 2, height=BAR,
                                width=self.float_ms, brushes=pale,
                                pens=[pg.mkPen(c) for c in colors])
        self.int8_bars.setOpts(x0=np.zeros(len(rows)), y=rows + BAR / 2, height=BAR,
                               width=self.int8_ms, brushes=colors,
                               pens=[pg.mkPen(c) for c in colors])
        self._label_rows()
        top = float(max(self.float_ms.max(initial=0), self.int8_ms.max(initial=0)))
        self.plot.setXRange(0, nice_ceiling(top * 1.02), padding=0)
        self.plot.setYRange(-1.0, len(rows), padding=0)  # room for the end labels
        self._write(result)
        for w in (self.text_area, self.plot, self.hover):
            w.show()
        self._fit_text()
        self.status.setText(f"{result['model']}: measured.")
        self.compared.emit(result)

    def _label_rows(self) -> None:
        """One label per layer where rows are tall enough, else every k-th (hover names
        them all); the axis is as wide as the widest label."""
        axis = self.plot.getAxis("left")
        rows = max(len(self.names), 1)
        px = self.plot.getPlotItem().vb.height() / (rows + 1)
        step = 1 if px >= ROW_PX or px <= 0 else -(-ROW_PX // max(int(px), 1))
        axis.setTicks([[(i, n) for i, n in enumerate(self.names) if i % step == 0], []])
        font = QFont()
        font.setPointSize(8)
        widest = max((QFontMetrics(font).horizontalAdvance(n) for n in self.names), default=0)
        axis.setWidth(widest + 14)

    def _fit_text(self) -> None:
        width = max(self.text_area.viewport().width(), self.width() - 12)
        inner = self.text_area.widget().layout().totalHeightForWidth(width)
        self.text_area.setFixedHeight(min(inner + 2, int(TEXT_SHARE * self.height())))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.result is not None:
            self._fit_text()

    def _write(self, r: dict) -> None:
        self.summary.setText(summary_html(r))
        self.why.setText(f"CPU features: {', '.join(r['cpu_features']) or 'unknown'}. "
                         f"Why: {r['note']}.")

    def describe(self, row: int) -> str:
        """One line on a layer's two figures (hover), and its float island's cost."""
        f, q = self.float_ms[row], self.int8_ms[row]
        ratio = f"int8/float {q / f:.2f}" if f > 0 else ""
        text = f"{self.names[row]}: float {f:.3f} ms · int8 {q:.3f} ms · {ratio}"
        cost = (self.result or {}).get("island_costs", {}).get(self.names[row])
        if cost:
            text += (f" · as an exact float island {cost['island']:.3f} ms vs int8 "
                     f"{cost['int8']:.3f} ms (each with its layout conversions)")
        return text

    def _on_mouse(self, scene_pos) -> None:
        y = self.plot.getPlotItem().vb.mapSceneToView(scene_pos).y()
        row = round(y)
        inside = self.plot.sceneBoundingRect().contains(scene_pos)
        self.hover.setText(self.describe(row) if inside and 0 <= row < len(self.names)
                           else "hover a layer for its times")

    # -- shutdown --------------------------------------------------------------------------
    def busy(self) -> bool:
        return self._task is not None

    def shutdown(self) -> Task | None:
        """The comparison in flight (if any), for the caller to stop with the tab's others."""
        return self._task
