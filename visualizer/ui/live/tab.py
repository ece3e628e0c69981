"""The Live tab: MobileNet V1 on a camera, a video, an image or a folder of images.

Source and model pickers, the frame with its top-5, FPS/latency/dropped counters, a live
per-layer timing chart and exports. All work happens in LivePipeline (ui/live/pipeline.py):
inference and model loading never run on the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QProgressDialog,
                               QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget)

from visualizer.ui.live.cam_overlay import CamControls
from visualizer.ui.live.export_buttons import ExportButtons
from visualizer.ui.live.pickers import ModelPicker, SourcePicker, default_model
from visualizer.ui.live.provider_picker import ProviderPicker
from visualizer.ui.live.stats import StatsLabel
from visualizer.ui.live.timing_chart import TimingChart
from visualizer.net.timing_stats import TimingAverage
from visualizer.ui.live.top5_view import FrameView, Top5View
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.camera import NO_CAMERA
from visualizer.video.sources import SourceError, make_source


class LiveTab(QWidget):
    def __init__(self, threads: int | None = None, pipeline: LivePipeline | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.average = TimingAverage(window=20)
        self._start_pending = False
        self._shut = False
        self._loading_spec: str | None = None
        self._running_spec: str | None = None  # the model spec that loaded last
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        root.addLayout(self._build_source_row())
        root.addLayout(self._build_model_row())
        root.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        self.frame_view = FrameView()
        self.top5 = Top5View()
        self.stats_label = StatsLabel()
        lbox.addWidget(self.frame_view, 1)
        self.cam_controls.changed.connect(self.frame_view.show_cam)
        lbox.addWidget(self.top5)
        lbox.addWidget(self.stats_label)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        self.chart = TimingChart()
        rbox.addWidget(self.chart, 1)
        self.exports = ExportButtons(self.chart, self.show_message)
        rbox.addWidget(self.exports)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([560, 700])
        root.addWidget(split, 1)
        self.progress = QProgressDialog("Loading model…", "Cancel", 0, 0, self)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setWindowTitle("Model")
        self.progress.canceled.connect(self._cancel_load)
        self.progress.reset()
        self.progress.hide()
        # last: the pipeline starts a thread, which must not outlive a half-built tab
        self.pipeline = p = pipeline or LivePipeline(threads)
        p.setParent(self)
        self.exports.pipeline = p
        p.resultReady.connect(self._on_result)
        p.error.connect(self._on_error)
        p.sourceEnded.connect(self._on_ended)
        p.runningChanged.connect(self._on_running)
        p.modelLoading.connect(self._on_loading)
        p.modelProgress.connect(self._on_progress)
        p.modelLoaded.connect(self._on_loaded)
        p.modelFailed.connect(self._on_load_failed)
        self.stats_timer = QTimer(self)
        self.stats_timer.timeout.connect(self._show_stats)
        self.stats_timer.start(500)
        self._show_stats()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- building ------------------------------------------------------------------------
    def _build_source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.source_picker = SourcePicker()
        self.source_picker.chosen.connect(self._source_chosen)
        self.source_picker.camerasChanged.connect(self._cameras_changed)
        if not self.source_picker.has_cameras:
            self.show_message(NO_CAMERA)
        self.source_box, self.loop_box = self.source_picker.box, self.source_picker.loop_box
        row.addWidget(self.source_picker, 1)
        self.cam_controls = CamControls()  # beside the source: the frame keeps its height
        row.addWidget(self.cam_controls)
        self.start_button = QPushButton("Start")
        self.start_button.setMinimumWidth(90)
        self.start_button.setToolTip("Start or stop classifying frames from the source")
        self.start_button.clicked.connect(self.toggle)
        row.addWidget(self.start_button)
        return row

    def _build_model_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.model_picker = ModelPicker()
        self.model_picker.requested.connect(self.load_model)
        row.addWidget(self.model_picker, 1)
        self.provider_picker = ProviderPicker()
        self.provider_picker.changed.connect(self._provider_changed)
        row.addWidget(self.provider_picker)
        self.model_label = QLabel("No model loaded")
        self.model_label.setWordWrap(True)
        # long names wrap instead of widening the window beyond a 1024-px screen
        self.model_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                       QSizePolicy.Policy.Preferred)
        self.model_label.setMinimumWidth(200)
        row.addWidget(self.model_label, 1)
        return row

    # -- messages and state ------------------------------------------------------------
    def show_message(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #333;")
        self.message.setText(text)
        if self.message.isVisibleTo(self) != bool(text):
            self.message.setVisible(bool(text))
            # lay out now: a pending layout change makes the next repaint draw the
            # charts at their old size and then once more at the new one
            self.layout().activate()

    def _show_stats(self) -> None:
        self.stats_label.show_stats(self.pipeline.stats())

    def _on_running(self) -> None:
        running = self.pipeline.running or self._start_pending
        self.start_button.setText("Stop" if running else "Start")

    # -- source ------------------------------------------------------------------------
    def current_source(self) -> str | None:
        return self.source_picker.current()

    def set_source(self, spec: str) -> None:
        """Select `spec` (camera:N or a path) in the picker."""
        self.source_picker.set_source(spec)

    def _cameras_changed(self, any_camera: bool) -> None:
        if not any_camera:
            if not self.pipeline.running:
                self.show_message(NO_CAMERA)
        elif self.message.text() == NO_CAMERA:
            self.show_message("A camera was connected: choose it under Source.", error=False)

    def _source_chosen(self) -> None:
        if self.pipeline.running:
            self.start()  # switching source while running restarts on the new one

    def toggle(self) -> None:
        if self.pipeline.running or self._start_pending:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        """Start the selected source (after the model, if one is still loading)."""
        spec = self.current_source()
        if spec is None:
            self.show_message("Choose a source first: a camera, a video file, an image or "
                              "a folder of images.")
            return
        if self.pipeline.model is None:
            self._start_pending = True
            if not self.pipeline.loading:
                self.load_model(self.current_model())
            self._on_running()
            return
        self._start_pending = False
        try:
            source = make_source(spec, loop_video=self.loop_box.isChecked())
        except SourceError as e:
            self.show_message(f"Cannot open the source: {e}")
            return
        self.show_message("")
        self.average.clear()
        self.frame_view.placeholder = f"Waiting for {source.description}…"
        self.frame_view.set_frame(None)
        self.top5.clear()
        self.pipeline.start(source)

    def stop(self) -> None:
        self._start_pending = False
        self.pipeline.stop()
        self._on_running()

    def _on_error(self, message: str) -> None:
        self.show_message(message)
        self.frame_view.placeholder = "No source running"
        self.frame_view.update()
        self._on_running()

    def _on_ended(self) -> None:
        s = self.pipeline.stats()
        self.show_message(f"The video ended ({s.frames_received} frames, "
                          f"{s.frames_inferred} inferred).", error=False)

    def _on_result(self, result, frame) -> None:
        self.frame_view.set_frame(frame, result.cam)
        self.top5.set_predictions(result.top5, result.trained)
        if result.layers:  # the runner times layers on some frames only
            self.average.add(result)
            self.chart.update_times(self.average.mean_ms())

    # -- model -------------------------------------------------------------------------
    def current_model(self) -> str:
        return self.model_picker.current()

    def set_model(self, spec: str) -> None:
        """Select `spec` (an official name, a file, "untrained[:α_R]") in the picker."""
        self.model_picker.set_model(spec)

    def _provider_changed(self, _name: str) -> None:
        """A new execution provider: the running model is loaded again on it."""
        if self._running_spec is not None:
            self.load_model()

    def load_model(self, spec: str | None = None) -> None:
        """Load `spec` (or the picker's choice) in the background; the old model runs on."""
        if spec is not None:
            self.set_model(spec)
        if spec is None or not spec.startswith("untrained:"):
            spec = self.current_model()
        m = self.model_picker
        self.pipeline.load_model(spec, m.alpha, m.resolution, m.precision)

    def _on_loading(self, spec: str) -> None:
        self._loading_spec = spec
        self.model_label.setText(f"Loading {spec}…")
        self.model_label.setStyleSheet("")
        self.progress.setLabelText(f"Loading {spec}…")
        self.progress.setRange(0, 0)
        QTimer.singleShot(400, self._maybe_show_progress)

    def _maybe_show_progress(self) -> None:
        if self.pipeline.loading and not self._shut:
            self.progress.show()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setLabelText(f"Downloading… {done / 1e6:.1f} of {total / 1e6:.1f} MB")

    def _cancel_load(self) -> None:
        self.progress.hide()
        if self.pipeline.loading:
            self.pipeline.cancel_load()
            self._start_pending = False
            self._on_running()
            self.show_message("Model loading cancelled; the previous model stays.", error=False)
            self._revert_picker()
            self._show_model()

    def _on_loaded(self, model) -> None:
        self.progress.hide()
        self._running_spec = self._loading_spec
        self.chart.set_layers(self.pipeline.layers)
        self.average.clear()
        self._show_model()
        if self._start_pending:
            self.start()

    def _revert_picker(self) -> None:
        """The picker shows the model that runs, not the one that failed or was cancelled."""
        if self._running_spec is not None:
            self.model_picker.set_model(self._running_spec)
        if self.pipeline.model is not None:
            self.model_picker.set_precision(getattr(self.pipeline.model, "precision", "float"))

    def _on_load_failed(self, message: str) -> None:
        self.progress.hide()
        self._revert_picker()
        self._start_pending = False
        self._on_running()
        keep = " The previous model stays." if self.pipeline.model is not None else ""
        self.show_message(f"Could not load the model: {message}.{keep}")
        self._show_model()

    def _show_model(self) -> None:
        m = self.pipeline.model
        if m is None:
            self.model_label.setText("No model loaded")
            return
        size = f"α {m.spec.alpha:g}, {m.spec.resolution}×{m.spec.resolution}"
        if getattr(m, "precision", "float") != "float":
            size += f", {m.precision}"
        self.model_picker.show_shape(m.spec.alpha, m.spec.resolution)
        self.model_label.setToolTip(
            f"{m.name}: width multiplier {size} input, {m.spec.classes} classes"
            + ("" if m.trained else " — random weights: the timings are real, the "
               "predictions are not"))
        if getattr(m, "precision", "float") == "int8":
            from visualizer.net.cpu_features import cpu_features, int8_note

            self.model_label.setToolTip(self.model_label.toolTip() + "\nint8 on this CPU: "
                                        + int8_note(cpu_features()))
        if m.trained:
            self.model_label.setText(f"Running: {m.name} ({size})")
            self.model_label.setStyleSheet("")
        else:
            self.model_label.setText(f"Running: {m.name} — random weights, predictions "
                                     "meaningless")
            self.model_label.setStyleSheet("color: #b00020; font-weight: bold;")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.pipeline.model is None and not self.pipeline.loading and not self._shut:
            self.load_model(default_model())

    # -- exports (ExportButtons) --------------------------------------------------------
    def export_csv(self, path: str) -> None:
        self.exports.export_csv(path)

    def export_json(self, path: str) -> None:
        self.exports.export_json(path)

    def export_png(self, path: str) -> None:
        self.exports.export_png(path)

    # -- closing -----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Release the camera, stop the worker and every thread (idempotent)."""
        if self._shut:
            return
        self._shut = True
        self.stats_timer.stop()
        self._start_pending = False
        self.progress.hide()
        self.pipeline.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
