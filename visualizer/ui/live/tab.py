"""The Live tab: MobileNet V1 on a camera, a video, an image or a folder of images.

Source and model pickers, the frame with its top-5, FPS/latency/dropped counters, a live
per-layer timing chart and exports. All work happens in LivePipeline (ui/live/pipeline.py):
inference and model loading never run on the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from visualizer.net.runtime import sessions
from visualizer.ui.live.cam_overlay import CamControls
from visualizer.ui.live.export_buttons import ExportButtons
from visualizer.ui.live.model_controls import ModelControls
from visualizer.ui.live.pickers import SourcePicker, default_model
from visualizer.ui.live.stats import StatsLabel
from visualizer.ui.live.timing_chart import TimingChart
from visualizer.ui.live.top5_view import FrameView, Top5View
from visualizer.ui.live.pipeline import LivePipeline
from visualizer.video.sources import SourceError, make_source


def auto_threads_reason() -> str:
    """Why auto gives the threads it gives (sessions.live_threads), from its own counts."""
    logical, physical = sessions.core_counts()
    if logical < 2:
        return "auto: the only usable core"
    # short: a longer line wraps and takes height from the frame
    return f"auto: ≤1 per physical core ({physical}), 1 of {logical} cores kept free"


class LiveTab(QWidget):
    def __init__(self, threads: int | None = None, pipeline: LivePipeline | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start_pending = False
        self._shut = False
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        root.addLayout(self._build_source_row())
        self.model_controls = ModelControls()
        mc = self.model_controls
        self.model_picker, self.model_label, self.progress = mc.picker, mc.label, mc.progress
        self.provider_picker = mc.provider
        root.addWidget(self.model_controls)
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
        # last: the pipeline starts a thread, which must not outlive a half-built tab
        self.pipeline = p = pipeline or LivePipeline(threads)
        p.setParent(self)
        self.exports.pipeline = p
        self.model_controls.attach(p)
        self.model_controls.loaded.connect(self._on_loaded)
        self.model_controls.failed.connect(self._on_load_failed)
        self.model_controls.cancelled.connect(self._on_load_cancelled)
        p.resultReady.connect(self._on_result)
        self.frame_view.resized.connect(p.set_preview_side)  # frames prepared at its size
        p.error.connect(self._on_error)
        p.sourceEnded.connect(self._on_ended)
        p.runningChanged.connect(self._on_running)
        self.stats_timer = QTimer(self)
        self.stats_timer.timeout.connect(self._show_stats)
        self.stats_timer.start(500)
        self._show_stats()
        self._placeholder()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- building ------------------------------------------------------------------------
    def _build_source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.source_picker = SourcePicker()
        self.source_picker.chosen.connect(self._source_chosen)
        self.source_picker.camerasChanged.connect(self._cameras_changed)
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

    # -- messages and state ------------------------------------------------------------
    def show_message(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #333;")
        self.message.setText(text)
        if self.message.isVisibleTo(self) != bool(text):
            self.message.setVisible(bool(text))
            # lay out now: a pending layout change makes the next repaint draw the
            # charts at their old size and then once more at the new one
            self.layout().activate()

    def _update_chart(self, account) -> None:
        """The chart with the account, the conditions line, red while contended."""
        load = self.pipeline.machine_load()
        self.chart.update_times(account, self.pipeline.conditions(),
                                contended=load is not None and load.contended)

    def _show_stats(self) -> None:
        account = self.pipeline.timing.account()
        frame = (account.frame_ms, account.frame_p25, account.frame_p75) if account else None
        if account is not None and self.pipeline.running:
            # plain frames move the whole frame between timed ones: the chart follows (twice
            # a second), so its total and the line below always agree
            self._update_chart(account)
        p = self.pipeline
        n = p.effective_threads()
        how = "" if p.threads else f" ({auto_threads_reason()})"
        self.stats_label.show_stats(p.stats(), frame, f"{n} thread{'s' * (n != 1)}{how}")

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
        if any_camera and not self.pipeline.running:
            self.show_message("A camera was connected: choose it under Source.", error=False)
        self._placeholder()

    def _placeholder(self) -> None:
        """What the empty frame says before anything runs: calm, never an error."""
        if self.pipeline.running:
            return
        self.frame_view.placeholder = (
            "Press Start to classify what the camera sees" if self.source_picker.has_cameras
            else "No camera found.\nChoose a video file, an image or a folder of images\n"
                 "under Source, then press Start.")
        self.frame_view.update()

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
        if spec is None:  # nothing chosen yet: offer the choices
            self.source_picker.open_chooser()
            return
        if self.pipeline.model is None:
            self._start_pending = True
            if not self.pipeline.loading:
                self.load_model(self.current_model())
            self._on_running()
            return
        self._start_pending = False
        try:
            source = make_source(spec, loop_video=self.loop_box.isChecked(),
                                 camera_format=self.source_picker.camera_format())
        except SourceError as e:
            self.show_message(f"Cannot open the source: {e}")
            return
        self.show_message("")
        self.frame_view.placeholder = f"Waiting for {source.description}…"
        self.frame_view.set_frame(None)
        self.top5.clear()
        self.pipeline.start(source)
        self.exports.set_available(False)  # a new run starts its figures afresh

    def stop(self) -> None:
        self._start_pending = False
        self.pipeline.stop()
        self._on_running()

    def _on_error(self, message: str) -> None:
        self.show_message(message)
        self._placeholder()
        self._on_running()

    def _on_ended(self) -> None:
        s = self.pipeline.stats()
        self.show_message(f"The video ended ({s.frames_received} frames, "
                          f"{s.frames_inferred} inferred).", error=False)

    def _on_result(self, result, frame) -> None:
        self.frame_view.set_frame(frame.preview, result.cam)
        self.model_controls.show_ran_on(result)
        self.top5.set_predictions(result.top5, result.trained)
        if result.layers:  # the runner times layers on some frames only
            self.exports.set_available(True)
            # the figures the exports and reports carry
            self._update_chart(self.pipeline.timing.account())

    # -- model (ModelControls) -------------------------------------------------------------
    def current_model(self) -> str:
        return self.model_controls.current()

    def set_model(self, spec: str) -> None:
        """Select `spec` (an official name, a file, "untrained[:α_R]") in the picker."""
        self.model_picker.set_model(spec)

    def load_model(self, spec: str | None = None) -> None:
        """Load `spec` (or the picker's choice) in the background; the old model runs on."""
        self.model_controls.load(spec)

    def set_threads(self, threads: int | None) -> None:
        """onnxruntime intra-op threads for the models loaded from now on."""
        self.pipeline.threads = threads

    def _on_loaded(self) -> None:
        self.chart.set_layers(self.pipeline.layers)
        self.exports.set_available(False)  # a new model: nothing timed yet
        if self._start_pending:
            self.start()

    def _on_load_cancelled(self) -> None:
        self._start_pending = False
        self._on_running()
        self.show_message("Model loading cancelled; the previous model stays.", error=False)

    def _on_load_failed(self, message: str) -> None:
        self._start_pending = False
        self._on_running()
        keep = " The previous model stays." if self.pipeline.model is not None else ""
        self.show_message(f"Could not load the model: {message}.{keep}")

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
        self.model_controls.close_dialog()
        self.pipeline.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
