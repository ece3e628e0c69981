"""The roofline page of the Network tab: each layer's mult-adds per byte (x) against the
GMAC/s it achieved (y), log-log, under this computer's measured roofs for the precision
the model ran in (float32, or int8 with its integer kernels' compute roof).

The roofs come from net/analysis/roofs.py: read from the cache or measured (~1-3 s) in a
background Task with a progress bar, never on the GUI thread, the first time the page is
shown or when the user asks again. Roofs that are not trusted (a busy machine, passes
that never agreed) are drawn with the reason in red; when a layer lands above the roofs
they are refused and measured again, once. The caption is written from where the points
are (roofline_caption.py); roof labels are placed clear of the points (roof_labels.py).
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolTip,
                               QVBoxLayout, QWidget)

from visualizer.net.analysis import roofs as rf
from visualizer.net.analysis.machine_load import MachineLoad
from visualizer.net.analysis.roofline import RooflinePoint, roofline_points
from visualizer.net.analysis.roofline_caption import WHERE, above, caption, place
from visualizer.net.model.mobilenet import NetLayer
from visualizer.qtthreads.task import Task
from visualizer.ui.common.style import TYPE_COLORS
from visualizer.ui.network.roofline_plot import RooflinePlot
from visualizer.ui.network.roof_status import (redo_note, roofs_details, roofs_status,
                                               untrusted_note)


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
        self._load: MachineLoad | None = None  # while the points' times were taken
        self.dtype = "float32"  # of the timed model's activations and weights
        self.signed_weights = False  # int8 weights (u8×s8 kernels) rather than uint8
        self._task: Task | None = None
        self._stale = False
        self.redone = False  # the roofs were refused (a layer above them) and measured again
        self._redo_pending = False  # … once the calibration in flight has finished
        self._measured_threads = threads  # of the calibration last started
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
            "Time large 1×1 convolutions, float32 and int8 (compute roofs), a stream of "
            "element-wise Relu over 128 MB (memory roof) and over 1 MB tensors (in-cache "
            "roof) with onnxruntime, in passes until two agree, about 1-3 s. Roofs measured "
            "while other programs keep the cores busy are refused, never kept.")
        self.measure_button.clicked.connect(lambda: self.calibrate(refresh=True))
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020")
        self.warning.hide()
        self.hover = QLabel(" ")
        self.hover.setWordWrap(True)
        self.hover.setStyleSheet("color: #222; font-weight: 600")

        self.plot = RooflinePlot()
        self.scatter, self.labels = self.plot.scatter, self.plot.labels
        self.dram_line, self.cache_line = self.plot.dram_line, self.plot.cache_line
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
                   dtype: str | None = None, signed_weights: bool | None = None,
                   load: MachineLoad | None = None) -> None:
        """The network and its mean layer times (ms; {} before any timing); `dtype`: the
        element type it ran in ("float32", "int8"; None: unchanged); `signed_weights`:
        int8 weights rather than uint8 (which int8 compute roof applies); `load`: other
        programs' CPU use while those times were taken (machine_load.LoadWatch), said
        on the chart when it inflated them."""
        self._layers, self._mean, self._load = layers, mean_ms, load
        self.dtype = dtype or self.dtype
        if signed_weights is not None:
            self.signed_weights = signed_weights
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

    def set_model(self, model) -> None:
        """The live demo's model: an int8 one is drawn under the compute roof of its own
        kernels (uint8 weights: u8×u8; int8 weights: u8×s8), as recorded when the model
        was loaded (LoadedModel.signed_weights: no parsing here, on the GUI thread)."""
        self.signed_weights = getattr(model, "precision", "float") == "int8" and \
            bool(getattr(model, "signed_weights", False))

    def set_threads(self, threads: int | None) -> None:
        """Roofs of another thread count: read or measured when next shown."""
        if threads == self.threads:
            return
        self.threads, self.redone = threads, False
        if self.roofs is not None and self.roofs.threads != threads:
            self.roofs = None
            if self.isVisible():
                self.calibrate()

    def peak(self) -> float | None:
        """The compute roof of the precision on show (GMAC/s)."""
        return self.roofs.peak(self.dtype, self.signed_weights) if self.roofs else None

    def _roof_values(self) -> tuple[float, float, float] | None:
        r = self.roofs
        return (self.peak(), r.bandwidth_gbs, r.cache_bandwidth_gbs) if r else None

    def _draw(self) -> None:
        self._stale = False
        self.points = roofline_points(self._layers, self._mean, self.dtype)
        timed = [p for p in self.points if p.gmacs_per_s]
        roofs = self._roof_values()
        self.plot.draw(timed, roofs, int8=self.dtype != "float32")
        text = caption(self.points, *(roofs or (None,) * 3), dtype=self.dtype)
        if not timed:
            text += " Profile the layers or run the live demo to place the points."
        self.caption.setText(text)
        if self.roofs is not None:
            self.status.setText(roofs_status(self.roofs, self.dtype, self.signed_weights))
            self.status.setToolTip(roofs_details(self.roofs))
        self._warn()

    def _warn(self) -> None:
        """Red lines: roofs not trusted; layers above the roofs (refused: measured again,
        once)."""
        timed = [p for p in self.points if p.gmacs_per_s]
        lines = []
        if timed and self._load is not None and self._load.contended:
            lines.append(f"Points: {self._load.note()}, so they sit lower than they would.")
        if self.roofs is not None and not self.roofs.trusted:
            lines.append(untrusted_note(self.roofs))
        over = above(timed, *self._roof_values()) if self.roofs else []
        if over and not self.redone:
            self.redone = self._redo_pending = True
            if self._task is None:
                self._on_finished()  # starts the redo now
        if over:
            lines.append(redo_note(over, again=not self._redo_pending and self._task is None))
        self.warning.setText("\n".join(lines))
        self.warning.setVisible(bool(lines))

    # -- hover -----------------------------------------------------------------------------
    def point_at(self, scene_pos) -> RooflinePoint | None:
        """The layer point under a scene position (within a few pixels), if any."""
        name = self.plot.name_at(scene_pos)
        return next((p for p in self.points if p.name == name), None)

    def describe(self, p: RooflinePoint) -> str:
        text = (f"{p.name} ({p.type}): {p.intensity:.2f} MAC/byte, {p.macs / 1e6:.1f} M "
                f"mult-adds, {p.bytes / 1024:,.0f} KiB moved")
        if p.gmacs_per_s is not None:
            text += f", {p.gmacs_per_s:.1f} GMAC/s"
            placed = place(p, *self._roof_values()) if self.roofs else None
            if placed is not None:
                text += (f" — {WHERE[placed.where]}, {100 * placed.fraction:.0f}% of its "
                         "attainable roof")
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
    def calibrate(self, refresh: bool = False, forget: bool = False) -> None:
        """Read the cached roofs or (first time, or `refresh`) measure them, off the GUI
        thread; `forget`: the cached roofs are refused (a layer ran above them)."""
        if self._task is not None:
            return
        threads, size, cache = self.threads, self.size, self.cache
        self._measured_threads = threads

        def job(report, cancelled):
            if forget:
                rf.forget_roofs(threads, size, cache)
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
        self._draw()
        self.roofs_changed.emit(roofs)

    def _on_finished(self) -> None:
        self._task = None  # the Task deletes itself
        self.progress.hide()
        self.measure_button.setEnabled(True)
        if self._redo_pending:  # a layer ran above the roofs: refuse them, measure again
            self._redo_pending = False
            self.calibrate(refresh=True, forget=True)
        elif self._measured_threads != self.threads:
            self.roofs = None  # the threads changed meanwhile: the roofs of the new count
            self.calibrate()
        elif self.roofs is not None:
            self._warn()  # what the measurement in flight left to say

    def busy(self) -> bool:
        return self._task is not None

    def shutdown(self) -> Task | None:
        """The calibration in flight (if any), for the caller to stop with the tab's others."""
        return self._task
